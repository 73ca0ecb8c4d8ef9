"""The ingest process is SIGKILLed at random moments, again and again; the warehouse ends up exact.

Kills land anywhere: during start-up, the group join, a poll, a write in the worker process or a
commit. Only the main process is killed, so the test also proves the writer process dies with it.
The seed is printed; rerun a failure with ``ALIGNWATCH_FAULT_SEED=<seed>``.
"""

from __future__ import annotations

import os
import random
import signal
import time
import uuid

import psutil
import pytest

from tests.faults.support import (
    Lake,
    committed_offsets,
    end_offsets,
    ingest_env,
    kill_group,
    start_ingest,
)
from tests.integration.helpers import BAD_MESSAGES, produce, valid_messages

pytestmark = pytest.mark.integration

KILLS = 9
PARTITIONS = 2


@pytest.mark.parametrize("kafka_topic", [PARTITIONS], indirect=True)
def test_random_sigkills_lose_and_duplicate_nothing(kafka_broker, kafka_topic, tmp_path):
    seed = int(os.environ.get("ALIGNWATCH_FAULT_SEED") or random.SystemRandom().randrange(1 << 32))
    print(f"ALIGNWATCH_FAULT_SEED={seed}")
    rng = random.Random(seed)
    ids, values = valid_messages(4000)
    bad = [raw for raw in BAD_MESSAGES.values() if len(raw) < 1 << 20] * 20  # 80 poison messages
    stream = values + bad
    rng.shuffle(stream)
    produce(kafka_broker.bootstrap, kafka_topic, stream)  # unkeyed: spread over both partitions
    group = f"kills-{uuid.uuid4().hex[:8]}"
    # A fixed instance id: each restart takes the killed member's place without a 45 s rebalance.
    env = ingest_env(
        kafka_broker.bootstrap,
        kafka_topic,
        group,
        tmp_path,
        batch_records=40,
        ALIGNWATCH_GROUP_INSTANCE_ID="ingest-0",
    )
    log = tmp_path / "ingest.log"
    lake = Lake(tmp_path / "lake")

    for kill in range(KILLS):
        files_before = lake_files(tmp_path)
        proc = start_ingest(env, "--follow", log=log)
        if kill % 3 == 0:
            # During start-up (imports, writer spawn, group join: ~2-3 s) or the first batches.
            delay = rng.uniform(0.3, 4.0)
            time.sleep(delay)
        else:
            # In the middle of ingest: a random moment after this process stored its first batch,
            # which lands in a poll, a write in the worker or a commit.
            started = time.monotonic()
            while (
                lake_files(tmp_path) == files_before
                and time.monotonic() < started + 10
                and proc.poll() is None
            ):
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, 0.6))
            delay = time.monotonic() - started
        children = psutil.Process(proc.pid).children(recursive=True) if proc.poll() is None else []
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=30) == -9
        _, alive = psutil.wait_procs(children, timeout=10)
        assert not alive, f"kill {kill}: the writer process outlived the killed ingest"
        print(f"kill {kill} after {delay:.2f}s: {lake.count()} transcripts in the view")

    final = start_ingest(env, "--idle-seconds", "4", log=log)
    try:
        assert final.wait(timeout=240) == 0, log.read_text()[-3000:]
    finally:
        if final.poll() is None:
            kill_group(final)

    stored = lake.ids()
    assert len(stored) == len(set(stored)) == len(ids), (
        f"{len(stored)} stored of {len(ids)}; log:\n{log.read_text()[-3000:]}"
    )
    assert sorted(stored) == sorted(ids)
    # Each kill re-delivers at most the batches it left uncommitted (two in flight per partition).
    assert lake.raw_rows() <= len(ids) + KILLS * 2 * PARTITIONS * 40
    dead = lake.dead_letters()
    assert len(dead) == len(bad) and all(row["reason"] for row in dead)
    assert sorted(r["raw"] for r in dead) == sorted(bad)
    assert committed_offsets(kafka_broker.bootstrap, kafka_topic, group, PARTITIONS) == end_offsets(
        kafka_broker.bootstrap, kafka_topic, PARTITIONS
    )


def lake_files(home) -> int:
    return sum(1 for _ in (home / "lake").rglob("*.parquet"))
