"""Overview: traffic volume and flag rates per detector over time, by model version, with releases."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard, Row

from dashboards.panels import (
    PrometheusAnnotation,
    label_variable,
    query,
    stat,
    state_timeline,
    table,
    timeseries,
)

UID = "alignwatch-overview"
SEGMENT = 'deployment=~"$deployment", policy_id=~"$policy_id", model=~"$model"'
# Every detector scores the same transcripts; max over detectors is the segment's volume even
# when one detector lags a run behind.
VOLUME = f"max by (model, deployment, policy_id) (alignwatch_scored_transcripts{{{SEGMENT}}})"


def flag_rate(by: str) -> str:
    """Flagged / scored summed over segments: a rate weighted by volume, not a mean of rates."""
    return (
        f"sum by ({by}) (alignwatch_flagged_transcripts{{{SEGMENT}}})"
        f" / sum by ({by}) (alignwatch_scored_transcripts{{{SEGMENT}}})"
    )


def dashboard() -> Dashboard:
    return (
        Dashboard("alignwatch / Overview")
        .uid(UID)
        .description("Transcript volume and detector flag rates per model version; model releases are annotated.")
        .tags(["alignwatch", "generated"])
        .time("now-24h", "now")
        .refresh("1m")
        .timezone("utc")
        .with_variable(label_variable("deployment", "Deployment", "alignwatch_scored_transcripts"))
        .with_variable(label_variable("policy_id", "Policy", 'alignwatch_scored_transcripts{deployment=~"$deployment"}'))
        .with_variable(label_variable("model", "Model version", 'alignwatch_scored_transcripts{deployment=~"$deployment"}'))
        .annotation(
            PrometheusAnnotation(
                "Model releases",
                # A model version that has traffic now but had none 15 minutes ago: a new release.
                f"count by (model) (alignwatch_scored_transcripts{{{SEGMENT}}})"
                f" unless count by (model) (alignwatch_scored_transcripts{{{SEGMENT}}} offset 15m)",
                title_format="Model {{model}} starts serving",
                tag_keys=["model"],
                color="purple",
            )
        )
        .with_row(Row("Volume"))
        .with_panel(
            stat(
                "Transcripts in the latest window",
                "Transcripts scored in the latest window of event time (alignwatch_scored_transcripts).",
                query(f"sum({VOLUME})", instant=True),
            )
        )
        .with_panel(
            stat(
                "Firing alignwatch alerts",
                "Alerts from infra/prometheus/rules/alignwatch.rules.yml currently firing.",
                query('count(ALERTS{alertname=~"Alignwatch.*", alertstate="firing"}) or vector(0)', instant=True),
                thresholds=((None, "green"), (1, "red")),
            )
        )
        .with_panel(
            stat(
                "Detections: last success",
                "Seconds since the detect job last pushed its metrics; alert AlignwatchDetectionsStale at 30 minutes.",
                query("time() - max(alignwatch_detections_last_success_timestamp_seconds)", instant=True),
                unit="s",
                thresholds=((None, "green"), (900, "orange"), (1800, "red")),
            )
        )
        .with_panel(
            stat(
                "Ingest: accepted messages/s",
                "Transcripts accepted by the ingest service per second.",
                query('sum(rate(alignwatch_ingest_messages_total{outcome="accepted"}[$__rate_interval]))', instant=True),
                unit="reqps",
            )
        )
        .with_panel(
            timeseries(
                "Transcripts per window by model version",
                "Scored transcripts in the latest window, summed over deployments, one line per model version.",
                [query(f"sum by (model) ({VOLUME})", "{{model}}")],
            )
        )
        .with_panel(
            timeseries(
                "Ingest throughput",
                "Messages consumed per second, accepted and rejected (dead letters).",
                [query("sum by (outcome) (rate(alignwatch_ingest_messages_total[$__rate_interval]))", "{{outcome}}")],
                unit="reqps",
            )
        )
        .with_row(Row("Flag rates"))
        .with_panel(
            timeseries(
                "Flag rate by detector",
                "Share of scored transcripts each detector flagged in the latest window (all selected segments).",
                [query(flag_rate("detector"), "{{detector}}")],
                unit="percentunit",
            )
        )
        .with_panel(
            timeseries(
                "Flag rate by detector and model version",
                "The same rate split by model version: a release that changes behaviour shows as diverging lines.",
                [query(flag_rate("detector, model"), "{{detector}} · {{model}}")],
                unit="percentunit",
            )
        )
        .with_panel(
            timeseries(
                "Flagged transcripts by detector",
                "Flagged transcripts in the latest window.",
                [query(f"sum by (detector) (alignwatch_flagged_transcripts{{{SEGMENT}}})", "{{detector}}")],
            )
        )
        .with_panel(
            table(
                "Flag rate per segment (latest)",
                "alignwatch_flag_rate per detector, model, deployment and policy, with the window's volume.",
                [
                    query(f"alignwatch_flag_rate{{{SEGMENT}}}", instant=True, table=True),
                    query(f"alignwatch_scored_transcripts{{{SEGMENT}}}", instant=True, table=True),
                ],
                width=12,
                merge=True,
            )
        )
        .with_row(Row("Releases"))
        .with_panel(
            state_timeline(
                "Model versions serving",
                "Which model versions have traffic in the latest window (count of segments per version).",
                query(f"count by (model) (alignwatch_scored_transcripts{{{SEGMENT}}})", "{{model}}"),
            )
        )
    )
