"""Scale-out: two ingest processes in one consumer group share a 4-partition topic and one lake.

Each process writes its own files, named ``<topic>-p<partition>-<first offset>-<last offset>.parquet``,
so two writers never pick the same name unless they stored the same partition range (a re-delivery,
which replaces the file with the same rows). The union of what both stored is exactly the input.
"""

from __future__ import annotations

import re
import uuid

import pyarrow.parquet as pq
import pytest
from kafka import KafkaAdminClient, KafkaProducer
from kafka.errors import KafkaError

from tests.faults.support import (
    Lake,
    committed_offsets,
    end_offsets,
    ingest_env,
    kill_group,
    start_ingest,
    stop_ingest,
    wait_until,
)
from tests.integration.helpers import valid_messages
from warehouse.layout import safe_name

pytestmark = pytest.mark.integration

PARTITIONS = 4
PROCESSES = 2


@pytest.mark.parametrize("kafka_topic", [PARTITIONS], indirect=True)
def test_two_processes_four_partitions_store_exactly_the_input(kafka_broker, kafka_topic, tmp_path):
    ids, values = valid_messages(4000)
    group = f"scale-{uuid.uuid4().hex[:8]}"
    logs = [tmp_path / f"ingest-{n}.log" for n in range(PROCESSES)]
    procs = [
        start_ingest(ingest_env(kafka_broker.bootstrap, kafka_topic, group, tmp_path, 200), "--follow", log=log)
        for log in logs
    ]
    try:
        # Traffic starts once the group has settled with both members, as in a running deployment.
        wait_until(lambda: members_with_partitions(kafka_broker.bootstrap, group) == [2, 2], 90, "two members, 2+2 partitions")
        producer = KafkaProducer(bootstrap_servers=kafka_broker.bootstrap, linger_ms=5)
        for i, value in enumerate(values):
            producer.send(kafka_topic, value=value, partition=i % PARTITIONS)
        producer.flush(timeout=60)
        producer.close()
        ends = end_offsets(kafka_broker.bootstrap, kafka_topic, PARTITIONS)
        wait_until(
            lambda: committed_offsets(kafka_broker.bootstrap, kafka_topic, group, PARTITIONS) == ends, 120, "all commits"
        )
        codes = [stop_ingest(proc) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                kill_group(proc)
    assert codes == [0] * PROCESSES, [log.read_text()[-2000:] for log in logs]
    # Both processes did part of the work (the group split the partitions between them).
    for log in logs:
        consumed = re.search(r"(\d+) messages in \d+ batches", log.read_text())
        assert consumed and int(consumed.group(1)) > 0, log.read_text()[-2000:]

    lake = Lake(tmp_path / "lake")
    assert sorted(lake.ids()) == sorted(ids)
    name = re.compile(rf"^{re.escape(safe_name(kafka_topic))}-p(\d+)-(\d{{12}})-(\d{{12}})\.parquet$")
    stored: set[tuple[int, int]] = set()
    files = sorted((tmp_path / "lake" / "transcripts").rglob("*.parquet"))
    assert files
    for path in files:
        match = name.match(path.name)
        assert match, path.name
        partition, first, last = (int(g) for g in match.groups())
        rows = pq.read_table(path, columns=["topic", "partition", "offset"]).to_pydict()
        # The name tells the truth about the content: one topic, one partition, that offset range.
        assert set(rows["topic"]) == {kafka_topic} and set(rows["partition"]) == {partition}, path.name
        assert (min(rows["offset"]), max(rows["offset"])) == (first, last), path.name
        stored.update((partition, offset) for offset in rows["offset"])
    assert stored == {(p, o) for p, end in ends.items() for o in range(end)}


def members_with_partitions(bootstrap: str, group: str) -> list[int]:
    """Partitions held by each member of a settled group (sorted); [] while it rebalances."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        description = admin.describe_groups([group])[group]
    except KafkaError:  # the group does not exist yet: its coordinator is unknown
        return []
    finally:
        admin.close()
    if description.get("group_state") != "Stable":
        return []
    return sorted(
        sum(len(topic["partitions"]) for topic in (member.get("member_assignment") or {}).get("assigned_partitions", []))
        for member in description.get("members", [])
    )
