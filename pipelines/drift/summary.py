"""What a drift run found, as findings a person reads: which rate shifted, where, after which model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from pipelines.drift.features import PROMPT_FEATURE
from pipelines.drift.run import DriftOptions, DriftRun, compute_drift, write_drift
from warehouse.drift.attribution import ALL_MODELS
from warehouse.drift.windows import WindowKind, last_complete_window
from warehouse.query import Warehouse


@dataclass(frozen=True)
class DriftFinding:
    """A detector's flag rate that rose in a segment, with its statistics and attribution."""

    window: str
    window_start: datetime
    window_end: datetime
    reference_start: datetime
    reference_end: datetime
    deployment: str
    policy_id: str
    detector: str
    detector_version: str
    reference_rate: float
    current_rate: float
    reference_n: int
    current_n: int
    diff: float
    diff_lower: float
    diff_upper: float
    z: float
    method: str
    p_value: float
    q_value: float
    model: str  # the model version the shift follows, or "all"
    attribution: str
    model_first_seen: datetime | None
    model_rate: float | None
    change_point_at: datetime | None
    co_flagged_with: str | None
    co_flag_share: float | None
    prompt_drift_score: float | None  # user-prompt topic drift of the segment (domain-classifier AUC)
    prompt_drift: bool | None  # None when not measured
    report_html: Path | None

    @property
    def segment(self) -> str:
        return f"{self.deployment}/{self.policy_id}"

    def describe(self) -> str:
        """One line: what shifted, where, by how much, after which model version."""
        text = (
            f"{self.segment}: {self.detector} flag rate {self.reference_rate:.1%} -> {self.current_rate:.1%} "
            f"({self.diff * 100:+.1f} pts, 95% CI {self.diff_lower * 100:+.1f}..{self.diff_upper * 100:+.1f}; "
            f"{_test(self.method, self.z)}, p={self.p_value:.1e}, q={self.q_value:.1e})"
        )
        if self.model != ALL_MODELS:
            text += f" after model {self.model}"
            if self.model_first_seen is not None:
                text += f" (first seen {self.model_first_seen:%Y-%m-%d %H:%M}"
                if self.change_point_at is not None:
                    text += f", rate changed at {self.change_point_at:%Y-%m-%d %H:%M}"
                text += ")"
        else:
            text += "; no model version change explains it"
        if self.prompt_drift is not None:
            text += "; user prompts shifted too" if self.prompt_drift else "; user prompts stable"
        return text


def findings_from_rows(rows: pl.DataFrame, lake_root: Path | None = None) -> list[DriftFinding]:
    """The reported rate shifts of ``drift_reports`` rows (one window), strongest first."""
    if rows.is_empty():
        return []
    prompts = {
        (r["deployment"], r["policy_id"]): r
        for r in rows.filter((pl.col("kind") == "feature") & (pl.col("subject") == PROMPT_FEATURE)).iter_rows(named=True)
    }
    shifted = rows.filter((pl.col("kind") == "rate") & pl.col("detected")).sort("statistic", descending=True)
    findings = []
    for r in shifted.iter_rows(named=True):
        prompt = prompts.get((r["deployment"], r["policy_id"]))
        measured = prompt is not None and prompt["statistic"] is not None
        findings.append(
            DriftFinding(
                window=r["window_kind"], window_start=r["window_start"], window_end=r["window_end"],
                reference_start=r["reference_start"], reference_end=r["reference_end"],
                deployment=r["deployment"], policy_id=r["policy_id"], detector=r["subject"],
                detector_version=r["detector_version"], reference_rate=r["reference_rate"],
                current_rate=r["current_rate"], reference_n=r["reference_n"], current_n=r["current_n"],
                diff=r["diff"], diff_lower=r["diff_lower"], diff_upper=r["diff_upper"], z=r["statistic"],
                method=r["method"], p_value=r["p_value"], q_value=r["q_value"], model=r["model"],
                attribution=r["attribution"], model_first_seen=r["model_first_seen"], model_rate=r["model_rate"],
                change_point_at=r["change_point_at"], co_flagged_with=r["co_flagged_with"],
                co_flag_share=r["co_flag_share"],
                prompt_drift_score=prompt["statistic"] if measured else None,
                prompt_drift=bool(prompt["detected"]) if measured else None,
                report_html=(lake_root / r["report_html"]) if lake_root and r["report_html"] else None,
            )
        )
    return findings


@dataclass(frozen=True)
class DriftSummary:
    run: DriftRun
    findings: list[DriftFinding]


def drift_summary(
    warehouse: Warehouse,
    now: datetime,
    window: WindowKind | str = WindowKind.DAILY,
    options: DriftOptions | None = None,
    write: bool = True,
) -> DriftSummary:
    """Run drift for the last complete window before ``now``: the run and its findings.

    With ``write`` the rows go to ``drift_reports`` (replacing an earlier run of the same window);
    Evidently's HTML reports are written into the lake either way.
    """
    kind = WindowKind(window)
    run = compute_drift(warehouse, kind, last_complete_window(kind, now), now, options or DriftOptions())
    if write:
        write_drift(warehouse, run)
    # Findings link reports as local files; on an object store the report URLs are in run.html_files.
    lake_root = warehouse.layout.root if warehouse.store is None else None
    return DriftSummary(run, findings_from_rows(run.rows, lake_root))


def summarize_drift(
    warehouse: Warehouse,
    now: datetime,
    window: WindowKind | str = WindowKind.DAILY,
    options: DriftOptions | None = None,
    write: bool = True,
) -> list[DriftFinding]:
    """The rate shifts of the last complete window before ``now``, strongest first (see ``drift_summary``)."""
    return drift_summary(warehouse, now, window, options, write).findings


def print_drift_summary(
    console: Console, warehouse: Warehouse, now: datetime, window: WindowKind | str = WindowKind.DAILY
) -> list[DriftFinding]:
    """Run, store and print the drift of the last complete window before ``now`` (the demo's step)."""
    summary = drift_summary(warehouse, now, window)
    render_drift(console, summary)
    return summary.findings


def render_drift(console: Console, summary: DriftSummary) -> None:
    """Print the shifted rates, the segments without a shift, and drifted features."""
    run, findings = summary.run, summary.findings
    title = (
        f"Detector rates that rose: {run.kind.value} window {run.window.start:%Y-%m-%d %H:%M} -> "
        f"{run.window.end:%Y-%m-%d %H:%M} UTC vs reference {run.reference.start:%Y-%m-%d %H:%M} -> "
        f"{run.reference.end:%Y-%m-%d %H:%M}"
    )
    if findings:
        table = Table(title=title, show_lines=False)
        for column in ("segment", "detector", "reference", "current", "change (95% CI)", "test", "q", "follows model", "user prompts"):
            table.add_column(column, overflow="fold")
        for f in findings:
            follows = f.model if f.model != ALL_MODELS else "- (no version change)"
            if f.model != ALL_MODELS and f.model_first_seen is not None:
                follows += f"\nfirst seen {f.model_first_seen:%m-%d %H:%M}"
            if f.change_point_at is not None:
                follows += f"\nshift at {f.change_point_at:%m-%d %H:%M}"
            if f.co_flagged_with and f.co_flag_share:
                follows += f"\n{f.co_flag_share:.0%} of flags also {f.co_flagged_with}"
            prompts = "-" if f.prompt_drift is None else ("shifted" if f.prompt_drift else "stable")
            if f.prompt_drift_score is not None:
                prompts += f" (AUC {f.prompt_drift_score:.2f})"
            table.add_row(
                f.segment, f.detector,
                f"{f.reference_rate:.1%} (n={f.reference_n})", f"{f.current_rate:.1%} (n={f.current_n})",
                f"{f.diff * 100:+.1f} pts ({f.diff_lower * 100:+.1f}..{f.diff_upper * 100:+.1f})",
                _test(f.method, f.z), f"{f.q_value:.1e}", follows, prompts,
            )
        console.print(table)
    else:
        console.print(f"[green]No detector rate rose significantly[/green] ({title}).")
    rates = run.rates
    tested = rates.filter(pl.col("tested")).group_by("deployment", "policy_id").len()
    quiet = tested.join(rates.filter(pl.col("detected")).select("deployment", "policy_id").unique(), on=["deployment", "policy_id"], how="anti")
    for row in quiet.sort("deployment").iter_rows(named=True):
        console.print(f"  no shift: {row['deployment']}/{row['policy_id']} ({row['len']} detector rates tested)")
    drifted = run.rows.filter((pl.col("kind") == "feature") & pl.col("detected"))
    for row in drifted.iter_rows(named=True):
        console.print(
            f"  feature drift: {row['deployment']}/{row['policy_id']} {row['subject']} "
            f"{row['method']}={row['statistic']:.3f} (threshold {row['threshold']:.3f})"
        )
    reports = sorted({str(p) for p in run.html_files})
    if reports:
        console.print(f"  Evidently reports: {reports[0].rsplit('/', 1)[0]}/ ({len(reports)} segments)")


def _test(method: str, z: float) -> str:
    return f"z={z:.1f}" if method == "z" else f"Fisher exact (z={z:.1f})"


def render_rates(rates: pl.DataFrame) -> Table:
    """Every rate tested in a run, one line per segment and detector."""
    table = Table(title="all detector rates", show_lines=False)
    for column in ("segment", "detector", "reference", "current", "change (95% CI)", "test", "p", "q", "shift"):
        table.add_column(column, overflow="fold")
    for r in rates.sort("deployment", "policy_id", "subject").iter_rows(named=True):
        table.add_row(
            f"{r['deployment']}/{r['policy_id']}", r["subject"],
            f"{r['reference_rate']:.1%} ({r['reference_flagged']}/{r['reference_n']})",
            f"{r['current_rate']:.1%} ({r['current_flagged']}/{r['current_n']})",
            f"{r['diff'] * 100:+.1f} pts ({r['diff_lower'] * 100:+.1f}..{r['diff_upper'] * 100:+.1f})",
            _test(r["method"], r["statistic"]) if r["tested"] else "not tested (too little data)",
            "" if r["p_value"] is None or r["p_value"] != r["p_value"] else f"{r['p_value']:.1e}",
            "" if r["q_value"] is None or r["q_value"] != r["q_value"] else f"{r['q_value']:.1e}",
            f"yes, after {r['model']}" if r["detected"] else "",
        )
    return table
