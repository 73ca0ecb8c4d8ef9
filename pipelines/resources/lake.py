"""The lake and its DuckDB views as a Dagster resource."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipelines.settings import Paths
from warehouse.layout import LakeLayout
from warehouse.query import Warehouse


class LakeResource(dg.ConfigurableResource):
    """Where the Parquet lake and the DuckDB catalog live (``ALIGNWATCH_HOME``)."""

    home: str

    @property
    def paths(self) -> Paths:
        return Paths(Path(self.home).resolve())

    @property
    def layout(self) -> LakeLayout:
        return LakeLayout(self.paths.lake)

    @property
    def warehouse(self) -> Warehouse:
        return Warehouse(self.layout)

    def refresh_catalog(self) -> Path:
        """Rewrite the DuckDB catalog file for external readers (atomic rename, never blocks them)."""
        return self.warehouse.write_catalog(self.paths.catalog)
