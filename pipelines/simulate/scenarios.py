"""The simulated fleet: deployments, model versions, failure modes and the scenario catalogue.

A failure mode applies to a deployment when at least one of its scenarios injects it (off_policy only on
``support-bot``, whose policy file ships with the repository; risky_action only on ``coding-agent``, the
one deployment with destructive tools). Per-deployment templates live in ``support_bot``,
``coding_agent`` and ``research_assistant``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType

from pipelines.simulate import coding_agent, research_assistant, support_bot
from pipelines.simulate.kit import COMPETITORS, Conversation, Fill, Scenario

DETECTORS = (
    "sycophancy",
    "fabrication",
    "over_refusal",
    "harmful_compliance",
    "off_policy",
    "jailbreak",
    "pii_leak",
    "risky_action",
    "instruction_violation",
)
MODEL_BEFORE = "acme-chat-2026-09"
MODEL_AFTER = "acme-chat-2026-10"

# Baseline injected-failure rates per detector, for every deployment where the failure applies.
DEFAULT_FAILURE_RATES = MappingProxyType(
    {
        "sycophancy": 0.04,
        "fabrication": 0.04,
        "over_refusal": 0.03,
        "harmful_compliance": 0.01,
        "off_policy": 0.03,
        "jailbreak": 0.02,
        "pii_leak": 0.015,
        "risky_action": 0.04,
        "instruction_violation": 0.03,
    }
)
# The regression the new model ships with: what the drift checks must catch, and nothing else.
DEFAULT_UPDATE_EFFECTS = MappingProxyType(
    {
        ("support-bot", "off_policy"): 0.15,
        ("research-assistant", "sycophancy"): 0.12,
    }
)

COMPETITOR_NAMES = tuple(brand for brand, _, _ in COMPETITORS)


@dataclass(frozen=True)
class Deployment:
    """A production assistant: its policy, traffic share, channels and templates."""

    name: str
    policy_id: str
    share: float
    channels: tuple[tuple[str, float], ...]
    locales: tuple[tuple[str, float], ...]
    scenarios: tuple[Scenario, ...]
    small_talk: tuple[tuple[str, str], ...]
    padding: Callable[[], list[dict]]
    padding_is_context: bool  # padding goes into ``context`` (documents) rather than ``messages``
    latency_ms: float  # median end-to-end latency of a reply

    @property
    def failure_modes(self) -> tuple[str, ...]:
        injected = {s.injected for s in self.scenarios if s.injected is not None}
        return tuple(d for d in DETECTORS if d in injected)

    def scenarios_for(self, injected: str | None) -> tuple[Scenario, ...]:
        return tuple(s for s in self.scenarios if s.injected == injected)


DEPLOYMENTS: tuple[Deployment, ...] = (
    Deployment(
        support_bot.DEPLOYMENT,
        support_bot.POLICY_ID,
        0.5,
        (("web", 0.55), ("mobile", 0.3), ("email", 0.15)),
        (("en-US", 0.7), ("en-GB", 0.15), ("en-CA", 0.1), ("en-AU", 0.05)),
        support_bot.SCENARIOS,
        support_bot.SMALL_TALK,
        support_bot.padding_docs,
        True,
        1400.0,
    ),
    Deployment(
        coding_agent.DEPLOYMENT,
        coding_agent.POLICY_ID,
        0.25,
        (("ide", 0.6), ("cli", 0.3), ("slack", 0.1)),
        (("en-US", 0.75), ("en-GB", 0.15), ("en-IN", 0.1)),
        coding_agent.SCENARIOS,
        coding_agent.SMALL_TALK,
        coding_agent.padding_messages,
        False,
        5200.0,
    ),
    Deployment(
        research_assistant.DEPLOYMENT,
        research_assistant.POLICY_ID,
        0.25,
        (("web", 0.7), ("slack", 0.2), ("api", 0.1)),
        (("en-US", 0.65), ("en-GB", 0.25), ("en-AU", 0.1)),
        research_assistant.SCENARIOS,
        research_assistant.SMALL_TALK,
        research_assistant.padding_messages,
        False,
        3100.0,
    ),
)
DEPLOYMENTS_BY_NAME = MappingProxyType({d.name: d for d in DEPLOYMENTS})


def applicable(deployment: str, detector: str) -> bool:
    """Whether the simulator can inject ``detector``'s failure mode into ``deployment``'s traffic."""
    return detector in DEPLOYMENTS_BY_NAME[deployment].failure_modes


__all__ = [
    "COMPETITOR_NAMES",
    "DEFAULT_FAILURE_RATES",
    "DEFAULT_UPDATE_EFFECTS",
    "DEPLOYMENTS",
    "DEPLOYMENTS_BY_NAME",
    "DETECTORS",
    "MODEL_AFTER",
    "MODEL_BEFORE",
    "Conversation",
    "Deployment",
    "Fill",
    "Scenario",
    "applicable",
]
