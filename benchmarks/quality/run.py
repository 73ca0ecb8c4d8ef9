"""Measure every detector on the public labeled datasets, through the production scoring path.

    uv run python -m benchmarks.quality.run [--sample N] [--detector NAME] [--markdown PATH]

Every module in ``benchmarks/quality/datasets`` is discovered; its cases are grouped by detector,
turned into lake rows by ``warehouse.records.validate_batch`` (exactly as ingest does) and scored by
``detectors.runner.run_detectors``. Prints a table per detector x dataset x slice x label source,
merges the numbers into ``detectors/quality.json`` (the regression baseline) and, with
``--markdown``, rewrites the generated block of that file.
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import shlex
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from rich.console import Console
from rich.table import Table

from benchmarks.quality import datasets as datasets_package
from benchmarks.quality.cases import Adapter, EvalCase
from benchmarks.quality.common import REPO_ROOT, shared_datasets_dir
from benchmarks.quality.metrics import Confusion
from detectors.registry import get
from detectors.runner import run_detectors
from warehouse.records import RawMessage, validate_batch

QUALITY_JSON = REPO_ROOT / "detectors" / "quality.json"
BEGIN_MARK = "<!-- quality:begin -->"
END_MARK = "<!-- quality:end -->"
_CHUNK = 2000
_SCORED_AT = datetime(2026, 11, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Outcome:
    case: EvalCase
    flagged: bool


def discover_adapters() -> list[Adapter]:
    """Every ``ADAPTERS`` entry of every module in ``benchmarks/quality/datasets``."""
    adapters: list[Adapter] = []
    for loaded in _dataset_modules():
        adapters.extend(getattr(loaded, "ADAPTERS", []))
    return adapters


def score_thresholds() -> dict[str, float]:
    """Datasets scored at an operating point other than ``flagged``: ``SCORE_THRESHOLDS`` of the modules.

    A module may declare ``SCORE_THRESHOLDS = {"dataset": 0.8}`` so that a case counts as flagged only
    at that score or above (e.g. only the high-severity findings).
    """
    thresholds: dict[str, float] = {}
    for loaded in _dataset_modules():
        thresholds.update(getattr(loaded, "SCORE_THRESHOLDS", {}))
    return thresholds


def _dataset_modules() -> list:
    return [
        importlib.import_module(f"{datasets_package.__name__}.{module.name}")
        for module in sorted(pkgutil.iter_modules(datasets_package.__path__), key=lambda m: m.name)
    ]


def collect_cases(adapters: Iterable[Adapter], root: Path, sample: int | None) -> list[EvalCase]:
    cases: list[EvalCase] = []
    for adapter in adapters:
        cases.extend(adapter.cases(root, sample))
    # Each detector's cases are scored as one stream, so ids must be unique per detector.
    counts = Counter((case.detector, case.transcript["transcript_id"]) for case in cases)
    duplicates = sorted(i for i, count in counts.items() if count > 1)[:5]
    if duplicates:
        raise ValueError(f"duplicate transcript ids across cases, e.g. {duplicates}")
    return cases


def score_cases(
    detector_name: str, cases: Sequence[EvalCase], thresholds: dict[str, float] | None = None
) -> list[Outcome]:
    """Flag every case with one detector, via validate_batch and run_detectors."""
    detector = get(detector_name)
    thresholds = thresholds or {}
    outcomes: list[Outcome] = []
    for start in range(0, len(cases), _CHUNK):
        chunk = cases[start : start + _CHUNK]
        raw = [
            RawMessage("eval", 0, offset, None, json.dumps(case.transcript).encode())
            for offset, case in enumerate(chunk, start)
        ]
        batch = validate_batch(raw, _SCORED_AT)
        if batch.dead_letters.num_rows:
            reasons = batch.dead_letters.column("reason").to_pylist()[:3]
            raise ValueError(
                f"{batch.dead_letters.num_rows} {detector_name} cases break the contract: {reasons}"
            )
        rows = run_detectors(pl.from_arrow(batch.transcripts), [detector], _SCORED_AT)
        results = {
            tid: (flag, score)
            for tid, flag, score in rows.select("transcript_id", "flagged", "score").iter_rows()
        }
        for case in chunk:
            flag, score = results[case.transcript["transcript_id"]]
            threshold = thresholds.get(case.dataset)
            outcomes.append(Outcome(case, bool(flag) if threshold is None else score >= threshold))
    return outcomes


def summarize(outcomes: Iterable[Outcome]) -> dict[str, dict]:
    """Metrics per "detector|dataset|slice|label_source", plus an ``all`` slice for multi-slice datasets."""
    groups: dict[tuple[str, str, str, str], list[tuple[bool, bool]]] = defaultdict(list)
    slices: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for outcome in outcomes:
        case = outcome.case
        groups[(case.detector, case.dataset, case.slice, case.label_source.value)].append(
            (case.label, outcome.flagged)
        )
        slices[(case.detector, case.dataset, case.label_source.value)].add(case.slice)
    for (detector, dataset, source), names in slices.items():
        # "all" pools the held-out slices only: "/train" slices were seen by a trained model.
        held_out = [name for name in names if "/train" not in name]
        if len(names) > 1 and "all" not in names and held_out:
            merged = [pair for name in held_out for pair in groups[(detector, dataset, name, source)]]
            groups[(detector, dataset, "all", source)] = merged
    return {"|".join(key): Confusion.of(pairs).as_dict() for key, pairs in sorted(groups.items())}


def _fmt(value: float | int | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


_COLUMNS = ("n", "positives", "tp", "fp", "fn", "precision", "recall", "f1", "fpr")


def print_tables(metrics: dict[str, dict], console: Console) -> None:
    by_detector: dict[str, list[tuple[list[str], dict]]] = defaultdict(list)
    for key, values in metrics.items():
        parts = key.split("|")
        by_detector[parts[0]].append((parts[1:], values))
    for detector, rows in sorted(by_detector.items()):
        table = Table(title=f"{detector}", title_justify="left")
        for column in ("dataset", "slice", "labels", *_COLUMNS):
            table.add_column(column, justify="left" if column in ("dataset", "slice", "labels") else "right")
        for (dataset, slice_name, source), values in rows:
            table.add_row(dataset, slice_name, source, *(_fmt(values[c]) for c in _COLUMNS))
        console.print(table)


def markdown_table(metrics: dict[str, dict]) -> str:
    header = "| detector | dataset | slice | labels | " + " | ".join(_COLUMNS) + " |"
    lines = [header, "|" + "---|" * (4 + len(_COLUMNS))]
    for key, values in metrics.items():
        detector, dataset, slice_name, source = key.split("|")
        cells = [detector, dataset, slice_name, source, *(_fmt(values[c]) for c in _COLUMNS)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def merge_json(path: Path, run_key: str, command: str, metrics: dict[str, dict], detectors: set[str]) -> dict:
    """Replace this run's rows for the detectors just measured; keep everything else."""
    stored = json.loads(path.read_text()) if path.exists() else {}
    runs = stored.setdefault("runs", {})
    previous = runs.get(run_key, {}).get("metrics", {})
    kept = {key: value for key, value in previous.items() if key.split("|")[0] not in detectors}
    runs[run_key] = {"command": command, "metrics": dict(sorted({**kept, **metrics}.items()))}
    stored["note"] = (
        "Generated by benchmarks/quality/run.py. metrics[key].regression_score (F1, or 1-FPR on negative-only "
        "slices) is what tests/quality/test_regression.py compares; keys are detector|dataset|slice|labels."
    )
    path.write_text(json.dumps(stored, indent=1, sort_keys=True) + "\n")
    return runs[run_key]


def rewrite_markdown(path: Path, command: str, metrics: dict[str, dict]) -> None:
    block = f"{BEGIN_MARK}\n_Generated by `{command}`; do not edit by hand._\n\n{markdown_table(metrics)}\n{END_MARK}"
    text = path.read_text() if path.exists() else ""
    if BEGIN_MARK in text and END_MARK in text:
        head, rest = text.split(BEGIN_MARK, 1)
        tail = rest.split(END_MARK, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip() + ("\n\n" if text else "") + "## Measured quality\n\n" + block + "\n"
    path.write_text(text)


def run_key_for(sample: int | None) -> str:
    return "full" if sample is None else f"sample_{sample}"


def evaluate(
    sample: int | None, detectors: Sequence[str] | None, console: Console | None = None
) -> dict[str, dict]:
    """Collect, score and summarize; returns the metrics by key."""
    root = shared_datasets_dir()
    if not root.is_dir():
        raise FileNotFoundError(f"shared datasets not found at {root} (set ALIGNWATCH_SHARED_DATASETS)")
    adapters = [a for a in discover_adapters() if not detectors or a.detector in detectors]
    by_detector: dict[str, list[EvalCase]] = defaultdict(list)
    for case in collect_cases(adapters, root, sample):
        by_detector[case.detector].append(case)
    outcomes: list[Outcome] = []
    thresholds = score_thresholds()
    for name, cases in sorted(by_detector.items()):
        started = time.perf_counter()
        outcomes.extend(score_cases(name, cases, thresholds))
        if console is not None:
            console.print(f"{name}: {len(cases)} cases scored in {time.perf_counter() - started:.2f}s")
    return summarize(outcomes)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=None, help="about N cases per adapter (deterministic)")
    parser.add_argument("--detector", action="append", default=None, help="only this detector (repeatable)")
    parser.add_argument(
        "--markdown", type=Path, default=None, help="rewrite the generated block of this file"
    )
    parser.add_argument("--json", type=Path, default=QUALITY_JSON, help="where the metrics are merged")
    parser.add_argument("--no-json", action="store_true", help="print only")
    args = parser.parse_args(argv)
    console = Console(width=160)
    command = "uv run python -m benchmarks.quality.run " + shlex.join(sys.argv[1:] if argv is None else argv)
    metrics = evaluate(args.sample, args.detector, console)
    print_tables(metrics, console)
    run = {"command": command.strip(), "metrics": metrics}
    if not args.no_json:
        measured = {key.split("|")[0] for key in metrics}
        run = merge_json(args.json, run_key_for(args.sample), command.strip(), metrics, measured)
    if args.markdown is not None:
        rewrite_markdown(args.markdown, run["command"], run["metrics"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
