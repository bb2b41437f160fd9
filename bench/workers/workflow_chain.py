"""Compile and run workflows of N chained trivial function tasks with one SDK; print one JSON line.

Usage: ``python workflow_chain.py --side flyweight|flytekit --sizes 100,1000,10000 --repeats R``

For each size, a workflow whose body calls ``inc(x=x)`` N times is compiled (``@workflow`` on a fresh
function; flytekit compiles on first use, so the timed step also touches the nodes), then run locally
in-process, ``wf(x=0)``, which must return N. Each step is timed ``R`` times with a ``gc.collect()``
before it; a 10-node workflow is compiled and run first so lazy imports are not counted.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import time
from typing import Any

import cases


def inc(x: int) -> int:
    """The chained task: trivial, so what is measured is the SDK's cost per node."""
    return x + 1


def sdk(side: str) -> tuple[Any, Any]:
    module = importlib.import_module("flyweight" if side == "flyweight" else "flytekit")
    return module.task, module.workflow


def chain_body(step: Any, n: int) -> Any:
    def body(x: int) -> int:
        for _ in range(n):
            x = step(x=x)
        return x

    body.__name__ = body.__qualname__ = f"chain_{n}"
    return body


def compile_workflow(workflow: Any, step: Any, n: int) -> Any:
    wf = workflow(chain_body(step, n))
    if len(wf.nodes) != n:  # flytekit compiles here, on first use
        raise AssertionError(f"expected {n} nodes, got {len(wf.nodes)}")
    return wf


def run(side: str, sizes: list[int], repeats: int) -> dict[str, Any]:
    task, workflow = sdk(side)
    step = task(inc)
    warm = compile_workflow(workflow, step, 10)
    if warm(x=0) != 10:
        raise AssertionError(f"{side}: the 10-node chain returned {warm(x=0)!r}")
    times: dict[str, dict[str, list[float]]] = {}
    for n in sizes:
        compile_times, run_times = [], []
        for _ in range(repeats):
            gc.collect()
            start = time.perf_counter()
            wf = compile_workflow(workflow, step, n)
            compile_times.append(time.perf_counter() - start)
            gc.collect()
            start = time.perf_counter()
            out = wf(x=0)
            run_times.append(time.perf_counter() - start)
            if out != n:
                raise AssertionError(f"{side}: the {n}-node chain returned {out!r}, expected {n}")
        times[str(n)] = {"compile": compile_times, "run": run_times}
    return {"times": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["flyweight", "flytekit"], required=True)
    parser.add_argument("--sizes", required=True)
    parser.add_argument("--repeats", type=int, required=True)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cases.emit({"side": args.side, **run(args.side, sizes, args.repeats), "versions": cases.versions()})


if __name__ == "__main__":
    main()
