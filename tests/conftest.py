"""Session-wide Kafka fixtures (a real broker; see pipelines/testing/kafka_broker.py).

* ``kafka_broker`` (session): a started :class:`LocalKafka` (fresh temp dir, random loopback
  ports), or an :class:`ExternalKafka` for ``$KAFKA_BOOTSTRAP_SERVERS`` when that is set.
  Either way ``kafka_broker.bootstrap`` is the ``bootstrap_servers`` string. Do not restart
  the session broker: fault tests should start their own ``LocalKafka()`` (~3 s).
* ``kafka_topic`` (function): a freshly created, uniquely named topic (1 partition, or
  ``request.param`` partitions via ``@pytest.mark.parametrize("kafka_topic", [3], indirect=True)``).

Missing java/mvn is an error, never a skip.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pytest

from pipelines.testing.kafka_broker import (
    ExternalKafka,
    KafkaStartError,
    LocalKafka,
    create_topic,
    wait_for_broker,
)


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[LocalKafka | ExternalKafka]:
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if external:
        try:
            wait_for_broker(external, timeout=30)
        except TimeoutError as exc:
            pytest.fail(f"KAFKA_BOOTSTRAP_SERVERS={external} is set but not answering: {exc}")
        yield ExternalKafka(external)
        return
    broker = LocalKafka()
    try:
        broker.start()
    except KafkaStartError as exc:
        broker.close()
        pytest.fail(f"could not start the local Kafka broker:\n{exc}", pytrace=False)
    try:
        yield broker
    finally:
        broker.close()


@pytest.fixture
def kafka_topic(kafka_broker: LocalKafka | ExternalKafka, request: pytest.FixtureRequest) -> str:
    partitions = int(getattr(request, "param", 1))
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", request.node.name).strip("-")[:120]
    name = f"t-{slug}-{uuid.uuid4().hex[:10]}"
    return create_topic(kafka_broker.bootstrap, name, partitions)
