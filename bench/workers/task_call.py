"""Time a task called locally in a loop, and print one JSON line.

Usage: ``python task_call.py --side flyweight|flytekit --calls N --repeats R [--kind plugin|stats|function]``

- ``--kind plugin`` (the default): ``add_one`` from ``plugins_<side>.py``, a customized-container
  task whose executor returns ``x + 1``, called as ``add_one(x=1)``. A local call runs the whole
  plugin path of the SDK (input checks, the template the executor sees, literals in and out).
- ``--kind stats``: ``stats`` from ``stats_<side>.py``, a plugin written as real plugins are (a
  config dataclass, the task class and its executor in one module), called as
  ``stats(x=1.5, xs=[1, 2, 3])``: a float and a list of ints in, a float and an int out.
- ``--kind function``: ``@task`` on :func:`add_one` below, the same ``x + 1`` as a plain Python
  function, called as ``add_one(x=1)``.

Either way what is timed is the SDK's overhead per call; the work itself costs next to nothing. The
first calls are a warm-up, each checked against the expected result (a plugin's template is
serialized once and cached, lazy imports load); then ``R`` repeats of ``N`` calls are timed, a
``gc.collect()`` before each, and each repeat reports seconds per call.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import time
from collections.abc import Callable
from typing import Any

import cases

WARMUP_CALLS = 20


def add_one(x: int) -> int:
    """The function task of ``--kind function``."""
    return x + 1


def load(side: str, kind: str) -> Any:
    if kind == "plugin":
        return importlib.import_module(f"plugins_{side}").add_one
    if kind == "stats":
        return importlib.import_module(f"stats_{side}").stats
    return importlib.import_module("flyweight" if side == "flyweight" else "flytekit").task(add_one)


def warm_up(side: str, kind: str, task: Any) -> None:
    """Call the task ``WARMUP_CALLS`` times, failing unless every call returns the expected result."""
    for _ in range(WARMUP_CALLS):
        if kind == "stats":
            # Both SDKs return a NamedTuple of the outputs in declared order: (y, total).
            got: Any = task(x=1.5, xs=[1, 2, 3])
            ok = isinstance(got, tuple) and tuple(got) == (9.0, 6)
            expected = "(9.0, 6)"
        else:
            got = task(x=1)
            ok = got == 2
            expected = "2"
        if not ok:
            call = "stats(x=1.5, xs=[1, 2, 3])" if kind == "stats" else "add_one(x=1)"
            raise AssertionError(f"{side}: {call} returned {got!r}, expected {expected}")


def timed_loop(kind: str, task: Any) -> Callable[[int], float]:
    """A function running ``n`` calls and returning seconds per call; the call is written out in the
    loop, as a user writes it (no ``**kwargs`` unpacking)."""

    def stats_loop(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            task(x=1.5, xs=[1, 2, 3])
        return (time.perf_counter() - start) / n

    def add_one_loop(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            task(x=1)
        return (time.perf_counter() - start) / n

    return stats_loop if kind == "stats" else add_one_loop


def cache_check_loop(task: Any) -> Callable[[int], float]:
    """flyweight only: ``n`` checks that a plugin task is unchanged since its local template was made
    (the snapshot of its attributes compared, ``flyweight._tasks._snapshot``), seconds per check. Each
    local call makes this check once; timed alone, it shows what seeing changes inside the objects a
    task holds costs a call."""

    def loop(n: int) -> float:
        check = task._execution_plan
        start = time.perf_counter()
        for _ in range(n):
            check()
        return (time.perf_counter() - start) / n

    return loop


def run(side: str, calls: int, repeats: int, kind: str = "plugin") -> dict[str, Any]:
    task = load(side, kind)
    warm_up(side, kind, task)
    loops = {"call": timed_loop(kind, task)}
    if side == "flyweight" and kind == "stats":
        loops["cache_check"] = cache_check_loop(task)
    times: dict[str, list[float]] = {name: [] for name in loops}
    for _ in range(repeats):
        for name, loop in loops.items():
            gc.collect()
            times[name].append(loop(calls))
    return {"times": times, "calls": calls, "kind": kind}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["flyweight", "flytekit"], required=True)
    parser.add_argument("--calls", type=int, required=True)
    parser.add_argument("--repeats", type=int, required=True)
    parser.add_argument("--kind", choices=["plugin", "stats", "function"], default="plugin")
    args = parser.parse_args()
    result = run(args.side, args.calls, args.repeats, args.kind)
    cases.emit({"side": args.side, **result, "versions": cases.versions()})


if __name__ == "__main__":
    main()
