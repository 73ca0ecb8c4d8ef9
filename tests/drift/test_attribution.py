"""Attribution names the model version a shift follows."""

from datetime import UTC, datetime, timedelta

import pytest

from warehouse.drift.attribution import ALL_MODELS, ModelUsage, Reason, attribute_shift

T0 = datetime(2026, 11, 26, tzinfo=UTC)
OLD = ModelUsage("chat-09", current_n=100, reference_n=3000, first_seen=T0 - timedelta(days=7))


@pytest.mark.parametrize(
    ("usage", "change_at", "model", "reason"),
    [
        # The new version appears at the change point: it is the one the shift follows.
        ([OLD, ModelUsage("chat-10", 2900, 0, T0 + timedelta(minutes=8), 300)], T0 + timedelta(hours=1), "chat-10", Reason.AT_CHANGE_POINT),
        # Two new versions: the one whose first appearance coincides with the change wins,
        # even though the other took more traffic.
        (
            [OLD, ModelUsage("chat-10", 2000, 0, T0 + timedelta(hours=1)), ModelUsage("chat-11", 900, 0, T0 + timedelta(hours=14))],
            T0 + timedelta(hours=14),
            "chat-11",
            Reason.AT_CHANGE_POINT,
        ),
        # No change point found: the new version is still named, for serving the window only.
        ([OLD, ModelUsage("chat-10", 2900, 0, T0 + timedelta(minutes=8))], None, "chat-10", Reason.NEW_MODEL),
        # A canary that already served 2% of the reference and now serves most traffic.
        (
            [ModelUsage("chat-09", 500, 2940, T0 - timedelta(days=7)), ModelUsage("chat-10", 2500, 60, T0 - timedelta(days=3))],
            None,
            "chat-10",
            Reason.SHARE_INCREASE,
        ),
        # Same model mix in both windows: the shift is not a model change.
        ([ModelUsage("chat-09", 3000, 3000, T0 - timedelta(days=30))], T0 + timedelta(hours=5), ALL_MODELS, Reason.NONE),
        # A change point far from the new version's first appearance: fall back to traffic share.
        ([OLD, ModelUsage("chat-10", 2900, 0, T0)], T0 + timedelta(hours=20), "chat-10", Reason.NEW_MODEL),
    ],
)
def test_attribute_shift(usage, change_at, model, reason):
    result = attribute_shift(usage, change_at, tolerance=timedelta(hours=6))
    assert (result.model, result.reason) == (model, reason)


def test_attribution_reports_the_versions_own_rate_and_share():
    result = attribute_shift([OLD, ModelUsage("chat-10", 2900, 0, T0, current_flagged=348)], None)
    assert result.current_rate == pytest.approx(0.12)
    assert result.current_share == pytest.approx(2900 / 3000)
    assert result.new_models == ("chat-10",)
