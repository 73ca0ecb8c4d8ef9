"""Feedback: flagged cases -> daily review sample -> verdicts -> versioned datasets and the feedback topic."""
# No "from __future__ import annotations": Dagster resolves config and resource types from annotations.

from datetime import UTC, datetime

import dagster as dg

from pipelines.defs.feedback.resources import FeedbackResource
from pipelines.feedback.publish import publish_feedback
from pipelines.observe.feedback_metrics import push_feedback_metrics
from pipelines.resources.kafka import KafkaResource
from pipelines.resources.lake import LakeResource
from pipelines.resources.pushgateway import PushgatewayResource
from warehouse.feedback.cases import refresh_cases
from warehouse.feedback.dataset_store import dataset_store
from warehouse.feedback.datasets import build_dataset
from warehouse.feedback.sampling import refresh_review_queue

review_verdicts = dg.AssetSpec(
    "review_verdicts",
    description="Reviewer verdicts (append-only history), recorded with `alignwatch review verdict`.",
    group_name="feedback",
    kinds={"parquet"},
)


def _push_metrics(lake: LakeResource, pushgateway: PushgatewayResource) -> int:
    warehouse = lake.warehouse
    pushed = pushgateway.push(
        lambda url: push_feedback_metrics(warehouse, url, dataset_store(warehouse.storage))
    )
    return int(pushed)


@dg.asset(
    deps=["detections"],
    group_name="feedback",
    kinds={"parquet", "polars"},
    code_version="1",
    description="One case per distinct flagged prompt (near-duplicates merged) with every detector that fired.",
)
def flagged_cases(lake: LakeResource) -> dg.MaterializeResult:
    """Group current flags into cases with sticky ids; append new and changed cases."""
    report = refresh_cases(lake.warehouse, datetime.now(UTC))
    return dg.MaterializeResult(
        metadata={
            "cases": report.cases,
            "new_cases": report.new,
            "changed_cases": report.changed,
            "flagged_transcripts": report.flagged_transcripts,
        }
    )


@dg.asset(
    deps=[flagged_cases],
    group_name="feedback",
    kinds={"parquet"},
    code_version="1",
    description="Daily review sample: all high-severity cases, then stratified by detector x deployment, with weights.",
)
def review_queue(
    lake: LakeResource, feedback: FeedbackResource, pushgateway: PushgatewayResource
) -> dg.MaterializeResult:
    """Decide once, for every new case, whether a person reviews it; record the inclusion probability."""
    report = refresh_review_queue(
        lake.warehouse,
        datetime.now(UTC),
        budget_per_day=feedback.review_budget_per_day,
        seed=feedback.sampling_seed,
        max_high_severity_per_day=feedback.max_high_severity_per_day,
    )
    pushed = _push_metrics(lake, pushgateway)
    return dg.MaterializeResult(
        metadata={
            "metrics_pushed": pushed,
            "candidates": report.candidates,
            "selected": report.selected,
            "high_severity": report.high_severity,
            "budget_left_today": report.budget_left,
        }
    )


@dg.asset(
    deps=[flagged_cases, review_verdicts],
    group_name="feedback",
    kinds={"parquet", "json"},
    code_version="1",
    description="Immutable dataset versions (SFT, DPO preference pairs, regression evals) from confirmed cases.",
)
def feedback_dataset(
    lake: LakeResource, feedback: FeedbackResource, pushgateway: PushgatewayResource
) -> dg.MaterializeResult:
    """Build the next version unless nothing changed; PII redacted, eval-set overlaps excluded."""
    result = build_dataset(
        lake.warehouse,
        datetime.now(UTC),
        eval_sets=feedback.load_eval_sets(),
        redact=feedback.redact_pii,
        threshold=feedback.contamination_threshold,
    )
    pushed = _push_metrics(lake, pushgateway)
    return dg.MaterializeResult(
        metadata={
            "metrics_pushed": pushed,
            "version": int(result.version[1:]) if result.version else 0,
            "unchanged": int(result.unchanged),
            **{f"records_{kind}": count for kind, count in result.counts.items()},
            **{f"excluded_{match}": count for match, count in result.excluded.items()},
        }
    )


@dg.asset(
    deps=[flagged_cases, review_verdicts],
    group_name="feedback",
    kinds={"kafka"},
    code_version="1",
    description="Reviewed cases on the feedback topic (feedback_case.v1), once per case version.",
)
def feedback_topic(
    lake: LakeResource, kafka: KafkaResource, feedback: FeedbackResource
) -> dg.MaterializeResult:
    """Publish confirmed cases (and retractions of published ones) that are not on the topic yet."""
    report = publish_feedback(lake.warehouse, kafka.settings(), feedback.topic)
    return dg.MaterializeResult(
        metadata={"pending": report.pending, "published": report.published, "retractions": report.retractions}
    )
