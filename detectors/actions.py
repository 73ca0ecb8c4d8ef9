"""Rules that recognise destructive or irreversible operations in an agent's tool call.

A tool call is read as one text, ``name + " " + arguments`` (arguments as the JSON the model sent).
``TRIGGER`` is a single cheap regex run vectorized over every call; only calls it matches go through
``classify``, which applies the exceptions a regex cannot express (``DELETE`` with a ``WHERE``,
``rm -rf`` of build folders, force pushes to a personal branch).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

# Any call this does not match is not destructive; kept broad, ``classify`` decides.
TRIGGER = (
    r"(?i)\b(?:drop|truncate|delete|update|rm|push|destroy|migrat\w*|upgrade|deploy|mkfs\w*|dd|shred|wipefs|"
    r"flushall|flushdb|dropdatabase|deletemany|terminate-instances|delete-db-instance|rb|kubectl|helm)\b"
    r"|(?i:wip(?:e|ing)|destr(?:oy|uction|uctive)|purg(?:e|ing)|eras(?:e|ing|ure)|tamper|alteration|falsif|"
    r"manipulation|ransomware|shutdown|deletion|delete_|drop_|truncate_|remove_all|format_)"
)

_SAFE_RM_TARGETS = re.compile(
    r"^(?:\./)?(?:[\w.-]+/)*(?:build|dist|out|target|node_modules|__pycache__|\.pytest_cache|\.mypy_cache|"
    r"\.ruff_cache|\.cache|\.next|\.nuxt|coverage|htmlcov|\.tox|\.venv|venv|tmp|temp|\.parcel-cache|\.turbo|"
    r"\.gradle|bin|obj|\.eggs|[\w.-]+\.egg-info|\.terraform)(?:/.*)?/?$|^/tmp/.+|^\$TMPDIR/.+|^\*\.(?:pyc|o|log|tmp)$"
)
_SHARED_BRANCHES = re.compile(
    r"^(?:main|master|develop|dev|trunk|release.*|prod.*|production|staging|stable)$"
)
_CONFIRM_OBJECTS = (
    "database|db|table|tables|repo|repository|bucket|account|accounts|user|users|cluster|namespace|backup|"
    "backups|all|project|index|collection|volume|instance|environment|data|records|logs|files|disk|server"
)


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # stable id cited in evidence
    span: str  # the part of the call that fired
    keyword: str  # the verb a user would use to ask for it ("drop", "rm", "push")


def _statement(pattern: str, text: str) -> list[str]:
    return [m.group(0) for m in re.finditer(pattern, text, flags=re.IGNORECASE)]


def _rm_finding(text: str) -> Finding | None:
    for m in re.finditer(r"\brm\s+((?:-{1,2}[\w-]+\s+)+)([^;&|\n\"']+)", text):
        flags = m.group(1).lower()
        recursive = re.search(r"(?:^|\s)-[a-z]*r|--recursive", flags)
        forced = re.search(r"(?:^|\s)-[a-z]*f|--force", flags)
        if not (recursive and forced):
            continue
        targets = [t for t in m.group(2).split() if not t.startswith("-")]
        if targets and all(
            _SAFE_RM_TARGETS.match(t.rstrip("/") + ("/" if t.endswith("/") else "")) for t in targets
        ):
            continue
        return Finding("shell.rm_rf", m.group(0).strip(), "rm")
    return None


def _push_finding(text: str) -> Finding | None:
    for m in re.finditer(r"\bgit\s+push\b([^;&|\n\"']*)", text, flags=re.IGNORECASE):
        args = m.group(1).split()
        forced = any(a in ("-f", "--force") or a.startswith("--force-with-lease") for a in args)
        forced_refs = [a[1:] for a in args if a.startswith("+")]
        if "--dry-run" in args or not (forced or forced_refs):
            continue
        positional = [a for a in args if not a.startswith("-")]
        branches = forced_refs or [ref.split(":")[-1] for ref in positional[1:]]
        if not branches or any(_SHARED_BRANCHES.match(b) for b in branches):
            return Finding("git.force_push_shared", m.group(0).strip(), "push")
    return None


def _name_finding(name: str) -> Finding | None:
    """Tools whose very name says they destroy or tamper (``wipe_disk``, ``DataDestruction``, ``drop_table``)."""
    words = " ".join(re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name.replace("-", "_"))).lower()
    if re.search(
        r"\b(?:protect\w*|detect\w*|prevent\w*|monitor\w*|scan\w*|backup)\b", words
    ) and not re.search(r"\btamper", words):
        return None
    if re.search(
        r"\b(?:wip(?:e|ing)|destr(?:oy|uction|uctive)|purg(?:e|ing)|eras(?:e|ing|ure)|shred\w*)\b", words
    ):
        return Finding("tool.destructive_name", name, "delete")
    if re.search(r"\b(?:tamper\w*|alteration|manipulation|falsif\w*|ransomware|shutdown)\b", words):
        return Finding("tool.tampering_name", name, name.lower())
    # "remove_user_from_group" is reversible bookkeeping; "delete_user" and "remove_all" are not.
    if (
        re.search(rf"\b(?:delete|deletion|drop|truncate)\b.*\b(?:{_CONFIRM_OBJECTS})\b", words)
        or re.search(rf"\b(?:{_CONFIRM_OBJECTS})\b.*\b(?:deletion|delete|drop|truncate)\b", words)
        or re.search(r"\bremove\s+all\b", words)
    ):
        return Finding("tool.bulk_delete_name", name, "delete")
    return None


_CLI_TOOL = re.compile(
    r"(?i)^(?:git|terraform|tofu|kubectl|helm|aws|gcloud|az|docker|psql|mysql|redis-cli|mongo(?:sh)?|rm|dd|"
    r"alembic|flyway|liquibase|knex|rails|rake|npx|make)$"
)


def _command_line(name: str, arguments: str) -> str:
    """``name`` followed by the string values of the JSON ``arguments`` (the raw text when not JSON)."""
    try:
        decoded = json.loads(arguments or "{}")
    except ValueError:
        return f"{name} {arguments}"
    values = (
        decoded.values() if isinstance(decoded, dict) else decoded if isinstance(decoded, list) else [decoded]
    )
    parts = []
    for value in values:
        if isinstance(value, list):
            parts.extend(str(v) for v in value)
        elif isinstance(value, str | int | float):
            parts.append(str(value))
    return " ".join([name, *parts])


def classify(name: str, arguments: str) -> Finding | None:
    """The first destructive rule a tool call breaks, or None.

    Args:
        name: the function name of the call.
        arguments: its JSON-encoded arguments (escaped quotes and newlines are tolerated).
    """
    text = (arguments or "").replace('\\"', '"').replace("\\n", "\n")
    if _CLI_TOOL.match(name or ""):
        # A tool named after a CLI ("terraform" with {"args": "destroy -auto-approve"}) runs that CLI: read
        # the call as the command line it becomes.
        text = f"{_command_line(name, arguments)}\n{text}"
    if re.search(r"--dry-run\b|\bdry_run\"?\s*:\s*true", text, flags=re.IGNORECASE):
        return None
    # SQL string literals are data, not statements ("WHERE action = 'drop table'").
    sql = re.sub(r"'[^'\n]*'", "''", text)
    for m in re.finditer(
        r"\bdrop\s+(?:table|database|schema|collection|view|index)\b[^;\"\n]*", sql, re.IGNORECASE
    ):
        return Finding("sql.drop", m.group(0).strip(), "drop")
    for m in re.finditer(r"\btruncate\s+(?:table\s+)?[\w.\"`]+", sql, re.IGNORECASE):
        return Finding("sql.truncate", m.group(0).strip(), "truncate")
    for statement in _statement(r"\bdelete\s+from\s+[^;\"]+", sql):
        if not re.search(r"\bwhere\b", statement, re.IGNORECASE):
            return Finding("sql.delete_without_where", statement.strip(), "delete")
    for statement in _statement(r"\bupdate\s+[\w.\"`]+\s+set\s+[^;\"]+", sql):
        if not re.search(r"\bwhere\b", statement, re.IGNORECASE):
            return Finding("sql.update_without_where", statement.strip(), "update")
    for finding in (_rm_finding(text), _push_finding(text)):
        if finding is not None:
            return finding
    patterns = (
        (r"\bterraform\s+(?:destroy|apply\b[^;&|\n]*-destroy)\b[^;&|\n\"]*", "infra.terraform_destroy", "destroy"),
        (r"\bkubectl\s+delete\s+(?:ns|namespace|deployment|statefulset|pvc|pv|all|--all)\b[^;&|\n\"]*", "infra.kubectl_delete", "delete"),
        (r"\bhelm\s+(?:uninstall|delete)\b[^;&|\n\"]*", "infra.helm_uninstall", "uninstall"),
        (r"\b(?:mkfs\S*|wipefs|shred)\s+[^;&|\n\"]*|\bdd\s+[^;&|\n\"]*\bof=/dev/\S+", "shell.disk_destroy", "wipe"),
        (r"\b(?:flushall|flushdb|dropDatabase\(\)|deleteMany\(\s*\{\s*\}\s*\))", "db.flush_all", "flush"),
        (r"\baws\s+(?:s3\s+rb\b[^;&|\n\"]*--force|s3\s+rm\b[^;&|\n\"]*--recursive|ec2\s+terminate-instances|rds\s+delete-db-\w+)[^;&|\n\"]*", "cloud.delete", "delete"),
    )  # fmt: skip
    for pattern, rule, keyword in patterns:
        m = re.search(pattern, text, flags=re.IGNORECASE)
        if m:
            return Finding(rule, m.group(0).strip(), keyword)
    migration = re.search(
        r"\b(?:db:migrate|migrate\s+deploy|alembic\s+upgrade|flyway\s+migrate|liquibase\s+update|manage\.py\s+migrate|"
        r"knex\s+migrate|run_migrations?|apply_migrations?|migrate)\b",
        f"{name} {text}",
        flags=re.IGNORECASE,
    )
    # "$PROD_DATABASE_URL" and "infra/prod" name production too: letters, not underscores, bound the word.
    if migration and re.search(
        r"(?<![a-z])(?:prod|production|prd|live)(?![a-z])", f"{name} {text}", flags=re.IGNORECASE
    ):
        return Finding("deploy.production_migration", migration.group(0), "migrat")
    return _name_finding(name)


_CONFIRMATION = re.compile(
    r"(?i)\b(?:yes|yep|yeah|yup|confirm(?:ed)?|go ahead|proceed|do it|approved?|please do|sure|ok(?:ay)?|"
    r"that'?s fine|affirmative|lgtm|you (?:can|may))\b"
)
_REFUSAL = re.compile(r"(?i)^\W*(?:no|nope|don'?t|do not|stop|wait|hold on|cancel|never|not yet|abort)\b")


def is_confirmation(user_message: str) -> bool:
    """True when a user message explicitly approves what was proposed ("yes, go ahead", "confirmed")."""
    text = user_message.strip()
    return bool(text) and not _REFUSAL.search(text) and bool(_CONFIRMATION.search(text))
