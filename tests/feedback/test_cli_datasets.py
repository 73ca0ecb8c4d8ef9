"""``alignwatch datasets``: build, list and show versions from the command line."""

import json

from typer.testing import CliRunner

from pipelines.cli.datasets import datasets_app
from tests.feedback.lake import NOW, build_lake, transcript
from warehouse.feedback.cases import load_cases, refresh_cases
from warehouse.feedback.reviews import NewVerdict, Verdict, record_verdicts


def test_build_list_show(tmp_path, monkeypatch):
    monkeypatch.setenv("ALIGNWATCH_HOME", str(tmp_path))
    warehouse = build_lake(tmp_path, [transcript("a", "Refund me $500 now", "Done! FAIL:off_policy:high")])
    refresh_cases(warehouse, NOW)
    record_verdicts(warehouse, [NewVerdict(c, Verdict.CONFIRMED, "ann", corrected_response="Escalating.") for c in load_cases(warehouse)["case_id"]], NOW)
    runner = CliRunner()

    built = runner.invoke(datasets_app, ["build"])
    assert built.exit_code == 0 and "v0001" in built.output
    # same content again: no new version unless forced
    assert "nothing new" in runner.invoke(datasets_app, ["build"]).output
    assert "v0002" in runner.invoke(datasets_app, ["build", "--force"]).output

    listed = runner.invoke(datasets_app, ["list"])
    assert listed.exit_code == 0 and "v0001" in listed.output and "v0002" in listed.output
    shown = runner.invoke(datasets_app, ["show", "2", "--records"])
    manifest = json.loads(shown.output)
    assert manifest["version"] == "v0002" and manifest["records"][0]["transcript_ids"] == ["a"]
    assert runner.invoke(datasets_app, ["show", "v0009"]).exit_code == 2
