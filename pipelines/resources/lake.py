"""The lake and its DuckDB views as a Dagster resource."""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg

from pipelines.settings import Paths, lake_store
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse


class LakeResource(dg.ConfigurableResource):
    """Where the Parquet lake and the DuckDB catalog live (``ALIGNWATCH_HOME``)."""

    home: str
    lake_url: str = ""  # s3://bucket/prefix: read the lake from object storage (AWS_* from the environment)

    @property
    def paths(self) -> Paths:
        return Paths(Path(self.home).resolve())

    @property
    def layout(self) -> LakeLayout:
        return LakeLayout(self.paths.lake)

    @property
    def warehouse(self) -> Warehouse:
        store = lake_store({**os.environ, "ALIGNWATCH_LAKE_URL": self.lake_url}) if self.lake_url else None
        return Warehouse(self.layout, store=store)

    def refresh_catalog(self) -> Path | None:
        """Rewrite the DuckDB catalog file for external readers (atomic rename, never blocks them).

        Skipped for a lake on object storage: a catalog file cannot hold views over it.
        """
        if self.lake_url:
            return None
        return self.warehouse.write_catalog(self.paths.catalog)
