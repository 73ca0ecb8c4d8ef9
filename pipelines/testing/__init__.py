"""Test support code that ships with the project (real local services for scripts and tests).

Keep this file free of imports: ``infra/kafka/broker.py`` loads ``kafka_broker`` by path and
tests import submodules directly (``from pipelines.testing.kafka_broker import LocalKafka``).
"""
