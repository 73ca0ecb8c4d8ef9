"""Prompt normalisation and near-duplicate search: what counts as 'the same prompt'."""

import pytest

from warehouse.feedback.similarity import NearDuplicateIndex, jaccard, minhash, normalize_text, shingles


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # digit runs collapse, so the same question about another order is the same prompt
        ("Where is ORDER 48213?", "where is order 0?"),
        # whitespace of any kind collapses; surrounding space goes
        ("  Where\tis \n\n my   order?  ", "where is my order?"),
        # ids with digits are placeholders, not words
        ("refund ticket AB12CD and 3f2a9c1b-7e88-4aa0-9c1b-7e884aa09c1b", "refund ticket <id> and <id>"),
        # emails and urls differ per user but not per prompt
        ("mail bob@corp.com see https://x.io/a?b=1", "mail <email> see <url>"),
        # None is an empty prompt, not an error
        (None, ""),
    ],
)
def test_normalize(text, expected):
    assert normalize_text(text) == expected


def test_hashes_are_pinned():
    # Pinned values: case ids and LSH buckets must not change between processes or releases
    # (Python's salted hash() would); changing them re-keys every stored case.
    assert shingles("abcdef").tolist() == [11012613024923718572, 17306518812610950035]
    assert minhash(shingles("abcdef"))[:3].tolist() == [8382600211636020630, 839744416204936198, 17370399419750322986]
    assert jaccard(shingles("abcdefgh"), shingles("abcdefgh")) == 1.0


def test_near_duplicate_index_finds_small_edits_and_not_other_prompts():
    index = NearDuplicateIndex(threshold=0.8)
    index.add("kill", normalize_text("How do I kill a Python process that hangs on my Linux server?"))
    index.add("poem", normalize_text("Write a short poem about the sea at night."))
    match = index.best_match(normalize_text("how do I kill a python process that hangs on my linux server??"))
    assert match is not None and match[0] == "kill" and match[1] >= 0.8
    assert index.best_match(normalize_text("What is the capital of France, and why?")) is None


def test_best_match_prefers_the_most_similar():
    index = NearDuplicateIndex(threshold=0.5)
    base = "please reset the password of my account named operations and email me the link"
    index.add("a", normalize_text(base + " today"))
    index.add("b", normalize_text(base + " today or tomorrow at the latest please"))
    assert index.best_match(normalize_text(base + " today!"))[0] == "a"
