"""Lakes built from the traffic simulator, ingested and scored in-process (no Kafka)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from detectors.registry import all_detectors
from pipelines.detect.scoring import score_pending
from pipelines.simulate.traffic import SimulationConfig, generate
from warehouse.lake import write_batch
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse
from warehouse.records import RawMessage, validate_batch

# The simulator spans the two UTC days before NOW; its model update lands at midnight between them.
NOW = datetime(2026, 11, 27, 3, 0, tzinfo=UTC)
TRANSCRIPTS = 8_000


@dataclass(frozen=True)
class SimulatedLake:
    home: Path
    config: SimulationConfig

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse(LakeLayout(self.home / "lake"))


def build_lake(home: Path, config: SimulationConfig) -> SimulatedLake:
    layout = LakeLayout(home / "lake")
    messages = [RawMessage("sim", 0, i, m.key, m.value) for i, m in enumerate(generate(config, NOW))]
    for start in range(0, len(messages), 5_000):
        write_batch(layout, validate_batch(messages[start : start + 5_000], NOW))
    score_pending(Warehouse(layout), all_detectors(), clock=lambda: NOW)
    return SimulatedLake(home, config)


@pytest.fixture(scope="session")
def updated_lake(tmp_path_factory) -> SimulatedLake:
    """Two days of traffic; the new model raises support-bot off_policy and research-assistant sycophancy."""
    return build_lake(tmp_path_factory.mktemp("drift-updated"), SimulationConfig(transcripts=TRANSCRIPTS, seed=7))


@pytest.fixture(scope="session")
def steady_lake(tmp_path_factory) -> SimulatedLake:
    """The same traffic without a model release: every rate stays where it was."""
    config = SimulationConfig(transcripts=TRANSCRIPTS, seed=7, model_update_at=None)
    return build_lake(tmp_path_factory.mktemp("drift-steady"), config)
