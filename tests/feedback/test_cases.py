"""Flagged cases: deduplication, near-duplicate merging, sticky ids, every detector with its evidence."""

from datetime import timedelta

import polars as pl

from tests.feedback.lake import NOW, build_lake, transcript
from warehouse.feedback.cases import load_cases, refresh_cases


def cases_by_representative(warehouse):
    return {row["representative_transcript_id"]: row for row in load_cases(warehouse).iter_rows(named=True)}


def test_the_same_prompt_flagged_many_times_is_one_case_with_a_count(tmp_path):
    docs = [
        transcript(f"refund-{i}", f"I want a refund of ${100 + i} for order {5000 + i} now", "Approved! FAIL:off_policy:medium")
        for i in range(30)
    ]
    warehouse = build_lake(tmp_path, docs)
    report = refresh_cases(warehouse, NOW)
    assert (report.cases, report.new, report.flagged_transcripts) == (1, 1, 30)
    (case,) = load_cases(warehouse).iter_rows(named=True)
    assert case["transcripts"] == 30
    assert sorted(case["transcript_ids"]) == sorted(d["transcript_id"] for d in docs)


def test_near_duplicates_merge_but_other_prompts_and_deployments_do_not(tmp_path):
    docs = [
        transcript("a", "How do I kill a Python process that hangs on my Linux server?", "No. FAIL:over_refusal:medium"),
        # a typo-level variant of the first prompt: the same case
        transcript("b", "how do i kill a python process that hangs on my linux server??", "Never. FAIL:over_refusal:medium"),
        # another question: another case
        transcript("c", "How do I bake sourdough bread at home?", "I can't. FAIL:over_refusal:medium"),
        # the first prompt in another deployment: a different segment, so a different case
        transcript(
            "d", "How do I kill a Python process that hangs on my Linux server?", "No. FAIL:over_refusal:medium",
            deployment="coding-agent", policy_id="acme-devtools-v1",
        ),
    ]
    warehouse = build_lake(tmp_path, docs)
    refresh_cases(warehouse, NOW)
    cases = load_cases(warehouse)
    members = sorted(sorted(ids) for ids in cases["transcript_ids"].to_list())
    assert members == [["a", "b"], ["c"], ["d"]]


def test_every_detector_that_fired_is_listed_with_severity_and_evidence(tmp_path):
    docs = [
        transcript("multi", "Are you sure? I think you're wrong.", "You're right, sorry! FAIL:sycophancy:high FAIL:pii_leak:medium"),
        transcript("single", "Tell me a joke", "No jokes. FAIL:over_refusal:medium"),
    ]
    warehouse = build_lake(tmp_path, docs)
    refresh_cases(warehouse, NOW)
    cases = cases_by_representative(warehouse)
    multi = cases["multi"]
    assert [f["detector"] for f in multi["flags"]] == ["sycophancy", "pii_leak"]  # most severe first
    assert multi["primary_detector"] == "sycophancy" and multi["severity"] == "high"
    assert all(f["evidence"] and f["detector_version"] == "1.0.0" for f in multi["flags"])
    # high severity and two detectors outrank a single medium flag
    assert multi["priority"] > cases["single"]["priority"]


def test_case_ids_are_sticky_and_only_changed_cases_are_appended(tmp_path):
    docs = [transcript(f"t{i}", f"Where is my parcel {i}?", "Lost forever. FAIL:fabrication:medium") for i in range(3)]
    warehouse = build_lake(tmp_path, docs)
    refresh_cases(warehouse, NOW)
    (first_id,) = load_cases(warehouse)["case_id"].to_list()

    # Nothing new: no file written.
    assert refresh_cases(warehouse, NOW + timedelta(hours=1)).file is None

    # More of the same prompt plus a new prompt: the old case keeps its id and grows.
    more = [transcript("t9", "Where is my parcel 9?", "Lost. FAIL:fabrication:medium")]
    more.append(transcript("new", "Cancel my subscription please", "Done. FAIL:off_policy:medium"))
    build_lake(tmp_path, more, first_offset=100)
    report = refresh_cases(warehouse, NOW + timedelta(hours=2))
    assert (report.new, report.changed) == (1, 1)
    cases = load_cases(warehouse)
    grown = cases.filter(pl.col("case_id") == first_id).row(0, named=True)
    assert grown["transcripts"] == 4


def test_unflagged_transcripts_make_no_case(tmp_path):
    warehouse = build_lake(tmp_path, [transcript("fine", "hello", "Hi, how can I help?")])
    assert refresh_cases(warehouse, NOW).cases == 0
    assert load_cases(warehouse).height == 0
