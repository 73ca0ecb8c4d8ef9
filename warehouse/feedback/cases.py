"""Flagged cases: one case per distinct failing prompt, with every detector that fired on it.

A transcript is flagged when the latest detector version that scored it flagged it. Flagged
transcripts are grouped by the fingerprint of their normalised prompt (the user side of the
conversation, within one deployment); fingerprints whose prompts are near-duplicates of an
existing case's leading prompt join that case. Case ids are sticky: once a fingerprint belongs to
a case it stays there, so verdicts keep pointing at the case they were given on.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import polars as pl
import pyarrow as pa

from detectors.frame import MESSAGES_DTYPE
from warehouse.feedback import schemas
from warehouse.feedback.similarity import NearDuplicateIndex, fingerprint, normalize_expr
from warehouse.layout import Table
from warehouse.query import Warehouse

SEVERITY_RANK: Mapping[str, int] = {"low": 1, "medium": 2, "high": 3}
RANK_SEVERITY: Mapping[int, str] = {rank: name for name, rank in SEVERITY_RANK.items()}
NEAR_DUPLICATE_THRESHOLD = 0.9

_FLAGS_SQL = """
    WITH latest AS (
        SELECT transcript_id, detector, detector_version, flagged, score, severity, evidence
        FROM detections
        QUALIFY row_number() OVER (
            PARTITION BY transcript_id, detector ORDER BY scored_at DESC, detector_version DESC) = 1
    )
    SELECT l.transcript_id, l.detector, l.detector_version, l.score, l.severity, l.evidence,
           t.created_at, t.model, t.deployment, t.policy_id, t.messages
    FROM latest l JOIN transcripts t USING (transcript_id)
    WHERE l.flagged
    ORDER BY l.transcript_id, l.detector
"""


def load_flags(warehouse: Warehouse) -> pl.DataFrame:
    """Current flags (latest detector version per transcript and detector) with their transcript's fields."""
    return pl.from_arrow(warehouse.query(_FLAGS_SQL))


def load_cases(warehouse: Warehouse) -> pl.DataFrame:
    """The latest build of every case (empty frame with the schema when there are none)."""
    table = warehouse.query(f"SELECT {', '.join(schemas.FLAGGED_CASES.names)} FROM flagged_cases ORDER BY case_id")
    return pl.from_arrow(table.cast(schemas.FLAGGED_CASES))


def _user_prompts() -> pl.Expr:
    users = (
        pl.col("messages")
        .str.json_decode(MESSAGES_DTYPE)
        .list.eval(pl.element().filter(pl.element().struct.field("role") == "user").struct.field("content"))
        .list.drop_nulls()
        .list.join("\n")
    )
    return normalize_expr(users)


def priority_expr() -> pl.Expr:
    """Review priority: severity rank x10, then score x5, breadth (detectors, <=5), volume (log10 count, <=4)."""
    return (
        pl.col("rank").cast(pl.Float64) * 10
        + pl.col("max_score") * 5
        + pl.col("detectors").list.len().clip(upper_bound=5).cast(pl.Float64)
        + pl.col("transcripts").clip(lower_bound=1).cast(pl.Float64).log10().clip(upper_bound=4.0)
    ).round(6)


def build_cases(
    flags: pl.DataFrame,
    existing: pl.DataFrame,
    built_at: datetime,
    threshold: float = NEAR_DUPLICATE_THRESHOLD,
) -> pl.DataFrame:
    """Group flags into cases, reusing the ids of ``existing`` cases.

    Args:
        flags: rows of ``load_flags`` (one per flagged transcript and detector).
        existing: the latest build of each case (``load_cases``), possibly empty.
        built_at: timezone-aware build time stamped on the rows.
        threshold: character-shingle Jaccard similarity at which a new prompt joins an existing case.

    Returns:
        Every current case, in the ``FLAGGED_CASES`` schema, sorted by case_id.
    """
    if flags.height == 0:
        return pl.from_arrow(schemas.FLAGGED_CASES.empty_table())
    members = (
        flags.group_by("transcript_id")
        .agg(
            pl.col("created_at").first(),
            pl.col("model").first(),
            pl.col("deployment").first(),
            pl.col("policy_id").first(),
            pl.col("messages").first(),
            pl.col("severity").replace_strict(SEVERITY_RANK, default=1, return_dtype=pl.Int8).max().alias("rank"),
            pl.col("score").max().alias("max_score"),
        )
        .with_columns(_user_prompts().alias("prompt"))
        .drop("messages")
    )
    keys = [fingerprint(f"{d}\x1f{p}") for d, p in members.select("deployment", "prompt").iter_rows()]
    members = members.with_columns(pl.Series("fingerprint", keys, dtype=pl.String))
    assignment = _assign(members, existing, threshold)
    members = members.join(assignment, on="fingerprint", how="left")
    return _aggregate(flags.join(members.select("transcript_id", "case_id"), on="transcript_id"), members, existing, built_at)


def _assign(members: pl.DataFrame, existing: pl.DataFrame, threshold: float) -> pl.DataFrame:
    """fingerprint -> case_id: known fingerprints keep their case, new ones join a near leader or lead."""
    groups = (
        members.group_by("fingerprint")
        .agg(pl.col("deployment").first(), pl.col("prompt").first(), pl.col("created_at").min().alias("first_seen"))
        .sort("first_seen", "fingerprint")
    )
    known: dict[str, str] = {}
    leaders: dict[str, str] = {}
    for case_id, fingerprints in existing.select("case_id", "fingerprints").iter_rows():
        for fp in fingerprints or []:
            known.setdefault(fp, case_id)
        if fingerprints:
            leaders[fingerprints[0]] = case_id
    indexes: dict[str, NearDuplicateIndex] = {}
    for fp, deployment, prompt, _ in groups.iter_rows():
        if fp in leaders:
            indexes.setdefault(deployment, NearDuplicateIndex(threshold)).add(leaders[fp], prompt)
    assigned: dict[str, str] = {}
    for fp, deployment, prompt, _ in groups.iter_rows():
        if fp in known:
            assigned[fp] = known[fp]
            continue
        index = indexes.setdefault(deployment, NearDuplicateIndex(threshold))
        match = index.best_match(prompt)
        if match is not None:
            assigned[fp] = match[0]
        else:
            assigned[fp] = f"case-{fp[:16]}"
            index.add(assigned[fp], prompt)
    return pl.DataFrame(
        {"fingerprint": list(assigned), "case_id": list(assigned.values())},
        schema={"fingerprint": pl.String, "case_id": pl.String},
    )


def _aggregate(flags: pl.DataFrame, members: pl.DataFrame, existing: pl.DataFrame, built_at: datetime) -> pl.DataFrame:
    flags = flags.with_columns(
        pl.col("severity").replace_strict(SEVERITY_RANK, default=1, return_dtype=pl.Int8).alias("rank")
    )
    per_flag = (
        flags.sort("score", "created_at", "transcript_id", descending=[True, False, False])
        .group_by("case_id", "detector", "detector_version")
        .agg(
            pl.col("transcript_id").n_unique().cast(pl.Int64).alias("transcripts"),
            pl.col("rank").max(),
            pl.col("score").first(),
            pl.col("evidence").first(),
        )
        .sort("case_id", "rank", "score", "detector", "detector_version", descending=[False, True, True, False, False])
    )
    flag_lists = per_flag.group_by("case_id", maintain_order=True).agg(
        pl.struct(
            "detector",
            "detector_version",
            "transcripts",
            pl.col("rank").replace_strict(RANK_SEVERITY, return_dtype=pl.String).alias("severity"),
            "score",
            "evidence",
        ).alias("flags"),
        pl.col("detector").first().alias("primary_detector"),
        pl.col("detector").unique(maintain_order=True).alias("detectors"),
    )
    ordered = members.sort(
        ["case_id", "rank", "max_score", "created_at", "transcript_id"], descending=[False, True, True, False, False]
    )
    case_rows = ordered.group_by("case_id", maintain_order=True).agg(
        pl.col("deployment").first(),
        pl.col("policy_id").first(),
        pl.col("model").unique().sort().alias("models"),
        pl.col("transcript_id").first().alias("representative_transcript_id"),
        pl.col("transcript_id").sort_by("created_at", "transcript_id").alias("transcript_ids"),
        pl.len().cast(pl.Int64).alias("transcripts"),
        pl.col("fingerprint").sort_by("created_at", "fingerprint").unique(maintain_order=True).alias("fingerprints"),
        pl.col("rank").max().alias("rank"),
        pl.col("max_score").max(),
        pl.col("created_at").min().alias("first_seen"),
        pl.col("created_at").max().alias("last_seen"),
    )
    cases = case_rows.join(flag_lists, on="case_id").with_columns(
        _keep_leader_first(existing, case_rows),
        pl.col("rank").replace_strict(RANK_SEVERITY, return_dtype=pl.String).alias("severity"),
    )
    cases = cases.with_columns(
        priority_expr().alias("priority"),
        pl.lit(built_at).cast(pl.Datetime("us", "UTC")).alias("built_at"),
        pl.lit("").alias("content_hash"),
    )
    table = cases.select(schemas.FLAGGED_CASES.names).sort("case_id").to_arrow().cast(schemas.FLAGGED_CASES)
    return pl.from_arrow(table).with_columns(pl.Series("content_hash", _content_hashes(table), dtype=pl.String))


def _keep_leader_first(existing: pl.DataFrame, case_rows: pl.DataFrame) -> pl.Expr:
    """An existing case keeps its fingerprint order (the first is the leader); new fingerprints follow."""
    previous = dict(existing.select("case_id", "fingerprints").iter_rows())
    merged = []
    for case_id, fingerprints in case_rows.select("case_id", "fingerprints").iter_rows():
        current = set(fingerprints)
        before = [fp for fp in previous.get(case_id) or [] if fp in current]
        kept = set(before)
        merged.append(before + [fp for fp in fingerprints if fp not in kept])
    return pl.Series("fingerprints", merged, dtype=pl.List(pl.String))


def _content_hashes(table: pa.Table) -> list[str]:
    rows = table.drop_columns(["built_at", "content_hash"]).to_pylist()
    return [hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest() for row in rows]


@dataclass(frozen=True)
class CasesReport:
    cases: int
    new: int
    changed: int
    flagged_transcripts: int
    file: str | None


def refresh_cases(warehouse: Warehouse, built_at: datetime, threshold: float = NEAR_DUPLICATE_THRESHOLD) -> CasesReport:
    """Rebuild cases from the current flags and append the new or changed ones to the lake."""
    flags = load_flags(warehouse)
    existing = load_cases(warehouse)
    cases = build_cases(flags, existing, built_at, threshold)
    previous = dict(existing.select("case_id", "content_hash").iter_rows())
    changed = cases.filter(pl.col("content_hash") != pl.col("case_id").replace_strict(previous, default=""))
    path = None
    if changed.height:
        run_id = f"{built_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        rows = changed.to_arrow().cast(schemas.FLAGGED_CASES)
        path = warehouse.storage.write_run_file(Table.FLAGGED_CASES, built_at.date(), run_id, rows)
    new = changed.filter(~pl.col("case_id").is_in(list(previous))).height
    return CasesReport(
        cases=cases.height,
        new=new,
        changed=changed.height - new,
        flagged_transcripts=flags["transcript_id"].n_unique() if flags.height else 0,
        file=path,
    )
