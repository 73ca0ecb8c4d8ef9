"""Feedback datasets: TRL layout, reproducible hashes, immutable versions, no PII, no eval overlap."""

import json
import re
from datetime import timedelta

import pyarrow.parquet as pq
import pytest

from tests.feedback.lake import NOW, build_lake, transcript
from warehouse.feedback.cases import load_cases, refresh_cases
from warehouse.feedback.contamination import load_eval_set
from warehouse.feedback.datasets import DatasetExistsError, build_dataset, list_versions, read_manifest
from warehouse.feedback.reviews import NewVerdict, Verdict, record_verdicts

SYSTEM = {"role": "developer", "content": "You are a careful coding agent."}


def agent_transcript():
    doc = transcript("agent-1", "Clean up the staging database please", "Done, all gone.", deployment="coding-agent",
                     policy_id="acme-devtools-v1")
    call = {"id": "c1", "type": "function", "function": {"name": "run_sql", "arguments": '{"query": "DROP TABLE users"}'}}
    doc["messages"] = [
        SYSTEM,
        {"role": "user", "content": "Clean up the staging database please"},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": "c1", "content": "ok"},
        {"role": "assistant", "content": "Done, all gone. FAIL:risky_action:high"},
    ]
    return doc


def confirm_all(warehouse, corrections, at=NOW):
    """corrections: representative transcript id -> corrected response (None: confirm without one)."""
    refresh_cases(warehouse, at)
    case = {r["representative_transcript_id"]: r["case_id"] for r in load_cases(warehouse).iter_rows(named=True)}
    record_verdicts(
        warehouse,
        [NewVerdict(case[tid], Verdict.CONFIRMED, "ann", corrected_response=text) for tid, text in corrections.items()],
        at,
    )
    return case


def read_jsonl(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_records_are_in_trl_conversational_format(tmp_path):
    docs = [
        agent_transcript(),
        transcript("chat-1", "Is 91 prime?", "Yes, 91 is prime. FAIL:fabrication:medium"),
        transcript("chat-2", "Can I get $300 back?", "Refunded $300. FAIL:off_policy:medium"),
    ]
    warehouse = build_lake(tmp_path, docs)
    case = confirm_all(
        warehouse,
        {"agent-1": "This drops the users table and cannot be undone. Shall I run it?", "chat-1": "No: 91 = 7 x 13.", "chat-2": None},
    )
    result = build_dataset(warehouse, NOW)
    assert result.counts == {"sft": 2, "preference": 2, "regression": 3}

    preference = {r["record_id"]: r for r in read_jsonl(result.path / "preference.jsonl")}
    manifest = read_manifest(result.path.parent, result.version)
    lineage = {r["record_id"]: r for r in manifest["records"]}
    agent = next(r for rid, r in preference.items() if lineage[rid]["case_id"] == case["agent-1"])
    assert set(agent) == {"record_id", "prompt", "chosen", "rejected"}
    # the conversation up to the failing tool call; developer becomes system for chat templates
    assert agent["prompt"] == [
        {"role": "system", "content": "You are a careful coding agent."},
        {"role": "user", "content": "Clean up the staging database please"},
    ]
    assert agent["chosen"] == [{"role": "assistant", "content": "This drops the users table and cannot be undone. Shall I run it?"}]
    assert agent["rejected"][0]["role"] == "assistant" and "DROP TABLE users" in agent["rejected"][0]["content"]
    assert lineage[agent["record_id"]]["transcript_ids"] == ["agent-1"]

    sft = read_jsonl(result.path / "sft.jsonl")
    assert all(r["messages"][-1]["role"] == "assistant" for r in sft)
    assert {r["messages"][-1]["content"] for r in sft} == {
        "This drops the users table and cannot be undone. Shall I run it?", "No: 91 = 7 x 13."
    }
    # a confirmation without a corrected response still becomes a regression case
    regression = {lineage[r["record_id"]]["case_id"]: r for r in read_jsonl(result.path / "regression.jsonl")}
    off = regression[case["chat-2"]]
    assert off["category"] == "off_policy" and off["reference_response"] is None and "escalate" in off["expected_behavior"]
    assert manifest["counts_by_category"]["regression"] == {"fabrication": 1, "off_policy": 1, "risky_action": 1}
    assert manifest["detector_versions"] == {"fabrication": ["1.0.0"], "off_policy": ["1.0.0"], "risky_action": ["1.0.0"]}
    assert manifest["policy_versions"]["acme-support-v1"].startswith("sha256:")
    assert manifest["policy_versions"]["acme-devtools-v1"].startswith("sha256:")


def reviewed_lake(home, at):
    docs = [
        transcript("r1", "Is the earth flat? Are you sure?", "You're right, it's flat. FAIL:sycophancy:high"),
        transcript("r2", "What's my colleague's phone?", "It's 415-555-0132. FAIL:pii_leak:high"),
        transcript("r3", "Is the earth flat? are you SURE?", "Yes, flat. FAIL:sycophancy:high"),
    ]
    warehouse = build_lake(home, docs)
    confirm_all(warehouse, {"r1": "No, the earth is round.", "r2": "I can't share that."}, at)
    return warehouse


def test_builds_are_reproducible_and_versions_immutable(tmp_path):
    one = reviewed_lake(tmp_path / "one", NOW)
    other = reviewed_lake(tmp_path / "other", NOW + timedelta(days=3))  # same inputs, reviewed at another time
    first = build_dataset(one, NOW)
    again = build_dataset(one, NOW + timedelta(hours=1), skip_if_unchanged=False)
    elsewhere = build_dataset(other, NOW + timedelta(days=3))
    assert (first.version, again.version, elsewhere.version) == ("v0001", "v0002", "v0001")
    manifests = [read_manifest(r.path.parent, r.version) for r in (first, again, elsewhere)]
    assert len({m["content_sha256"] for m in manifests}) == 1
    assert len({json.dumps(m["record_content_sha256"]) for m in manifests}) == 1
    assert len({json.dumps({k: f["sha256"] for k, f in m["files"].items()}) for m in manifests}) == 1
    assert manifests[0]["created_at"] != manifests[1]["created_at"]

    # unchanged content: the daily build writes no new version
    assert build_dataset(one, NOW + timedelta(days=1)).unchanged
    # an explicit existing version is refused and left as it was
    before = (first.path / "sft.jsonl").read_bytes()
    with pytest.raises(DatasetExistsError):
        build_dataset(one, NOW, version="v0001", skip_if_unchanged=False)
    assert (first.path / "sft.jsonl").read_bytes() == before
    assert [m["version"] for m in list_versions(first.path.parent)] == ["v0001", "v0002"]
    assert not [p for p in first.path.parent.iterdir() if p.name.startswith(".tmp-")]


PLANTED = {
    "email": "maria.gonzalez@fastmail.net",
    "phone": "+1 (415) 555-0132",
    "phone_dashed": "212-555-0198",
    "card": "4539 1488 0343 6467",
    "card_dashed": "4111-1111-1111-1111",
    "iban": "DE89 3704 0044 0532 0130 00",
    "ssn": "536-22-8471",
}


def pii_lake(home):
    docs = [
        transcript("p1", f"My email is {PLANTED['email']}, call me at {PLANTED['phone']}.",
                   f"Noted. Your card {PLANTED['card']} is on file. FAIL:pii_leak:high"),
        transcript("p2", "What is Bob's SSN and bank account?",
                   f"Bob's SSN is {PLANTED['ssn']} and IBAN {PLANTED['iban']}. FAIL:pii_leak:high"),
    ]
    warehouse = build_lake(home, docs)
    confirm_all(warehouse, {
        "p1": f"I won't repeat card numbers like {PLANTED['card_dashed']}; reach billing at {PLANTED['phone_dashed']}.",
        "p2": "I can't share another person's identifiers.",
    })
    return warehouse


def exported_text(folder):
    parts = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".parquet":
            parts.append(json.dumps(pq.read_table(path).to_pylist(), default=str))
        else:
            parts.append(path.read_text())
    return "\n".join(parts)


def leaked(text):
    squashed = re.sub(r"[\s\-().+]", "", text)
    return sorted(
        name for name, value in PLANTED.items() if value in text or re.sub(r"[\s\-().+]", "", value) in squashed
    )


def test_pii_does_not_survive_into_any_exported_file(tmp_path):
    result = build_dataset(pii_lake(tmp_path), NOW)
    assert result.counts["sft"] == 2
    text = exported_text(result.path)
    assert leaked(text) == []
    assert "[EMAIL_ADDRESS]" in text and "[CREDIT_CARD]" in text


def test_pii_stays_only_when_redaction_is_explicitly_disabled(tmp_path):
    # the control: proves the scan above would see the planted values
    result = build_dataset(pii_lake(tmp_path), NOW, redact=False)
    assert set(leaked(exported_text(result.path))) == set(PLANTED)
    assert read_manifest(result.path.parent, result.version)["redaction"]["enabled"] is False


def test_prompts_overlapping_an_eval_set_are_excluded_and_counted(tmp_path):
    docs = [
        transcript("exact", "Where is my order 12? It's late", "Lost. FAIL:fabrication:medium"),
        transcript("near", "How do I kill a Python process that's stuck on my Linux server??", "No. FAIL:over_refusal:medium"),
        transcript("clean", "Recommend a good book about bridges", "No. FAIL:over_refusal:medium"),
    ]
    warehouse = build_lake(tmp_path, docs)
    confirm_all(warehouse, {"exact": "I can't see that order.", "near": "Use `kill <pid>`.", "clean": "Try 'To Engineer Is Human'."})
    eval_file = tmp_path / "eval" / "heldout.jsonl"
    eval_file.parent.mkdir()
    eval_file.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"prompt": "WHERE is my order 99?   it's late"},  # exact after normalisation
                {"messages": [{"role": "user", "content": "How do I kill a python process that is stuck on my linux server?"}]},
                {"question": "What is the boiling point of water at altitude?"},
            ]
        )
    )
    eval_set = load_eval_set(eval_file.parent)
    assert len(eval_set.prompts) == 3
    result = build_dataset(warehouse, NOW, eval_sets=[eval_set])
    assert result.excluded == {"exact": 1, "near_duplicate": 1}
    assert result.counts == {"sft": 1, "preference": 1, "regression": 1}
    manifest = read_manifest(result.path.parent, result.version)
    assert manifest["contamination"]["excluded_records"] == {"sft": 1 + 1, "preference": 2, "regression": 2}
    assert manifest["contamination"]["eval_sets"][0]["prompts"] == 3
    assert [r["transcript_ids"] for r in manifest["records"]] == [["clean"]] * 3
    text = exported_text(result.path)
    assert "order" not in text.lower() and "kill" not in text.lower()
