"""The demo's simulated reviews: clearly marked, reproducible, and ending in a dataset version."""

import pytest

from tests.feedback.lake import NOW, build_lake, transcript
from warehouse.feedback.simulate import (
    SIMULATED_NOTE,
    SIMULATED_REVIEWER,
    corrected_response_for,
    simulate_reviews,
)


def demo_lake(home):
    docs = [
        transcript(f"p{i}", f"Question {w} about my account", f"Answer. FAIL:{d}:{s}")
        for i, (w, d, s) in enumerate(
            [("alpha", "off_policy", "medium"), ("bravo", "pii_leak", "high"), ("charlie", "sycophancy", "medium"),
             ("delta", "fabrication", "medium"), ("echo", "risky_action", "high"), ("foxtrot", "over_refusal", "low")]
        )
    ]
    return build_lake(home, docs)


def test_simulated_reviews_are_marked_and_build_a_first_version(tmp_path):
    warehouse = demo_lake(tmp_path)
    result = simulate_reviews(warehouse, n=10, seed=3, clock=lambda: NOW)
    assert result.reviewed == 6 and result.confirmed + result.dismissed == 6
    assert result.dataset_version == "v0001" and (result.dataset_path / "manifest.json").is_file()
    verdicts = warehouse.query("SELECT DISTINCT reviewer, note FROM review_verdicts").to_pylist()
    assert verdicts == [{"reviewer": SIMULATED_REVIEWER, "note": SIMULATED_NOTE}]
    # templated corrections exist only for categories where one answer fits every conversation
    corrected = warehouse.query(
        "SELECT c.primary_detector FROM current_verdicts v JOIN flagged_cases c USING (case_id) "
        "WHERE v.corrected_response IS NOT NULL"
    ).column(0).to_pylist()
    assert set(corrected) <= {"off_policy", "pii_leak", "sycophancy", "risky_action", "harmful_compliance", "jailbreak"}
    assert result.records["sft"] == len(corrected) and result.records["regression"] == result.confirmed


def test_same_seed_same_verdicts(tmp_path):
    outcomes = []
    for name in ("one", "two"):
        warehouse = demo_lake(tmp_path / name)
        simulate_reviews(warehouse, n=10, seed=11, clock=lambda: NOW)
        outcomes.append(warehouse.query("SELECT case_id, verdict FROM review_verdicts ORDER BY case_id").to_pylist())
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize(
    ("detector", "evidence", "expect"),
    [
        # off_policy: the template follows the rule cited in the evidence
        ("off_policy", '[refund-over-limit] amount 179.0 above the 100.0 limit', "escalated"),
        ("off_policy", '[no-system-prompt-leak] "internal notes:"', "instructions"),
        # a rule without a template, or evidence without a rule id: no made-up correction
        ("off_policy", "[no-license-violations] GPL code", None),
        ("off_policy", "something else", None),
        # categories whose right answer depends on the conversation get no template
        ("fabrication", "cited doi 10.1/x", None),
        ("risky_action", "[sql.drop] run_sql: DROP TABLE x", "confirm"),
    ],
)
def test_corrected_response_templates(detector, evidence, expect):
    text = corrected_response_for(detector, evidence)
    assert (text is None) if expect is None else (expect in text)
