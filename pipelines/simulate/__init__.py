"""``alignwatch simulate``: seeded synthetic production traffic for the demo, the tests and benchmarks.

``traffic`` generates contract transcripts with injected failure modes (pure); ``producer`` publishes
them to Kafka and writes the ground truth; ``scenarios`` and the per-deployment template modules hold
the conversation templates.
"""

from pipelines.simulate.traffic import (
    Segment,
    SimulatedMessage,
    SimulationConfig,
    SimulationSummary,
    Truth,
    generate,
    summarize,
)

__all__ = [
    "Segment",
    "SimulatedMessage",
    "SimulationConfig",
    "SimulationSummary",
    "Truth",
    "generate",
    "summarize",
]
