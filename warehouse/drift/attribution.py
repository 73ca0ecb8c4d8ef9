"""Which model version a rate shift follows.

A new model version has no history of its own, so its segment's window is compared with the
segment's reference and the shift is then attributed: to the version whose first appearance
coincides with the estimated change point, else to the version that gained the most traffic
between the reference and the window. A shift that no version change explains is attributed to
"all" (a change in traffic, prompts or upstream systems rather than in the model).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

ALL_MODELS = "all"


class Reason(StrEnum):
    AT_CHANGE_POINT = "first_seen_at_change_point"  # appeared when the rate shifted
    NEW_MODEL = "new_in_window"  # serves the window but not the reference
    SHARE_INCREASE = "share_increase"  # served both, gained the most traffic
    NONE = "no_model_change"


@dataclass(frozen=True)
class ModelUsage:
    """One model version's traffic in a segment."""

    model: str
    current_n: int
    reference_n: int
    first_seen: datetime  # earliest transcript within the analysed span
    current_flagged: int = 0  # flags of the detector under attribution, in the window


@dataclass(frozen=True)
class Attribution:
    model: str  # the version the shift follows, or ALL_MODELS
    reason: Reason
    first_seen: datetime | None = None
    current_share: float | None = None
    share_increase: float | None = None
    current_rate: float | None = None  # the version's own flag rate in the window
    new_models: tuple[str, ...] = ()


def attribute_shift(
    usage: Sequence[ModelUsage],
    change_at: datetime | None,
    tolerance: timedelta = timedelta(hours=6),
    min_share_increase: float = 0.05,
) -> Attribution:
    """Name the model version a rate shift in a segment follows.

    Args:
        usage: traffic per model version in the segment.
        change_at: estimated start of the shift (None when no change point was found).
        tolerance: how far a version's first appearance may be from the change point to coincide.
        min_share_increase: traffic share a version must gain to be a candidate.

    Returns:
        The attributed version (or ``ALL_MODELS``) and why.
    """
    current_total = sum(u.current_n for u in usage)
    reference_total = sum(u.reference_n for u in usage)
    new = new_models(usage)
    if current_total == 0:
        return Attribution(ALL_MODELS, Reason.NONE, new_models=new)

    def share(n: int, total: int) -> float:
        return n / total if total else 0.0

    gains = {u.model: share(u.current_n, current_total) - share(u.reference_n, reference_total) for u in usage}
    candidates = [u for u in usage if u.current_n > 0 and (u.model in new or gains[u.model] >= min_share_increase)]
    if not candidates:
        return Attribution(ALL_MODELS, Reason.NONE, new_models=new)

    chosen, reason = None, Reason.NONE
    if change_at is not None:
        near = [u for u in candidates if abs(u.first_seen - change_at) <= tolerance]
        if near:
            chosen = min(near, key=lambda u: (abs(u.first_seen - change_at), u.model))
            reason = Reason.AT_CHANGE_POINT
    if chosen is None:
        chosen = max(candidates, key=lambda u: (gains[u.model], u.model))
        reason = Reason.NEW_MODEL if chosen.model in new else Reason.SHARE_INCREASE
    return Attribution(
        model=chosen.model,
        reason=reason,
        first_seen=chosen.first_seen,
        current_share=share(chosen.current_n, current_total),
        share_increase=gains[chosen.model],
        current_rate=chosen.current_flagged / chosen.current_n,
        new_models=new,
    )


def new_models(usage: Sequence[ModelUsage]) -> tuple[str, ...]:
    """Versions that serve the window but served none of the reference."""
    return tuple(sorted(u.model for u in usage if u.current_n > 0 and u.reference_n == 0))
