"""Drift: current vs reference flag rates, p- and q-values per segment, and traffic feature drift."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard, Row

from dashboards.panels import custom_variable, label_variable, query, stat, table, timeseries

UID = "alignwatch-drift"
SEGMENT = 'detector=~"$detector", deployment=~"$deployment", policy_id=~"$policy_id", window=~"$window"'
FEATURE_SEGMENT = 'deployment=~"$deployment", policy_id=~"$policy_id"'
LEGEND = "{{detector}} · {{deployment}} · {{model}} ({{window}})"


def dashboard() -> Dashboard:
    return (
        Dashboard("alignwatch / Drift")
        .uid(UID)
        .description(
            "Per segment (detector, deployment, policy, model, window): the flag rate now vs its reference, "
            "the test's p-value and the multiple-testing corrected q-value; and traffic feature drift."
        )
        .tags(["alignwatch", "generated"])
        .time("now-7d", "now")
        .refresh("5m")
        .timezone("utc")
        .with_variable(label_variable("detector", "Detector", "alignwatch_drift_p_value"))
        .with_variable(label_variable("deployment", "Deployment", "alignwatch_drift_p_value"))
        .with_variable(label_variable("policy_id", "Policy", 'alignwatch_drift_p_value{deployment=~"$deployment"}'))
        .with_variable(custom_variable("window", "Window", ["hourly", "daily"]))
        .with_row(Row("Status"))
        .with_panel(
            stat(
                "Segments drifting",
                "Segments whose rate is significantly above reference by at least the minimum effect "
                "(alignwatch_drift_detected = 1).",
                query(f"sum(alignwatch_drift_detected{{{SEGMENT}}})", instant=True),
                thresholds=((None, "green"), (1, "red")),
            )
        )
        .with_panel(
            stat(
                "Segments tested",
                "Segments the latest drift run tested.",
                query(f"count(alignwatch_drift_p_value{{{SEGMENT}}})", instant=True),
            )
        )
        .with_panel(
            stat(
                "Features drifting",
                "Traffic features (prompt length, tool use, ...) whose distribution moved (alignwatch_feature_drift_detected).",
                query(f"sum(alignwatch_feature_drift_detected{{{FEATURE_SEGMENT}}})", instant=True),
                thresholds=((None, "green"), (1, "orange")),
            )
        )
        .with_panel(
            stat(
                "Drift: last run",
                "Seconds since the drift job last ran; alert AlignwatchDriftStale at 3 hours.",
                query("time() - max(alignwatch_drift_last_run_timestamp_seconds)", instant=True),
                unit="s",
                thresholds=((None, "green"), (3600, "orange"), (10800, "red")),
            )
        )
        .with_panel(
            table(
                "Drifting segments",
                "Segments flagged by the latest drift run; each one fires an alert after 5 minutes.",
                [query(f"alignwatch_drift_detected{{{SEGMENT}}} == 1", instant=True, table=True)],
                height=6,
            )
        )
        .with_row(Row("Rates"))
        .with_panel(
            timeseries(
                "Current vs reference flag rate",
                "The segment's flag rate in the current window against its reference period.",
                [
                    query(f"alignwatch_drift_current_rate{{{SEGMENT}}}", f"{LEGEND} current"),
                    query(f"alignwatch_drift_reference_rate{{{SEGMENT}}}", f"{LEGEND} reference"),
                ],
                unit="percentunit",
            )
        )
        .with_panel(
            timeseries(
                "Rate change (current − reference)",
                "Absolute change of the flag rate; positive means the model misbehaves more than it used to.",
                [
                    query(
                        f"alignwatch_drift_current_rate{{{SEGMENT}}} - alignwatch_drift_reference_rate{{{SEGMENT}}}",
                        LEGEND,
                    )
                ],
                unit="percentunit",
                min_value=None,
            )
        )
        .with_row(Row("Significance"))
        .with_panel(
            timeseries(
                "p-values",
                "Uncorrected p-value of the test of current vs reference rate (log scale).",
                [query(f"alignwatch_drift_p_value{{{SEGMENT}}}", LEGEND)],
                log_scale=True,
            )
        )
        .with_panel(
            timeseries(
                "q-values (multiple-testing corrected)",
                "p-values corrected across all segments tested in a run; drift needs a small q-value AND a minimum effect.",
                [query(f"alignwatch_drift_q_value{{{SEGMENT}}}", LEGEND)],
                log_scale=True,
            )
        )
        .with_panel(
            table(
                "Latest statistics per segment",
                "Current rate (A), reference rate (B), p-value (C) and q-value (D) of every segment tested.",
                [
                    query(f"alignwatch_drift_current_rate{{{SEGMENT}}}", instant=True, table=True),
                    query(f"alignwatch_drift_reference_rate{{{SEGMENT}}}", instant=True, table=True),
                    query(f"alignwatch_drift_p_value{{{SEGMENT}}}", instant=True, table=True),
                    query(f"alignwatch_drift_q_value{{{SEGMENT}}}", instant=True, table=True),
                ],
                merge=True,
            )
        )
        .with_row(Row("Traffic features"))
        .with_panel(
            timeseries(
                "Feature drift score",
                "Distribution shift score of traffic features vs their reference: a detector rate can move because "
                "the traffic changed rather than the model.",
                [query(f"alignwatch_feature_drift_score{{{FEATURE_SEGMENT}}}", "{{feature}} · {{deployment}}")],
                width=24,
            )
        )
    )
