"""Rich rendering of query results and of the lake summary."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from rich.console import Console
from rich.table import Table

from pipelines.settings import Paths
from warehouse.query import Warehouse


def arrow_table(result: pa.Table, max_rows: int = 50, title: str | None = None) -> Table:
    """A rich table of the first ``max_rows`` rows of an Arrow result."""
    table = Table(title=title, show_lines=False)
    for name in result.column_names:
        table.add_column(name, overflow="fold")
    for row in result.slice(0, max_rows).to_pylist():
        table.add_row(*("" if value is None else str(value) for value in row.values()))
    if result.num_rows > max_rows:
        table.caption = f"{max_rows} of {result.num_rows} rows"
    return table


SUMMARY_QUERIES = {
    "volume": """
        SELECT (SELECT count(*) FROM transcripts) AS transcripts,
               (SELECT count(*) FROM transcripts_raw) - (SELECT count(*) FROM transcripts) AS duplicate_deliveries,
               (SELECT count(*) FROM dead_letters) AS dead_letters,
               (SELECT count(DISTINCT transcript_id) FROM detections) AS scored_transcripts
    """,
    "dead letters by reason": "SELECT error_kind, count(*) AS messages FROM dead_letters GROUP BY 1 ORDER BY 2 DESC",
    "flags per detector and model version": """
        SELECT d.detector, t.model, count(*) FILTER (WHERE d.flagged) AS flagged, count(*) AS scored,
               round(100.0 * count(*) FILTER (WHERE d.flagged) / count(*), 2) AS flag_rate_pct
        FROM detections d JOIN transcripts t USING (transcript_id)
        GROUP BY 1, 2 ORDER BY 1, 2
    """,
}


def print_summary(console: Console, warehouse: Warehouse, where: Paths) -> None:
    with warehouse.connect() as con:
        for title, sql in SUMMARY_QUERIES.items():
            console.print(arrow_table(con.sql(sql).to_arrow_table(), max_rows=200, title=title))
    console.print(f"lake: {where.lake}\nwarehouse (DuckDB catalog): {where.catalog}")


def print_demo_footer(console: Console, where: Paths) -> None:
    console.print(
        "\n[bold]Explore[/bold]\n"
        f"  query:      ALIGNWATCH_HOME={where.home} uv run alignwatch sql \"SELECT * FROM flags LIMIT 20\"\n"
        f"  DuckDB CLI: duckdb -readonly {where.catalog}\n"
        f"  Dagster UI: DAGSTER_HOME={where.dagster_home} ALIGNWATCH_HOME={where.home} "
        "KAFKA_BOOTSTRAP_SERVERS=<broker> uv run dagster dev -m pipelines.definitions"
    )


def print_truth_comparison(console: Console, warehouse: Warehouse, truth_path: Path) -> None:
    """Detector precision/recall against what the simulator injected (demo traffic only)."""
    import polars as pl

    from pipelines.simulate.scoring import score_against_truth, truth_frame

    if not truth_path.exists():
        return
    detections = pl.from_arrow(warehouse.query("SELECT transcript_id, detector, flagged FROM detections"))
    scores = score_against_truth(detections, truth_frame(truth_path))
    console.print(arrow_table(scores.to_arrow(), max_rows=50, title="detectors vs. the simulator's injected failures"))
