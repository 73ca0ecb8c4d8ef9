"""Drift: each window's detector flag rates and transcript features against an explicit reference."""
# No "from __future__ import annotations": Dagster resolves config and resource types from annotations.

from datetime import UTC, datetime, timedelta

import dagster as dg

from pipelines.defs.drift.resources import DriftResource
from pipelines.defs.partitions import daily_partitions, hourly_partitions
from pipelines.drift.run import DriftOptions, compute_drift, run_metadata, write_drift
from pipelines.observe.drift_metrics import push_drift_metrics
from pipelines.resources.lake import LakeResource
from pipelines.resources.pushgateway import PushgatewayResource
from warehouse.drift.rates import DriftThresholds
from warehouse.drift.windows import ReferenceSpec, TimeRange, WindowKind


class DriftConfig(dg.Config):
    """The reference: the ``reference_hours`` before the window (default: a day for hourly windows, a
    week for daily ones), or a fixed baseline ``baseline_start``..``baseline_end`` (ISO 8601, UTC)."""

    reference_hours: float | None = None
    baseline_start: str | None = None
    baseline_end: str | None = None
    fdr: float = DriftThresholds.fdr
    min_abs_increase: float = DriftThresholds.min_abs_increase
    min_ratio: float = DriftThresholds.min_ratio
    features: bool = True


def _options(config: DriftConfig, drift: DriftResource, html: str) -> DriftOptions:
    if html not in ("all", "drifted", "none"):
        raise dg.Failure(f"drift HTML mode must be all, drifted or none, not {html!r}")
    baseline = None
    if config.baseline_start or config.baseline_end:
        if not (config.baseline_start and config.baseline_end):
            raise dg.Failure("baseline_start and baseline_end go together")
        baseline = TimeRange(_utc(config.baseline_start), _utc(config.baseline_end))
    trailing = timedelta(hours=config.reference_hours) if config.reference_hours else None
    thresholds = DriftThresholds(
        fdr=config.fdr, min_abs_increase=config.min_abs_increase, min_ratio=config.min_ratio
    )
    return DriftOptions(
        thresholds=thresholds,
        reference=ReferenceSpec(trailing=trailing, baseline=baseline),
        sample_per_side=drift.sample_per_side,
        features=config.features,
        html=html,  # type: ignore[arg-type]
    )


def _utc(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _materialize(
    context: dg.AssetExecutionContext,
    kind: WindowKind,
    config: DriftConfig,
    lake: LakeResource,
    drift: DriftResource,
    pushgateway: PushgatewayResource,
    html: str,
) -> dg.MaterializeResult:
    window = TimeRange(context.partition_time_window.start, context.partition_time_window.end)
    run_at = datetime.now(UTC)
    run = compute_drift(lake.warehouse, kind, window, run_at, _options(config, drift, html))
    write_drift(lake.warehouse, run)
    pushed = pushgateway.push(lambda url: push_drift_metrics(run.rows, url, window=kind.value, run_at=run_at))
    return dg.MaterializeResult(metadata={**run_metadata(run), "metrics_pushed": int(pushed)})


@dg.asset(
    key=["drift_reports", "hourly"],
    deps=["detections"],
    partitions_def=hourly_partitions,
    group_name="drift",
    kinds={"parquet", "duckdb", "evidently"},
    code_version="1",
    description="Per hour and segment: detector flag-rate rises (corrected, attributed to a model version) and feature drift.",
)
def drift_reports_hourly(
    context: dg.AssetExecutionContext,
    config: DriftConfig,
    lake: LakeResource,
    drift: DriftResource,
    pushgateway: PushgatewayResource,
) -> dg.MaterializeResult:
    """Compare one hour of event time with the previous day (or the configured reference)."""
    return _materialize(context, WindowKind.HOURLY, config, lake, drift, pushgateway, drift.html_hourly)


@dg.asset(
    key=["drift_reports", "daily"],
    deps=["detections"],
    partitions_def=daily_partitions,
    group_name="drift",
    kinds={"parquet", "duckdb", "evidently"},
    code_version="1",
    description="Per day and segment: detector flag-rate rises (corrected, attributed to a model version) and feature drift.",
)
def drift_reports_daily(
    context: dg.AssetExecutionContext,
    config: DriftConfig,
    lake: LakeResource,
    drift: DriftResource,
    pushgateway: PushgatewayResource,
) -> dg.MaterializeResult:
    """Compare one day of event time with the previous week (or the configured reference)."""
    return _materialize(context, WindowKind.DAILY, config, lake, drift, pushgateway, drift.html_daily)
