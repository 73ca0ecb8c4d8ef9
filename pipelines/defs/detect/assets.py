"""Detect: score new transcripts with every registered detector version, one event day at a time."""
# No "from __future__ import annotations": Dagster resolves config and resource types from annotations.

import hashlib
from datetime import date

import dagster as dg

from detectors.registry import all_detectors
from pipelines.defs.partitions import event_days
from pipelines.detect.scoring import score_pending
from pipelines.judge.escalation import escalate
from pipelines.observe.push import push_detection_metrics
from pipelines.resources.judge import JudgeResource
from pipelines.resources.lake import LakeResource
from pipelines.resources.pushgateway import PushgatewayResource


def _detectors_version() -> str:
    """Changes whenever a detector is added or bumps its version, so stale detections show."""
    names = ",".join(f"{d.name}@{d.version}" for d in all_detectors())
    return hashlib.sha256(names.encode()).hexdigest()[:12]


class DetectConfig(dg.Config):
    batch_rows: int = 20_000
    metrics_window_hours: float = 1.0


@dg.asset(
    deps=["transcripts"],
    partitions_def=event_days,
    # No backfill_policy (a beta parameter): Dagster then backfills one day per run, so days are
    # scored in parallel up to the run queue's limits (infra/dagster/dagster.yaml).
    group_name="detect",
    kinds={"parquet", "polars"},
    code_version=_detectors_version(),
    description="One row per (transcript, detector version): flagged, score, severity, evidence. "
    "Partitioned by the transcripts' UTC event day.",
)
def detections(
    context: dg.AssetExecutionContext,
    config: DetectConfig,
    lake: LakeResource,
    pushgateway: PushgatewayResource,
) -> dg.MaterializeResult:
    """Score the day's transcripts once per detector version; already scored pairs are skipped."""
    day = date.fromisoformat(context.partition_key)
    report = score_pending(lake.warehouse, all_detectors(), batch_rows=config.batch_rows, days=[day])
    lake.refresh_catalog()
    pushed = pushgateway.push(
        lambda url: push_detection_metrics(lake.warehouse, url, window_hours=config.metrics_window_hours)
    )
    return dg.MaterializeResult(
        metadata={
            "metrics_pushed": pushed,
            "transcripts_scored": report.transcripts,
            "rows": report.rows,
            "files": len(report.files),
            **{f"flagged_{name}": count for name, count in sorted(report.flagged.items())},
        }
    )


@dg.asset(
    deps=["detections"],
    group_name="detect",
    kinds={"parquet"},
    description="Verdicts of the optional LLM judge on detections the fast tier was unsure about.",
)
def judge_verdicts(lake: LakeResource, judge: JudgeResource) -> dg.MaterializeResult:
    """Escalate uncertain detections to the judge within its budget; a no-op without a judge."""
    client = judge.client()
    if client is None:
        return dg.MaterializeResult(metadata={"judge_configured": False, "judged": 0})
    try:
        report = escalate(lake.warehouse, client)
    finally:
        client.close()
    return dg.MaterializeResult(
        metadata={
            "judge_configured": True,
            "candidates": report.candidates,
            "judged": report.judged,
            "errors": report.errors,
            "agreed_with_fast_tier": report.agreed,
        }
    )
