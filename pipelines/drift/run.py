"""One drift run: a window against its reference, per segment, as rows of ``drift_reports``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
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
    html_files: list[Path] = field(default_factory=list)
    sampled: int = 0

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

    Evidently's HTML reports are written under the lake root as they are produced; the rows are
    returned, not written (see ``write_drift``).
    """
    reference = options.reference.resolve(kind, window)
    bins = rate_bins(warehouse, window, reference)
    rates = _with_coflags(warehouse, window, rate_drift(bins, options.thresholds))
    run = DriftRun(kind, window, reference, rows=pl.DataFrame(schema=_polars_schema()))
    feature_rows: list[dict] = []
    html_of: dict[tuple[str, str], str] = {}
    if options.features and not bins.is_empty():
        sample = transcript_features(sample_transcripts(warehouse, window, reference, _sizes(bins), options.sample_per_side))
        run.sampled = sample.height
        shifted = {tuple(r) for r in rates.filter(pl.col("detected")).select(SEGMENT).iter_rows()}
        for (deployment, policy_id), segment in sample.group_by(SEGMENT, maintain_order=True):
            wants_html = options.html == "all" or (options.html == "drifted" and (deployment, policy_id) in shifted)
            relpath = html_relpath(kind, window, deployment, policy_id) if wants_html else None
            html_path = warehouse.layout.root / relpath if relpath else None
            results = feature_drift(
                segment.filter(pl.col("side") == "reference"), segment.filter(pl.col("side") == "current"), FEATURES, html_path
            )
            if html_path is not None and html_path.exists():
                run.html_files.append(html_path)
                html_of[(deployment, policy_id)] = relpath
            feature_rows += [
                {
                    "deployment": deployment, "policy_id": policy_id, "kind": "feature", "subject": r.feature,
                    "method": r.method, "statistic": r.score, "threshold": r.threshold, "tested": r.score is not None,
                    "significant": r.detected, "detected": r.detected, "current_n": r.current_n,
                    "reference_n": r.reference_n, "model": ALL_MODELS,
                }
                for r in results
            ]
    rate_rows = rates.rename({"detector": "subject"}).with_columns(kind=pl.lit("rate"))
    rows = pl.concat([rate_rows, pl.DataFrame(feature_rows)], how="diagonal_relaxed") if feature_rows else rate_rows
    links = pl.DataFrame(
        [{"deployment": d, "policy_id": p, "report_html": path} for (d, p), path in html_of.items()],
        schema={"deployment": pl.String, "policy_id": pl.String, "report_html": pl.String},
    )
    rows = rows.join(links, on=list(SEGMENT), how="left").with_columns(
        run_at=pl.lit(run_at),
        window_kind=pl.lit(kind.value),
        window_start=pl.lit(window.start),
        window_end=pl.lit(window.end),
        reference_start=pl.lit(reference.start),
        reference_end=pl.lit(reference.end),
    )
    run.rows = rows.select(
        [pl.col(n).cast(t) if n in rows.columns else pl.lit(None, t).alias(n) for n, t in _polars_schema().items()]
    ).sort("kind", *SEGMENT, "subject", descending=[True, False, False, False])
    return run


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


def write_drift(warehouse: Warehouse, run: DriftRun) -> Path:
    """Write the run's rows as the window's file of ``drift_reports``."""
    return write_drift_reports(warehouse.layout, run.kind, run.window, run.rows)


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
