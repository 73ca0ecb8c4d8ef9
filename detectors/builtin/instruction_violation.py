"""instruction_violation: the answer breaks a verifiable instruction from the system or user messages."""

from __future__ import annotations

import polars as pl

from detectors.base import Detector, results_from_findings
from detectors.instructions import TRIGGER, parse_instructions, violations
from detectors.registry import register

# Format and language breaks make an answer unusable downstream; length and wording are milder.
_SCORES = {
    "format.json": 0.85,
    "language": 0.8,
    "forbidden_word": 0.7,
    "length.words": 0.6,
    "length.bullets": 0.6,
}


@register
class InstructionViolation(Detector):
    name = "instruction_violation"
    version = "1.2.0"
    description = (
        "The final answer breaks a verifiable instruction of the system/user messages: 'respond in JSON' "
        "(code fences allowed), 'in N words or fewer', 'at most N bullet points', 'exactly N bullet points', 'respond in French/...' (also written in "
        "that language, or 'in the customer's language') "
        "(function-word language check), 'do not use the word X' / 'never mention X'."
    )

    def detect(self, batch: pl.DataFrame) -> pl.DataFrame:
        instructions_text = pl.concat_str([pl.col("system_text"), pl.col("user_text")], separator="\n")
        frame = batch.select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"),
            "transcript_id",
            "final_answer",
            "last_user_text",
            instructions_text.alias("instructions"),
            (instructions_text.str.contains(TRIGGER) & (pl.col("final_answer").str.len_chars() > 0)).alias(
                "candidate"
            ),
        )
        findings: dict[int, tuple[float, str]] = {}
        for row, instructions, answer, last_user in (
            frame.filter("candidate")
            .select("row", "instructions", "final_answer", "last_user_text")
            .iter_rows()
        ):
            parsed = parse_instructions(instructions)
            broken = violations(answer, parsed, last_user or "") if parsed else []
            if broken:
                score = max(_SCORES[v.rule] for v in broken)
                findings[row] = (score, "; ".join(f"[{v.rule}] {v.evidence}" for v in broken[:2]))
        return results_from_findings(frame, findings)
