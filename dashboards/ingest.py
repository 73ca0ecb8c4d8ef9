"""Ingest health: consumer lag, throughput, batch latency, failures and dead letters."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard, Row

from dashboards.panels import label_variable, query, stat, timeseries

UID = "alignwatch-ingest"
TOPIC = 'topic=~"$topic"'


def dashboard() -> Dashboard:
    return (
        Dashboard("alignwatch / Ingest health")
        .uid(UID)
        .description("The Kafka consumer that writes transcripts to the lake: lag, throughput, latency, dead letters.")
        .tags(["alignwatch", "generated"])
        .time("now-6h", "now")
        .refresh("30s")
        .timezone("utc")
        .with_variable(label_variable("topic", "Topic", "alignwatch_ingest_messages_total"))
        .with_row(Row("Now"))
        .with_panel(
            stat(
                "Consumer lag",
                "Messages behind the log end, all partitions.",
                query(f"sum(alignwatch_ingest_lag_messages{{{TOPIC}}})", instant=True),
                thresholds=((None, "green"), (10_000, "orange"), (100_000, "red")),
            )
        )
        .with_panel(
            stat(
                "Last committed batch",
                "Seconds since the last batch was durably written and committed; alert AlignwatchIngestStalled "
                "at 10 minutes while lag > 0.",
                query("time() - max(alignwatch_ingest_last_success_timestamp_seconds)", instant=True),
                unit="s",
                thresholds=((None, "green"), (300, "orange"), (600, "red")),
            )
        )
        .with_panel(
            stat(
                "Dead letters in range",
                "Messages sent to the dead-letter table in the dashboard's time range.",
                query(f"sum(increase(alignwatch_dead_letters_total{{{TOPIC}}}[$__range])) or vector(0)", instant=True),
                thresholds=((None, "green"), (1, "orange")),
            )
        )
        .with_panel(
            stat(
                "Ingest up",
                "1 when Prometheus can scrape the ingest service's /metrics.",
                query('min(up{job="alignwatch_ingest"})', instant=True),
                thresholds=((None, "red"), (1, "green")),
            )
        )
        .with_row(Row("Flow"))
        .with_panel(
            timeseries(
                "Consumer lag by partition",
                "alignwatch_ingest_lag_messages per topic partition.",
                [query(f"sum by (topic, partition) (alignwatch_ingest_lag_messages{{{TOPIC}}})", "{{topic}}/{{partition}}")],
            )
        )
        .with_panel(
            timeseries(
                "Throughput",
                "Messages consumed per second by outcome (accepted transcripts, rejected to dead letters).",
                [
                    query(
                        f"sum by (outcome) (rate(alignwatch_ingest_messages_total{{{TOPIC}}}[$__rate_interval]))",
                        "{{outcome}}",
                    )
                ],
                unit="reqps",
            )
        )
        .with_panel(
            timeseries(
                "Batches committed",
                "Batches durably written and committed per second.",
                [query("sum(rate(alignwatch_ingest_batches_total[$__rate_interval]))", "batches")],
                unit="ops",
            )
        )
        .with_panel(
            timeseries(
                "Batch latency",
                "Time to validate, write and commit one batch (alignwatch_ingest_batch_seconds).",
                [
                    query(
                        f"histogram_quantile({q}, sum by (le) (rate(alignwatch_ingest_batch_seconds_bucket[$__rate_interval])))",
                        f"p{round(q * 100)}",
                    )
                    for q in (0.5, 0.95, 0.99)
                ],
                unit="s",
            )
        )
        .with_row(Row("Errors"))
        .with_panel(
            timeseries(
                "Dead letters by kind",
                "Messages rejected per second by error kind; alert AlignwatchDeadLettersGrowing above 0.05/s.",
                [
                    # A zero line rather than "No data" while nothing has been rejected yet.
                    query(
                        f"sum by (error_kind) (rate(alignwatch_dead_letters_total{{{TOPIC}}}[$__rate_interval])) or on () vector(0)",
                        "{{error_kind}}",
                    )
                ],
                unit="reqps",
            )
        )
        .with_panel(
            timeseries(
                "Failed batches by stage",
                "Batches that failed to write or commit; the consumer rewinds to the batch's first offsets, so nothing is skipped.",
                [
                    query(
                        "sum by (stage) (rate(alignwatch_ingest_failures_total[$__rate_interval])) or on () vector(0)",
                        "{{stage}}",
                    )
                ],
                unit="ops",
            )
        )
    )
