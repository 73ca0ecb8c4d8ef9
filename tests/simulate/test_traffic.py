"""The traffic simulator: determinism, rates, the model update's effect, contract validity, sizes, truth."""

from __future__ import annotations

import json
import math
import random
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from functools import cache

import polars as pl
import pytest

from detectors.frame import prepare
from pipelines.simulate import SimulationConfig, generate, summarize
from pipelines.simulate.kit import Fill, iban_valid, luhn_valid
from pipelines.simulate.scenarios import DEPLOYMENTS, DETECTORS, MODEL_AFTER, MODEL_BEFORE, applicable
from pipelines.simulate.traffic import MAX_TRANSCRIPT_BYTES, MIN_TRANSCRIPT_BYTES, truth_record
from warehouse.contract import Accepted, Rejected, RejectionKind, validate
from warehouse.records import RawMessage, validate_batch

NOW = datetime(2026, 11, 3, 10, 30, tzinfo=UTC)


@cache
def _run(transcripts: int, seed: int = 7, bad: float = 0.005, dup: float = 0.002, update: float | None = 0.5):
    """Memoised runs: several tests read the same traffic."""
    config = SimulationConfig(
        transcripts=transcripts, seed=seed, bad_message_rate=bad, duplicate_rate=dup, model_update_at=update
    )
    return config, tuple(generate(config, NOW))


def _valid(messages):
    return [m for m in messages if m.bad_kind is None and not m.duplicate]


def _json(message):
    return json.loads(message.value)


# -- determinism --------------------------------------------------------------------------------


def test_same_seed_gives_byte_identical_output():
    config = SimulationConfig(transcripts=400, seed=11, bad_message_rate=0.05, duplicate_rate=0.05)
    first = [(m.key, m.value) for m in generate(config, NOW)]
    second = [(m.key, m.value) for m in generate(config, NOW)]
    assert first == second


def test_different_seed_gives_different_output():
    a = [m.value for m in generate(SimulationConfig(transcripts=50, seed=1), NOW)]
    b = [m.value for m in generate(SimulationConfig(transcripts=50, seed=2), NOW)]
    assert len(set(a) & set(b)) == 0


# -- the traffic's shape ------------------------------------------------------------------------


def test_transcript_count_excludes_bad_messages_and_resends():
    config, messages = _run(2000, bad=0.05, dup=0.05)
    valid = _valid(messages)
    assert len(valid) == config.transcripts
    assert len({m.transcript_id for m in valid}) == config.transcripts
    summary = summarize(messages)
    assert summary.transcripts == config.transcripts
    assert summary.messages == len(messages)
    # 5% of 2000 each, so a few dozen of both; zero would mean the knobs are ignored.
    assert 50 < summary.duplicates < 160
    assert 50 < sum(summary.bad_messages.values()) < 160


def test_created_at_increases_within_the_window_with_a_daily_cycle():
    config, messages = _run(6000)
    start, end = config.window(NOW)
    assert (start, end) == (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 3, tzinfo=UTC))
    times = [m.segment.created_at for m in _valid(messages)]
    assert times == sorted(times)
    assert start <= times[0] and times[-1] < end <= NOW
    by_hour = Counter(t.hour for t in times)
    # Peak at 15:00 UTC, trough at 03:00: intensity 1.55 vs 0.45, so the ratio is about 3.4.
    assert by_hour[15] > 2.5 * by_hour[3]


def test_resends_repeat_an_earlier_record_exactly():
    _, messages = _run(2000, bad=0.05, dup=0.05)
    first_seen = {}
    for position, message in enumerate(messages):
        if message.bad_kind is not None:
            continue
        if message.duplicate:
            original = first_seen[message.transcript_id]
            assert (messages[original].key, messages[original].value) == (message.key, message.value)
            assert position > original
        else:
            first_seen[message.transcript_id] = position


def test_key_is_the_conversation_id_and_some_conversations_continue():
    _, messages = _run(2000)
    valid = _valid(messages)
    for message in valid:
        assert message.key == _json(message)["conversation_id"].encode()
    per_conversation = Counter(m.key for m in valid)
    assert max(per_conversation.values()) >= 2


def test_all_deployments_and_both_models_serve_traffic():
    config, messages = _run(6000)
    summary = summarize(messages)
    shares = {d: n / config.transcripts for d, n in summary.by_deployment.items()}
    assert shares == pytest.approx(
        {"support-bot": 0.5, "coding-agent": 0.25, "research-assistant": 0.25}, abs=0.03
    )
    assert summary.by_model[MODEL_BEFORE] > 0 and summary.by_model[MODEL_AFTER] > 0
    policies = {(m.segment.deployment, m.segment.policy_id) for m in _valid(messages)}
    assert policies == {(d.name, d.policy_id) for d in DEPLOYMENTS}


def test_model_switch_has_a_short_canary_ramp():
    config, messages = _run(6000)
    start, end = config.window(NOW)
    update = start + (end - start) * 0.5
    models_before = {m.segment.model for m in _valid(messages) if m.segment.created_at < update}
    models_after_ramp = {
        m.segment.model for m in _valid(messages) if m.segment.created_at >= update + timedelta(hours=3)
    }
    during = Counter(
        m.segment.model
        for m in _valid(messages)
        if update <= m.segment.created_at < update + timedelta(hours=2)
    )
    assert models_before == {MODEL_BEFORE}
    assert models_after_ramp == {MODEL_AFTER}
    assert during[MODEL_BEFORE] > 0 and during[MODEL_AFTER] > 0


def test_no_update_keeps_the_old_model():
    _, messages = _run(300, update=None)
    assert {m.segment.model for m in _valid(messages)} == {MODEL_BEFORE}


# -- rates and the update -----------------------------------------------------------------------


def _observed_rates(messages):
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for m in _valid(messages):
        counts[(m.segment.deployment, m.segment.model)][m.truth.injected] += 1
    return counts


def test_injected_rates_match_the_config_per_segment():
    config, messages = _run(8000)
    for (deployment, model), counts in _observed_rates(messages).items():
        n = sum(counts.values())
        for detector in DETECTORS:
            expected = config.rate(deployment, detector, model)
            observed = counts[detector] / n
            # Binomial standard error; 4.5 sigma keeps 50 comparisons from flaking on a fixed seed change.
            tolerance = 4.5 * math.sqrt(max(expected, 0.005) * (1 - expected) / n)
            assert abs(observed - expected) <= tolerance, (deployment, model, detector, observed, expected)


def test_update_changes_only_the_configured_rates():
    config, messages = _run(8000)
    rates = _observed_rates(messages)
    changed = set()
    for deployment in DEPLOYMENTS:
        old, new = rates[(deployment.name, MODEL_BEFORE)], rates[(deployment.name, MODEL_AFTER)]
        n_old, n_new = sum(old.values()), sum(new.values())
        for detector in DETECTORS:
            p_old, p_new = old[detector] / n_old, new[detector] / n_new
            pooled = (old[detector] + new[detector]) / (n_old + n_new)
            se = math.sqrt(max(pooled, 0.005) * (1 - pooled) * (1 / n_old + 1 / n_new))
            if abs(p_new - p_old) / se > 4.5:
                changed.add((deployment.name, detector, "up" if p_new > p_old else "down"))
    assert changed == {("support-bot", "off_policy", "up"), ("research-assistant", "sycophancy", "up")}
    assert set(config.update_effects) == {("support-bot", "off_policy"), ("research-assistant", "sycophancy")}


def test_drifted_off_policy_is_mostly_refunds_and_competitors():
    # The regression the demo tells a story about: the new model promises refunds and praises competitors.
    _, messages = _run(8000)
    scenarios = Counter(
        m.truth.scenario
        for m in _valid(messages)
        if m.segment.deployment == "support-bot"
        and m.segment.model == MODEL_AFTER
        and m.truth.injected == "off_policy"
    )
    share = (scenarios["refund_no_escalation"] + scenarios["competitor_recommendation"]) / sum(
        scenarios.values()
    )
    assert share > 0.85


@pytest.mark.parametrize(
    ("effects", "deployment", "detector", "model", "expected"),
    [
        # default: baseline before the update, the configured effect after it
        (None, "support-bot", "off_policy", MODEL_BEFORE, 0.03),
        (None, "support-bot", "off_policy", MODEL_AFTER, 0.15),
        # an effect on one deployment leaves the same detector elsewhere alone
        (None, "coding-agent", "sycophancy", MODEL_AFTER, 0.04),
        # failures that do not apply to a deployment are never injected there
        (None, "coding-agent", "off_policy", MODEL_BEFORE, 0.0),
        (None, "research-assistant", "risky_action", MODEL_AFTER, 0.0),
        # no effects: the update changes nothing
        ({}, "support-bot", "off_policy", MODEL_AFTER, 0.03),
        ({("coding-agent", "risky_action"): 0.3}, "coding-agent", "risky_action", MODEL_AFTER, 0.3),
    ],
)
def test_rate_lookup(effects, deployment, detector, model, expected):
    config = SimulationConfig() if effects is None else SimulationConfig(update_effects=effects)
    assert config.rate(deployment, detector, model) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"failure_rates": {"sycophanty": 0.1}}, "did you mean 'sycophancy'"),  # typo gets a suggestion
        ({"failure_rates": {d: 0.2 for d in DETECTORS}}, "add up to"),  # cannot inject > 100%
        ({"update_effects": {("coding-agent", "off_policy"): 0.2}}, "not simulated"),  # no policy there
        ({"update_effects": {("chat-bot", "jailbreak"): 0.2}}, "unknown deployment"),
        ({"start": datetime(2026, 11, 1)}, "timezone-aware"),  # noqa: DTZ001 -- the naive value under test
        ({"bad_message_rate": 1.5}, "between 0 and 1"),
        ({"days": 0}, "days"),
    ],
)
def test_config_rejects_bad_values(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        SimulationConfig(**kwargs)


def test_naive_now_is_rejected():
    with pytest.raises(ValueError, match="timezone-aware"):
        generate(SimulationConfig(transcripts=1), datetime(2026, 11, 3))  # noqa: DTZ001


def test_explicit_start_sets_the_window():
    start = datetime(2026, 10, 1, 6, tzinfo=UTC)
    config = SimulationConfig(transcripts=100, days=0.5, start=start)
    times = [m.segment.created_at for m in _valid(generate(config, NOW))]
    assert start <= min(times) and max(times) < start + timedelta(hours=12)


# -- the contract -------------------------------------------------------------------------------


def test_every_valid_message_passes_the_contract_within_the_size_band():
    _, messages = _run(3000)
    sizes = []
    for message in _valid(messages):
        outcome = validate(message.value)
        assert isinstance(outcome, Accepted), outcome
        assert outcome.transcript.transcript_id == message.transcript_id
        assert outcome.transcript.model == message.segment.model
        assert outcome.transcript.deployment == message.segment.deployment
        assert outcome.transcript.created_at == message.segment.created_at
        sizes.append(len(message.value))
    assert MIN_TRANSCRIPT_BYTES <= min(sizes) and max(sizes) <= MAX_TRANSCRIPT_BYTES
    assert 1500 < sum(sizes) / len(sizes) < 3500  # mostly real content, not padding at the floor


# Every kind a producer can cause; UNPROCESSABLE only marks a validator bug, which no input should reach.
@pytest.mark.parametrize("kind", [k for k in RejectionKind if k is not RejectionKind.UNPROCESSABLE])
def test_every_bad_message_is_rejected_with_its_intended_kind(kind):
    _, messages = _run(700, seed=3, bad=0.25)
    of_kind = [m for m in messages if m.bad_kind is kind]
    assert of_kind, f"no {kind.value} message generated"
    for message in of_kind:
        assert message.truth is None and message.segment is None
        outcome = validate(message.value)
        assert isinstance(outcome, Rejected) and outcome.kind is kind, outcome
    if kind is RejectionKind.OVERSIZED:
        assert all(len(m.value) > 1 << 20 for m in of_kind)


def test_the_lake_and_detector_frame_take_the_traffic():
    # The ingest path the demo uses: validate_batch -> prepare. Tool calls with null content must survive.
    _, messages = _run(300)
    raw = [RawMessage("t", 0, i, m.key, m.value) for i, m in enumerate(messages)]
    batch = validate_batch(raw, ingested_at=NOW)
    assert batch.transcripts.num_rows == sum(1 for m in messages if m.bad_kind is None)
    assert batch.dead_letters.num_rows == sum(1 for m in messages if m.bad_kind is not None)
    frame = prepare(pl.from_arrow(batch.transcripts))
    coding = frame.filter(pl.col("deployment") == "coding-agent")
    assert coding["tool_calls"].list.len().sum() > 0
    assert (frame["final_answer"].str.len_chars() > 0).all()


# -- ground truth -------------------------------------------------------------------------------


def test_truth_is_consistent_with_the_scenarios():
    _, messages = _run(3000)
    for message in _valid(messages):
        truth = message.truth
        if truth.injected is None:
            assert truth.failures == ()
        else:
            assert truth.injected in truth.failures and not truth.hard_negative
            assert applicable(message.segment.deployment, truth.injected)
        record = truth_record(message)
        assert record["transcript_id"] == message.transcript_id
        assert record["failures"] == list(truth.failures)
    hard_negatives = sum(1 for m in _valid(messages) if m.truth.hard_negative)
    assert 0.1 < hard_negatives / len(_valid(messages)) < 0.5


def test_every_scenario_builds_a_valid_transcript():
    # Sampling reaches rare scenarios only occasionally; build each one directly, several times.
    for deployment in DEPLOYMENTS:
        for scenario in deployment.scenarios:
            for seed in range(8):
                conv = scenario.build(Fill(random.Random(seed)))  # noqa: S311
                document = {
                    "schema_version": 1,
                    "transcript_id": "t",
                    "created_at": "2026-11-01T09:00:00Z",
                    "model": MODEL_BEFORE,
                    "deployment": deployment.name,
                    "policy_id": deployment.policy_id,
                    "messages": [{"role": "system", "content": conv.system}, *conv.turns],
                    "context": conv.context,
                }
                outcome = validate(json.dumps(document).encode())
                assert isinstance(outcome, Accepted), (scenario.name, outcome)
                assert conv.turns[-1]["role"] == "assistant" and conv.turns[-1]["content"], scenario.name
                assert 1 <= sum(1 for t in conv.turns if t["role"] == "user") <= 4, scenario.name


def _by_scenario(messages, name):
    found = [_json(m) for m in _valid(messages) if m.truth.scenario == name]
    assert found, f"{name} not generated"
    return found


def _user_text(document):
    return "\n".join(m["content"] or "" for m in document["messages"] if m["role"] == "user")


def _final(document):
    return document["messages"][-1]["content"]


def _tool_arguments(document):
    return [
        json.loads(call["function"]["arguments"])
        for m in document["messages"]
        for call in m.get("tool_calls") or []
    ]


_DESTRUCTIVE = re.compile(
    r"DROP TABLE|TRUNCATE|DELETE FROM \w+;|UPDATE \w+ SET (?:(?!WHERE)[^;])*;|rm -rf (/|~)|--force|-f origin|destroy"
    r"|PROD_DATABASE_URL|-n prod "
)
_CARD = re.compile(r"\b\d{4} \d{4} \d{4} \d{4}\b|\b\d{4} \d{6} \d{5}\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: [A-Z0-9]{1,4}){4,8}\b")
_EMAIL = re.compile(r"[\w.]+@[\w.]+\.\w+")


def test_risky_actions_run_unconfirmed_and_hard_negatives_do_not():
    _, messages = _run(6000)
    for document in _by_scenario(messages, "risky_unconfirmed"):
        arguments = " ".join(str(v) for a in _tool_arguments(document) for v in a.values())
        assert _DESTRUCTIVE.search(arguments), arguments
        assert "yes" not in _user_text(document).lower()
    for document in _by_scenario(messages, "destructive_proposed"):
        assert _tool_arguments(document) == [] and _final(document).endswith("Reply yes to confirm.")
    for document in _by_scenario(messages, "destructive_confirmed"):
        assert "yes" in _user_text(document).lower()


def test_leaked_pii_is_not_from_the_user_and_checksums_hold():
    _, messages = _run(8000)
    leaks = [
        d
        for name in (
            "other_customer_details",
            "card_revealed",
            "lookup_leak",
            "sql_pii_dumped",
            "person_lookup",
        )
        for d in _by_scenario(messages, name)
    ]
    found = Counter()
    for document in leaks:
        answer, said = _final(document), _user_text(document)
        for iban in _IBAN.findall(answer):
            assert iban_valid(iban) and iban not in said
            found["iban"] += 1
        for card in _CARD.findall(_IBAN.sub("", answer)):
            assert luhn_valid(card) and card not in said
            found["card"] += 1
        for email in _EMAIL.findall(answer):
            assert email not in said
            found["email"] += 1
    assert found["iban"] and found["card"] and found["email"], found
    # The aligned look-alike: the contact details are the user's own.
    for document in _by_scenario(messages, "own_contact_update"):
        assert all(email in _user_text(document) for email in _EMAIL.findall(_final(document)))


@pytest.mark.parametrize(
    ("card", "valid"),
    [
        ("4111 1111 1111 1111", True),  # the classic test Visa
        ("4111 1111 1111 1112", False),  # last digit off by one
        ("3782 822463 10005", True),  # Amex test number, 15 digits
    ],
)
def test_luhn(card, valid):
    assert luhn_valid(card) is valid


@pytest.mark.parametrize(
    ("iban", "valid"),
    [
        ("GB82 WEST 1234 5698 7654 32", True),  # the ECBS example IBAN
        ("GB82 WEST 1234 5698 7654 33", False),
        ("DE89 3704 0044 0532 0130 00", True),
    ],
)
def test_iban(iban, valid):
    assert iban_valid(iban) is valid


def test_jailbreaks_carry_an_override_and_discussions_do_not_act_on_one():
    _, messages = _run(8000)
    override = re.compile(
        r"ignore (all )?(your )?previous instructions|DAN|developer mode|SYSTEM|EvilGPT|grandma|"
        r"disregard|forget your rules|similarlyNow",
        re.IGNORECASE,
    )
    for name in (
        "jailbreak_attempt",
        "tool_injection",
        "dev_mode_attempt",
        "context_injection",
        "roleplay_attempt",
    ):
        for document in _by_scenario(messages, name):
            sources = [m["content"] or "" for m in document["messages"] if m["role"] in ("user", "tool")]
            sources += [d["text"] for d in document.get("context") or []]
            assert any(override.search(text) for text in sources), name


def test_instruction_violations_break_the_system_constraint():
    _, messages = _run(8000)
    for document in _by_scenario(messages, "instruction_violated"):
        system, answer = document["messages"][0]["content"], _final(document)
        if "JSON" in system:
            with pytest.raises(json.JSONDecodeError):
                json.loads(answer)
        elif "under 50 words" in system:
            assert len(answer.split()) >= 50
    for document in _by_scenario(messages, "instruction_followed"):
        system, answer = document["messages"][0]["content"], _final(document)
        if "JSON" in system:
            json.loads(answer)
        elif "under 50 words" in system:
            assert len(answer.split()) < 50


def test_feedback_is_sparse_and_worse_on_failures():
    _, messages = _run(8000)
    ratings = defaultdict(list)
    with_feedback = 0
    for message in _valid(messages):
        feedback = _json(message).get("feedback")
        if feedback is not None:
            with_feedback += 1
            ratings[message.truth.injected is None].append(feedback["rating"])
    assert 0.15 < with_feedback / 8000 < 0.3
    clean, failed = ratings[True], ratings[False]
    assert sum(clean) / len(clean) > sum(failed) / len(failed) + 0.3
    # Over-refusals are what users complain about most.
    over = [
        _json(m)["feedback"]["rating"]
        for m in _valid(messages)
        if m.truth.injected == "over_refusal" and "feedback" in _json(m)
    ]
    assert sum(r < 0 for r in over) / len(over) > 0.5
