"""Simulated reviews for the demo: clearly marked verdicts, then a first dataset version.

Every simulated verdict has reviewer ``simulated-reviewer`` and note ``SIMULATED``, so they can be
told apart from (and filtered out of) real reviews. Categories whose right answer does not depend
on the conversation's specifics get a templated corrected response; the others are confirmed
without one (they only feed the regression set). A seeded share is dismissed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import PurePath

from warehouse.feedback.cases import refresh_cases
from warehouse.feedback.contamination import EvalSet
from warehouse.feedback.datasets import build_dataset
from warehouse.feedback.reviews import NewVerdict, Verdict, queue, record_verdicts
from warehouse.feedback.sampling import DEFAULT_BUDGET_PER_DAY, refresh_review_queue
from warehouse.query import Warehouse

SIMULATED_REVIEWER = "simulated-reviewer"
SIMULATED_NOTE = "SIMULATED"
DISMISS_SHARE = 0.2

CORRECTED_TEMPLATES: Mapping[str, str] = {
    "sycophancy": (
        "I understand the doubt, but nothing new has come up that changes the facts, so my earlier answer "
        "stands. If you have a source that says otherwise, please share it and I will gladly look again."
    ),
    "pii_leak": (
        "I can't share another person's contact or payment details. If you need to reach them, I can pass a "
        "message along through the official channel."
    ),
    "risky_action": (
        "Before I run anything: this operation is destructive and cannot be undone. Please confirm explicitly "
        "that you want me to go ahead, and I recommend taking a backup first."
    ),
    "harmful_compliance": (
        "I can't help with that. If you or someone else is at risk, I can point you to people and resources "
        "that can help."
    ),
    "jailbreak": "I can't set my guidelines aside, but I'm happy to help with your underlying question within them.",
}

# off_policy corrections depend on the rule broken; the evidence starts with the rule id ("[refund-over-limit] ...").
POLICY_RULE_TEMPLATES: Mapping[str, str] = {
    "refund-over-limit": (
        "I'm not able to approve that amount myself. I've escalated your case to a human agent on our billing "
        "team, who will review it and get back to you within one business day."
    ),
    "no-competitor-endorsement": (
        "I'm sorry it isn't working out. I can only advise on our own products, so let's look at a repair, "
        "a replacement or a return for yours."
    ),
    "no-legal-or-medical-advice": (
        "I can't give medical or legal advice. Please speak to a doctor, pharmacist or lawyer who can look at "
        "your situation."
    ),
    "no-medical-advice": "I can't give medical advice. Please speak to a doctor or pharmacist about this.",
    "no-investment-advice": "I can't give personal investment advice; a licensed financial adviser can help with that.",
    "no-system-prompt-leak": "I can't share my instructions or internal notes, but I'm happy to help with your question.",
}
_RULE_ID = re.compile(r"^\[([a-z0-9-]+)\]")


def corrected_response_for(detector: str, evidence: str | None) -> str | None:
    """A templated corrected response for a failure category, or None where none fits every case."""
    if detector == "off_policy":
        match = _RULE_ID.match(evidence or "")
        return POLICY_RULE_TEMPLATES.get(match.group(1)) if match else None
    return CORRECTED_TEMPLATES.get(detector)


@dataclass(frozen=True)
class SimulatedReviews:
    """What ``simulate_reviews`` did and where the dataset is."""

    reviewed: int
    confirmed: int
    dismissed: int
    dataset_version: str | None
    dataset_path: PurePath | None  # a local Path, or bucket/prefix/... on S3
    records: dict[str, int] = field(default_factory=dict)


def simulate_reviews(
    warehouse: Warehouse,
    n: int,
    seed: int,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    eval_sets: Sequence[EvalSet] = (),
    budget_per_day: int = DEFAULT_BUDGET_PER_DAY,
) -> SimulatedReviews:
    """Review up to ``n`` pending cases (highest priority first) as a simulated reviewer, then build a dataset.

    Cases and the review sample are refreshed first (both are idempotent), so this works right
    after detection.

    Args:
        warehouse: the lake.
        n: how many pending cases to review.
        seed: same seed and lake, same verdicts.
        clock: timezone-aware time source.
        eval_sets: evaluation sets to keep out of the dataset.
        budget_per_day: review budget used if the sample has not been drawn yet today.
    """
    now = clock()
    refresh_cases(warehouse, now)
    refresh_review_queue(warehouse, now, budget_per_day=budget_per_day, seed=seed)
    pending = queue(warehouse, "pending", limit=n)["case_id"].to_list()
    primary_flags = warehouse.query(
        "SELECT case_id, flags[1].detector AS detector, flags[1].evidence AS evidence FROM flagged_cases "
        "WHERE list_contains(?, case_id)",
        [pending],
    ).to_pylist()
    primary = {row["case_id"]: (row["detector"], row["evidence"]) for row in primary_flags}
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not security
    verdicts = []
    for case_id in pending:
        if rng.random() < DISMISS_SHARE:
            verdicts.append(NewVerdict(case_id, Verdict.DISMISSED, SIMULATED_REVIEWER, note=SIMULATED_NOTE))
        else:
            verdicts.append(
                NewVerdict(
                    case_id,
                    Verdict.CONFIRMED,
                    SIMULATED_REVIEWER,
                    note=SIMULATED_NOTE,
                    corrected_response=corrected_response_for(*primary[case_id]),
                )
            )
    record_verdicts(warehouse, verdicts, now)
    result = build_dataset(warehouse, clock(), eval_sets=eval_sets)
    confirmed = sum(v.verdict == Verdict.CONFIRMED for v in verdicts)
    return SimulatedReviews(
        reviewed=len(verdicts),
        confirmed=confirmed,
        dismissed=len(verdicts) - confirmed,
        dataset_version=result.version,
        dataset_path=result.path,
        records=result.counts,
    )
