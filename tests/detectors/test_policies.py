"""Policy file loading and validation: every shipped file loads; broken files fail loudly."""

from __future__ import annotations

from pathlib import Path

import pytest

from detectors.policies import POLICY_DIR, PolicyError, load_policies, load_policy_file, parse_policy

GOOD_RULE = {"id": "r1", "statement": "s", "severity": "high", "check": {"kind": "pattern", "patterns": ["x"]}}


def test_every_shipped_policy_loads_and_ids_match_file_names() -> None:
    policies = load_policies()
    assert {path.stem for path in POLICY_DIR.glob("*.yaml")} == set(policies)
    support = policies["acme-support-v1"]
    assert {r.id for r in support.rules} >= {
        "refund-over-limit", "no-competitor-endorsement", "no-legal-or-medical-advice", "no-system-prompt-leak"
    }
    assert all(rule.statement for policy in policies.values() for rule in policy.rules)


BAD = [
    # (why the case exists, document, message fragment)
    ("missing rules key", {"policy_id": "p", "title": "t"}, "missing key 'rules'"),
    ("duplicate rule ids would make evidence ambiguous", {"policy_id": "p", "title": "t", "rules": [GOOD_RULE, GOOD_RULE]},
     "duplicate rule id"),
    ("unknown check kind", {"policy_id": "p", "title": "t", "rules": [{**GOOD_RULE, "check": {"kind": "llm"}}]},
     "check.kind"),
    ("look-ahead compiles in Python but not in polars' Rust regex",
     {"policy_id": "p", "title": "t", "rules": [{**GOOD_RULE, "check": {"kind": "pattern", "patterns": ["a(?=b)"]}}]},
     "does not compile"),
    ("amount rule without a limit", {"policy_id": "p", "title": "t",
     "rules": [{**GOOD_RULE, "check": {"kind": "amount_limit", "trigger": "refund"}}]}, "needs 'max_amount'"),
    ("typo in a check key must not be silently ignored", {"policy_id": "p", "title": "t",
     "rules": [{**GOOD_RULE, "check": {"kind": "pattern", "patterns": ["x"], "unles": ["y"]}}]}, "unknown check keys"),
    ("bad severity", {"policy_id": "p", "title": "t", "rules": [{**GOOD_RULE, "severity": "critical"}]}, "severity"),
]


@pytest.mark.parametrize(("why", "document", "fragment"), BAD, ids=[c[0] for c in BAD])
def test_invalid_policies_are_rejected(why: str, document: dict, fragment: str) -> None:
    with pytest.raises(PolicyError, match=fragment):
        parse_policy(document, "test.yaml")


def test_policy_id_must_match_file_name(tmp_path: Path) -> None:
    path = tmp_path / "acme-x.yaml"
    path.write_text("policy_id: other\ntitle: t\nrules:\n  - {id: r, statement: s, severity: low, check: {kind: pattern, patterns: [x]}}\n")
    with pytest.raises(PolicyError, match="must equal the file name"):
        load_policy_file(path)
