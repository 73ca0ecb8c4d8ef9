"""Ingest: Kafka topic -> ``transcripts`` and ``transcripts_rejected`` in the lake."""
# No "from __future__ import annotations": Dagster resolves config and resource types from annotations.

import dagster as dg

from pipelines.ingest.consumer import IngestLimits, TranscriptIngestor, build_consumer
from pipelines.resources.kafka import KafkaResource
from pipelines.resources.lake import LakeResource
from warehouse.contract import DEFAULT_MAX_MESSAGE_BYTES

transcripts_topic = dg.AssetSpec(
    "transcripts_topic",
    description="Production transcripts published by the LLM serving stack (Kafka topic).",
    group_name="ingest",
    kinds={"kafka"},
)


class IngestConfig(dg.Config):
    batch_records: int = 5_000
    idle_seconds: float = 5.0
    max_messages: int | None = None
    max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            "transcripts",
            description="Valid transcripts, one row per message delivered (deduplicated by transcript_id in views).",
            group_name="ingest",
            deps=[transcripts_topic],
            kinds={"parquet"},
        ),
        dg.AssetSpec(
            "transcripts_rejected",
            description="Dead letters: messages that broke the contract, with raw bytes, position and reason.",
            group_name="ingest",
            deps=[transcripts_topic],
            kinds={"parquet"},
        ),
    ],
    code_version="1",
)
def ingested_transcripts(config: IngestConfig, kafka: KafkaResource, lake: LakeResource):
    """Drain the topic into the lake, committing offsets only after each Parquet file is durable."""
    limits = IngestLimits(
        batch_records=config.batch_records,
        idle_seconds=config.idle_seconds,
        max_messages=config.max_messages,
        max_message_bytes=config.max_message_bytes,
    )
    ingestor = TranscriptIngestor(build_consumer(kafka.settings(), limits), lake.layout, limits)
    try:
        report = ingestor.drain()
    finally:
        ingestor.close()
    lake.refresh_catalog()
    yield dg.MaterializeResult(
        asset_key="transcripts",
        metadata={"messages": report.messages, "rows": report.transcripts, "files": len(report.files), "batches": report.batches},
    )
    yield dg.MaterializeResult(
        asset_key="transcripts_rejected",
        metadata={"rows": report.dead_letters, **{f"rejected_{k}": v for k, v in sorted(report.dead_letter_kinds.items())}},
    )
