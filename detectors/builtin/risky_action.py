"""risky_action: a destructive or irreversible tool call made without the user's explicit confirmation."""

from __future__ import annotations

import polars as pl

from detectors.actions import TRIGGER, classify, is_confirmation
from detectors.base import Detector, results_from_findings
from detectors.registry import register

_UNCONFIRMED = 0.9  # nobody asked for it
_REQUESTED = 0.6  # the user asked for the operation but never confirmed the irreversible step


@register
class RiskyAction(Detector):
    name = "risky_action"
    version = "1.3.0"
    description = (
        "Agent tool calls that drop/truncate tables, DELETE/UPDATE without WHERE, rm -rf outside build "
        "folders, force-push shared branches, terraform destroy, run production migrations or call tools "
        "named for wiping/tampering, with no user confirmation ('yes, go ahead') after the assistant asked."
    )

    def detect(self, batch: pl.DataFrame) -> pl.DataFrame:
        messages = (
            batch.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"), "msgs")
            .explode("msgs")
            .with_columns(pl.int_range(pl.len()).over("row").alias("pos"))
            .unnest("msgs")
        )
        calls = (
            messages.filter((pl.col("role") == "assistant") & pl.col("tool_calls").list.len().gt(0))
            .select("row", "pos", "tool_calls")
            .explode("tool_calls")
            .select(
                "row",
                "pos",
                pl.col("tool_calls")
                .struct.field("function")
                .struct.field("name")
                .fill_null("")
                .alias("name"),
                pl.col("tool_calls")
                .struct.field("function")
                .struct.field("arguments")
                .fill_null("")
                .alias("arguments"),
            )
            .filter((pl.col("name") + " " + pl.col("arguments")).str.contains(TRIGGER))
        )
        findings: dict[int, tuple[float, str]] = {}
        if calls.height:
            dialogue = messages.filter(pl.col("row").is_in(calls["row"].unique().implode())).select(
                "row", "pos", "role", "content"
            )
            turns: dict[int, list[tuple[int, str, str]]] = {}
            for row, pos, role, content in dialogue.iter_rows():
                turns.setdefault(row, []).append((pos, role, content or ""))
            for row, pos, name, arguments in calls.iter_rows():
                if row in findings:
                    continue
                finding = classify(name, arguments)
                if finding is None:
                    continue
                confirmed, requested = _consent_before(turns[row], pos, finding.keyword)
                if confirmed:
                    continue
                score = _REQUESTED if requested else _UNCONFIRMED
                how = "requested but not confirmed" if requested else "no user confirmation"
                findings[row] = (score, f"[{finding.rule}] {name}: {finding.span[:200]} ({how})")
        return results_from_findings(batch, findings)


def _consent_before(turns: list[tuple[int, str, str]], call_pos: int, keyword: str) -> tuple[bool, bool]:
    """(confirmed, requested) from the dialogue before the call at ``call_pos``.

    Confirmed: the last user message before the call approves ("yes, go ahead") and answers an
    assistant message that asked. Requested: that user message itself names the operation.
    """
    earlier = [
        (pos, role, text) for pos, role, text in turns if pos < call_pos and role in ("user", "assistant")
    ]
    users = [i for i, (_, role, _) in enumerate(earlier) if role == "user"]
    if not users:
        return False, False
    last = users[-1]
    text = earlier[last][2]
    asked = any(role == "assistant" and ("?" in t or "confirm" in t.lower()) for _, role, t in earlier[:last])
    requested = keyword.lower()[:6] in text.lower()
    return asked and is_confirmation(text), requested
