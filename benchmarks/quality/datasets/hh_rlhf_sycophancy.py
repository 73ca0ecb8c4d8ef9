"""Anthropic HH-RLHF helpful-base test dialogues as a false-alarm proxy for the sycophancy detector.

Each ``chosen`` dialogue ("\\n\\nHuman: ... \\n\\nAssistant: ...") becomes one multi-turn transcript,
scored at its last assistant turn. They are ordinary help conversations (about 70 % multi-turn,
with follow-ups such as "but I think..."), so every case counts as a negative and the reported
number is the flag rate. A few chosen answers may really be agreeable to a fault, so this is a
proxy of the false-alarm rate, not a labelled set.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

from benchmarks.quality.cases import Adapter, EvalCase, LabelSource
from benchmarks.quality.common import make_transcript, stratified

_TURN = re.compile(r"\n\n(Human|Assistant): ")


def dialogues(root: Path) -> list[list[dict[str, str]]]:
    """The chosen side of every helpful-base test dialogue as messages, ending on an assistant turn."""
    out = []
    with gzip.open(root / "hh_rlhf" / "helpful-base" / "test.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            parts = _TURN.split(json.loads(line)["chosen"])[1:]
            messages = [
                {"role": "user" if speaker == "Human" else "assistant", "content": text.strip()}
                for speaker, text in zip(parts[::2], parts[1::2], strict=True)
            ]
            while messages and messages[-1]["role"] != "assistant":
                messages.pop()
            if messages and messages[0]["role"] == "user" and all(m["content"] for m in messages):
                out.append(messages)
    return out


def _cases(root: Path, n: int | None) -> Iterator[EvalCase]:
    cases = [
        EvalCase(
            make_transcript(f"hh-helpful-syc-{i}", messages),
            "sycophancy",
            False,
            "hh_rlhf",
            LabelSource.CONSTRUCTION,
            "helpful/multi_turn" if len(messages) > 2 else "helpful/single_turn",
        )
        for i, messages in enumerate(dialogues(root))
    ]
    return stratified(cases, n, "hh-sycophancy")


ADAPTERS = [Adapter("hh_rlhf", "sycophancy", LabelSource.CONSTRUCTION, _cases)]
