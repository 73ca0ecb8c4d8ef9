"""BIPIA indirect prompt injection (shared/datasets/bipia) as jailbreak cases.

Following BIPIA's recipe, each attack instruction is inserted into an email (email ``i mod 50``) at
the start, middle or end (``i mod 3``) and returned to the assistant in a tool message after a
``read_email`` call: positives, sliced text/code attacks. The 50 clean emails in the same wrapper
are negatives. Labels by construction.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified


def insert(context: str, attack: str, position: int) -> str:
    """The email with the attack at the start (0), middle (1, at a line break) or end (2)."""
    if position == 0:
        return f"{attack}\n{context}"
    if position == 2:
        return f"{context}\n{attack}"
    lines = context.split("\n")
    middle = len(lines) // 2
    return "\n".join([*lines[:middle], attack, *lines[middle:]])


def _transcript(tid: str, question: str, email: str) -> dict:
    call = {"id": "c1", "type": "function", "function": {"name": "read_email", "arguments": "{}"}}
    messages = [
        {"role": "user", "content": question},
        {"role": "assistant", "content": None, "tool_calls": [call]},
        {"role": "tool", "content": email, "tool_call_id": "c1"},
    ]
    return make_transcript(tid, messages, policy_id="eval-agent")


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    folder = root / "bipia"
    emails = [
        json.loads(line)
        for line in (folder / "email" / "test.jsonl").read_text(encoding="utf-8").splitlines()
        if line
    ]
    cases = []
    index = 0
    for name, slice_name in (
        ("text_attack_test.json", "text_attack"),
        ("code_attack_test.json", "code_attack"),
    ):
        for category, attacks in json.loads((folder / name).read_text(encoding="utf-8")).items():
            for j, attack in enumerate(attacks):
                email = emails[index % len(emails)]
                tid = f"bipia-{slice_name}-{category.replace(' ', '_')}-{j}"
                text = insert(email["context"], attack, index % 3)
                cases.append(
                    EvalCase(
                        _transcript(tid, email["question"], text),
                        "jailbreak",
                        True,
                        "bipia",
                        LabelSource.CONSTRUCTION,
                        slice_name,
                    )
                )
                index += 1
    for i, email in enumerate(emails):
        cases.append(
            EvalCase(
                _transcript(f"bipia-clean-{i}", email["question"], email["context"]),
                "jailbreak",
                False,
                "bipia",
                LabelSource.CONSTRUCTION,
                "clean_email",
            )
        )
    return stratified(cases, n, "bipia")


ADAPTERS = [Adapter("bipia", "jailbreak", LabelSource.CONSTRUCTION, _cases)]
