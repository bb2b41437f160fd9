"""Time a task called locally, ``t(x=1)`` in a loop, and print one JSON line.

Usage: ``python task_call.py --side flyweight|flytekit --calls N --repeats R [--kind plugin|function]``

With ``--kind plugin`` (the default) the task is ``add_one`` from ``plugins_<side>.py``: a
customized-container task whose executor returns ``x + 1``. A local call runs the whole plugin path
of the SDK (input checks, the template the executor sees, literals in and out). With ``--kind
function`` it is ``@task`` on :func:`add_one` below, the same ``x + 1`` as a plain Python function.
Either way what is timed is the SDK's overhead per call; the work itself costs nothing. The first
calls are a warm-up (a plugin's template is serialized once and cached, lazy imports load); then
``R`` repeats of ``N`` calls are timed, a ``gc.collect()`` before each, and each repeat reports
microseconds per call.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import time
from typing import Any

import cases

WARMUP_CALLS = 20


def add_one(x: int) -> int:
    """The function task of ``--kind function``."""
    return x + 1


def load(side: str, kind: str) -> Any:
    if kind == "plugin":
        return importlib.import_module(f"plugins_{side}").add_one
    return importlib.import_module("flyweight" if side == "flyweight" else "flytekit").task(add_one)


def run(side: str, calls: int, repeats: int, kind: str = "plugin") -> dict[str, Any]:
    task = load(side, kind)
    for _ in range(WARMUP_CALLS):
        if task(x=1) != 2:  # the executor returns x + 1
            raise AssertionError(f"{side}: add_one(x=1) returned {task(x=1)!r}, expected 2")
    per_call = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        for _ in range(calls):
            task(x=1)
        per_call.append((time.perf_counter() - start) / calls)
    return {"times": {"call": per_call}, "calls": calls, "kind": kind}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["flyweight", "flytekit"], required=True)
    parser.add_argument("--calls", type=int, required=True)
    parser.add_argument("--repeats", type=int, required=True)
    parser.add_argument("--kind", choices=["plugin", "function"], default="plugin")
    args = parser.parse_args()
    result = run(args.side, args.calls, args.repeats, args.kind)
    cases.emit({"side": args.side, **result, "versions": cases.versions()})


if __name__ == "__main__":
    main()
