"""The lake on S3-compatible object storage: same layout as on disk, under ``s3://bucket/prefix``.

Writes go through pyarrow's S3 filesystem straight to the final key: an S3 PUT (or a completed
multipart upload) is atomic per object, so readers see a file whole or not at all and no temp name
or rename is needed. Reads register pyarrow datasets in DuckDB, because DuckDB's ``httpfs``
extension is downloaded at run time from a host this deployment cannot assume is reachable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from warehouse.layout import LakeLayout, Table
from warehouse.storage import data_files
from warehouse.writer import ROW_GROUP_ROWS


@dataclass(frozen=True)
class S3Config:
    """How to reach the object store; the secret never appears in a repr."""

    endpoint_url: str | None = None
    access_key_id: str | None = None
    secret_access_key: str | None = field(default=None, repr=False)
    region: str | None = None

    def filesystem(self) -> pafs.S3FileSystem:
        options: dict = {"region": self.region or "us-east-1"}
        if self.endpoint_url:
            parsed = urlparse(self.endpoint_url)
            options["endpoint_override"] = parsed.netloc or parsed.path
            options["scheme"] = parsed.scheme or "https"
        if self.access_key_id and self.secret_access_key:
            options["access_key"] = self.access_key_id
            options["secret_key"] = self.secret_access_key
        return pafs.S3FileSystem(**options)


@dataclass(frozen=True)
class ObjectStoreLake:
    """A lake at ``s3://bucket/prefix``; paths are the on-disk layout's, relative to the prefix."""

    url: str
    config: S3Config = S3Config()

    def __post_init__(self) -> None:
        parsed = urlparse(self.url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError("a lake URL looks like s3://bucket/prefix")

    @property
    def base(self) -> str:
        """``bucket/prefix`` without slashes at the ends: pyarrow's S3 paths have no scheme."""
        parsed = urlparse(self.url)
        return f"{parsed.netloc}/{parsed.path.strip('/')}".rstrip("/")

    @property
    def layout(self) -> LakeLayout:
        """The on-disk layout rooted at the bucket path (pure: used only to build keys)."""
        return LakeLayout(PurePosixPath(self.base))  # type: ignore[arg-type]

    def filesystem(self) -> pafs.S3FileSystem:
        return self.config.filesystem()

    def write_table(self, table: pa.Table, key: str) -> str:
        """PUT one Parquet object at its final key; returns ``s3://`` URL of the object."""
        pq.write_table(
            table, key, filesystem=self.filesystem(), row_group_size=ROW_GROUP_ROWS, compression="zstd"
        )
        return f"s3://{key}"

    def files(self, table: Table) -> list[str]:
        """The table's data files as ``bucket/prefix/...`` paths (the listing every storage uses)."""
        return data_files(self.filesystem(), f"{self.base}/{table.value}")

    def dataset(self, table: Table, schema: pa.Schema) -> ds.Dataset:
        """The table's files as one dataset with a ``dt`` column from the Hive partition names."""
        partitioning = ds.partitioning(pa.schema([pa.field("dt", pa.string())]), flavor="hive")
        full = pa.schema([*schema, pa.field("dt", pa.string())])
        return ds.dataset(
            self.files(table),
            filesystem=self.filesystem(),
            format="parquet",
            partitioning=partitioning,
            partition_base_dir=f"{self.base}/{table.value}",
            schema=full,
        )
