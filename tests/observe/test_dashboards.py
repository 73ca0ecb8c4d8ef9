"""Generated dashboards: never stale, stable uids, every panel backed by a PromQL query."""

from __future__ import annotations

import json
import re

import pytest

from dashboards.build import (
    DASHBOARDS,
    GENERATED_DIR,
    generate,
    iter_panels,
    panel_queries,
    render,
    stale,
    to_json,
)
from dashboards.panels import DATASOURCE_UID

EXPECTED_UIDS = {"alignwatch-overview", "alignwatch-drift", "alignwatch-ingest"}
GRAFANA_BUILTINS = {"__rate_interval", "__interval", "__range", "__range_s", "__all"}


def committed() -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(GENERATED_DIR.glob("*.json"))}


def test_committed_json_is_what_the_code_generates():
    # If this fails: run `uv run alignwatch dashboards generate` (or dashboards.build.generate()) and commit.
    assert stale() == []


def test_regenerating_twice_is_byte_identical(tmp_path):
    first = [p.read_bytes() for p in generate(tmp_path / "a")]
    second = [p.read_bytes() for p in generate(tmp_path / "b")]
    assert first == second


def test_stale_detects_edited_missing_and_extra_files(tmp_path):
    generate(tmp_path)
    (tmp_path / "alignwatch-drift.json").write_text("{}")
    (tmp_path / "alignwatch-ingest.json").unlink()
    (tmp_path / "old-dashboard.json").write_text("{}")
    assert stale(tmp_path) == ["alignwatch-drift.json", "alignwatch-ingest.json", "old-dashboard.json"]


def test_uids_are_stable_and_match_file_names():
    assert set(DASHBOARDS) == EXPECTED_UIDS
    assert {uid: doc["uid"] for uid, doc in committed().items()} == {uid: uid for uid in EXPECTED_UIDS}


@pytest.mark.parametrize("uid", sorted(EXPECTED_UIDS))
def test_every_panel_has_a_promql_target_on_the_provisioned_datasource(uid):
    document = render(uid)
    panels = [p for p in iter_panels(document) if p["type"] != "row"]
    assert len(panels) >= 5
    for panel in panels:
        targets = panel.get("targets", [])
        assert targets, f"{panel['title']} has no query"
        for target in targets:
            assert target["expr"].strip(), f"{panel['title']} has an empty query"
            assert target["datasource"] == {"type": "prometheus", "uid": DATASOURCE_UID}
        assert len({t["refId"] for t in targets}) == len(targets)
        assert panel.get("description"), f"{panel['title']} has no description"


@pytest.mark.parametrize("uid", sorted(EXPECTED_UIDS))
def test_panel_ids_are_unique_and_variables_defined(uid):
    document = render(uid)
    ids = [p["id"] for p in iter_panels(document)]
    assert len(ids) == len(set(ids))
    defined = {v["name"] for v in document.get("templating", {}).get("list", [])}
    used = {name for _, expr in panel_queries(document) for name in re.findall(r"\$(\w+)", expr)}
    assert used - defined - GRAFANA_BUILTINS == set()


def test_overview_shows_flag_rates_by_model_and_annotates_releases():
    document = render("alignwatch-overview")
    exprs = [expr for _, expr in panel_queries(document)]
    assert any("sum by (detector, model) (alignwatch_flagged_transcripts" in e for e in exprs)
    (annotation,) = document["annotations"]["list"]
    assert "count by (model) (alignwatch_scored_transcripts" in annotation["expr"]
    assert annotation["tagKeys"] == "model" and annotation["datasource"]["uid"] == DATASOURCE_UID


def test_drift_view_shows_p_and_q_values_per_segment():
    exprs = " ".join(expr for _, expr in panel_queries(render("alignwatch-drift")))
    for metric in ("alignwatch_drift_p_value", "alignwatch_drift_q_value", "alignwatch_drift_current_rate", "alignwatch_drift_reference_rate"):
        assert metric in exprs


def test_to_json_ends_with_newline_and_sorts_keys():
    text = to_json({"b": 1, "a": 2})
    assert text.endswith("}\n") and text.index('"a"') < text.index('"b"')
