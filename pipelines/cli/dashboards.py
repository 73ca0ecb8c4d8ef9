"""``alignwatch dashboards``: build the Grafana dashboards from code and publish them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

dashboards_app = typer.Typer(
    help="Grafana dashboards as code (dashboards/*.py -> dashboards/generated/*.json).", no_args_is_help=True
)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


@dashboards_app.command()
def generate(
    out: Annotated[Path | None, typer.Option(help="Folder for the JSON files (default dashboards/generated).")] = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if the files are stale.")] = False,
) -> None:
    """Render every dashboard to <uid>.json; with --check, only report files that differ."""
    from dashboards.build import GENERATED_DIR, generate, stale

    folder = out or GENERATED_DIR
    if check:
        differing = stale(folder)
        for name in differing:
            err.print(f"[yellow]stale:[/yellow] {folder / name}")
        if differing:
            err.print("run `alignwatch dashboards generate` and commit the result")
            raise typer.Exit(1)
        console.print(f"dashboards in {folder} are up to date")
        return
    for path in generate(folder):
        console.print(f"wrote {path}")


@dashboards_app.command()
def push(
    folder_uid: Annotated[str, typer.Option(help="Grafana folder to put the dashboards in.")] = "alignwatch",
    source: Annotated[
        Path | None, typer.Option(
            help="Publish the *.json files of this folder instead of rendering the dashboards now.",
            exists=True,
            file_okay=False,
        )
    ] = None,
) -> None:
    """Publish the dashboards to GRAFANA_URL with the token in GRAFANA_API_KEY (overwrites by uid)."""
    import json

    from grafana_client.client import GrafanaException

    from dashboards.build import DASHBOARDS, render
    from pipelines.observe.grafana import grafana_settings, publish_dashboards
    from pipelines.settings import ConfigError

    try:
        settings = grafana_settings()
    except ConfigError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if source is not None:
        documents = [json.loads(path.read_text()) for path in sorted(source.glob("*.json"))]
    else:
        documents = [render(uid) for uid in DASHBOARDS]
    try:
        published = publish_dashboards(settings, documents, folder_uid=folder_uid)
    except (GrafanaException, OSError) as exc:
        # The client's messages carry the status and Grafana's answer, never the request headers.
        err.print(f"[red]error:[/red] publishing to {settings.url} failed: {type(exc).__name__}: {exc}")
        raise typer.Exit(1) from None
    for item in published:
        console.print(f"{item.uid}: version {item.version} -> {settings.url}{item.url or ''}")
