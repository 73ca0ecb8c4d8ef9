"""Kafka connection settings as a Dagster resource; secrets arrive through ``dg.EnvVar``."""

from __future__ import annotations

import dagster as dg

from pipelines.settings import DEFAULT_GROUP, DEFAULT_TOPIC, KafkaSettings


class KafkaResource(dg.ConfigurableResource):
    """Bootstrap servers, topic, consumer group and pass-through SASL/TLS settings."""

    bootstrap_servers: str
    topic: str = DEFAULT_TOPIC
    group_id: str = DEFAULT_GROUP
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_password: str | None = None

    def settings(self) -> KafkaSettings:
        return KafkaSettings(
            bootstrap_servers=self.bootstrap_servers,
            topic=self.topic,
            group_id=self.group_id,
            security_protocol=self.security_protocol,
            sasl_mechanism=self.sasl_mechanism,
            sasl_username=self.sasl_username,
            sasl_password=self.sasl_password,
            ssl_cafile=self.ssl_cafile,
            ssl_certfile=self.ssl_certfile,
            ssl_keyfile=self.ssl_keyfile,
            ssl_password=self.ssl_password,
        )
