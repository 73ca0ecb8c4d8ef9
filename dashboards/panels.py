"""Shared pieces of the alignwatch dashboards: the datasource, variables and panel shapes.

Every panel queries the provisioned Prometheus datasource (uid ``alignwatch-prometheus``, see
``infra/grafana/provisioning/datasources/prometheus.yml``). Template variables default to "All"
with the regex ``.*``, so queries always filter with ``=~"$var"``.
"""

from __future__ import annotations

from collections.abc import Sequence

from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders.dashboard import CustomVariable, QueryVariable, ThresholdsConfig
from grafana_foundation_sdk.builders.prometheus import Dataquery
from grafana_foundation_sdk.builders.stat import Panel as Stat
from grafana_foundation_sdk.builders.statetimeline import Panel as StateTimeline
from grafana_foundation_sdk.builders.table import Panel as Table
from grafana_foundation_sdk.builders.timeseries import Panel as Timeseries
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as model
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

DATASOURCE_UID = "alignwatch-prometheus"
DATASOURCE = model.DataSourceRef(type_val="prometheus", uid=DATASOURCE_UID)
ALL = model.VariableOption(selected=True, text="All", value="$__all")


def query(expr: str, legend: str = "__auto", *, instant: bool = False, table: bool = False) -> Dataquery:
    target = Dataquery().expr(expr).legend_format(legend).datasource(DATASOURCE)
    if instant:
        target = target.instant()
    if table:
        target = target.format(PromQueryFormat.TABLE)
    return target


def label_variable(name: str, label: str, metric_selector: str) -> QueryVariable:
    """A multi-select variable over the values of ``name`` on ``metric_selector``, "All" by default."""
    return (
        QueryVariable(name)
        .label(label)
        .datasource(DATASOURCE)
        .query(f"label_values({metric_selector}, {name})")
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(model.VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .all_value(".*")
        .current(ALL)
    )


def custom_variable(name: str, label: str, values: Sequence[str]) -> CustomVariable:
    return (
        CustomVariable(name)
        .label(label)
        .values(",".join(values))
        .multi(True)
        .include_all(True)
        .all_value(".*")
        .current(ALL)
    )


def _thresholds(*steps: tuple[float | None, str]) -> ThresholdsConfig:
    return ThresholdsConfig().mode(model.ThresholdsMode.ABSOLUTE).steps(
        [model.Threshold(value=value, color=color) for value, color in steps]
    )


def timeseries(
    title: str,
    description: str,
    targets: Sequence[Dataquery],
    *,
    unit: str = "short",
    width: int = 12,
    height: int = 8,
    log_scale: bool = False,
    min_value: float | None = 0,
) -> Timeseries:
    panel = (
        Timeseries()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .targets(list(targets))
        .unit(unit)
        .span(width)
        .height(height)
        .legend(
            common_builders.VizLegendOptions()
            .display_mode(common.LegendDisplayMode.TABLE)
            .placement(common.LegendPlacement.BOTTOM)
            .show_legend(True)
            .calcs(["lastNotNull", "max"])
        )
        .tooltip(common_builders.VizTooltipOptions().mode(common.TooltipDisplayMode.MULTI).sort(common.SortOrder.DESCENDING))
    )
    if log_scale:
        panel = panel.scale_distribution(common_builders.ScaleDistributionConfig().type(common.ScaleDistribution.LOG).log(10))
    elif min_value is not None:
        panel = panel.min(min_value)
    return panel


def stat(
    title: str,
    description: str,
    target: Dataquery,
    *,
    unit: str = "short",
    width: int = 6,
    height: int = 4,
    thresholds: Sequence[tuple[float | None, str]] = ((None, "green"),),
) -> Stat:
    return (
        Stat()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(target)
        .unit(unit)
        .span(width)
        .height(height)
        .thresholds(_thresholds(*thresholds))
        .color_mode(common.BigValueColorMode.BACKGROUND)
        .graph_mode(common.BigValueGraphMode.AREA)
        .reduce_options(common_builders.ReduceDataOptions().calcs(["lastNotNull"]).values(False))
    )


def table(
    title: str, description: str, targets: Sequence[Dataquery], *, width: int = 24, height: int = 8, merge: bool = False
) -> Table:
    panel = (
        Table()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .targets(list(targets))
        .span(width)
        .height(height)
        .with_transformation(model.DataTransformerConfig(id_val="organize", options={"excludeByName": {"Time": True}}))
    )
    if merge:
        # One row per segment with a column per query (Value #A, Value #B, ...).
        panel = panel.with_transformation(model.DataTransformerConfig(id_val="merge", options={}))
    return panel


def state_timeline(title: str, description: str, target: Dataquery, *, width: int = 24, height: int = 6) -> StateTimeline:
    return (
        StateTimeline()
        .title(title)
        .description(description)
        .datasource(DATASOURCE)
        .with_target(target)
        .span(width)
        .height(height)
        .merge_values(True)
        .show_value(common.VisibilityMode.NEVER)
    )


class PrometheusAnnotation(Builder[model.AnnotationQuery]):
    """An annotation from a PromQL query, with the Prometheus-only fields the SDK's model lacks.

    Grafana turns each returned series into an event (a region while it stays non-zero), titled by
    ``titleFormat`` and tagged with the values of ``tagKeys``.
    """

    def __init__(self, name: str, expr: str, *, title_format: str, tag_keys: Sequence[str], color: str, step: str = "60s"):
        self._internal = _PrometheusAnnotationModel(
            name=name, datasource=DATASOURCE, enable=True, hide=False, icon_color=color, expr=expr
        )
        self._internal.extra = {"titleFormat": title_format, "tagKeys": ",".join(tag_keys), "step": step}

    def build(self) -> model.AnnotationQuery:
        return self._internal


class _PrometheusAnnotationModel(model.AnnotationQuery):
    extra: dict[str, str]

    def to_json(self) -> dict[str, object]:
        return {**super().to_json(), **self.extra}
