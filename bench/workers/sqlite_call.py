"""Time a local call of an SQLite3 task returning a DataFrame, and print one JSON line.

Usage: ``python sqlite_call.py --side flyweight|flytekit|floor --limit N --calls C --repeats R``
(the database path in ``FLYWEIGHT_BENCH_DB``).

The SDK sides call ``tracks(limit=N)`` from ``data_<side>.py`` and turn the result into a pandas
DataFrame (``.open().all()`` for a schema output), which is what a user of the task holds at the
end. The floor is what any implementation must do: copy the database file into a temporary
directory and run ``pandas.read_sql_query`` on it, the work flytekit's executor does minus the SDK.
Every call's DataFrame must have N rows. The first calls are a warm-up (lazy imports, caches).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from typing import Any

import cases

WARMUP_CALLS = 3
QUERY = "select * from tracks limit {limit}"


def floor_call(db: str) -> Callable[[int], Any]:
    import pandas as pd

    def call(limit: int) -> Any:
        with tempfile.TemporaryDirectory() as tmp:
            local = os.path.join(tmp, os.path.basename(db))
            shutil.copyfile(db, local)
            con = sqlite3.connect(local)
            try:
                return pd.read_sql_query(QUERY.format(limit=limit), con)
            finally:
                con.close()

    return call


def sdk_call(side: str) -> Callable[[int], Any]:
    module = importlib.import_module(f"data_{side}")
    return lambda limit: module.dataframe(module.tracks(limit=limit))


def run(side: str, limit: int, calls: int, repeats: int) -> dict[str, Any]:
    call = floor_call(os.environ["FLYWEIGHT_BENCH_DB"]) if side == "floor" else sdk_call(side)
    for _ in range(WARMUP_CALLS):
        df = call(limit)
        if len(df) != limit:
            raise AssertionError(f"{side}: got {len(df)} rows, expected {limit}")
    per_call = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        for _ in range(calls):
            call(limit)
        per_call.append((time.perf_counter() - start) / calls)
    return {"times": {"call": per_call}, "calls": calls, "columns": list(df.columns), "rows": len(df)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["flyweight", "flytekit", "floor"], required=True)
    parser.add_argument("--limit", type=int, required=True)
    parser.add_argument("--calls", type=int, required=True)
    parser.add_argument("--repeats", type=int, required=True)
    args = parser.parse_args()
    result = run(args.side, args.limit, args.calls, args.repeats)
    cases.emit({"side": args.side, **result, "versions": cases.versions()})


if __name__ == "__main__":
    main()
