"""Policy files: the written rules an assistant deployment must follow, one YAML file per policy id.

A policy lives in ``detectors/policies/<policy_id>.yaml`` and has a list of rules, each with an
``id`` (cited by the evidence), a human-readable ``statement``, a ``severity`` and a machine
check. Check kinds:

- ``pattern``: flag when any of ``patterns`` matches the scope and none of ``unless`` does;
  ``strong_patterns`` flag even when an ``unless`` matches (a concrete dose stays medical advice
  however politely the answer ends with "see a doctor").
- ``amount_limit``: an amount above ``max_amount`` within ``window`` characters of a ``trigger``
  word (refund, credit...), without any ``unless`` phrase (escalation to a person).
- ``competitor_endorsement``: a competitor ``names`` entry in the same sentence as an
  ``endorsement`` phrase, unless the sentence negates it ("I wouldn't recommend Globex").
- ``system_prompt_leak``: a run of at least ``min_words`` words copied verbatim from the system
  prompt, or one of the ``markers`` ("internal notes:") in the scope.

Regexes are matched case-insensitively against lower-cased text and must compile both in Python
and in polars (Rust regex: no look-around, no back-references).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

POLICY_DIR = Path(__file__).parent / "policies"
CHECK_KINDS = ("pattern", "amount_limit", "competitor_endorsement", "system_prompt_leak")
SCOPES = ("final_answer", "assistant_text")
SEVERITIES = ("low", "medium", "high")


class PolicyError(ValueError):
    """A policy file that cannot be used: bad YAML, missing keys, a regex that does not compile."""


@dataclass(frozen=True)
class Rule:
    """One rule of a policy: what a reviewer reads (statement) and what the detector checks."""

    id: str
    statement: str
    severity: str
    kind: str
    scope: str = "final_answer"
    patterns: tuple[str, ...] = ()
    strong_patterns: tuple[str, ...] = ()
    unless: tuple[str, ...] = ()
    trigger: str = ""
    max_amount: float = 0.0
    window: int = 80
    names: tuple[str, ...] = ()
    endorsement: tuple[str, ...] = ()
    negation: str = r"\b(?:not|never|n't|cannot|wouldn't|don't|do not|won't|no)\b"
    min_words: int = 12
    markers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    """A parsed, validated policy file."""

    policy_id: str
    title: str
    rules: tuple[Rule, ...] = field(default_factory=tuple)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise PolicyError(f"{where}: expected a string or a list of strings")
    return tuple(value)


def _check_regex(pattern: str, where: str) -> None:
    try:
        re.compile(pattern)
        pl.select(pl.lit("").str.contains(pattern))
    except (re.error, pl.exceptions.ComputeError) as error:
        raise PolicyError(f"{where}: regex {pattern!r} does not compile: {error}") from None


def parse_policy(document: dict[str, Any], source: str = "<policy>") -> Policy:
    """Validate a policy document (the parsed YAML) and build a ``Policy``.

    Raises:
        PolicyError: when a key is missing or unknown, an id repeats, or a regex does not compile.
    """
    if not isinstance(document, dict):
        raise PolicyError(f"{source}: a policy file must be a mapping")
    for key in ("policy_id", "title", "rules"):
        if key not in document:
            raise PolicyError(f"{source}: missing key {key!r}")
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, raw in enumerate(document["rules"] or []):
        where = f"{source}: rule {index}"
        if not isinstance(raw, dict):
            raise PolicyError(f"{where}: a rule must be a mapping")
        for key in ("id", "statement", "severity", "check"):
            if key not in raw:
                raise PolicyError(f"{where}: missing key {key!r}")
        rule_id = str(raw["id"])
        where = f"{source}: rule {rule_id!r}"
        if rule_id in seen:
            raise PolicyError(f"{where}: duplicate rule id")
        seen.add(rule_id)
        if raw["severity"] not in SEVERITIES:
            raise PolicyError(f"{where}: severity must be one of {SEVERITIES}")
        check = raw["check"]
        kind = check.get("kind") if isinstance(check, dict) else None
        if kind not in CHECK_KINDS:
            raise PolicyError(f"{where}: check.kind must be one of {CHECK_KINDS}")
        known = {"kind", "scope", "patterns", "strong_patterns", "unless", "trigger", "max_amount", "window",
                 "names", "endorsement", "negation", "min_words", "markers"}
        unknown = set(check) - known
        if unknown:
            raise PolicyError(f"{where}: unknown check keys {sorted(unknown)}")
        rule = Rule(
            id=rule_id,
            statement=str(raw["statement"]).strip(),
            severity=raw["severity"],
            kind=kind,
            scope=check.get("scope", "final_answer"),
            patterns=_strings(check.get("patterns"), where),
            strong_patterns=_strings(check.get("strong_patterns"), where),
            unless=_strings(check.get("unless"), where),
            trigger=str(check.get("trigger", "")),
            max_amount=float(check.get("max_amount", 0.0)),
            window=int(check.get("window", 80)),
            names=_strings(check.get("names"), where),
            endorsement=_strings(check.get("endorsement"), where),
            negation=str(check.get("negation", Rule.negation)),
            min_words=int(check.get("min_words", 12)),
            markers=_strings(check.get("markers"), where),
        )
        _validate_rule(rule, where)
        rules.append(rule)
    if not rules:
        raise PolicyError(f"{source}: a policy needs at least one rule")
    return Policy(policy_id=str(document["policy_id"]), title=str(document["title"]), rules=tuple(rules))


def _validate_rule(rule: Rule, where: str) -> None:
    if rule.scope not in SCOPES:
        raise PolicyError(f"{where}: scope must be one of {SCOPES}")
    required = {
        "pattern": ("patterns",),
        "amount_limit": ("trigger", "max_amount"),
        "competitor_endorsement": ("names", "endorsement"),
        "system_prompt_leak": (),
    }[rule.kind]
    for key in required:
        if not getattr(rule, key):
            raise PolicyError(f"{where}: check kind {rule.kind!r} needs {key!r}")
    for pattern in (*rule.patterns, *rule.strong_patterns, *rule.unless, *rule.endorsement, *rule.markers):
        _check_regex(pattern, where)
    if rule.trigger:
        _check_regex(rule.trigger, where)
    _check_regex(rule.negation, where)
    if rule.min_words < 4:
        raise PolicyError(f"{where}: min_words below 4 would match ordinary phrases")


def load_policy_file(path: Path) -> Policy:
    """Parse and validate one policy file; its ``policy_id`` must equal the file's stem."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise PolicyError(f"{path.name}: not valid YAML: {error}") from None
    policy = parse_policy(document, path.name)
    if policy.policy_id != path.stem:
        raise PolicyError(f"{path.name}: policy_id {policy.policy_id!r} must equal the file name")
    return policy


@cache
def load_policies(directory: Path = POLICY_DIR) -> dict[str, Policy]:
    """Every policy shipped in ``directory``, by policy id (parsed once per process)."""
    return {path.stem: load_policy_file(path) for path in sorted(directory.glob("*.yaml"))}


def known_policies() -> list[str]:
    """The policy ids that have a policy file, sorted."""
    return sorted(load_policies())
