"""DuckDB views over the Parquet lake.

Parquet is the storage of record; DuckDB only holds views, so readers never take a lock the
ingest writer needs: the writer only ever adds whole files by atomic rename, and each reader
opens its own in-memory connection (or the read-only catalog file) over the current files.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse import schemas
from warehouse.drift import views as drift_views
from warehouse.feedback import views as feedback_views
from warehouse.layout import LakeLayout, Table
from warehouse.object_store import ObjectStoreLake
from warehouse.storage import DiskStorage, LakeStorage, ObjectStorage

# Duplicate deliveries are resolved at read time: the first ingested copy wins.
_DEDUP_KEYS = {
    Table.TRANSCRIPTS: ("transcript_id", 'ingested_at, topic, "partition", "offset"'),
    Table.DEAD_LETTERS: ('topic, "partition", "offset"', "ingested_at"),
    Table.DETECTIONS: ("transcript_id, detector, detector_version", "scored_at"),
    Table.JUDGE_VERDICTS: ("transcript_id, detector, detector_version, judge_model", "judged_at"),
    **feedback_views.DEDUP_KEYS,
    **drift_views.DEDUP_KEYS,
}
_SCHEMAS = {
    Table.TRANSCRIPTS: schemas.TRANSCRIPTS,
    Table.DEAD_LETTERS: schemas.DEAD_LETTERS,
    Table.DETECTIONS: schemas.DETECTIONS,
    Table.JUDGE_VERDICTS: schemas.JUDGE_VERDICTS,
    **feedback_views.SCHEMAS,
    **drift_views.SCHEMAS,
}

_MESSAGE_JSON_TYPE = (
    '[{"role": "VARCHAR", "content": "VARCHAR", "name": "VARCHAR", "tool_call_id": "VARCHAR", '
    '"tool_calls": [{"id": "VARCHAR", "type": "VARCHAR", "function": {"name": "VARCHAR", "arguments": "VARCHAR"}}]}]'
)
_EXTRA_VIEWS = {
    "transcript_messages": f"""
        SELECT transcript_id, model, deployment, policy_id, created_at, m.idx - 1 AS message_index,
               m.message.role AS role, m.message.content AS content, m.message.tool_calls AS tool_calls,
               m.message.tool_call_id AS tool_call_id
        FROM transcripts,
             LATERAL (SELECT unnest(from_json(messages, '{_MESSAGE_JSON_TYPE}')) AS message,
                             generate_subscripts(from_json(messages, '{_MESSAGE_JSON_TYPE}'), 1) AS idx) AS m
    """,
    "flags": """
        SELECT d.*, t.model, t.deployment, t.policy_id, t.created_at
        FROM detections d JOIN transcripts t USING (transcript_id)
        WHERE d.flagged
    """,
    **feedback_views.VIEWS,
}


def deduplicated(table: Table, where: str = "TRUE") -> str:
    """SQL for ``table``'s rows that pass ``where`` (on ``<table>_raw``), one per key, first copy winning.

    The views are this with no filter; a filter on the partition column (``dt = ?``) lets DuckDB
    skip the other days' files, which the unfiltered view's window over the whole table cannot.
    """
    key, order = _DEDUP_KEYS[table]
    return (
        f"SELECT * FROM {table.value}_raw WHERE {where} "
        f"QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY {order}) = 1"
    )


@dataclass(frozen=True)
class Warehouse:
    """Read access to the lake through DuckDB (on disk, or on object storage with ``store``)."""

    layout: LakeLayout
    store: ObjectStoreLake | None = None

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """An in-memory DuckDB connection with a view per table over the files present now."""
        # No progress bar: DuckDB draws one on stdout for long queries, which would land in run logs.
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        try:
            self._create_views(con)
            yield con
        finally:
            con.close()

    def query(self, sql: str, parameters: list | None = None) -> pa.Table:
        """Run one query and return the result as Arrow."""
        with self.connect() as con:
            return con.sql(sql, params=parameters).to_arrow_table()

    @property
    def storage(self) -> LakeStorage:
        """Where the lake's files are written and deleted: the object store if there is one, else disk."""
        return ObjectStorage(self.store) if self.store is not None else DiskStorage(self.layout.root)

    def has_files(self, table: Table) -> bool:
        return bool(self.storage.files(table))

    def write_catalog(self, path: Path) -> Path:
        """Write a DuckDB database file holding the views, for external tools (DuckDB CLI, BI).

        Built under a temp name and renamed, so a reader with the old file open keeps reading it.
        """
        if self.store is not None:
            raise ValueError("a catalog file cannot hold views over an object store: query through Warehouse")
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        con = duckdb.connect(str(temp))
        try:
            self._create_views(con)
        finally:
            con.close()
        os.replace(temp, path)
        return path

    def _create_views(self, con: duckdb.DuckDBPyConnection) -> None:
        for table in _DEDUP_KEYS:
            con.execute(f"CREATE OR REPLACE VIEW {table.value}_raw AS {self._source(con, table)}")
            con.execute(f"CREATE OR REPLACE VIEW {table.value} AS {deduplicated(table)}")
        for name, sql in _EXTRA_VIEWS.items():
            con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")

    def _source(self, con: duckdb.DuckDBPyConnection, table: Table) -> str:
        if self.store is not None and self.has_files(table):
            # Registered datasets live as long as this connection, as the views do.
            con.register(f"_store_{table.value}", self.store.dataset(table, _SCHEMAS[table]))
            return f"SELECT * REPLACE (CAST(dt AS DATE) AS dt) FROM _store_{table.value}"
        if self.has_files(table):
            path = self.layout.glob(table).replace("'", "''")
            return f"SELECT * FROM read_parquet('{path}', hive_partitioning = true, union_by_name = true)"
        # No files yet: an empty table of the right shape keeps every query valid.
        empty_name = f"_empty_{table.value}"
        con.register("_empty_arrow", _SCHEMAS[table].empty_table())
        con.execute(f"CREATE OR REPLACE TABLE {empty_name} AS SELECT * FROM _empty_arrow")
        con.unregister("_empty_arrow")
        return f"SELECT *, NULL::DATE AS dt FROM {empty_name}"
