"""Drift of detector flag rates and transcript features between a window and its reference.

``windows`` (time ranges), ``aggregate`` (DuckDB queries: bounded results whatever the lake's
size), ``stats`` and ``attribution`` (pure statistics), ``rates`` (the rate-drift table),
``evidently_adapter`` (the only module that imports Evidently) and ``store`` (Parquet and HTML
paths). Nothing here knows about Dagster or Kafka.
"""
