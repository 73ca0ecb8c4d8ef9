"""Prompt normalisation, fingerprints and near-duplicate search (MinHash over character shingles).

Shared by case deduplication (the same prompt flagged a thousand times is one case) and by the
contamination filter (training records must not overlap an evaluation set), so both agree on what
"the same prompt" means. Hashing uses fixed arithmetic (CRC32 seeds, a 64-bit polynomial rolling
hash), never Python's salted ``hash``, so fingerprints and signatures are stable across processes.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl

SHINGLE_CHARS = 5
NUM_PERM = 64
BANDS = 16  # 16 bands of 4 rows: pairs at Jaccard 0.5 become candidates half the time, at 0.8 ~99.9%

# Ids first (they contain digits), then the remaining digit runs: "order 48213" and "order 77" are
# the same prompt for review purposes.
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_EMAIL = r"[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}"
_URL = r"https?://\S+"
_HEX_ID = r"\b[0-9a-f]{10,}\b"
_MIXED_ID = r"\b[a-z]*[0-9]+[a-z0-9]*(?:[-_][a-z0-9]+)+\b|\b[a-z]+[0-9]+[a-z0-9]*\b"


def normalize_expr(expr: pl.Expr) -> pl.Expr:
    """Lower-case, replace ids/urls/emails by placeholders, collapse digit runs and whitespace.

    Args:
        expr: a string expression (vectorized; Rust regex syntax).
    """
    return (
        expr.fill_null("")
        .str.to_lowercase()
        .str.replace_all(_URL, "<url>")
        .str.replace_all(_EMAIL, "<email>")
        .str.replace_all(_UUID, "<id>")
        .str.replace_all(_HEX_ID, "<id>")
        .str.replace_all(_MIXED_ID, "<id>")
        .str.replace_all(r"[0-9]+", "0")
        .str.replace_all(r"\s+", " ")
        .str.strip_chars()
    )


def normalize_texts(texts: Sequence[str | None]) -> list[str]:
    """``normalize_expr`` applied to a list of strings."""
    return pl.Series("t", list(texts), dtype=pl.String).to_frame().select(normalize_expr(pl.col("t")))["t"].to_list()


def normalize_text(text: str | None) -> str:
    """``normalize_expr`` applied to one string."""
    return normalize_texts([text])[0]


def fingerprint(normalized: str) -> str:
    """Hex sha256 of an already normalised text: the exact-duplicate key."""
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def shingles(normalized: str, k: int = SHINGLE_CHARS) -> np.ndarray:
    """Sorted unique 64-bit hashes of the text's UTF-8 byte ``k``-grams (the whole text if shorter)."""
    data = np.frombuffer(normalized.encode("utf-8"), dtype=np.uint8).astype(np.uint64)
    if data.size == 0:
        return np.zeros(0, dtype=np.uint64)
    if data.size < k:
        k = int(data.size)
    n = data.size - k + 1
    hashes = np.zeros(n, dtype=np.uint64)
    base = np.uint64(1_099_511_628_211)  # FNV prime: odd, so the polynomial hash mixes every byte
    with np.errstate(over="ignore"):
        for offset in range(k):
            hashes = hashes * base + data[offset : offset + n]
    return np.unique(hashes)


def jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Exact Jaccard similarity of two shingle sets (sorted unique arrays)."""
    if a.size == 0 and b.size == 0:
        return 1.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


def _permutations(num_perm: int) -> tuple[np.ndarray, np.ndarray]:
    # Fixed seed: signatures must be comparable across runs and processes.
    rng = np.random.default_rng(0x5EED)
    a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) | np.uint64(1)
    b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)
    return a, b


_PERM_A, _PERM_B = _permutations(NUM_PERM)


def minhash(shingle_set: np.ndarray) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` uint64) of a shingle set; multiply-add hashing mod 2**64."""
    if shingle_set.size == 0:
        return np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    with np.errstate(over="ignore"):
        hashed = shingle_set[None, :] * _PERM_A[:, None] + _PERM_B[:, None]
    return hashed.min(axis=1)


@dataclass
class NearDuplicateIndex:
    """LSH over MinHash signatures; candidates are verified with the exact Jaccard similarity.

    Attributes:
        threshold: the Jaccard similarity at or above which two texts are near-duplicates.
    """

    threshold: float = 0.8
    _shingles: dict[str, np.ndarray] = field(default_factory=dict)
    _buckets: dict[tuple[int, bytes], list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, key: str, normalized: str) -> None:
        """Index one normalised text under ``key`` (a later add of the same key is ignored)."""
        if key in self._shingles:
            return
        sh = shingles(normalized)
        self._shingles[key] = sh
        for band in self._bands(sh):
            self._buckets[band].append(key)

    def add_all(self, items: Iterable[tuple[str, str]]) -> None:
        """Index several ``(key, normalised text)`` pairs."""
        for key, normalized in items:
            self.add(key, normalized)

    def best_match(self, normalized: str) -> tuple[str, float] | None:
        """The indexed key most similar to ``normalized`` at or above the threshold, else None.

        Ties go to the smallest key, so the answer does not depend on insertion order.
        """
        sh = shingles(normalized)
        candidates: set[str] = set()
        for band in self._bands(sh):
            candidates.update(self._buckets.get(band, ()))
        best: tuple[str, float] | None = None
        for key in sorted(candidates):
            similarity = jaccard(sh, self._shingles[key])
            if similarity >= self.threshold and (best is None or similarity > best[1]):
                best = (key, similarity)
        return best

    def __len__(self) -> int:
        return len(self._shingles)

    @staticmethod
    def _bands(sh: np.ndarray) -> list[tuple[int, bytes]]:
        signature = minhash(sh)
        rows = NUM_PERM // BANDS
        return [(band, signature[band * rows : (band + 1) * rows].tobytes()) for band in range(BANDS)]
