"""Where each table lives in the lake: Hive-style ``<table>/dt=YYYY-MM-DD/<file>.parquet``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from pathlib import Path

PARQUET_SUFFIX = ".parquet"
TEMP_PREFIX = ".tmp-"  # in-flight files start with a dot and end in .tmp: never matched by readers' globs


class Table(StrEnum):
    TRANSCRIPTS = "transcripts"
    DEAD_LETTERS = "dead_letters"
    DETECTIONS = "detections"
    JUDGE_VERDICTS = "judge_verdicts"
    FLAGGED_CASES = "flagged_cases"
    REVIEW_SAMPLES = "review_samples"
    REVIEW_VERDICTS = "review_verdicts"
    FEEDBACK_PUBLISHED = "feedback_published"
    DRIFT_REPORTS = "drift_reports"


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class LakeLayout:
    """Paths of the lake rooted at ``root``; pure, touches no disk."""

    root: Path

    def table_dir(self, table: Table) -> Path:
        return self.root / table.value

    def partition_dir(self, table: Table, day: date) -> Path:
        return self.table_dir(table) / f"dt={day.isoformat()}"

    def glob(self, table: Table) -> str:
        return str(self.table_dir(table) / "*" / f"*{PARQUET_SUFFIX}")

    def batch_file(self, table: Table, day: date, source: str, partition: int, first: int, last: int) -> Path:
        """File of one consumed batch of one source partition.

        Named by its offset range, so a batch re-delivered with the same boundaries after a crash
        replaces its own file instead of adding a copy.
        """
        name = f"{safe_name(source)}-p{partition}-{first:012d}-{last:012d}{PARQUET_SUFFIX}"
        return self.partition_dir(table, day) / name

    def run_file(self, table: Table, day: date, run_id: str) -> Path:
        return self.partition_dir(table, day) / f"{safe_name(run_id)}{PARQUET_SUFFIX}"


def safe_name(text: str) -> str:
    """A file-name-safe form of a topic or run id."""
    return _UNSAFE.sub("_", text).strip("._") or "unnamed"
