"""Time a local call of an SQLite3 task returning a DataFrame, and print one JSON line.

Usage: ``python sqlite_call.py --side flyweight|flytekit|floor --limit N --calls C --repeats R``
(the database path in ``FLYWEIGHT_BENCH_DB``).

The SDK sides call ``tracks(limit=N)`` from ``data_<side>.py`` (``call``: what the task returns,
in both SDKs a schema value whose data is read on demand), then turn that value into a pandas
DataFrame (``read``: ``.open().all()``), timed separately. The floor is what any implementation
must do: copy the database file into a temporary directory and run ``pandas.read_sql_query`` on
it, the work flytekit's executor does minus the SDK; it returns a DataFrame, so its ``read`` is 0.
Every DataFrame must have N rows. The first calls are a warm-up (lazy imports, caches).
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

WARMUP_CALLS = 5
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


def run(side: str, limit: int, calls: int, repeats: int) -> dict[str, Any]:
    if side == "floor":
        call, to_frame = floor_call(os.environ["FLYWEIGHT_BENCH_DB"]), (lambda value: value)
    else:
        module = importlib.import_module(f"data_{side}")
        call, to_frame = (lambda limit: module.tracks(limit=limit)), module.dataframe
    for _ in range(WARMUP_CALLS):
        df = to_frame(call(limit))
        if len(df) != limit:
            raise AssertionError(f"{side}: got {len(df)} rows, expected {limit}")
    times: dict[str, list[float]] = {"call": [], "read": []}
    clock = time.perf_counter
    for _ in range(repeats):
        gc.collect()
        spent_call = spent_read = 0.0
        for _ in range(calls):
            start = clock()
            value = call(limit)
            middle = clock()
            df = to_frame(value)
            spent_call += middle - start
            spent_read += clock() - middle
            if len(df) != limit:
                raise AssertionError(f"{side}: got {len(df)} rows, expected {limit}")
        times["call"].append(spent_call / calls)
        times["read"].append(spent_read / calls)
    return {"times": times, "calls": calls, "columns": list(df.columns), "rows": len(df)}


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
