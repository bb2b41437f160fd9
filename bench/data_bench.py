"""The data benchmarks: an SQLite3 task returning a DataFrame, and a large DataFrame through parquet.

Both SDKs run the same SQLite3 task (``workers/data_flyweight.py``, ``workers/data_flytekit.py``):
``select * from tracks limit {{.inputs.limit}}`` over a database of ``DB_ROWS`` rows built here by
``workers/tracks_db.py``.

- **Local call.** ``tracks(limit=10000)`` turned into a DataFrame, in a fresh worker process per run
  (``workers/sqlite_call.py``), against the floor: copy the file and ``pandas.read_sql_query``.
- **Container process.** The task's template, serialized by each SDK, run as Flyte runs it
  (``flyweight-execute`` / ``pyflyte-execute``), wall time and peak RSS per process; every run's
  ``outputs.pb`` must name a parquet dataset holding ``limit`` rows. The floor imports pandas and
  pyarrow's parquet module, which any process that writes a DataFrame as parquet must do.
- **Parquet.** A 1,000,000-row DataFrame to a structured-dataset literal and back
  (``workers/sd_parquet.py``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from flyteidl.core import literals_pb2

import measure
from report import secs
from task_bench import Command, raise_error_pb, run_rounds, serialize

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work" / "data"
DB_ROWS = 20_000
LIMIT = 10_000
SD_ROWS = 1_000_000
CALLS = 20


def database() -> Path:
    """Build the benchmark database (deterministic rows) and return its path."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "tracks.db"
    subprocess.run(
        [sys.executable, str(measure.WORKERS / "tracks_db.py"), str(path), str(DB_ROWS)],
        check=True,
        env=measure.child_env(),
    )
    return path


def _env(db: Path, python: Path | None = None) -> dict[str, str]:
    env = measure.child_env()
    env["FLYWEIGHT_BENCH_DB"] = str(db)
    env["PYTHONPATH"] = str(measure.WORKERS)
    if python is not None:
        env["PATH"] = str(python.parent) + os.pathsep + env.get("PATH", "")
    return env


def sqlite_calls(args: argparse.Namespace, flytekit_python: Path, db: Path) -> dict[str, Any]:
    """Per series (flyweight, flytekit, floor), the worker results of the local-call benchmark."""

    def progress(job: measure.Job, result: dict[str, Any]) -> None:
        shown = ", ".join(secs(t) for t in result["times"]["call"])
        print(f"  {job.series:<9} per call: {shown}", flush=True)

    os.environ["FLYWEIGHT_BENCH_DB"] = str(db)  # measure.run_worker passes the driver's environment
    repeats = 3 if args.quick else 5
    calls = 5 if args.quick else CALLS
    common = ["--limit", str(LIMIT), "--calls", str(calls), "--repeats", str(repeats)]
    fw = Path(sys.executable)
    plan = [
        (measure.Job("flyweight", fw, "sqlite_call.py", ["--side", "flyweight", *common]), args.call_runs),
        (
            measure.Job("flytekit", flytekit_python, "sqlite_call.py", ["--side", "flytekit", *common]),
            args.call_runs,
        ),
        (measure.Job("floor", fw, "sqlite_call.py", ["--side", "floor", *common]), args.call_runs),
    ]
    print(f"SQLite3 local call: tracks(limit={LIMIT}) -> DataFrame, {calls} calls x {repeats}", flush=True)
    return {"runs": measure.alternate(plan, progress), "limit": LIMIT, "db_rows": DB_ROWS}


def _entrypoint(side: str, python: Path, exe: str, db: Path) -> tuple[Command, dict[str, Any]]:
    os.environ["FLYWEIGHT_BENCH_DB"] = str(db)
    inputs = literals_pb2.LiteralMap()
    inputs.literals["limit"].scalar.primitive.integer = LIMIT
    workdir = WORK / "container" / side
    argv, info = serialize(side, python, "data", workdir, inputs)
    return Command(exe, side, argv, _env(db, python), workdir), info


def _check(command: Command, run_dir: Path) -> int:
    """The number of rows in the parquet dataset the run's ``outputs.pb`` names; fails loudly."""
    import pyarrow.parquet as pq

    out = run_dir / "out"
    raise_error_pb(command, out)
    outputs = literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes())
    uri = outputs.literals["results"].scalar.structured_dataset.uri
    if not uri:
        raise RuntimeError(f"{command.label}: outputs.pb has no structured dataset: {outputs}")
    rows = pq.read_table(uri.removeprefix("file://")).num_rows
    if rows != LIMIT:
        raise RuntimeError(f"{command.label}: the output dataset has {rows} rows, expected {LIMIT}")
    return rows


def sqlite_container(args: argparse.Namespace, flytekit_python: Path, db: Path) -> dict[str, Any]:
    """Wall time and peak RSS of each entrypoint running the SQLite3 task, and of the import floor."""
    shutil.rmtree(WORK / "container", ignore_errors=True)
    fw_python = Path(sys.executable)
    fw, fw_info = _entrypoint("flyweight", fw_python, "flyweight-execute", db)
    fk, fk_info = _entrypoint("flytekit", flytekit_python, "pyflyte-execute", db)
    floor_code = "import pandas, pyarrow.parquet"
    floor = Command(f'python -c "{floor_code}"', "floor", [str(fw_python), "-c", floor_code], _env(db))
    commands = [fw, fk, floor]
    runs = 3 if args.quick else max(5, args.container_runs // 2)
    print(f"SQLite3 container process: limit={LIMIT}, {runs} runs of each command", flush=True)
    return {
        "commands": [{"label": c.label, "side": c.side} for c in commands],
        **run_rounds(commands, runs, _check, WORK),
        "templates": {"flyweight": fw_info, "flytekit": fk_info},
        "limit": LIMIT,
    }


def sd_parquet(args: argparse.Namespace, flytekit_python: Path) -> dict[str, Any]:
    """Per side, the worker results of the 1,000,000-row parquet round trip."""

    def progress(job: measure.Job, result: dict[str, Any]) -> None:
        t = result["times"]
        print(f"  {job.series:<9} write {secs(min(t['write']))}, read {secs(min(t['read']))}", flush=True)

    rows = SD_ROWS // 10 if args.quick else SD_ROWS
    repeats = 2 if args.quick else 3
    common = ["--rows", str(rows), "--repeats", str(repeats)]
    plan = [
        (
            measure.Job("flyweight", Path(sys.executable), "sd_parquet.py", ["--side", "flyweight", *common]),
            args.call_runs,
        ),
        (
            measure.Job("flytekit", flytekit_python, "sd_parquet.py", ["--side", "flytekit", *common]),
            args.call_runs,
        ),
    ]
    print(f"StructuredDataset parquet: {rows:,} rows, {repeats} repeats per process", flush=True)
    return {"runs": measure.alternate(plan, progress), "rows": rows}


def run_all(args: argparse.Namespace, flytekit_python: Path) -> dict[str, Any]:
    """Every data benchmark; the raw results for ``report.py``."""
    db = database()
    return {
        "sqlite_call": sqlite_calls(args, flytekit_python, db),
        "sqlite_container": sqlite_container(args, flytekit_python, db),
        "parquet": sd_parquet(args, flytekit_python),
    }
