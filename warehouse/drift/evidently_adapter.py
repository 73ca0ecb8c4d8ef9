"""The one place that talks to Evidently: feature drift scores and the HTML report of a segment.

Evidently is handed samples (a few thousand rows per side), never a window's full data: its
per-column drift on a million rows takes tens of seconds where the aggregation that chose the
sample takes one. The methods are fixed per feature rather than auto-selected, because Evidently
picks different tests for small and large samples, which would make scores of an hourly window
and a daily window incomparable.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import polars as pl

# Below this many rows per side a distribution comparison is mostly noise; the feature is skipped.
MIN_ROWS = 50
# abs_text_content_drift trains a classifier to tell reference texts from current ones and reports its
# ROC AUC on a held-out half. By chance the AUC spreads around 0.5 with this many standard errors'
# room before drift is declared, and never below Evidently's own default of 0.55.
TEXT_AUC_SIGMAS = 4.0
TEXT_AUC_FLOOR = 0.55


@dataclass(frozen=True)
class FeatureSpec:
    """A transcript feature and the Evidently drift method that compares it."""

    name: str
    kind: Literal["numerical", "categorical", "text"]
    method: str  # an Evidently stat-test name; distance-like (higher = more drift) for all used here
    threshold: float


@dataclass(frozen=True)
class FeatureDrift:
    feature: str
    method: str
    score: float | None  # None when skipped (too few rows, or Evidently could not fit the text model)
    threshold: float
    detected: bool
    reference_n: int
    current_n: int


def text_auc_threshold(reference_n: int, current_n: int) -> float:
    """The domain-classifier AUC above which text drift is declared, for samples of these sizes.

    Uses the standard error of the AUC of a random scorer (Mann-Whitney) on the held-out half.
    """
    n1, n2 = max(reference_n // 2, 1), max(current_n // 2, 1)
    standard_error = math.sqrt((n1 + n2 + 1) / (12.0 * n1 * n2))
    return max(TEXT_AUC_FLOOR, 0.5 + TEXT_AUC_SIGMAS * standard_error)


def feature_drift(
    reference: pl.DataFrame,
    current: pl.DataFrame,
    specs: Sequence[FeatureSpec],
    html: Path | Callable[[str], object] | None = None,
) -> list[FeatureDrift]:
    """Compare each feature of ``specs`` between two samples with Evidently's ``ValueDrift``.

    Args:
        reference: sample of the reference window, one row per transcript, a column per feature.
        current: sample of the window under test.
        specs: the features and their methods.
        html: where Evidently's HTML report goes: a file, or a function given its text (a lake
            on object storage); None: no report. Nothing is written when no feature was compared.

    Returns:
        One result per spec, in order.
    """
    with warnings.catch_warnings():
        # Evidently's import pulls in its UI server stack, which warns about its own deprecations.
        warnings.simplefilter("ignore", DeprecationWarning)
        from evidently import DataDefinition, Dataset, Report
        from evidently.metrics import ValueDrift

    usable = [s for s in specs if _enough(reference, current, s)]
    thresholds = {
        s.name: text_auc_threshold(reference.height, current.height) if s.kind == "text" else s.threshold for s in specs
    }
    scores: dict[str, float] = {}
    if usable:
        names = [s.name for s in usable]
        definition = DataDefinition(
            numerical_columns=[s.name for s in usable if s.kind == "numerical"] or None,
            categorical_columns=[s.name for s in usable if s.kind == "categorical"] or None,
            text_columns=[s.name for s in usable if s.kind == "text"] or None,
        )
        ref = Dataset.from_pandas(reference.select(names).to_pandas(), data_definition=definition)
        cur = Dataset.from_pandas(current.select(names).to_pandas(), data_definition=definition)
        metrics = [ValueDrift(column=s.name, method=s.method, threshold=thresholds[s.name]) for s in usable]
        try:
            with warnings.catch_warnings():
                # The text drift classifier (SGD, 50 epochs) may stop before converging; its AUC is
                # still a valid held-out score.
                warnings.filterwarnings("ignore", message="Maximum number of iteration reached")
                run = Report(metrics, include_tests=False).run(cur, ref)
        except ValueError:
            # scikit-learn refuses a text column with no usable vocabulary ("empty vocabulary"):
            # compare the other features and report the text feature as skipped.
            usable = [s for s in usable if s.kind != "text"]
            if not usable:
                return [_skipped(s, thresholds[s.name], reference, current) for s in specs]
            return _merge(
                specs, feature_drift(reference, current, usable, html), thresholds, reference, current
            )
        for metric in run.dict()["metrics"]:
            scores[metric["config"]["column"]] = float(metric["value"])
        if isinstance(html, Path):
            html.parent.mkdir(parents=True, exist_ok=True)
            run.save_html(str(html))
        elif html is not None:
            html(run.get_html_str(as_iframe=False))
    results = []
    for spec in specs:
        score = scores.get(spec.name)
        if score is None or math.isnan(score):
            results.append(_skipped(spec, thresholds[spec.name], reference, current))
        else:
            results.append(
                FeatureDrift(
                    spec.name, spec.method, score, thresholds[spec.name], score >= thresholds[spec.name],
                    _count(reference, spec), _count(current, spec),
                )
            )
    return results


def _count(frame: pl.DataFrame, spec: FeatureSpec) -> int:
    return frame.height - frame[spec.name].null_count() if spec.name in frame.columns else 0


def _enough(reference: pl.DataFrame, current: pl.DataFrame, spec: FeatureSpec) -> bool:
    return _count(reference, spec) >= MIN_ROWS and _count(current, spec) >= MIN_ROWS


def _skipped(spec: FeatureSpec, threshold: float, reference: pl.DataFrame, current: pl.DataFrame) -> FeatureDrift:
    return FeatureDrift(spec.name, spec.method, None, threshold, False, _count(reference, spec), _count(current, spec))


def _merge(
    specs: Sequence[FeatureSpec],
    partial: list[FeatureDrift],
    thresholds: dict[str, float],
    reference: pl.DataFrame,
    current: pl.DataFrame,
) -> list[FeatureDrift]:
    found = {r.feature: r for r in partial}
    return [found.get(s.name) or _skipped(s, thresholds[s.name], reference, current) for s in specs]
