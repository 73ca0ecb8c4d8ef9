"""Decides the deployment environment: which resources the code location gets, from the environment."""

from __future__ import annotations

import os

import dagster as dg

from pipelines.resources.judge import JudgeResource
from pipelines.resources.kafka import KafkaResource
from pipelines.resources.lake import LakeResource
from pipelines.resources.pushgateway import PushgatewayResource
from pipelines.settings import DEFAULT_HOME, ConfigError

_OPTIONAL_KAFKA = {
    "topic": "ALIGNWATCH_TOPIC",
    "group_id": "ALIGNWATCH_GROUP",
    "security_protocol": "KAFKA_SECURITY_PROTOCOL",
    "sasl_mechanism": "KAFKA_SASL_MECHANISM",
    "sasl_username": "KAFKA_SASL_USERNAME",
    "sasl_password": "KAFKA_SASL_PASSWORD",
    "ssl_cafile": "KAFKA_SSL_CAFILE",
    "ssl_certfile": "KAFKA_SSL_CERTFILE",
    "ssl_keyfile": "KAFKA_SSL_KEYFILE",
    "ssl_password": "KAFKA_SSL_PASSWORD",
}

_JUDGE = {"base_url": "ALIGNWATCH_JUDGE_URL", "model": "ALIGNWATCH_JUDGE_MODEL", "api_key": "ALIGNWATCH_JUDGE_API_KEY"}


def resources() -> dict[str, dg.ConfigurableResource]:
    """Resources read from environment variables at run time (values never enter run config)."""
    optional = {field: dg.EnvVar(var) for field, var in _OPTIONAL_KAFKA.items() if os.environ.get(var)}
    judge = {field: dg.EnvVar(var) for field, var in _JUDGE.items() if os.environ.get(var)}
    home = dg.EnvVar("ALIGNWATCH_HOME") if os.environ.get("ALIGNWATCH_HOME") else str(DEFAULT_HOME.resolve())
    return {
        "kafka": KafkaResource(bootstrap_servers=dg.EnvVar("KAFKA_BOOTSTRAP_SERVERS"), **optional),
        "lake": LakeResource(
            home=home, lake_url=dg.EnvVar("ALIGNWATCH_LAKE_URL") if os.environ.get("ALIGNWATCH_LAKE_URL") else ""
        ),
        "judge": JudgeResource(**judge),
        "pushgateway": PushgatewayResource(
            url=dg.EnvVar("ALIGNWATCH_PUSHGATEWAY_URL") if os.environ.get("ALIGNWATCH_PUSHGATEWAY_URL") else ""
        ),
    }


def executor() -> dg.ExecutorDefinition:
    """multiprocess (default), k8s or celery, from ``ALIGNWATCH_EXECUTOR``; see docs/scale-out.md.

    dagster-k8s and dagster-celery are imported only where installed (the Kubernetes or Celery image).
    """
    kind = os.environ.get("ALIGNWATCH_EXECUTOR", "multiprocess").strip().lower()
    if kind == "k8s":
        from dagster_k8s import k8s_job_executor

        return k8s_job_executor
    if kind == "celery":
        from dagster_celery import celery_executor

        return celery_executor
    if kind != "multiprocess":
        raise ConfigError("ALIGNWATCH_EXECUTOR must be one of multiprocess, k8s, celery")
    return dg.multiprocess_executor
