"""Benchmark flyweight against flytekit 1.16.14 in one run and write ``bench/RESULTS.md``.

Usage: ``make bench`` (that is, ``.venv/bin/python bench/run.py``); ``--help`` lists the knobs.

flyweight runs under this interpreter; flytekit under ``bench/.venv-flytekit``, created here on
first use, so neither SDK's imports or dependencies touch the other's numbers. Every measurement
is a fresh subprocess and the sides alternate; see ``bench/README.md`` for what is measured.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import control_bench
import data_bench
import decks_bench
import flytekit_venv
import install_bench
import measure
import sqlalchemy_bench
import task_bench
import workflow_bench
from report import Report, secs
from workers.cases import SIZES

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
FLOOR_CASES = {"list_int", "dict_str_float"}
PHASES = ("imports", "convert", "tasks", "data", "sqlalchemy", "workflows", "control", "decks", "install")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "flyweight vs flytekit: cold import, conversions, plugin tasks, the entrypoint, data, "
            "SQLAlchemy on PostgreSQL, workflows, control flow, decks and install size"
        )
    )
    parser.add_argument("--repeat", type=int, default=5, help="flyweight and floor runs per case (5)")
    parser.add_argument(
        "--flytekit-repeat", type=int, default=3, help="flytekit runs per case (3; ~40 s each for list_int)"
    )
    parser.add_argument("--import-runs", type=int, default=15, help="runs of each cold-import command (15)")
    parser.add_argument(
        "--call-runs", type=int, help="local-call worker processes per side (3; 1 with --quick)"
    )
    parser.add_argument(
        "--container-runs", type=int, help="runs of each container-process command (15; 3 with --quick)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="sizes / 10 and fewer repeats: a smoke run, not comparable"
    )
    parser.add_argument(
        "--case", action="append", choices=sorted(SIZES), help="only this case (repeatable; default all)"
    )
    parser.add_argument(
        "--phase", action="append", choices=PHASES, help="only this phase (repeatable; default all)"
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=BENCH / "RESULTS.md",
        help="where to write the report (bench/RESULTS.md)",
    )
    args = parser.parse_args(argv)
    if args.call_runs is None:
        args.call_runs = 1 if args.quick else 3
    if args.container_runs is None:
        args.container_runs = 3 if args.quick else 15
    counts = (args.repeat, args.flytekit_repeat, args.import_runs, args.call_runs, args.container_runs)
    if min(counts) < 1:
        parser.error("every run count must be at least 1")
    return args


def import_probes(flytekit_python: Path) -> list[measure.ImportProbe]:
    """The cold-start commands; labels are the keys ``report.py`` looks up."""
    fw = Path(sys.executable)
    return [
        measure.ImportProbe("bare flyweight", "flyweight", fw, "pass"),
        measure.ImportProbe("bare flytekit", "flytekit", flytekit_python, "pass"),
        measure.ImportProbe("import flyweight", "flyweight", fw, "import flyweight"),
        measure.ImportProbe("TypeEngine", "flyweight", fw, "from flyweight.types import TypeEngine"),
        measure.ImportProbe("import flytekit", "flytekit", flytekit_python, "import flytekit"),
    ]


def conversions(args: argparse.Namespace, flytekit_python: Path) -> dict[str, Any]:
    """Per case, the worker results of flyweight, flytekit and (where defined) the floors."""

    def progress(job: measure.Job, result: dict[str, Any]) -> None:
        t = result["times"]
        shown = ", ".join(f"{step} {secs(t[step])}" for step in t)
        print(f"  {job.series:<9} {shown}", flush=True)

    out: dict[str, Any] = {}
    for case in args.case or list(SIZES):
        n = SIZES[case] // 10 if args.quick else SIZES[case]
        print(f"{case}, n={n:,}", flush=True)
        common = ["--case", case, "--n", str(n)]
        fw = Path(sys.executable)
        plan = [
            (measure.Job("flyweight", fw, "convert.py", ["--side", "flyweight", *common]), args.repeat),
            (
                measure.Job("flytekit", flytekit_python, "convert.py", ["--side", "flytekit", *common]),
                args.flytekit_repeat,
            ),
        ]
        if case in FLOOR_CASES:
            plan.append((measure.Job("floor", fw, "floor.py", common), args.repeat))
        out[case] = measure.alternate(plan, progress)
    return out


def machine(argv: list[str]) -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "command": "make bench" if not argv else " ".join([".venv/bin/python bench/run.py", *argv]),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "platform": platform.platform(terse=True),
    }


def versions(results: dict[str, Any]) -> dict[str, Any]:
    """Each side's interpreter and package versions, as reported by its first worker run."""
    if "convert" in results:
        first = next(iter(results["convert"].values()))
        return {side: first[side][0]["versions"] for side in ("flyweight", "flytekit")}
    if "tasks" in results:
        return {side: results["tasks"]["call"][side][0]["versions"] for side in ("flyweight", "flytekit")}
    if "data" in results:
        runs = results["data"]["sqlite_call"]["runs"]
        return {side: runs[side][0]["versions"] for side in ("flyweight", "flytekit")}
    if "container" in results.get("sqlalchemy", {}):
        templates = results["sqlalchemy"]["container"]["templates"]
        return {side: templates[side]["versions"] for side in ("flyweight", "flytekit")}
    if "workflows" in results:
        runs = results["workflows"]["runs"]
        return {side: runs[side][0]["versions"] for side in ("flyweight", "flytekit")}
    if "decks" in results:
        runs = results["decks"]["call"]
        return {side: runs[side][0]["versions"] for side in ("flyweight", "flytekit")}
    return {
        side: measure.run_worker(python, "cases.py", [])
        for side, python in (("flyweight", Path(sys.executable)), ("flytekit", flytekit_venv.python()))
    }


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    phases = args.phase or list(PHASES)
    started = time.perf_counter()
    flytekit_python = flytekit_venv.ensure()

    results: dict[str, Any] = {}
    if "imports" in phases:
        print(f"cold import, {args.import_runs} runs of each command", flush=True)
        probes = import_probes(flytekit_python)
        results["imports"] = {
            "probes": [{"label": p.label, "side": p.side, "code": p.code} for p in probes],
            "times": measure.cold_imports(probes, args.import_runs),
        }
    if "convert" in phases:
        results["convert"] = conversions(args, flytekit_python)
    if "tasks" in phases:
        results["tasks"] = {
            **task_bench.local_calls(args, flytekit_python),  # "call" (add_one), "stats_call"
            "container": task_bench.container(args, flytekit_python),
        }
    if "data" in phases:
        results["data"] = data_bench.run_all(args, flytekit_python)
    if "sqlalchemy" in phases:
        results["sqlalchemy"] = sqlalchemy_bench.run_all(args, flytekit_python)
    if "workflows" in phases:
        results["workflows"] = {
            "function_call": workflow_bench.function_calls(args, flytekit_python),
            **workflow_bench.chains(args, flytekit_python),
            "wide": workflow_bench.wide(args, flytekit_python),
        }

    if "control" in phases:
        results["control"] = control_bench.run_all(args, flytekit_python)
    if "decks" in phases:
        results["decks"] = decks_bench.run_all(args, flytekit_python)
    if "install" in phases:
        print("install size: bare venv, flyweight, flyweight[pandas], flytekit", flush=True)
        results["install"] = install_bench.run_all()

    runs = []
    if "imports" in phases:
        runs.append(f"cold import {args.import_runs} per command")
    if "convert" in phases:
        per_case = f"{args.repeat} flyweight, {args.flytekit_repeat} flytekit, {args.repeat} floor"
        runs.append(f"conversions {per_case} per case")
    if "tasks" in phases:
        runs.append(
            f"local call {args.call_runs} processes per side and task (add_one, stats); "
            f"container {args.container_runs} per command"
        )
    if "data" in phases:
        runs.append(
            f"data: SQLite3 call {args.call_runs} processes per series, parquet {args.call_runs} per side"
        )
    if "sqlalchemy" in phases:
        if "skipped" in results["sqlalchemy"]:
            runs.append(f"SQLAlchemy on PostgreSQL: skipped, {results['sqlalchemy']['skipped']}")
        else:
            pg_runs = len(results["sqlalchemy"]["container"]["times"]["flyweight-execute"])
            runs.append(f"SQLAlchemy on PostgreSQL: container {pg_runs} per command")
    if "workflows" in phases:
        runs.append(
            f"workflows: function call and chains {args.call_runs} processes per side; wide workflow "
            f"{args.call_runs} processes per side in-process, 1 per subprocess series"
        )
    if "install" in phases:
        runs.append("install size: one fresh environment per SDK")
    if "control" in phases:
        runs.append(f"control flow: {args.call_runs} processes per side and construct; plugin map 1 process")
    if "decks" in phases:
        runs.append(decks_bench.summary(results["decks"]))
    results = {
        "meta": {
            **machine(argv),
            "duration_s": time.perf_counter() - started,
            "quick": args.quick,
            "runs": "; ".join(runs),
            "versions": versions(results),
        },
        **results,
    }
    raw = BENCH / ".work" / "last-run.json"
    raw.parent.mkdir(exist_ok=True)
    raw.write_text(json.dumps(results, indent=1))

    text = Report(results).markdown()
    args.results.write_text(text)
    print()
    print(text)
    shown = args.results.resolve()
    print(f"wrote {shown.relative_to(REPO) if shown.is_relative_to(REPO) else shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
