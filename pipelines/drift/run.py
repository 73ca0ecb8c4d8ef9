"""One drift run: a window against its reference, per segment, as rows of ``drift_reports``."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import PurePath
from typing import Literal

import polars as pl

from pipelines.drift.features import FEATURES, transcript_features
from warehouse.drift.aggregate import coflag_counts, rate_bins, sample_transcripts
from warehouse.drift.attribution import ALL_MODELS
from warehouse.drift.evidently_adapter import feature_drift
from warehouse.drift.rates import RATE_COLUMNS, SEGMENT, DriftThresholds, rate_drift
from warehouse.drift.schema import DRIFT_REPORTS
from warehouse.drift.store import html_relpath, write_drift_reports
from warehouse.drift.windows import ReferenceSpec, TimeRange, WindowKind
from warehouse.query import Warehouse
from warehouse.storage import LakeStorage

HtmlMode = Literal["all", "drifted", "none"]


@dataclass(frozen=True)
class DriftOptions:
    thresholds: DriftThresholds = field(default_factory=DriftThresholds)
    reference: ReferenceSpec = field(default_factory=ReferenceSpec)
    sample_per_side: int = 2_000  # transcripts per segment and side handed to Evidently
    features: bool = True
    html: HtmlMode = "all"  # "drifted": only segments with a reported rate shift


@dataclass
class DriftRun:
    kind: WindowKind
    window: TimeRange
    reference: TimeRange
    rows: pl.DataFrame  # DRIFT_REPORTS columns
    html_files: list[str] = field(default_factory=list)  # where the reports went: paths, or s3:// URLs
    sampled: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # per stage: rates, coflags, sample, features

    @property
    def rates(self) -> pl.DataFrame:
        return self.rows.filter(pl.col("kind") == "rate")

    @property
    def detected(self) -> pl.DataFrame:
        return self.rates.filter(pl.col("detected"))


def compute_drift(
    warehouse: Warehouse, kind: WindowKind, window: TimeRange, run_at: datetime, options: DriftOptions = DriftOptions()
) -> DriftRun:
    """Test every detector's flag rate and every transcript feature of each segment in ``window``.

    Evidently's HTML reports are written into the lake (``warehouse.storage``) as they are produced;
    the rows are returned, not written (see ``write_drift``).
    """
    run = DriftRun(kind, window, options.reference.resolve(kind, window), rows=pl.DataFrame(schema=_polars_schema()))
    with _timed(run, "rates"):
        bins = rate_bins(warehouse, window, run.reference)
        rates = rate_drift(bins, options.thresholds)
    with _timed(run, "coflags"):
        rates = _with_coflags(warehouse, window, rates)
    features = pl.DataFrame()
    if options.features and not bins.is_empty():
        with _timed(run, "sample"):
            sample = transcript_features(
                sample_transcripts(warehouse, window, run.reference, _sizes(bins), options.sample_per_side)
            )
            run.sampled = sample.height
        with _timed(run, "features"):
            shifted = {tuple(r) for r in rates.filter(pl.col("detected")).select(SEGMENT).iter_rows()}
            features = _feature_rows(warehouse, run, sample, shifted, options.html)
    run.rows = _assemble(run, rates, features, run_at)
    return run


@contextmanager
def _timed(run: DriftRun, stage: str) -> Iterator[None]:
    started = time.perf_counter()
    try:
        yield
    finally:
        run.seconds[stage] = time.perf_counter() - started


def _feature_rows(
    warehouse: Warehouse, run: DriftRun, sample: pl.DataFrame, shifted: set[tuple], html: HtmlMode
) -> pl.DataFrame:
    """Evidently's drift of each feature, per segment of the sample; writes the HTML reports."""
    rows: list[dict] = []
    storage = warehouse.storage
    for (deployment, policy_id), segment in sample.group_by(SEGMENT, maintain_order=True):
        wants_html = html == "all" or (html == "drifted" and (deployment, policy_id) in shifted)
        relpath = html_relpath(run.kind, run.window, deployment, policy_id) if wants_html else None
        written: list[str] = []
        save = partial(_save_html, storage, storage.layout.root / relpath, written) if relpath else None
        reference = segment.filter(pl.col("side") == "reference")
        results = feature_drift(reference, segment.filter(pl.col("side") == "current"), FEATURES, save)
        linked = bool(written)
        run.html_files += written
        rows += [
            {
                "deployment": deployment, "policy_id": policy_id, "kind": "feature", "subject": r.feature,
                "method": r.method, "statistic": r.score, "threshold": r.threshold, "tested": r.score is not None,
                "significant": r.detected, "detected": r.detected, "current_n": r.current_n,
                "reference_n": r.reference_n, "model": ALL_MODELS, "report_html": relpath if linked else None,
            }
            for r in results
        ]
    return pl.DataFrame(rows)


def _save_html(storage: LakeStorage, path: PurePath, written: list[str], text: str) -> None:
    written.append(storage.write_bytes(text.encode("utf-8"), path))


def _assemble(run: DriftRun, rates: pl.DataFrame, features: pl.DataFrame, run_at: datetime) -> pl.DataFrame:
    """Rate and feature rows in the ``drift_reports`` shape; rate rows link their segment's report."""
    rows = rates.rename({"detector": "subject"}).with_columns(kind=pl.lit("rate"))
    if not features.is_empty():
        links = features.select(*SEGMENT, "report_html").unique(subset=list(SEGMENT))
        rows = pl.concat([rows.join(links, on=list(SEGMENT), how="left"), features], how="diagonal_relaxed")
    rows = rows.with_columns(
        run_at=pl.lit(run_at),
        window_kind=pl.lit(run.kind.value),
        window_start=pl.lit(run.window.start),
        window_end=pl.lit(run.window.end),
        reference_start=pl.lit(run.reference.start),
        reference_end=pl.lit(run.reference.end),
    )
    return rows.select(
        [pl.col(n).cast(t) if n in rows.columns else pl.lit(None, t).alias(n) for n, t in _polars_schema().items()]
    ).sort("kind", *SEGMENT, "subject", descending=[True, False, False, False])


def run_metadata(run: DriftRun) -> dict[str, int]:
    """Counts describing a run (no names or text: safe for orchestrator metadata)."""
    rates = run.rates
    per_segment = rates.group_by(SEGMENT).agg(pl.col("current_n").max(), pl.col("reference_n").max())
    return {
        "segments": per_segment.height,
        "rate_tests": rates.filter(pl.col("tested")).height,
        "rates_shifted": run.detected.height,
        "features_drifted": run.rows.filter((pl.col("kind") == "feature") & pl.col("detected")).height,
        "transcripts_current": int(per_segment["current_n"].sum() or 0),
        "transcripts_reference": int(per_segment["reference_n"].sum() or 0),
        "sampled_transcripts": run.sampled,
        "html_reports": len(run.html_files),
    }


def write_drift(warehouse: Warehouse, run: DriftRun) -> str:
    """Write the run's rows as the window's file of ``drift_reports``; returns where it went."""
    return write_drift_reports(warehouse.storage, run.kind, run.window, run.rows)


def _sizes(bins: pl.DataFrame) -> pl.DataFrame:
    """Transcripts per segment and side: every transcript is scored by every detector, take the largest count."""
    per_detector = bins.group_by([*SEGMENT, "side", "detector"]).agg(pl.col("scored").sum())
    return per_detector.group_by([*SEGMENT, "side"]).agg(pl.col("scored").max().alias("transcripts"))


def _with_coflags(warehouse: Warehouse, window: TimeRange, rates: pl.DataFrame) -> pl.DataFrame:
    """For each reported shift, the other shifted detector of its segment that flags the most of the same transcripts."""
    detected = rates.filter(pl.col("detected"))
    multi = detected.group_by(SEGMENT).len().filter(pl.col("len") > 1)
    empty = rates.with_columns(co_flagged_with=pl.lit(None, pl.String), co_flag_share=pl.lit(None, pl.Float64))
    if multi.is_empty():
        return empty
    pairs = coflag_counts(warehouse, window, sorted(set(detected["detector"])))
    shifted = detected.select(*SEGMENT, "detector", "current_flagged")
    best = (
        pairs.join(shifted, on=[*SEGMENT, "detector"])
        .join(shifted.rename({"detector": "other", "current_flagged": "_other_flagged"}), on=[*SEGMENT, "other"])
        .with_columns(co_flag_share=pl.col("both") / pl.col("current_flagged"))
        .sort("co_flag_share", descending=True)
        .group_by([*SEGMENT, "detector"], maintain_order=True)
        .first()
        .select(*SEGMENT, "detector", pl.col("other").alias("co_flagged_with"), "co_flag_share")
    )
    return rates.join(best, on=[*SEGMENT, "detector"], how="left")


def _polars_schema() -> dict[str, pl.DataType]:
    rate_types = RATE_COLUMNS | {"co_flagged_with": pl.String, "co_flag_share": pl.Float64}
    schema = pl.from_arrow(DRIFT_REPORTS.empty_table()).schema
    return {name: rate_types.get(name, dtype) for name, dtype in schema.items()}
