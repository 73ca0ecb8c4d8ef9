"""The documented train/held-out split of the jailbreak model's data (shared by training and evaluation).

Attack prompts are split by *behaviour* (JailbreakBench's goal index) or *template* (GPTFuzz), so a
held-out prompt never shares its harmful goal or its template with a training prompt. Benign
prompts are split by their text. NotInject, XSTest and BIPIA are never used for training: they are
pure held-out sets.
"""

from __future__ import annotations

import zlib

TRAIN_SHARE = 50  # percent of keys that go to training


def in_training_split(key: str) -> bool:
    """True when the item with this split key is used for training (stable across runs and machines)."""
    return zlib.crc32(key.encode("utf-8")) % 100 < TRAIN_SHARE


def jbb_key(behavior_index: int | str) -> str:
    return f"jbb-behavior-{behavior_index}"


def gptfuzz_key(template_id: int | str) -> str:
    return f"gptfuzz-template-{template_id}"


def text_key(text: str) -> str:
    return f"text-{text.strip()}"
