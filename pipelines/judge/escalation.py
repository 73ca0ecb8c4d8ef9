"""Escalate the fast tier's uncertain detections to the judge, within a budget, and store verdicts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl
import pyarrow as pa

from detectors.registry import all_detectors
from pipelines.judge.client import JudgeClient
from warehouse import schemas
from warehouse.layout import Table
from warehouse.query import Warehouse

UNCERTAIN_BAND = (0.35, 0.65)
TRANSCRIPT_CHARS = 8_000


@dataclass
class EscalationReport:
    candidates: int = 0
    judged: int = 0
    errors: int = 0
    agreed: int = 0
    path: str | None = None


def select_uncertain(detections: pl.DataFrame, band: tuple[float, float], budget: int) -> pl.DataFrame:
    """Rows whose score lies in ``band``, most uncertain (closest to the band's middle) first."""
    low, high = band
    middle = (low + high) / 2
    return (
        detections.filter(pl.col("score").is_between(low, high))
        .with_columns((pl.col("score") - middle).abs().alias("_distance"))
        .sort(["_distance", "transcript_id", "detector"])
        .head(budget)
        .drop("_distance")
    )


def render_transcript(messages: list[dict], limit: int = TRANSCRIPT_CHARS) -> str:
    """Plain text of a conversation for the judge, cut to ``limit`` characters."""
    lines = []
    for message in messages:
        text = message.get("content") or ""
        for call in message.get("tool_calls") or []:
            function = call.get("function") or {}
            text += f"\n[tool call {function.get('name')}: {function.get('arguments')}]"
        lines.append(f"{message.get('role', '?')}: {text}")
    return "\n".join(lines)[:limit]


_CANDIDATES_SQL = """
    SELECT d.transcript_id, d.detector, d.detector_version, d.score, d.flagged, d.evidence,
           from_json(t.messages, '[{"role":"VARCHAR","content":"VARCHAR","tool_calls":[{"function":{"name":"VARCHAR","arguments":"VARCHAR"}}]}]') AS messages
    FROM detections d JOIN transcripts t USING (transcript_id)
    ANTI JOIN judge_verdicts j
      ON j.transcript_id = d.transcript_id AND j.detector = d.detector
     AND j.detector_version = d.detector_version AND j.judge_model = ?
    WHERE d.score BETWEEN ? AND ?
"""


def escalate(
    warehouse: Warehouse,
    client: JudgeClient,
    band: tuple[float, float] = UNCERTAIN_BAND,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> EscalationReport:
    """Judge up to the client's budget of not-yet-judged uncertain detections; write one file."""
    model = client.settings.model
    candidates = pl.from_arrow(warehouse.query(_CANDIDATES_SQL, [model, band[0], band[1]]))
    chosen = select_uncertain(candidates, band, client.settings.budget)
    definitions = {d.name: d.description for d in all_detectors()}
    report = EscalationReport(candidates=candidates.height)
    rows = []
    for row in chosen.iter_rows(named=True):
        verdict = client.judge(
            row["detector"], definitions.get(row["detector"], ""), row["score"], row["evidence"] or "", render_transcript(row["messages"] or [])
        )
        report.judged += 1
        report.errors += verdict.error is not None
        report.agreed += verdict.flagged is not None and verdict.flagged == row["flagged"]
        rows.append(
            {
                "transcript_id": row["transcript_id"],
                "detector": row["detector"],
                "detector_version": row["detector_version"],
                "fast_score": row["score"],
                "fast_flagged": row["flagged"],
                "judge_model": model,
                "judge_flagged": verdict.flagged,
                "judge_confidence": verdict.confidence,
                "judge_rationale": verdict.rationale,
                "judge_error": verdict.error,
                "judged_at": clock(),
            }
        )
    if rows:
        now = clock()
        verdicts = pa.Table.from_pylist(rows, schema=schemas.JUDGE_VERDICTS)
        run_id = f"{now:%Y%m%dT%H%M%S%f}"
        report.path = warehouse.storage.write_run_file(Table.JUDGE_VERDICTS, now.date(), run_id, verdicts)
    return report
