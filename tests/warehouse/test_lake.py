"""Lake layout, durable writes and the deduplicating views."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from warehouse.lake import write_batch
from warehouse.layout import LakeLayout, Table, safe_name
from warehouse.query import Warehouse
from warehouse.records import RawMessage, validate_batch
from warehouse.writer import remove_stale_temp_files, write_parquet_atomically

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def message(tid: str, created_at: str = "2026-11-01T09:00:00Z", **extra) -> bytes:
    return json.dumps(
        {
            "schema_version": 1,
            "transcript_id": tid,
            "created_at": created_at,
            "model": "m1",
            "deployment": "support-bot",
            "policy_id": "p1",
            "messages": [{"role": "user", "content": f"hello {tid}"}, {"role": "assistant", "content": "hi"}],
            **extra,
        }
    ).encode()


def raw(offset: int, value: bytes, partition: int = 0, topic: str = "aw.t") -> RawMessage:
    return RawMessage(topic, partition, offset, b"k", value)


def ingest(root: Path, records) -> None:
    write_batch(LakeLayout(root), validate_batch(records, NOW))


def test_layout_is_hive_style_by_event_day(tmp_path):
    ingest(tmp_path, [raw(0, message("a", "2026-11-01T23:59:59Z")), raw(1, message("b", "2026-11-02T00:00:00+00:00"))])
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.parquet"))
    # Event time, not ingest time, decides the partition; each file is named by its offset range.
    assert files == [
        "transcripts/dt=2026-11-01/aw.t-p0-000000000000-000000000000.parquet",
        "transcripts/dt=2026-11-02/aw.t-p0-000000000001-000000000001.parquet",
    ]


def test_offsets_converted_to_utc_day(tmp_path):
    # 01:00 at +02:00 is 23:00 UTC the day before.
    ingest(tmp_path, [raw(0, message("a", "2026-11-02T01:00:00+02:00"))])
    assert [p.parent.name for p in tmp_path.rglob("*.parquet")] == ["dt=2026-11-01"]


def test_rows_keep_lineage_and_dead_letters_keep_raw_bytes(tmp_path):
    bad = b'{"schema_version": 9}'
    ingest(tmp_path, [raw(5, message("a"), partition=3), raw(6, bad, partition=3)])
    wh = Warehouse(LakeLayout(tmp_path))
    row = wh.query('SELECT topic, "partition", "offset", ingested_at FROM transcripts').to_pylist()[0]
    assert row == {"topic": "aw.t", "partition": 3, "offset": 5, "ingested_at": NOW}
    dead = wh.query('SELECT raw, error_kind, reason, "offset", key FROM dead_letters').to_pylist()[0]
    assert dead["raw"] == bad and dead["error_kind"] == "unsupported_schema_version" and dead["offset"] == 6
    assert dead["key"] == b"k" and "9" in dead["reason"]


def test_views_deduplicate_redelivered_and_resent_transcripts(tmp_path):
    ingest(tmp_path, [raw(0, message("a")), raw(1, message("b"))])
    # The same batch delivered again (crash before commit) and a producer re-sending "a" later.
    ingest(tmp_path, [raw(0, message("a")), raw(1, message("b"))])
    ingest(tmp_path, [raw(7, message("a"))])
    wh = Warehouse(LakeLayout(tmp_path))
    assert wh.query("SELECT count(*) AS n FROM transcripts_raw").column("n")[0].as_py() == 3
    rows = wh.query('SELECT transcript_id, "offset" FROM transcripts ORDER BY 1').to_pylist()
    assert rows == [{"transcript_id": "a", "offset": 0}, {"transcript_id": "b", "offset": 1}]


def test_empty_lake_still_answers_queries(tmp_path):
    wh = Warehouse(LakeLayout(tmp_path))
    for view in ("transcripts", "dead_letters", "detections", "flags", "transcript_messages"):
        assert wh.query(f"SELECT count(*) AS n FROM {view}").column("n")[0].as_py() == 0


def test_messages_view_expands_json(tmp_path):
    ingest(tmp_path, [raw(0, message("a"))])
    rows = Warehouse(LakeLayout(tmp_path)).query(
        "SELECT message_index, role, content FROM transcript_messages ORDER BY message_index"
    ).to_pylist()
    assert rows == [
        {"message_index": 0, "role": "user", "content": "hello a"},
        {"message_index": 1, "role": "assistant", "content": "hi"},
    ]


def test_atomic_write_leaves_no_partial_file_on_failure(tmp_path):
    table = validate_batch([raw(0, message("a"))], NOW).transcripts
    target = tmp_path / "x" / "f.parquet"

    class Boom(Exception):
        pass

    class ExplodingTable:
        # Stands in for a table whose serialisation fails half-way (disk full, bad data).
        schema = table.schema

        def __getattr__(self, name):
            raise Boom

    with pytest.raises(Exception):
        write_parquet_atomically(ExplodingTable(), target)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []
    write_parquet_atomically(table, target, row_group_rows=10)
    assert pq.read_table(target).num_rows == 1


def test_large_files_get_several_row_groups(tmp_path):
    records = [raw(i, message(f"t{i}")) for i in range(120)]
    table = validate_batch(records, NOW).transcripts
    path = write_parquet_atomically(table, tmp_path / "f.parquet", row_group_rows=50)
    assert pq.ParquetFile(path).num_row_groups == 3


def test_stale_temp_files_are_removed_but_fresh_ones_kept(tmp_path):
    import os

    old = tmp_path / "transcripts" / ".tmp-old.tmp"
    fresh = tmp_path / "transcripts" / ".tmp-fresh.tmp"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(old, (0, 0))
    assert remove_stale_temp_files(tmp_path) == 1
    assert not old.exists() and fresh.exists()


def test_catalog_file_holds_views(tmp_path):
    import duckdb

    ingest(tmp_path / "lake", [raw(0, message("a"))])
    path = Warehouse(LakeLayout(tmp_path / "lake")).write_catalog(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    assert con.execute("SELECT count(*) FROM transcripts").fetchone()[0] == 1


@pytest.mark.parametrize(("name", "safe"), [("aw.transcripts", "aw.transcripts"), ("file:my log.jsonl", "file_my_log.jsonl"), ("../x", "x")])
def test_safe_names_cannot_escape_the_lake(name, safe):
    assert safe_name(name) == safe


def test_glob_excludes_temp_files():
    layout = LakeLayout(Path("/lake"))
    assert layout.glob(Table.TRANSCRIPTS).endswith("*.parquet")
