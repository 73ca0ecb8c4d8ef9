"""Imports point one way: detectors and warehouse never know about Dagster or Kafka."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "detectors": {"dagster", "kafka", "duckdb", "pipelines", "warehouse", "prometheus_client", "requests", "httpx"},
    "warehouse": {"dagster", "kafka", "pipelines", "prometheus_client"},
}


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_does_not_import_forbidden_layers(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_roots(path) & FORBIDDEN[package])
        for path in (ROOT / package).rglob("*.py")
        if "training" not in path.parts  # offline training scripts may read datasets, never shipped code paths
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_only_pipelines_imports_dagster():
    users = [
        str(path.relative_to(ROOT))
        for top in ("detectors", "warehouse", "dashboards")
        for path in (ROOT / top).rglob("*.py")
        if "dagster" in imported_roots(path)
    ]
    assert users == []


def test_product_code_never_reads_shared_datasets():
    hits = [
        str(path.relative_to(ROOT))
        for top in ("detectors", "warehouse", "pipelines", "dashboards")
        for path in (ROOT / top).rglob("*.py")
        if "training" not in path.parts and "shared/datasets" in path.read_text()
    ]
    assert hits == []
