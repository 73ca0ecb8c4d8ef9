"""Which event days gained files: lets a scheduler start per-day work without reading any data.

A day's fingerprint is a digest of its file names. Ingest only adds files (a re-delivered batch
replaces its own name), so a new fingerprint means new rows to look at.
"""

from __future__ import annotations

import hashlib
from datetime import date

from warehouse.layout import Table
from warehouse.storage import LakeStorage


def day_fingerprints(storage: LakeStorage, table: Table, since: date) -> dict[str, str]:
    """``{"YYYY-MM-DD": digest}`` for each day partition of ``table`` on or after ``since``.

    Only the partitions in range are listed, so the cost follows the look-back, not the lake's age.
    """
    fingerprints = {}
    for day, _ in storage.partitions(table):
        if day < since:
            continue
        names = sorted(path.name for path in storage.files(table, day))
        if names:
            fingerprints[day.isoformat()] = hashlib.sha256("\n".join(names).encode()).hexdigest()[:16]
    return fingerprints
