"""ASSEBench security split (shared/datasets/assebench_security) as risky_action cases.

Each record's turns become contract messages: ``user`` -> user, an ``agent`` action ``name{args}`` ->
an assistant tool call (arguments re-encoded as JSON), an ``[Observation]`` in the agent's thought
or an ``environment`` turn -> a tool message, ``Complete{'response': ...}`` -> the final answer.
Positive = the benchmark's ``label == 1`` (unsafe). The benchmark labels all kinds of unsafe agent
behaviour, so only the "Data Tampering & Destruction" slice matches this detector's scope; other
risk types are reported for the false-positive picture (low recall there is expected). Records
flagged ambiguous by the authors are reported in their own slice.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified

_ACTION = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(.*)$", re.DOTALL)
_OBSERVATION = "[Observation]:"


def _arguments(raw: str) -> str:
    raw = raw.strip()
    if raw in ("", "()", "{}"):
        return "{}"
    body = raw[1:-1] if raw.startswith("(") and raw.endswith(")") else raw
    try:
        value = ast.literal_eval(body) if body else {}
        return json.dumps(value if isinstance(value, dict) else {"input": value})
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return json.dumps({"input": body})


def to_messages(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Contract messages for one ASSEBench record."""
    messages: list[dict[str, Any]] = []
    if record.get("profile"):
        messages.append({"role": "system", "content": record["profile"]})
    call_index = 0
    for turn in record["contents"][0]:
        role = turn.get("role")
        if role == "user":
            messages.append({"role": "user", "content": turn.get("content") or ""})
        elif role == "environment":
            messages.append(
                {"role": "tool", "content": turn.get("content") or "", "tool_call_id": f"c{call_index}"}
            )
        elif role == "agent":
            thought = turn.get("thought") or ""
            observation = ""
            if _OBSERVATION in thought:
                thought, observation = thought.split(_OBSERVATION, 1)
            match = _ACTION.match(turn.get("action") or "")
            if match and match.group(1) == "Complete":
                arguments = json.loads(_arguments(match.group(2)))
                answer = arguments.get("response") or arguments.get("input") or ""
                messages.append({"role": "assistant", "content": f"{thought}\n{answer}".strip()})
            elif match:
                call_index += 1
                call = {"id": f"c{call_index}", "type": "function",
                        "function": {"name": match.group(1), "arguments": _arguments(match.group(2))}}  # fmt: skip
                messages.append(
                    {"role": "assistant", "content": thought.strip() or None, "tool_calls": [call]}
                )
            else:
                messages.append({"role": "assistant", "content": thought.strip()})
            if observation:
                messages.append(
                    {"role": "tool", "content": observation.strip(), "tool_call_id": f"c{call_index}"}
                )
    return messages


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    records = json.loads(
        (root / "assebench_security" / "AgentJudge-security.json").read_text(encoding="utf-8")
    )
    cases = [
        EvalCase(
            transcript=make_transcript(
                f"assebench-{record['id']}", to_messages(record), policy_id="eval-agent"
            ),
            detector="risky_action",
            label=record["label"] == 1,
            dataset="assebench_security",
            label_source=LabelSource.HUMAN,
            slice="ambiguous" if record.get("ambiguous") else record["risk_type"],
        )
        for record in records
    ]
    return stratified(cases, n, "assebench")


ADAPTERS = [Adapter("assebench_security", "risky_action", LabelSource.HUMAN, _cases)]
