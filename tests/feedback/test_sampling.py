"""Review sampling: high severity always, rare strata not drowned out, weights that keep estimates unbiased."""

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from tests.feedback.lake import NOW, build_lake, transcript
from warehouse.feedback.cases import refresh_cases
from warehouse.feedback.sampling import allocate, refresh_review_queue, sample_for_review

DAY = date(2026, 11, 2)
AT = datetime(2026, 11, 2, 12, tzinfo=UTC)


def candidates(spec):
    """spec: list of (count, severity, detector, deployment)."""
    rows = []
    for count, severity, detector, deployment in spec:
        rows += [(f"{detector}-{deployment}-{severity}-{i}", severity, detector, deployment) for i in range(count)]
    return pl.DataFrame(rows, schema=["case_id", "severity", "primary_detector", "deployment"], orient="row")


def test_high_severity_is_always_selected_even_beyond_the_budget():
    frame = candidates([(8, "high", "risky_action", "coding-agent"), (50, "medium", "sycophancy", "support-bot")])
    decided = sample_for_review(frame, budget=5, day=DAY, seed=0, sampled_at=AT)
    high = decided.filter(pl.col("reason") == "high_severity")
    assert high.height == 8 and high["selected"].all() and (high["weight"] == 1.0).all()
    # the budget is spent, so nothing else is drawn; those cases have probability 0 and no weight
    rest = decided.filter(pl.col("stratum") != "high_severity")
    assert not rest["selected"].any() and rest["weight"].is_null().all()


def test_a_rare_failure_mode_is_not_drowned_out_by_a_common_one():
    frame = candidates([(500, "medium", "sycophancy", "support-bot"), (3, "low", "pii_leak", "coding-agent")])
    decided = sample_for_review(frame, budget=20, day=DAY, seed=0, sampled_at=AT)
    selected = decided.filter("selected")
    per_stratum = dict(selected.group_by("stratum").len().iter_rows())
    # proportional allocation would give the rare stratum 0 of 20; even allocation takes all 3
    assert per_stratum == {"pii_leak|coding-agent": 3, "sycophancy|support-bot": 17}
    common = selected.filter(pl.col("stratum") == "sycophancy|support-bot")
    assert common["weight"].to_list() == [pytest.approx(500 / 17)] * 17
    # weights are inverse inclusion probabilities: they add back up to each stratum's size
    totals = dict(selected.group_by("stratum").agg(pl.col("weight").sum()).iter_rows())
    assert totals == {"pii_leak|coding-agent": pytest.approx(3), "sycophancy|support-bot": pytest.approx(500)}


def test_weighted_prevalence_is_unbiased_where_the_naive_share_is_not():
    # Two strata with very different true failure shares; reviewing an even sample and averaging
    # naively over-represents the small stratum. The Horvitz-Thompson estimate must not.
    frame = candidates([(400, "medium", "sycophancy", "support-bot"), (40, "medium", "jailbreak", "support-bot")])
    truth = {cid: (i % 10 == 0) if cid.startswith("syco") else (i % 10 < 8) for i, cid in enumerate(frame["case_id"])}
    true_prevalence = sum(truth.values()) / len(truth)
    weighted, naive = [], []
    for seed in range(200):
        selected = sample_for_review(frame, budget=30, day=DAY, seed=seed, sampled_at=AT).filter("selected")
        y = [truth[c] for c in selected["case_id"]]
        w = selected["weight"].to_list()
        weighted.append(sum(wi * yi for wi, yi in zip(w, y, strict=True)) / sum(w))
        naive.append(sum(y) / len(y))
    assert sum(weighted) / len(weighted) == pytest.approx(true_prevalence, abs=0.01)
    assert sum(naive) / len(naive) > true_prevalence + 0.1


def test_same_seed_same_sample_other_seed_other_sample():
    frame = candidates([(100, "medium", "fabrication", "research-assistant")])

    def chosen(seed):
        return set(sample_for_review(frame, 10, DAY, seed, AT).filter("selected")["case_id"])

    assert chosen(1) == chosen(1)
    assert chosen(1) != chosen(2)


@pytest.mark.parametrize(
    ("sizes", "budget", "expected"),
    [
        # even split when every stratum is large
        ({"a": 100, "b": 100}, 10, {"a": 5, "b": 5}),
        # a small stratum is taken whole and gives its unused share to the others
        ({"a": 100, "b": 2, "c": 100}, 12, {"a": 5, "b": 2, "c": 5}),
        # never more than the candidates
        ({"a": 3, "b": 1}, 50, {"a": 3, "b": 1}),
        # a budget smaller than the number of strata: one each, to strata chosen by the seed
        ({"a": 5, "b": 5, "c": 5}, 2, None),
    ],
)
def test_allocate(sizes, budget, expected):
    allocation = allocate(sizes, budget, seed=0, day=DAY)
    assert sum(allocation.values()) == min(budget, sum(sizes.values()))
    assert all(allocation[s] <= sizes[s] for s in sizes)
    if expected is not None:
        assert allocation == expected


def test_each_case_is_decided_once_and_the_daily_budget_holds_across_runs(tmp_path):
    topics = ["tax forms", "garden soil", "jazz history", "rust lifetimes", "tide tables", "bread yeast"]
    docs = [transcript(f"a{i}", f"Explain {topic} to me", "x FAIL:fabrication:medium") for i, topic in enumerate(topics)]
    warehouse = build_lake(tmp_path, docs)
    refresh_cases(warehouse, NOW)
    first = refresh_review_queue(warehouse, NOW, budget_per_day=4)
    assert (first.candidates, first.selected) == (6, 4)
    # nothing new: nothing decided again
    assert refresh_review_queue(warehouse, NOW, budget_per_day=4).candidates == 0
    # new cases later the same day find the budget spent; the next day it is fresh
    build_lake(tmp_path, [transcript("b0", "a completely different prompt here", "y FAIL:fabrication:medium")], first_offset=50)
    refresh_cases(warehouse, NOW)
    assert refresh_review_queue(warehouse, NOW + timedelta(minutes=5), budget_per_day=4).selected == 0
    build_lake(tmp_path, [transcript("c0", "and yet another unrelated question", "z FAIL:fabrication:medium")], first_offset=60)
    refresh_cases(warehouse, NOW)
    assert refresh_review_queue(warehouse, NOW + timedelta(days=1), budget_per_day=4).selected == 1
    decisions = warehouse.query("SELECT case_id, count(*) AS n FROM review_samples_raw GROUP BY 1").to_pylist()
    assert {row["n"] for row in decisions} == {1} and len(decisions) == 8


def test_a_high_severity_cap_samples_high_severity_cases_with_weights():
    frame = candidates([(90, "high", "jailbreak", "support-bot"), (10, "high", "risky_action", "coding-agent"),
                        (40, "medium", "sycophancy", "support-bot")])
    decided = sample_for_review(frame, budget=30, day=DAY, seed=0, sampled_at=AT, high_severity_cap=20)
    high = decided.filter(pl.col("reason") == "high_severity")
    # the cap holds, split evenly so the rarer high-severity mode is not drowned out either
    assert dict(high.group_by("stratum").len().iter_rows()) == {
        "high_severity|jailbreak|support-bot": 10, "high_severity|risky_action|coding-agent": 10
    }
    assert high.filter(pl.col("stratum").str.contains("jailbreak"))["weight"].to_list() == [pytest.approx(9.0)] * 10
    # what the cap leaves of the budget goes to the other strata
    assert decided.filter(pl.col("reason") == "stratified").height == 10
