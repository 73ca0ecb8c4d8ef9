"""Render the dashboards to Grafana JSON: ``dashboards/generated/<uid>.json``, committed.

The JSON is deterministic (sorted keys, panel ids numbered in order, query refIds A, B, ...), so
regenerating without a code change reproduces the committed files byte for byte; a test enforces it.
``alignwatch dashboards generate`` writes them; ``alignwatch dashboards push`` publishes them.
"""

from __future__ import annotations

import json
import string
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from grafana_foundation_sdk.builders.dashboard import Dashboard
from grafana_foundation_sdk.cog.encoder import JSONEncoder

from dashboards import drift, ingest, overview

GENERATED_DIR = Path(__file__).resolve().parent / "generated"

DASHBOARDS: dict[str, Callable[[], Dashboard]] = {
    overview.UID: overview.dashboard,
    drift.UID: drift.dashboard,
    ingest.UID: ingest.dashboard,
}


def render(uid: str) -> dict[str, Any]:
    """The dashboard ``uid`` as a JSON-ready dict, with stable panel ids and refIds."""
    encoded = JSONEncoder(sort_keys=True).encode(DASHBOARDS[uid]().build())
    document = json.loads(encoded)
    if document.get("uid") != uid:
        raise ValueError(f"dashboard registered as {uid!r} builds uid {document.get('uid')!r}")
    for number, panel in enumerate(iter_panels(document), start=1):
        panel["id"] = number
        for letter, target in zip(string.ascii_uppercase, panel.get("targets", []), strict=False):
            target["refId"] = letter
    return document


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def iter_panels(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every panel, rows included, in layout order (panels nested in collapsed rows too)."""
    for panel in document.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def panel_queries(document: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(panel title, PromQL) for every query target of every non-row panel."""
    for panel in iter_panels(document):
        if panel.get("type") == "row":
            continue
        for target in panel.get("targets", []):
            yield panel.get("title", ""), target.get("expr", "")


def generate(out_dir: Path = GENERATED_DIR) -> list[Path]:
    """Write every dashboard to ``out_dir/<uid>.json``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for uid in DASHBOARDS:
        path = out_dir / f"{uid}.json"
        path.write_text(to_json(render(uid)), encoding="utf-8")
        paths.append(path)
    return paths


def stale(out_dir: Path = GENERATED_DIR) -> list[str]:
    """Names of files in ``out_dir`` that differ from a fresh render, are missing, or are left over."""
    expected = {f"{uid}.json": to_json(render(uid)) for uid in DASHBOARDS}
    present = {path.name for path in out_dir.glob("*.json")} if out_dir.is_dir() else set()
    differing = [
        name
        for name, text in expected.items()
        if name not in present or (out_dir / name).read_text(encoding="utf-8") != text
    ]
    return sorted(differing + sorted(present - expected.keys()))
