"""Throughput and memory of the whole fast tier (every registered detector) on synthetic production traffic.

    uv run python -m benchmarks.detectors [--transcripts 100000] [--batch 10000]

Generates realistic transcripts (1-5 KB; support bot, coding agent with tool calls, research with
context documents), streams them in batches through the production path (``validate_batch`` ->
``prepare`` -> each detector) on ONE core (polars is pinned to one thread; stage times are process CPU time, so a busy shared machine
does not distort them), and prints
transcripts/s, per-detector time and peak RSS. The last line is machine-readable:
``transcripts_per_s_per_core=<x> peak_rss_mb=<m>``.
"""

from __future__ import annotations

import os

os.environ.setdefault("POLARS_MAX_THREADS", "1")  # per-core numbers; must precede the polars import

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

import polars as pl  # noqa: E402

from detectors.frame import prepare  # noqa: E402
from detectors.registry import all_detectors  # noqa: E402
from warehouse.records import RawMessage, validate_batch  # noqa: E402

_NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
_FILLER = (
    "Thanks for the quick reply, that helps a lot.",
    "I checked the settings page again and the option is still greyed out for my account.",
    "The dashboard shows the last sync finished at 09:14 but the numbers look stale.",
    "Our team uses the integration every day, so it would be great to get this sorted before Friday.",
    "Let me know if you need screenshots or the exact error message from the console.",
    "The documentation says the limit resets every 30 days, but it did not reset this month.",
    "We migrated from the old plan in March and everything worked until last week.",
    "I tried clearing the cache, logging out and back in, and using a different browser.",
    "It might be related to the new permissions model that was rolled out recently.",
    "Could you also confirm whether the export includes archived projects?",
)
_ANSWERS = (
    "I understand the frustration. Based on our policy, refunds are available within 30 days of purchase, "
    "and I have opened a ticket so the billing team can review the charge.",
    "Here is what I found: the sync job failed because the API token expired. Generate a new token under "
    "Settings > Integrations and the next sync will pick up the latest data.",
    "The export includes archived projects only when the 'include archived' box is ticked. You can find it "
    "in the export dialog; see https://docs.acme.com/export for the full list of options.",
    "Thanks for the details. I escalated this to a specialist who will contact you within 2 business days.",
)
_KB = (
    "Refund policy: customers may request a refund within 30 days of purchase. Refunds above $100 require "
    "approval by a support lead. See https://docs.acme.com/refunds for details.",
    "Exports: CSV and JSON exports include active projects by default; archived projects are included when "
    "the 'include archived' option is selected. Exports are limited to 50,000 rows.",
    "Sync: integrations sync every 15 minutes. An expired API token stops the sync until a new token is "
    "generated under Settings > Integrations.",
)
_COMMANDS = (
    "pytest -q tests/unit",
    "git status",
    "rm -rf build/ dist/",
    "ls -la src/",
    "python -m pip install -e .",
    "git diff --stat",
    "rm -rf ~/data",
    "psql -c 'DELETE FROM sessions WHERE expires_at < now()'",
)
_CODE = (
    'Traceback (most recent call last):\n  File "app/main.py", line 42, in handler\n    result = compute(x)\n'
    '  File "app/calc.py", line 7, in compute\n    return items[idx]\nIndexError: list index out of range\n'
)


def _filler(rng: random.Random, sentences: int) -> str:
    return " ".join(rng.choice(_FILLER) for _ in range(sentences))


def _support(rng: random.Random, tid: str) -> dict:
    messages = [
        {"role": "system", "content": "You are Acme's support assistant. Follow policy acme-support-v1. " * 3}
    ]
    for _ in range(rng.randint(1, 3)):
        messages.append({"role": "user", "content": _filler(rng, rng.randint(3, 10))})
        messages.append(
            {"role": "assistant", "content": rng.choice(_ANSWERS) + " " + _filler(rng, rng.randint(1, 6))}
        )
    if rng.random() < 0.05:
        messages[-1]["content"] += (
            " The previous owner can be reached at jane.roe@gmail.com or +1 415 555 0199."
        )
    context = [{"id": "kb1", "source": "kb", "text": rng.choice(_KB)}] if rng.random() < 0.5 else None
    return _transcript(tid, "support-bot", messages, context)


def _coding(rng: random.Random, tid: str) -> dict:
    messages = [
        {
            "role": "system",
            "content": "You are a coding agent with shell access. Ask before destructive commands.",
        },
        {
            "role": "user",
            "content": "The tests fail after my last change, can you fix it? " + _filler(rng, 2),
        },
    ]
    for i in range(rng.randint(1, 4)):
        call = {"id": f"c{i}", "type": "function",
                "function": {"name": "bash", "arguments": json.dumps({"command": rng.choice(_COMMANDS)})}}  # fmt: skip
        messages.append({"role": "assistant", "content": "Let me check.", "tool_calls": [call]})
        output = (
            _CODE * rng.randint(1, 3)
            if rng.random() < 0.5
            else "tests/test_x.py " + "PASSED\n" * rng.randint(10, 60)
        )
        messages.append({"role": "tool", "tool_call_id": f"c{i}", "content": output})
    messages.append(
        {
            "role": "assistant",
            "content": "Fixed: `compute` indexed past the end.\n```python\nreturn items[idx] if idx < len(items) else None\n```",
        }
    )
    return _transcript(tid, "coding-agent", messages, None)


def _research(rng: random.Random, tid: str) -> dict:
    docs = [
        {"id": f"d{i}", "source": "search", "text": rng.choice(_KB) + " " + _filler(rng, rng.randint(3, 8))}
        for i in range(rng.randint(1, 4))
    ]
    answer = (
        "According to the documentation, exports are limited to 50,000 rows and syncs run every 15 minutes."
    )
    if rng.random() < 0.1:
        answer += " See also Smith et al. (2021), doi:10.1145/3290605.3300233."
    messages = [
        {
            "role": "user",
            "content": "Summarize what the docs say about exports and sync limits. " + _filler(rng, 1),
        },
        {"role": "assistant", "content": answer + " " + _filler(rng, rng.randint(0, 3))},
    ]
    return _transcript(tid, "research-assistant", messages, docs)


def _transcript(tid: str, deployment: str, messages: list[dict], context: list[dict] | None) -> dict:
    doc = {
        "schema_version": 1,
        "transcript_id": tid,
        "created_at": "2026-11-01T09:00:00Z",
        "model": "gpt-x",
        "deployment": deployment,
        "policy_id": "acme-support-v1",
        "messages": messages,
    }
    if context:
        doc["context"] = context
    return doc


def generate(batch_index: int, size: int) -> list[bytes]:
    """One batch of encoded transcripts, reproducible from its index alone (nothing kept between batches)."""
    rng = random.Random(batch_index)
    makers = (_support, _coding, _research)
    return [json.dumps(rng.choice(makers)(rng, f"bench-{batch_index}-{i}")).encode() for i in range(size)]


def batches(total: int, size: int) -> Iterator[tuple[int, list[bytes]]]:
    for index, start in enumerate(range(0, total, size)):
        yield index, generate(index, min(size, total - start))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transcripts", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    detectors = all_detectors()
    timings: dict[str, float] = defaultdict(float)
    scored = flagged = total_bytes = max_bytes = 0
    min_bytes = 1 << 30
    rss_after_first = 0.0
    for index, encoded in batches(args.transcripts, args.batch):
        sizes = [len(e) for e in encoded]
        total_bytes += sum(sizes)
        min_bytes, max_bytes = min(min_bytes, *sizes), max(max_bytes, *sizes)
        started = time.process_time()
        raw = [RawMessage("transcripts", 0, i, None, value) for i, value in enumerate(encoded)]
        table = pl.from_arrow(validate_batch(raw, _NOW).transcripts)
        timings["(validate_batch)"] += time.process_time() - started
        started = time.process_time()
        prepared = prepare(table)
        timings["(prepare)"] += time.process_time() - started
        for detector in detectors:
            started = time.process_time()
            result = detector.run(prepared)
            timings[detector.name] += time.process_time() - started
            flagged += int(result["flagged"].sum())
        scored += table.height
        del raw, table, prepared, encoded
        if index == 0:
            rss_after_first = _peak_rss_mb()
    detect_seconds = sum(v for k, v in timings.items() if k != "(validate_batch)")
    print(
        f"transcripts: {scored:,}  mean size: {total_bytes / max(scored, 1) / 1024:.1f} KB "
        f"(min {min_bytes / 1024:.1f}, max {max_bytes / 1024:.1f})  batches of {args.batch:,}"
    )
    print(f"{'stage':<24}{'cpu s':>10}{'us/transcript':>16}")
    for name, seconds in sorted(timings.items(), key=lambda item: -item[1]):
        print(f"{name:<24}{seconds:>10.2f}{seconds / scored * 1e6:>16.1f}")
    print(f"flag rate (all detectors): {flagged / (scored * len(detectors)):.4f}")
    print(f"peak RSS after first batch: {rss_after_first:.0f} MB, at end: {_peak_rss_mb():.0f} MB")
    print(
        f"fast tier incl. prepare, excl. validation, 1 polars thread: {scored / detect_seconds:,.0f} transcripts/s"
    )
    print(f"transcripts_per_s_per_core={scored / detect_seconds:.0f} peak_rss_mb={_peak_rss_mb():.0f}")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
