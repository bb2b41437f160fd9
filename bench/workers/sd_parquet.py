"""Time a large pandas DataFrame to and from parquet through a structured dataset; print one JSON line.

Usage: ``python sd_parquet.py --side flyweight|flytekit --rows N --repeats R``

Each SDK's ``TypeEngine`` converts the same deterministic DataFrame (an int64, a float64 and a
string column) to a structured-dataset literal, which writes parquet under a local raw output
prefix, and then reads that literal back into a DataFrame. Both steps are timed separately, with a
``gc.collect()`` before each; every read must give back the frame that was written. A small frame
is converted first so lazy imports and caches are not counted.
"""

from __future__ import annotations

import argparse
import gc
import tempfile
import time
from typing import Any

import cases


def frame(n: int) -> Any:
    import numpy as np
    import pandas as pd

    i = np.arange(n, dtype=np.int64)
    return pd.DataFrame({"id": i, "score": i * 0.5 + 0.25, "label": [f"item-{k % 1000}" for k in range(n)]})


def converters(side: str, prefix: str) -> tuple[Any, Any]:
    import pandas as pd

    if side == "flyweight":
        from flyweight.extend import FileAccessProvider, FlyteContext, FlyteContextManager
        from flyweight.types import TypeEngine

        outer = FlyteContextManager.current_context()
        ctx = FlyteContext(FileAccessProvider(raw_output_prefix=prefix), outer.execution_state)
        FlyteContextManager.push(ctx)
    else:
        from flytekit.core.context_manager import FlyteContextManager
        from flytekit.core.data_persistence import FileAccessProvider
        from flytekit.core.type_engine import TypeEngine

        ctx = FlyteContextManager.current_context()
        fa = FileAccessProvider(local_sandbox_dir=tempfile.mkdtemp(), raw_output_prefix=prefix)
        ctx = ctx.with_file_access(fa).build()
        FlyteContextManager.push_context(ctx)
    lt = TypeEngine.to_literal_type(pd.DataFrame)

    def write(df: Any) -> Any:
        return TypeEngine.to_literal(ctx, df, pd.DataFrame, lt)

    def read(lit: Any) -> Any:
        return TypeEngine.to_python_value(ctx, lit, pd.DataFrame)

    return write, read


def run(side: str, rows: int, repeats: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as prefix:
        write, read = converters(side, prefix)
        small = frame(10)
        if not read(write(small)).equals(small):
            raise AssertionError(f"{side}: a 10-row frame did not round-trip")
        df = frame(rows)
        times: dict[str, list[float]] = {"write": [], "read": []}
        for _ in range(repeats):
            gc.collect()
            start = time.perf_counter()
            lit = write(df)
            times["write"].append(time.perf_counter() - start)
            gc.collect()
            start = time.perf_counter()
            back = read(lit)
            times["read"].append(time.perf_counter() - start)
            if not back.equals(df):
                raise AssertionError(f"{side}: the {rows:,}-row frame read back differs from the one written")
            del back, lit
    return {"times": times, "rows": rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["flyweight", "flytekit"], required=True)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--repeats", type=int, required=True)
    args = parser.parse_args()
    result = run(args.side, args.rows, args.repeats)
    cases.emit({"side": args.side, **result, "versions": cases.versions()})


if __name__ == "__main__":
    main()
