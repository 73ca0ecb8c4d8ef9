"""The one place that reads the environment: where the lake is and how to reach Kafka.

Errors name the setting, never its value, so a misplaced secret never reaches a log.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from warehouse.object_store import ObjectStoreLake, S3Config

DEFAULT_TOPIC = "alignwatch.transcripts"
DEFAULT_GROUP = "alignwatch-ingest"
DEFAULT_HOME = Path("var")


class ConfigError(ValueError):
    """A setting is missing or malformed; the message names the setting only."""


@dataclass(frozen=True)
class KafkaSettings:
    """How to reach the broker. Security settings are passed through to kafka-python."""

    bootstrap_servers: str
    topic: str = DEFAULT_TOPIC
    group_id: str = DEFAULT_GROUP
    # Static group membership (KIP-345): a restarted process with the same id takes its old place
    # at once, instead of the group waiting out the dead member's session (45 s) to rebalance.
    group_instance_id: str | None = None
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = field(default=None, repr=False)
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_password: str | None = field(default=None, repr=False)

    def client_config(self) -> dict[str, Any]:
        """Keyword arguments shared by kafka-python's consumer, producer and admin client."""
        config: dict[str, Any] = {
            "bootstrap_servers": [s.strip() for s in self.bootstrap_servers.split(",") if s.strip()],
            "security_protocol": self.security_protocol,
        }
        optional = {
            "sasl_mechanism": self.sasl_mechanism,
            "sasl_plain_username": self.sasl_username,
            "sasl_plain_password": self.sasl_password,
            "ssl_cafile": self.ssl_cafile,
            "ssl_certfile": self.ssl_certfile,
            "ssl_keyfile": self.ssl_keyfile,
            "ssl_password": self.ssl_password,
        }
        config.update({key: value for key, value in optional.items() if value})
        return config


_PROTOCOLS = {"PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"}
_MECHANISMS = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"}


def kafka_settings(env: Mapping[str, str] | None = None, *, bootstrap_servers: str | None = None) -> KafkaSettings:
    """Kafka settings from ``KAFKA_*`` and ``ALIGNWATCH_*`` environment variables."""
    env = os.environ if env is None else env
    bootstrap = bootstrap_servers or env.get("KAFKA_BOOTSTRAP_SERVERS", "").strip()
    if not bootstrap:
        raise ConfigError("KAFKA_BOOTSTRAP_SERVERS is not set")
    protocol = env.get("KAFKA_SECURITY_PROTOCOL", "PLAINTEXT").upper()
    if protocol not in _PROTOCOLS:
        raise ConfigError(f"KAFKA_SECURITY_PROTOCOL must be one of {sorted(_PROTOCOLS)}")
    mechanism = env.get("KAFKA_SASL_MECHANISM") or None
    if mechanism is not None and mechanism.upper() not in _MECHANISMS:
        raise ConfigError(f"KAFKA_SASL_MECHANISM must be one of {sorted(_MECHANISMS)}")
    if protocol.startswith("SASL") and not (env.get("KAFKA_SASL_USERNAME") and env.get("KAFKA_SASL_PASSWORD")):
        raise ConfigError("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with a SASL protocol")
    return KafkaSettings(
        bootstrap_servers=bootstrap,
        topic=env.get("ALIGNWATCH_TOPIC", DEFAULT_TOPIC),
        group_id=env.get("ALIGNWATCH_GROUP", DEFAULT_GROUP),
        group_instance_id=env.get("ALIGNWATCH_GROUP_INSTANCE_ID") or None,
        security_protocol=protocol,
        sasl_mechanism=mechanism.upper() if mechanism else None,
        sasl_username=env.get("KAFKA_SASL_USERNAME") or None,
        sasl_password=env.get("KAFKA_SASL_PASSWORD") or None,
        ssl_cafile=env.get("KAFKA_SSL_CAFILE") or None,
        ssl_certfile=env.get("KAFKA_SSL_CERTFILE") or None,
        ssl_keyfile=env.get("KAFKA_SSL_KEYFILE") or None,
        ssl_password=env.get("KAFKA_SSL_PASSWORD") or None,
    )


@dataclass(frozen=True)
class Paths:
    """Where alignwatch keeps its files on this machine."""

    home: Path

    @property
    def lake(self) -> Path:
        return self.home / "lake"

    @property
    def catalog(self) -> Path:
        return self.home / "warehouse.duckdb"

    @property
    def dagster_home(self) -> Path:
        return self.home / "dagster"


def paths(env: Mapping[str, str] | None = None) -> Paths:
    """``ALIGNWATCH_HOME`` (default ``./var``) holds the lake, the catalog and Dagster's state."""
    env = os.environ if env is None else env
    return Paths(Path(env.get("ALIGNWATCH_HOME") or DEFAULT_HOME).resolve())


def int_setting(name: str, default: int, env: Mapping[str, str] | None = None, minimum: int = 1) -> int:
    """A positive integer setting; a malformed value is a ``ConfigError`` naming the setting."""
    env = os.environ if env is None else env
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}")
    return value


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def bool_setting(name: str, default: bool, env: Mapping[str, str] | None = None) -> bool:
    """A yes/no setting (1/0, true/false, yes/no, on/off); anything else is a ``ConfigError``."""
    env = os.environ if env is None else env
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ConfigError(f"{name} must be one of 1/0, true/false, yes/no, on/off")


def lake_store(env: Mapping[str, str] | None = None) -> ObjectStoreLake | None:
    """The lake on object storage when ``ALIGNWATCH_LAKE_URL`` is an ``s3://bucket/prefix`` URL, else None.

    Credentials come from ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` (or pyarrow's default chain
    when unset), the endpoint of an S3-compatible service from ``AWS_ENDPOINT_URL``.
    """
    env = os.environ if env is None else env
    url = (env.get("ALIGNWATCH_LAKE_URL") or "").strip()
    if not url:
        return None
    config = S3Config(
        endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        access_key_id=env.get("AWS_ACCESS_KEY_ID") or None,
        secret_access_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
    )
    try:
        return ObjectStoreLake(url, config)
    except ValueError:
        raise ConfigError("ALIGNWATCH_LAKE_URL must look like s3://bucket/prefix") from None
