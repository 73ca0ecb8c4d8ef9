"""Detection gauges: window arithmetic over a real lake, and the push to a real Pushgateway."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pipelines.observe.push import detection_registry, detection_window, push_detection_metrics
from pipelines.observe.services import http_get, start_pushgateway
from tests.observe.lake import Row, transcript_document, write_transcripts, write_verdicts

END = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
OLD, NEW = "acme-chat-2026-10", "acme-chat-2026-11"
SCORED_AT = END + timedelta(minutes=5)


@pytest.fixture
def lake(tmp_path):
    """Three hours of support-bot traffic: the old model until 11:00, the new one after, plus devtools."""
    rows = [
        # Outside a 1h window (ends at 12:00): only counted by wider windows.
        Row("old-1", END - timedelta(hours=2, minutes=30), OLD),
        Row("old-2", END - timedelta(hours=1, minutes=30), OLD),
        # A deployment with no traffic in the last hour: its segment drops out of a 1h window.
        Row("research-1", END - timedelta(hours=2), OLD, "research-assistant", "acme-research-v1"),
        # Exactly one hour before the newest transcript: the window is (end - 1h, end], so excluded.
        Row("edge", END - timedelta(hours=1), OLD),
        Row("old-3", END - timedelta(minutes=50), OLD),
        Row("new-1", END - timedelta(minutes=40), NEW),
        Row("new-2", END - timedelta(minutes=20), NEW),
        Row("new-3", END, NEW),  # the newest transcript defines the end of the window
        Row("dev-1", END - timedelta(minutes=10), NEW, "devtools-agent", "acme-devtools-v1"),
    ]
    warehouse = write_transcripts(tmp_path / "lake", [transcript_document(r) for r in rows])
    verdicts = [(r.transcript_id, "off_policy", "1", r.transcript_id in {"old-3", "new-1", "new-2"}) for r in rows]
    verdicts += [(r.transcript_id, "jailbreak", "1", False) for r in rows]
    write_verdicts(warehouse, verdicts, SCORED_AT, "run-1")
    # A later version of off_policy re-scored new-2 as clean: the newest verdict wins.
    write_verdicts(warehouse, [("new-2", "off_policy", "2", False)], SCORED_AT + timedelta(minutes=5), "run-2")
    return warehouse


def counts(window):
    return {(s.detector, s.model, s.deployment): (s.scored, s.flagged) for s in window.segments}


def test_latest_hour_counts_per_segment(lake):
    window = detection_window(lake, 1)
    assert window.end == END
    assert window.start == END - timedelta(hours=1)
    assert counts(window) == {
        # old-3 only: old-1/old-2 are older, "edge" sits on the excluded boundary.
        ("off_policy", OLD, "support-bot"): (1, 1),
        # new-1 flagged; new-2 was flagged by version 1 but cleared by version 2; new-3 clean.
        ("off_policy", NEW, "support-bot"): (3, 1),
        ("off_policy", NEW, "devtools-agent"): (1, 0),
        ("jailbreak", OLD, "support-bot"): (1, 0),
        ("jailbreak", NEW, "support-bot"): (3, 0),
        ("jailbreak", NEW, "devtools-agent"): (1, 0),
    }


def test_wider_window_includes_older_transcripts(lake):
    # 3 hours reach back past old-1 (2h30 before the end): every transcript counts once per detector.
    window = detection_window(lake, 3)
    assert counts(window)[("off_policy", OLD, "support-bot")] == (4, 1)
    assert counts(window)[("off_policy", OLD, "research-assistant")] == (1, 0)


def test_empty_lake_has_no_segments_but_still_reports_success(tmp_path):
    from warehouse.layout import LakeLayout
    from warehouse.query import Warehouse

    window = detection_window(Warehouse(LakeLayout(tmp_path / "empty")), 1)
    assert window.end is None and window.segments == ()
    registry = detection_registry(window, END)
    assert registry.get_sample_value("alignwatch_detections_last_success_timestamp_seconds") == END.timestamp()
    assert registry.get_sample_value("alignwatch_flag_rate", {"detector": "off_policy"}) is None


def test_registry_holds_the_contract_gauges(lake):
    registry = detection_registry(detection_window(lake, 1), SCORED_AT)
    labels = {"detector": "off_policy", "model": NEW, "deployment": "support-bot", "policy_id": "acme-support-v1"}
    assert registry.get_sample_value("alignwatch_scored_transcripts", labels) == 3
    assert registry.get_sample_value("alignwatch_flagged_transcripts", labels) == 1
    assert registry.get_sample_value("alignwatch_flag_rate", labels) == pytest.approx(1 / 3)


def test_non_positive_window_is_rejected(lake):
    with pytest.raises(ValueError, match="window_hours"):
        detection_window(lake, 0)


def pushed_samples(gateway_url: str) -> dict[tuple[str, frozenset], float]:
    _, body = http_get(f"{gateway_url}/metrics")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(body.decode())
        for sample in family.samples
        if sample.name.startswith("alignwatch_")
    }


def test_push_replaces_the_detect_group_on_a_real_pushgateway(lake, tmp_path):
    gateway = start_pushgateway(tmp_path / "pgw")
    try:
        push_detection_metrics(lake, gateway.url, window_hours=3, succeeded_at=SCORED_AT)
        samples = pushed_samples(gateway.url)
        assert [key for key in samples if ("deployment", "research-assistant") in key[1]]
        old = frozenset(
            {"job": "alignwatch_detect", "instance": "", "detector": "off_policy", "model": OLD,
             "deployment": "support-bot", "policy_id": "acme-support-v1"}.items()
        )
        assert samples[("alignwatch_flag_rate", old)] == pytest.approx(0.25)
        assert samples[
            ("alignwatch_detections_last_success_timestamp_seconds", frozenset({"job": "alignwatch_detect", "instance": ""}.items()))
        ] == SCORED_AT.timestamp()

        # A narrower window no longer covers old-1/old-2: their segment keeps only old-3, and a push
        # replaces the group, so nothing of the previous push lingers.
        push_detection_metrics(lake, gateway.url, window_hours=1, succeeded_at=SCORED_AT)
        samples = pushed_samples(gateway.url)
        assert samples[("alignwatch_scored_transcripts", old)] == 1
        assert not [key for key in samples if ("deployment", "research-assistant") in key[1]]
    finally:
        gateway.stop()
