"""Synthetic production traffic: seeded, pure generation of contract transcripts with injected failures.

No Kafka and no clock here: ``generate(config, now)`` is a deterministic function of its arguments
(same seed, same bytes), so tests, the demo and benchmarks can replay a run exactly.

The traffic model, in order of draws for each transcript: an arrival time (diurnal, increasing), a
deployment (by traffic share), the model serving it (old, a canary ramp after the update, then new), an
injected failure mode (a categorical draw over the per-(deployment, model) rates; at most one per
transcript), a scenario for that failure (or a clean one), then entities, prefix small talk, size
padding, metadata and feedback. Malformed messages and at-least-once re-sends are interleaved.
"""

from __future__ import annotations

import bisect
import difflib
import heapq
import math
import random
import uuid
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from pipelines.simulate.kit import Conversation, Fill, Scenario
from pipelines.simulate.scenarios import (
    DEFAULT_FAILURE_RATES,
    DEFAULT_UPDATE_EFFECTS,
    DEPLOYMENTS,
    DEPLOYMENTS_BY_NAME,
    DETECTORS,
    MODEL_AFTER,
    MODEL_BEFORE,
    Deployment,
)
from warehouse.contract import DEFAULT_MAX_MESSAGE_BYTES, RejectionKind

MIN_TRANSCRIPT_BYTES = 1024
MAX_TRANSCRIPT_BYTES = 5 * 1024
# Share of the new model's traffic at the start of the canary ramp, and the ramp's length.
CANARY_SHARE = 0.1
CANARY_MAX = timedelta(hours=3)
CANARY_FRACTION = 0.05
# Diurnal traffic: peak at 15:00 UTC (US morning, EU afternoon), trough twelve hours later.
DIURNAL_PEAK_HOUR = 15.0
DIURNAL_AMPLITUDE = 0.55
# A returning user continues a recent conversation (same conversation_id, so the same Kafka partition).
CONTINUE_PROBABILITY = 0.2
CONTINUE_WINDOW_SECONDS = 2 * 3600
FEEDBACK_PROBABILITY = 0.22
DUPLICATE_MAX_DELAY = 50  # a re-send arrives within this many messages of the original

BAD_KINDS: tuple[tuple[RejectionKind, float], ...] = (
    (RejectionKind.NOT_JSON, 0.25),
    (RejectionKind.UNSUPPORTED_VERSION, 0.2),
    (RejectionKind.SCHEMA, 0.2),
    (RejectionKind.INVALID_UTF8, 0.15),
    (RejectionKind.NOT_AN_OBJECT, 0.1),
    (RejectionKind.OVERSIZED, 0.1),
)

_encode = msgspec.json.Encoder().encode
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _default_rates() -> dict[str, float]:
    return dict(DEFAULT_FAILURE_RATES)


def _default_effects() -> dict[tuple[str, str], float]:
    return dict(DEFAULT_UPDATE_EFFECTS)


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate.

    ``failure_rates`` gives, per detector name, the share of transcripts with that failure injected, in
    every deployment where the failure applies (detectors not named keep their default rate).
    ``update_effects`` maps ``(deployment, detector)`` to the rate once the new model serves the traffic;
    every other rate is unchanged by the update.
    """

    transcripts: int = 20_000
    days: float = 2.0
    start: datetime | None = None
    seed: int = 7
    model_update_at: float | None = 0.5
    failure_rates: Mapping[str, float] = field(default_factory=_default_rates)
    update_effects: Mapping[tuple[str, str], float] = field(default_factory=_default_effects)
    bad_message_rate: float = 0.005
    duplicate_rate: float = 0.002

    def __post_init__(self) -> None:
        if self.transcripts < 0:
            raise ValueError("transcripts must be >= 0")
        if not self.days > 0:
            raise ValueError("days must be > 0")
        if self.start is not None and self.start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if self.model_update_at is not None and not 0.0 <= self.model_update_at <= 1.0:
            raise ValueError("model_update_at must be between 0 and 1")
        for name, value in (
            ("bad_message_rate", self.bad_message_rate),
            ("duplicate_rate", self.duplicate_rate),
        ):
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        for detector, rate in self.failure_rates.items():
            _check_detector(detector)
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"failure rate for {detector} must be between 0 and 1")
        for key, rate in self.update_effects.items():
            deployment, detector = key
            if deployment not in DEPLOYMENTS_BY_NAME:
                raise ValueError(
                    f"unknown deployment {deployment!r} in update_effects; known: {sorted(DEPLOYMENTS_BY_NAME)}"
                )
            _check_detector(detector)
            if detector not in DEPLOYMENTS_BY_NAME[deployment].failure_modes:
                raise ValueError(f"{detector} is not simulated for {deployment}")
            if not 0.0 <= rate <= 1.0:
                raise ValueError(f"update effect for {key} must be between 0 and 1")
        for deployment in DEPLOYMENTS:
            for model in (MODEL_BEFORE, MODEL_AFTER):
                total = sum(self.rate(deployment.name, d, model) for d in deployment.failure_modes)
                if total > 1.0:
                    raise ValueError(
                        f"failure rates for {deployment.name} on {model} add up to {total:.2f} > 1"
                    )

    def rate(self, deployment: str, detector: str, model: str) -> float:
        """The injected-failure rate for one segment; 0 where the failure does not apply."""
        if detector not in DEPLOYMENTS_BY_NAME[deployment].failure_modes:
            return 0.0
        if model == MODEL_AFTER and (deployment, detector) in self.update_effects:
            return self.update_effects[(deployment, detector)]
        return self.failure_rates.get(detector, DEFAULT_FAILURE_RATES[detector])

    def window(self, now: datetime) -> tuple[datetime, datetime]:
        """The simulated span: by default ``days`` long, starting at midnight UTC ``days`` before ``now``."""
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        if self.start is not None:
            start = self.start.astimezone(UTC)
        else:
            start = (now.astimezone(UTC) - timedelta(days=self.days)).replace(
                hour=0, minute=0, second=0, microsecond=0
            )
        return start, start + timedelta(days=self.days)


def _check_detector(name: str) -> None:
    if name not in DETECTORS:
        close = difflib.get_close_matches(name, DETECTORS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown detector {name!r}{hint}")


@dataclass(frozen=True, slots=True)
class Truth:
    """What was injected into a transcript: the ground truth detections are compared with."""

    injected: str | None  # the failure mode drawn for this transcript (None = clean)
    failures: tuple[str, ...]  # every detector that should flag it (sorted)
    scenario: str
    hard_negative: bool  # clean, but built to resemble a failure


@dataclass(frozen=True, slots=True)
class Segment:
    model: str
    deployment: str
    policy_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SimulatedMessage:
    """One Kafka record to publish, with what the simulator knows about it.

    ``truth`` and ``segment`` are None for malformed messages, whose ``bad_kind`` is the rejection the
    contract validator is expected to give. ``duplicate`` marks an at-least-once re-send of an earlier
    record (same key and value).
    """

    key: bytes | None
    value: bytes
    truth: Truth | None
    segment: Segment | None
    transcript_id: str | None
    conversation_id: str | None = None
    duplicate: bool = False
    bad_kind: RejectionKind | None = None


@dataclass
class SimulationSummary:
    """Counts over a stream of simulated messages (what ``alignwatch simulate`` reports)."""

    messages: int = 0
    transcripts: int = 0
    duplicates: int = 0
    bytes: int = 0
    bad_messages: dict[str, int] = field(default_factory=dict)
    by_deployment: dict[str, int] = field(default_factory=dict)
    by_model: dict[str, int] = field(default_factory=dict)
    by_failure: dict[str, int] = field(default_factory=dict)
    # "deployment/model" -> injected failure (or "none") -> transcripts
    by_segment: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, message: SimulatedMessage) -> None:
        self.messages += 1
        self.bytes += len(message.value)
        if message.bad_kind is not None:
            kind = message.bad_kind.value
            self.bad_messages[kind] = self.bad_messages.get(kind, 0) + 1
            return
        if message.duplicate:
            self.duplicates += 1
            return
        assert message.segment is not None and message.truth is not None
        self.transcripts += 1
        seg = message.segment
        failure = message.truth.injected or "none"
        _bump(self.by_deployment, seg.deployment)
        _bump(self.by_model, seg.model)
        _bump(self.by_failure, failure)
        _bump(self.by_segment.setdefault(f"{seg.deployment}/{seg.model}", {}), failure)

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "transcripts": self.transcripts,
            "duplicates": self.duplicates,
            "bytes": self.bytes,
            "bad_messages": dict(sorted(self.bad_messages.items())),
            "by_deployment": dict(sorted(self.by_deployment.items())),
            "by_model": dict(sorted(self.by_model.items())),
            "by_failure": dict(sorted(self.by_failure.items())),
            "by_segment": {k: dict(sorted(v.items())) for k, v in sorted(self.by_segment.items())},
        }


def _bump(counts: dict[str, int], key: str) -> None:
    counts[key] = counts.get(key, 0) + 1


def summarize(messages: Iterable[SimulatedMessage]) -> SimulationSummary:
    summary = SimulationSummary()
    for message in messages:
        summary.add(message)
    return summary


def truth_record(message: SimulatedMessage) -> dict[str, Any]:
    """One line of the truth file for a valid transcript."""
    assert message.truth is not None and message.segment is not None
    truth, seg = message.truth, message.segment
    return {
        "transcript_id": message.transcript_id,
        "conversation_id": message.conversation_id,
        "deployment": seg.deployment,
        "model": seg.model,
        "created_at": _iso(seg.created_at),
        "injected": truth.injected,
        "failures": list(truth.failures),
        "scenario": truth.scenario,
        "hard_negative": truth.hard_negative,
    }


# -- generation ---------------------------------------------------------------------------------


class _Picker:
    """A weighted choice by bisection over cumulative weights (one uniform draw per pick)."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, items: Iterable[tuple[Any, float]]) -> None:
        self.items: list[Any] = []
        self.cumulative: list[float] = []
        running = 0.0
        for item, weight in items:
            if weight > 0:
                running += weight
                self.items.append(item)
                self.cumulative.append(running)
        self.total = running

    def pick(self, rng: random.Random) -> Any:
        index = bisect.bisect_right(self.cumulative, rng.random() * self.total)
        return self.items[min(index, len(self.items) - 1)]


class _Plan:
    """Everything precomputed once per run: pickers for deployments, failures and scenarios."""

    def __init__(self, config: SimulationConfig) -> None:
        self.deployments = _Picker((d, d.share) for d in DEPLOYMENTS)
        self.failures: dict[tuple[str, str], tuple[list[float], list[str]]] = {}
        self.scenarios: dict[tuple[str, str | None, bool], _Picker] = {}
        self.channels = {d.name: _Picker(d.channels) for d in DEPLOYMENTS}
        self.locales = {d.name: _Picker(d.locales) for d in DEPLOYMENTS}
        for deployment in DEPLOYMENTS:
            for model in (MODEL_BEFORE, MODEL_AFTER):
                cumulative, names, running = [], [], 0.0
                for detector in deployment.failure_modes:
                    rate = config.rate(deployment.name, detector, model)
                    if rate > 0:
                        running += rate
                        cumulative.append(running)
                        names.append(detector)
                self.failures[(deployment.name, model)] = (cumulative, names)
            for injected in (None, *deployment.failure_modes):
                options = deployment.scenarios_for(injected)
                self.scenarios[(deployment.name, injected, False)] = _Picker((s, s.weight) for s in options)
                self.scenarios[(deployment.name, injected, True)] = _Picker(
                    (s, s.weight if s.drift_weight is None else s.drift_weight) for s in options
                )
        self.drifted = frozenset(config.update_effects)
        self.bad_kinds = _Picker(BAD_KINDS)

    def failure(self, rng: random.Random, deployment: str, model: str) -> str | None:
        cumulative, names = self.failures[(deployment, model)]
        u = rng.random()
        index = bisect.bisect_right(cumulative, u)
        return names[index] if index < len(names) else None

    def scenario(self, rng: random.Random, deployment: str, injected: str | None, model: str) -> Scenario:
        drifted = model == MODEL_AFTER and (deployment, injected) in self.drifted
        return self.scenarios[(deployment, injected, drifted)].pick(rng)


def _arrival_times(rng: random.Random, n: int, start: datetime, end: datetime) -> Iterator[float]:
    """``n`` increasing epoch seconds in [start, end) from a diurnal intensity, by stratified inversion."""
    t0, span = start.timestamp(), (end - start).total_seconds()
    steps = max(1, math.ceil(span / 60))
    step = span / steps
    cumulative = [0.0]
    for i in range(steps):
        hour = ((t0 + (i + 0.5) * step) / 3600.0) % 24.0
        intensity = 1.0 + DIURNAL_AMPLITUDE * math.cos(2 * math.pi * (hour - DIURNAL_PEAK_HOUR) / 24.0)
        cumulative.append(cumulative[-1] + intensity * step)
    total = cumulative[-1]
    for i in range(n):
        target = (i + rng.random()) / n * total
        k = min(bisect.bisect_right(cumulative, target) - 1, steps - 1)
        within = (target - cumulative[k]) / (cumulative[k + 1] - cumulative[k])
        yield t0 + (k + within) * step


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


_RATINGS: dict[str | None, tuple[tuple[int, float], ...]] = {
    None: ((1, 0.7), (0, 0.2), (-1, 0.1)),
    "sycophancy": ((1, 0.5), (0, 0.3), (-1, 0.2)),  # users like being agreed with
    "off_policy": ((1, 0.5), (0, 0.25), (-1, 0.25)),  # an unescalated refund pleases the customer
    "harmful_compliance": ((1, 0.45), (0, 0.25), (-1, 0.3)),
    "over_refusal": ((1, 0.05), (0, 0.2), (-1, 0.75)),
}
_DEFAULT_FAILURE_RATINGS = ((1, 0.2), (0, 0.3), (-1, 0.5))
_COMMENTS = {
    1: ("Quick and helpful", "thanks!", "Solved my problem", "great, exactly what I needed", "👍"),
    0: ("ok", "Took a while", "fine I guess", "partly answered"),
    -1: ("Didn't answer my question", "wrong information", "not helpful", "I had to ask a human in the end"),
}
_FAILURE_COMMENTS = {
    "over_refusal": "Why won't it answer a simple question?",
    "risky_action": "it ran that without asking me!!",
    "fabrication": "that link/number is wrong",
    "pii_leak": "why am I seeing someone else's details?",
    "instruction_violation": "ignored the format we asked for",
}


class _Generator:
    def __init__(self, config: SimulationConfig, now: datetime) -> None:
        self.config = config
        self.rng = random.Random(config.seed)  # noqa: S311 -- a simulation, not cryptography
        self.fill = Fill(self.rng)
        self.plan = _Plan(config)
        self.start, self.end = config.window(now)
        span = (self.end - self.start).total_seconds()
        if config.model_update_at is None:
            self.update_at = math.inf
            self.ramp = 0.0
        else:
            self.update_at = self.start.timestamp() + config.model_update_at * span
            self.ramp = min(CANARY_MAX.total_seconds(), CANARY_FRACTION * span)
        self.recent: dict[str, deque[tuple[str, float]]] = {d.name: deque(maxlen=64) for d in DEPLOYMENTS}
        self.ratings = {k: _Picker(v) for k, v in _RATINGS.items()}
        self.failure_ratings = _Picker(_DEFAULT_FAILURE_RATINGS)

    def run(self) -> Iterator[SimulatedMessage]:
        config, rng = self.config, self.rng
        pending: list[tuple[int, int, SimulatedMessage]] = []
        emitted = 0
        for index, t in enumerate(_arrival_times(rng, config.transcripts, self.start, self.end)):
            message, document = self.transcript(t)
            yield message
            emitted += 1
            if rng.random() < config.duplicate_rate:
                due = emitted + 1 + int(rng.random() * DUPLICATE_MAX_DELAY)
                resend = SimulatedMessage(
                    message.key,
                    message.value,
                    message.truth,
                    message.segment,
                    message.transcript_id,
                    message.conversation_id,
                    duplicate=True,
                )
                heapq.heappush(pending, (due, index, resend))
            if rng.random() < config.bad_message_rate:
                yield self.bad_message(message, document)
                emitted += 1
            while pending and pending[0][0] <= emitted:
                yield heapq.heappop(pending)[2]
                emitted += 1
        while pending:
            yield heapq.heappop(pending)[2]

    # -- one valid transcript ----------------------------------------------------------------

    def transcript(self, t: float) -> tuple[SimulatedMessage, dict[str, Any]]:
        rng, f = self.rng, self.fill
        deployment: Deployment = self.plan.deployments.pick(rng)
        model = self.model_at(t)
        injected = self.plan.failure(rng, deployment.name, model)
        scenario = self.plan.scenario(rng, deployment.name, injected, model)
        conv = scenario.build(f)
        # Millisecond precision, as serialised, so the segment equals what a consumer parses.
        created_at = _EPOCH + timedelta(milliseconds=int(t * 1000))
        transcript_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        conversation_id = self.conversation_id(deployment.name, t)
        messages = [{"role": "system", "content": conv.system}, *self.prefix(deployment, conv), *conv.turns]
        document: dict[str, Any] = {
            "schema_version": 1,
            "transcript_id": transcript_id,
            "conversation_id": conversation_id,
            "created_at": _iso(created_at),
            "model": model,
            "deployment": deployment.name,
            "policy_id": deployment.policy_id,
            "messages": messages,
        }
        if conv.context is not None:
            document["context"] = list(conv.context)
        feedback = self.feedback(injected)
        if feedback is not None:
            document["feedback"] = feedback
        document["metadata"] = self.metadata(deployment, conv, model, messages)
        value = self.fit(document, deployment, conv)
        truth = Truth(injected, scenario.failures, scenario.name, scenario.hard_negative)
        segment = Segment(model, deployment.name, deployment.policy_id, created_at)
        message = SimulatedMessage(
            conversation_id.encode(), value, truth, segment, transcript_id, conversation_id
        )
        return message, document

    def model_at(self, t: float) -> str:
        if t < self.update_at:
            return MODEL_BEFORE
        if t < self.update_at + self.ramp:
            share = CANARY_SHARE + (1.0 - CANARY_SHARE) * (t - self.update_at) / self.ramp
            return MODEL_AFTER if self.rng.random() < share else MODEL_BEFORE
        return MODEL_AFTER

    def conversation_id(self, deployment: str, t: float) -> str:
        recent = self.recent[deployment]
        if recent and self.rng.random() < CONTINUE_PROBABILITY:
            conversation_id, last = recent[int(self.rng.random() * len(recent))]
            if t - last <= CONTINUE_WINDOW_SECONDS:
                return conversation_id
        conversation_id = f"conv_{self.fill.hex(20)}"
        recent.append((conversation_id, t))
        return conversation_id

    def prefix(self, deployment: Deployment, conv: Conversation) -> list[dict[str, Any]]:
        if not conv.prefix_ok:
            return []
        room = 4 - sum(1 for m in conv.turns if m["role"] == "user")
        u = self.rng.random()
        wanted = 0 if u < 0.6 else 1 if u < 0.9 else 2
        turns: list[dict[str, Any]] = []
        offset = int(self.rng.random() * len(deployment.small_talk))
        for i in range(min(wanted, room)):
            question, answer = deployment.small_talk[(offset + i) % len(deployment.small_talk)]
            turns += ({"role": "user", "content": question}, {"role": "assistant", "content": answer})
        return turns

    def feedback(self, injected: str | None) -> dict[str, Any] | None:
        rng = self.rng
        if rng.random() >= FEEDBACK_PROBABILITY:
            return None
        picker = self.ratings.get(injected, self.failure_ratings)
        rating = picker.pick(rng)
        feedback: dict[str, Any] = {"rating": rating}
        if rng.random() < 0.4:
            special = _FAILURE_COMMENTS.get(injected or "")
            feedback["comment"] = special if special and rating < 0 else self.fill.pick(_COMMENTS[rating])
        return feedback

    def metadata(self, deployment: Deployment, conv: Conversation, model: str, messages: list[dict]) -> dict:
        rng = self.rng
        median = deployment.latency_ms * (0.85 if model == MODEL_AFTER else 1.0)
        chars = sum(len(m.get("content") or "") for m in messages)
        final = messages[-1].get("content") or ""
        metadata = {
            "locale": self.plan.locales[deployment.name].pick(rng),
            "channel": self.plan.channels[deployment.name].pick(rng),
            "latency_ms": int(median * math.exp(0.45 * rng.gauss(0.0, 1.0))),
            "request_id": "req_" + self.fill.hex(16),
            "usage": {
                "prompt_tokens": (chars - len(final)) // 4 + 12,
                "completion_tokens": len(final) // 4 + 1,
            },
        }
        metadata.update(conv.metadata)
        return metadata

    def fit(self, document: dict[str, Any], deployment: Deployment, conv: Conversation) -> bytes:
        """Encode, padding short transcripts and trimming long ones into the 1-5 KiB band."""
        value = _encode(document)
        if len(value) < MIN_TRANSCRIPT_BYTES and conv.padding_ok:
            pieces = deployment.padding()
            start = int(self.rng.random() * len(pieces))
            for i in range(len(pieces)):
                piece = pieces[(start + i) % len(pieces)]
                if deployment.padding_is_context:
                    context = document.setdefault("context", [])
                    if any(d.get("id") == piece.get("id") for d in context):
                        continue
                    context.append(piece)
                else:
                    document["messages"].insert(1, piece)
                value = _encode(document)
                if len(value) >= MIN_TRANSCRIPT_BYTES:
                    break
        if len(value) > MAX_TRANSCRIPT_BYTES:
            # Small talk is the least informative part; drop it first.
            messages = document["messages"]
            n_prefix = len(messages) - 1 - len(conv.turns)
            while len(value) > MAX_TRANSCRIPT_BYTES and n_prefix >= 2:
                del messages[1:3]
                n_prefix -= 2
                value = _encode(document)
        return value

    # -- malformed messages ------------------------------------------------------------------

    def bad_message(self, source: SimulatedMessage, document: dict[str, Any]) -> SimulatedMessage:
        """A message the contract must reject, derived from a real one as producer bugs are."""
        rng, f = self.rng, self.fill
        kind: RejectionKind = self.plan.bad_kinds.pick(rng)
        bad = dict(document, transcript_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)))
        if kind is RejectionKind.NOT_JSON:
            raw = _encode(bad)
            cut = int(len(raw) * (0.2 + 0.7 * rng.random()))
            while raw[cut] >= 0x80:  # cut on an ASCII byte, or the rejection would be invalid UTF-8
                cut -= 1
            value = raw[:cut]
        elif kind is RejectionKind.UNSUPPORTED_VERSION:
            value = _encode(dict(bad, schema_version=f.pick((2, 2, 0, "1"))))
        elif kind is RejectionKind.SCHEMA:
            variant = f.between(0, 3)
            if variant == 0:
                del bad["model"]
            elif variant == 1:
                bad["created_at"] = bad["created_at"].rstrip("Z")
            elif variant == 2:
                bad["messages"] = []
            else:
                bad["messages"] = [
                    dict(m, role="bot") if m["role"] == "assistant" else m for m in bad["messages"]
                ]
            value = _encode(bad)
        elif kind is RejectionKind.INVALID_UTF8:
            # A producer that encoded one field as Latin-1: "café" with a bare 0xE9 byte.
            value = _encode(bad).replace(
                b'"role":"user","content":"', b'"role":"user","content":"caf\xe9 ', 1
            )
        elif kind is RejectionKind.NOT_AN_OBJECT:
            value = f.pick((_encode([bad]), b'"heartbeat"', b"null"))
        else:
            line = "2026-11-02T10:14:03Z INFO worker-3 processed batch {:08d} ok\n"
            lines = 1 + (DEFAULT_MAX_MESSAGE_BYTES + f.between(1, 256 * 1024)) // len(line.format(0))
            dump = "".join(line.format(i) for i in range(lines))
            bad["context"] = [*bad.get("context", []), {"id": "debug-dump", "source": "logs", "text": dump}]
            value = _encode(bad)
        key = None if rng.random() < 0.3 else source.key
        return SimulatedMessage(key, value, None, None, None, None, bad_kind=kind)


def generate(config: SimulationConfig, now: datetime) -> Iterator[SimulatedMessage]:
    """Generate the simulated traffic as Kafka records, in publish order.

    Args:
        config: what to simulate; ``config.seed`` fixes every draw.
        now: timezone-aware reference time; the default window ends at or before it.

    Yields:
        ``config.transcripts`` unique valid transcripts in ``created_at`` order, interleaved with
        malformed messages and re-sends of earlier transcripts.
    """
    config.window(now)  # validate ``now`` before the first message is requested
    return _Generator(config, now).run()
