"""DuckDB aggregations for drift: their results are small whatever the window holds.

Flag counts come back per (segment, model, detector, hour), never per transcript, and feature
drift works on a bounded, deterministic sample of each segment, so a window of a million
transcripts costs one scan, not a million Python objects. Both read the ``*_raw`` views with the
time filter applied before de-duplication (the de-duplicating views would number the whole lake).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pyarrow as pa

from warehouse.drift.windows import TimeRange
from warehouse.query import Warehouse

BIN = timedelta(hours=1)
# Detections are stored by scoring date, which never precedes the transcript's event date; one day of
# slack covers clock skew between producers and the scorer.
_SCORED_AFTER_SLACK = timedelta(days=1)
# DuckDB spills to disk beyond this, so the aggregation stays within the benchmark's memory budget.
DEFAULT_MEMORY_LIMIT = "1GB"

RATE_BINS_SCHEMA = {
    "deployment": pl.String,
    "policy_id": pl.String,
    "model": pl.String,
    "detector": pl.String,
    "detector_version": pl.String,
    "side": pl.String,
    "bin": pl.Datetime("us", "UTC"),
    "scored": pl.Int64,
    "flagged": pl.Int64,
    "first_at": pl.Datetime("us", "UTC"),
}


def _in_ranges(ranges: list[TimeRange], column: str = "created_at") -> tuple[str, list]:
    clause = " OR ".join(f"({column} >= ? AND {column} < ?)" for _ in ranges)
    return f"({clause})", [value for r in ranges for value in (r.start, r.end)]


def _day_bounds(ranges: list[TimeRange]) -> list:
    start = min(r.start for r in ranges)
    end = max(r.end for r in ranges)
    return [start.date(), end.date()]


def rate_bins(warehouse: Warehouse, current: TimeRange, reference: TimeRange) -> pl.DataFrame:
    """Scored and flagged transcripts per (deployment, policy_id, model, detector, side, hour).

    Only each detector's latest version counts (the one whose rows were written last), so a detector
    upgrade between the reference and the window is not mistaken for drift. ``first_at`` is the earliest
    transcript of the group, from which a model version's first appearance in a segment follows.

    The window's transcripts are de-duplicated once into a temporary table; detections are then
    de-duplicated and joined one detector at a time, so the largest hash table holds one row per
    transcript, not one per (transcript, detector). Keys are 64-bit hashes of the transcript id: a
    collision among a few million ids (probability ~1e-7) would move one transcript between groups.

    Args:
        warehouse: the lake.
        current: the window under test.
        reference: the window it is compared with.

    Returns:
        One row per group with columns ``RATE_BINS_SCHEMA``; ``side`` is "current" or "reference".
    """
    ranges = [reference, current]
    in_range, range_params = _in_ranges(ranges)
    scored_since = min(r.start for r in ranges) - _SCORED_AFTER_SLACK
    frames = []
    with warehouse.connect() as con:
        con.execute(f"SET memory_limit = '{DEFAULT_MEMORY_LIMIT}'")
        versions = con.sql(
            "SELECT detector, arg_max(detector_version, scored_at) FROM detections_raw GROUP BY detector ORDER BY detector"
        ).fetchall()
        con.execute(
            f"""
            CREATE TEMP TABLE drift_window AS
            SELECT hash(transcript_id) AS h, any_value(model) AS model, any_value(deployment) AS deployment,
                   any_value(policy_id) AS policy_id, min(created_at) AS created_at
            FROM transcripts_raw
            WHERE dt BETWEEN ? AND ? AND {in_range}
            GROUP BY transcript_id
            """,
            [*_day_bounds(ranges), *range_params],
        )
        for detector, version in versions:
            frames.append(
                pl.from_arrow(
                    con.sql(_DETECTOR_BINS_SQL, params=[detector, version, scored_since, current.start]).to_arrow_table()
                ).with_columns(detector=pl.lit(detector), detector_version=pl.lit(version))
            )
    frames = [f for f in frames if not f.is_empty()]
    if not frames:
        return pl.DataFrame(schema=RATE_BINS_SCHEMA)
    bins = pl.concat(frames).with_columns(bin=pl.from_epoch(pl.col("bin_hour") * 3600, time_unit="s"))
    return _typed(bins, RATE_BINS_SCHEMA).sort("deployment", "policy_id", "detector", "bin", "model", "side")


# One detector version's rows, de-duplicated (a re-scored transcript counts once; scoring is
# deterministic per version) and counted per segment, model, side and hour of event time.
_DETECTOR_BINS_SQL = f"""
    WITH d AS (
        SELECT hash(transcript_id) AS h, bool_or(flagged) AS flagged
        FROM detections_raw
        WHERE detector = ? AND detector_version = ? AND scored_at >= ?
        GROUP BY 1
    )
    SELECT w.deployment, w.policy_id, w.model,
           CASE WHEN w.created_at >= ? THEN 'current' ELSE 'reference' END AS side,
           epoch_us(w.created_at) // {3600 * 1_000_000} AS bin_hour,
           count(*) AS scored, count(*) FILTER (WHERE d.flagged) AS flagged, min(w.created_at) AS first_at
    FROM d JOIN drift_window w USING (h)
    GROUP BY ALL
"""


def coflag_counts(warehouse: Warehouse, current: TimeRange, detectors: list[str]) -> pl.DataFrame:
    """Transcripts of the window flagged by both of two detectors, per segment and ordered pair.

    Tells whether two rising rates are one behaviour seen by two detectors (the same transcripts)
    or two separate shifts.
    """
    schema = {"deployment": pl.String, "policy_id": pl.String, "detector": pl.String, "other": pl.String, "both": pl.Int64}
    if not detectors:
        return pl.DataFrame(schema=schema)
    in_range, range_params = _in_ranges([current])
    marks = ", ".join("?" for _ in detectors)
    sql = f"""
        WITH versions AS (
            SELECT detector, arg_max(detector_version, scored_at) AS detector_version
            FROM detections_raw GROUP BY detector
        ),
        t AS (
            SELECT DISTINCT transcript_id, deployment, policy_id
            FROM transcripts_raw WHERE dt BETWEEN ? AND ? AND {in_range}
        ),
        f AS (
            SELECT DISTINCT transcript_id, detector
            FROM detections_raw JOIN versions USING (detector, detector_version)
            WHERE flagged AND scored_at >= ? AND detector IN ({marks})
        )
        SELECT t.deployment, t.policy_id, a.detector, b.detector AS other, count(*) AS both
        FROM f a JOIN f b ON a.transcript_id = b.transcript_id AND a.detector <> b.detector
        JOIN t ON t.transcript_id = a.transcript_id
        GROUP BY ALL
    """
    params = [*_day_bounds([current]), *range_params, current.start - _SCORED_AFTER_SLACK, *detectors]
    with warehouse.connect() as con:
        con.execute(f"SET memory_limit = '{DEFAULT_MEMORY_LIMIT}'")
        result = con.sql(sql, params=params).to_arrow_table()
    return _typed(pl.from_arrow(result), schema)


SAMPLE_COLUMNS = ("transcript_id", "created_at", "model", "deployment", "policy_id", "messages", "context", "feedback_rating")
_PPM = 1_000_000


def sample_transcripts(
    warehouse: Warehouse, current: TimeRange, reference: TimeRange, sizes: pl.DataFrame, per_side: int
) -> pa.Table:
    """A deterministic sample of about ``per_side`` transcripts per segment and side (current/reference).

    A transcript is in the sample when a hash of its id falls under its segment's sampling fraction,
    so the same data always gives the same sample, and the filter runs inside the scan: only sampled
    rows are de-duplicated and returned.

    Args:
        warehouse: the lake.
        current: the window under test.
        reference: its reference.
        sizes: transcripts per segment and side: columns deployment, policy_id, side
            ("current" or "reference"), transcripts.
        per_side: target sample size per segment and side.

    Returns:
        ``SAMPLE_COLUMNS`` plus ``side``.
    """
    fractions = sizes.select(
        "deployment",
        "policy_id",
        "side",
        (pl.lit(per_side * _PPM, pl.Float64) / pl.col("transcripts").clip(lower_bound=1)).ceil().clip(upper_bound=_PPM).cast(pl.Int64).alias("ppm"),
    )
    in_range, range_params = _in_ranges([reference, current])
    columns = ", ".join(f"t.{c}" for c in SAMPLE_COLUMNS)
    # A constant bound on one column is pushed into the Parquet scan, which then skips decoding the
    # large columns of rows outside every segment's sample.
    max_ppm = int(fractions["ppm"].max() or 0)
    sql = f"""
        SELECT {columns},
               CASE WHEN t.created_at >= ? THEN 'current' ELSE 'reference' END AS side
        FROM transcripts_raw t
        JOIN fractions f ON f.deployment = t.deployment AND f.policy_id = t.policy_id
             AND f.side = CASE WHEN t.created_at >= ? THEN 'current' ELSE 'reference' END
        WHERE t.dt BETWEEN ? AND ? AND {in_range.replace('created_at', 't.created_at')}
          AND hash(t.transcript_id) % {_PPM} < {max_ppm}
          AND hash(t.transcript_id) % {_PPM} < f.ppm
        QUALIFY row_number() OVER (PARTITION BY t.transcript_id ORDER BY t.ingested_at, t."offset") = 1
        ORDER BY t.transcript_id
    """
    params = [current.start, current.start, *_day_bounds([reference, current]), *range_params]
    with warehouse.connect() as con:
        con.execute(f"SET memory_limit = '{DEFAULT_MEMORY_LIMIT}'")
        con.register("fractions", fractions.to_arrow())
        return con.sql(sql, params=params).to_arrow_table()


def _typed(frame: pl.DataFrame, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    if frame.is_empty():
        return pl.DataFrame(schema=schema)
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])
