"""The SQLAlchemy benchmark: a query on a real PostgreSQL server through the whole container process.

The driver starts a throwaway PostgreSQL server (``tools/postgres.py``: ``initdb`` in a temporary
directory, loopback only), loads a deterministic ``items`` table of ``ROWS`` rows with one
``insert ... select ... from generate_series(...)`` statement, and stops and removes the server at the
end, also when a run fails. Both SDKs define the same task (``workers/pg_flyweight.py``,
``workers/pg_flytekit.py``): ``SQLAlchemyTask("pg_items", "select * from items order by id limit
{{.inputs.limit}}")`` with the server's ``postgresql+psycopg`` URL in its configuration and flytekit's
default output (``FlyteSchema``).

- **Container process.** The task's template, serialized by each SDK, run as Flyte runs it
  (``flyweight-execute`` / ``pyflyte-execute``) with ``limit=LIMIT``, wall time and peak RSS per
  process; every run's ``outputs.pb`` must name a parquet dataset of ``LIMIT`` rows. The floor
  (``workers/pg_floor.py``, flyweight's interpreter) is the same query with no SDK in a fresh
  process: psycopg 3 fetches the rows, pyarrow writes them as one parquet file.

Without PostgreSQL's binaries the phase is skipped with a message, and the report says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from flyteidl.core import literals_pb2

import measure
from task_bench import Command, raise_error_pb, run_rounds, serialize

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work" / "sqlalchemy"
ROWS = 100_000
LIMIT = 100_000
SKIPPED = "PostgreSQL is not installed (python tools/postgres.py ensure)"

# Deterministic rows from the row number alone, in one statement: every run queries the same data.
CREATE_TABLE = """
create table items (
    id bigint primary key,
    name text not null,
    score double precision not null,
    amount numeric(12, 2) not null,
    created timestamp not null,
    active boolean not null
)
"""
FILL_TABLE = """
insert into items (id, name, score, amount, created, active)
select g,
       'item-' || lpad(g::text, 6, '0'),
       ((g * 7919) %% 10007) / 100.0,
       ((g * 104729) %% 1000000) / 100.0,
       timestamp '2024-01-01 00:00:00' + g * interval '37 seconds',
       g %% 3 <> 0
from generate_series(1::bigint, %s::bigint) as g
"""


def postgres() -> ModuleType:
    """``tools/postgres.py``, loaded by path (``tools`` is not a package on the driver's path)."""
    name = "flyweight_tools_postgres"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / "postgres.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def load(server: Any) -> str:
    """Create and fill the ``items`` table; returns the server's version."""
    import psycopg

    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        conn.execute(CREATE_TABLE)
        conn.execute(FILL_TABLE, (ROWS,))
        conn.execute("analyze items")
        count = conn.execute("select count(*) from items").fetchone()
        version = conn.execute("show server_version").fetchone()
    if count is None or count[0] != ROWS:
        raise RuntimeError(f"the items table has {count} rows, expected {ROWS}")
    assert version is not None
    return str(version[0]).split()[0]  # "15.18 (Debian 15.18-0+deb12u1)" -> "15.18"


def _env(python: Path | None = None) -> dict[str, str]:
    env = measure.child_env()
    env["PYTHONPATH"] = str(measure.WORKERS)
    if python is not None:
        env["PATH"] = str(python.parent) + os.pathsep + env.get("PATH", "")
    return env


def _entrypoint(side: str, python: Path, exe: str) -> tuple[Command, dict[str, Any]]:
    """Serialize ``pg_items`` with ``side``'s SDK and build the process Flyte would start for it."""
    inputs = literals_pb2.LiteralMap()
    inputs.literals["limit"].scalar.primitive.integer = LIMIT
    workdir = WORK / "container" / side
    argv, info = serialize(side, python, "pg", workdir, inputs)
    return Command(exe, side, argv, _env(python), workdir), info


def _rows(command: Command, run_dir: Path) -> int:
    """The number of rows the run wrote; fails loudly on an error, a missing or a short dataset."""
    import pyarrow.parquet as pq

    out = run_dir / "out"
    if command.side.startswith("floor"):
        path = out / "00000"
    else:
        raise_error_pb(command, out)
        outputs = literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes())
        scalar = outputs.literals["results"].scalar
        uri = scalar.structured_dataset.uri or scalar.schema.uri
        if not uri:
            raise RuntimeError(f"{command.label}: outputs.pb has no structured dataset: {outputs}")
        path = Path(uri.removeprefix("file://"))
    rows = pq.read_table(path).num_rows
    if rows != LIMIT:
        raise RuntimeError(f"{command.label}: the output dataset has {rows} rows, expected {LIMIT}")
    return rows


def container(args: argparse.Namespace, flytekit_python: Path, server: Any) -> dict[str, Any]:
    """Wall time and peak RSS of each entrypoint running ``pg_items``, and of the psycopg floor."""
    shutil.rmtree(WORK / "container", ignore_errors=True)
    os.environ["FLYWEIGHT_BENCH_PG_URI"] = server.uri()  # measure.run_worker passes the driver's env
    fw_python = Path(sys.executable)
    fw, fw_info = _entrypoint("flyweight", fw_python, "flyweight-execute")
    fk, fk_info = _entrypoint("flytekit", flytekit_python, "pyflyte-execute")
    floor_env = _env()
    floor_env["FLYWEIGHT_BENCH_PG_DSN"] = server.dsn()
    floor_dir = WORK / "container" / "floor"
    floor_dir.mkdir(parents=True)
    floor_argv = [str(fw_python), str(measure.WORKERS / "pg_floor.py"), "--limit", str(LIMIT)]
    floor = Command(
        "python pg_floor.py", "floor", [*floor_argv, "--out", "{{.outputPrefix}}"], floor_env, floor_dir
    )
    sa_env = {**floor_env, "FLYWEIGHT_BENCH_PG_URI": server.uri()}
    sa_dir = WORK / "container" / "floor-sqlalchemy"
    sa_dir.mkdir(parents=True)
    sa_argv = [*floor_argv, "--sqlalchemy", "--out", "{{.outputPrefix}}"]
    sa_floor = Command("python pg_floor.py --sqlalchemy", "floor-sqlalchemy", sa_argv, sa_env, sa_dir)
    commands = [fw, fk, floor, sa_floor]
    runs = 3 if args.quick else max(5, args.container_runs // 2)
    print(f"SQLAlchemy container process on PostgreSQL: limit={LIMIT:,}, {runs} runs of each", flush=True)
    # the untimed first runs also warm the server's cache
    measured = run_rounds(commands, runs, _rows, WORK, shown={c.label: c.side for c in commands})
    return {
        "commands": [{"label": c.label, "side": c.side} for c in commands],
        **measured,
        "templates": {"flyweight": fw_info, "flytekit": fk_info},
        "limit": LIMIT,
    }


def run_all(args: argparse.Namespace, flytekit_python: Path) -> dict[str, Any]:
    """Start the server, load the table, run the benchmark, stop the server; the raw results."""
    pg = postgres()
    if pg.binaries() is None:
        print(f"SQLAlchemy on PostgreSQL: skipped: {SKIPPED}", flush=True)
        return {"skipped": SKIPPED}
    with pg.running() as server:
        version = load(server)
        print(f"PostgreSQL {version} on port {server.port}: items table of {ROWS:,} rows", flush=True)
        return {
            "container": container(args, flytekit_python, server),
            "server_version": version,
            "rows": ROWS,
        }
