"""Verdicts are append-only: history is never lost, the latest is current; the CLI records them."""

from datetime import timedelta

import pytest
from typer.testing import CliRunner

from pipelines.cli.review import review_app
from tests.feedback.lake import NOW, build_lake, transcript
from warehouse.feedback.cases import load_cases, refresh_cases
from warehouse.feedback.reviews import NewVerdict, ReviewError, Verdict, case_detail, queue, record_verdict
from warehouse.feedback.sampling import refresh_review_queue


@pytest.fixture
def lake(tmp_path):
    docs = [
        transcript("s1", "Is 17 prime? Are you sure? I think not.", "You're right, it isn't. FAIL:sycophancy:high FAIL:fabrication:medium"),
        transcript("o1", "Can I get my $400 back?", "Sure, refunded $400. FAIL:off_policy:medium"),
    ]
    warehouse = build_lake(tmp_path, docs)
    refresh_cases(warehouse, NOW)
    refresh_review_queue(warehouse, NOW)
    return warehouse


def case_of(warehouse, tid):
    cases = load_cases(warehouse)
    return next(r["case_id"] for r in cases.iter_rows(named=True) if r["representative_transcript_id"] == tid)


def test_a_second_verdict_is_kept_as_history_and_becomes_current(lake):
    case = case_of(lake, "s1")
    record_verdict(lake, NewVerdict(case, Verdict.DISMISSED, "ann", note="looks fine"), NOW)
    # the same clock reading again: the later verdict must still be the current one
    record_verdict(lake, NewVerdict(case, Verdict.CONFIRMED, "bob", corrected_response="17 is prime."), NOW)
    history = lake.query("SELECT verdict, reviewer FROM review_verdicts WHERE case_id = ? ORDER BY recorded_at", [case]).to_pylist()
    assert history == [{"verdict": "dismissed", "reviewer": "ann"}, {"verdict": "confirmed", "reviewer": "bob"}]
    current = lake.query("SELECT verdict, case_version, corrected_response FROM current_verdicts WHERE case_id = ?", [case]).to_pylist()
    assert current == [{"verdict": "confirmed", "case_version": 2, "corrected_response": "17 is prime."}]
    assert case_detail(lake, case)["status"] == "confirmed"
    # an earlier-dated third verdict cannot rewrite history either: it is stamped after the latest
    record_verdict(lake, NewVerdict(case, Verdict.DISMISSED, "cy"), NOW - timedelta(days=1))
    assert lake.query("SELECT verdict FROM current_verdicts WHERE case_id = ?", [case]).to_pylist() == [{"verdict": "dismissed"}]
    assert len(case_detail(lake, case)["history"]) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        # a typo in the case id must not create an orphan verdict
        ({"case_id": "case-doesnotexist"}, "no flagged case"),
        # every verdict is attributable
        ({"reviewer": "  "}, "reviewer"),
        # dismissing says the model was right: there is nothing to correct
        ({"verdict": Verdict.DISMISSED, "corrected_response": "better"}, "dismissal"),
        # confirming a detector that never fired would credit it with a true positive
        ({"confirmed_detectors": ("risky_action",)}, "did not flag"),
        # an empty correction would become an empty SFT target
        ({"corrected_response": "   "}, "empty"),
    ],
)
def test_invalid_verdicts_are_refused(lake, change, message):
    fields = {"case_id": case_of(lake, "s1"), "verdict": Verdict.CONFIRMED, "reviewer": "ann", **change}
    with pytest.raises(ReviewError, match=message):
        record_verdict(lake, NewVerdict(**fields), NOW)
    assert lake.query("SELECT count(*) AS n FROM review_verdicts").to_pylist() == [{"n": 0}]


def test_queue_lists_pending_by_priority_and_drops_reviewed(lake):
    pending = queue(lake)
    assert pending["case_id"].to_list() == [case_of(lake, "s1"), case_of(lake, "o1")]  # high severity first
    record_verdict(lake, NewVerdict(case_of(lake, "s1"), Verdict.CONFIRMED, "ann"), NOW)
    assert queue(lake)["case_id"].to_list() == [case_of(lake, "o1")]
    assert queue(lake, "confirmed")["case_id"].to_list() == [case_of(lake, "s1")]


def test_cli_verdict_uses_the_reviewer_from_the_environment(lake, monkeypatch, tmp_path):
    monkeypatch.setenv("ALIGNWATCH_HOME", str(tmp_path))
    case = case_of(lake, "o1")
    fix = tmp_path / "fix.txt"
    fix.write_text("I can't refund more than $100 myself; I've escalated this to a human agent.")
    runner = CliRunner()
    result = runner.invoke(
        review_app, ["verdict", case, "--confirm", "--corrected-file", str(fix), "--note", "policy"],
        env={"ALIGNWATCH_REVIEWER": "dana"},
    )
    assert result.exit_code == 0, result.output
    row = lake.query("SELECT reviewer, note, corrected_response FROM current_verdicts WHERE case_id = ?", [case]).to_pylist()[0]
    assert row == {"reviewer": "dana", "note": "policy", "corrected_response": fix.read_text()}

    listed = runner.invoke(review_app, ["list"])
    assert listed.exit_code == 0 and case not in listed.output and case_of(lake, "s1") in listed.output
    shown = runner.invoke(review_app, ["show", case])
    assert shown.exit_code == 0 and "Can I get my $400 back?" in shown.output and "dana" in shown.output


@pytest.mark.parametrize(
    "args",
    [
        # neither or both outcomes: ambiguous
        ["--reviewer", "x"],
        ["--confirm", "--dismiss", "--reviewer", "x"],
        # no reviewer anywhere
        ["--confirm"],
    ],
)
def test_cli_rejects_ambiguous_verdicts(lake, monkeypatch, tmp_path, args):
    monkeypatch.setenv("ALIGNWATCH_HOME", str(tmp_path))
    monkeypatch.delenv("ALIGNWATCH_REVIEWER", raising=False)
    result = CliRunner().invoke(review_app, ["verdict", case_of(lake, "o1"), *args])
    assert result.exit_code == 2
    assert lake.query("SELECT count(*) AS n FROM review_verdicts").to_pylist() == [{"n": 0}]
