"""The demo's simulated reviews: clearly marked, reproducible, and ending in a dataset version."""

from tests.feedback.lake import NOW, build_lake, transcript
from warehouse.feedback.simulate import SIMULATED_NOTE, SIMULATED_REVIEWER, simulate_reviews


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
