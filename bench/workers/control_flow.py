"""Map tasks, dynamic fan-outs and conditionals with one SDK; print one JSON line.

Usage: ``python control_flow.py --side flyweight|flytekit --what W --sizes 100,1000 --repeats R``

- ``map``: a workflow ``map_task(inc)(x=xs)`` run locally with ``xs = range(N)`` (must return
  ``[1 … N]``); timed per size, the workflow made once.
- ``dynamic``: a ``@dynamic`` task that calls ``inc`` N times, called locally (must return
  ``[1 … N]``); flyweight's engine compiles the graph the body builds and runs it, flytekit runs the
  body with each call executed on the spot.
- ``conditional``: compiling a workflow of N conditionals (``if_(x > i).then(inc(x=x)).else_()
  .then(dec(x=x))``, each on the previous one's output) against compiling one of N plain ``inc`` nodes;
  the result holds both, so the report can compare a conditional with plain nodes.
- ``plugin-map`` (flyweight only; flytekit cannot map plugin tasks): ``map_task`` over the plugin
  task ``add_one`` (``plugins_flyweight.py``), run with two workers, each element a
  ``flyweight-execute`` process as on Flyte; records the wall time and the CPU time of this process
  and its children (CPU over wall is how many cores were busy).

Each step is timed ``R`` times after a ``gc.collect()``; a size-10 warm-up comes first.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any, List  # noqa: UP035  (flytekit's annotations)

import cases
from workflow_wide import cpu_seconds


def inc(x: int) -> int:
    return x + 1


def dec(x: int) -> int:
    return x - 1


_STEP: Any = None  # the task a dynamic fan-out calls (set by Side.dynamic_task)


def fan_out(n: int) -> List[int]:  # noqa: UP006
    """The body of the dynamic benchmark: N calls of the step task."""
    return [_STEP(x=i) for i in range(n)]


class Side:
    """One SDK's names, and the tasks the benchmarks call."""

    def __init__(self, side: str) -> None:
        self.side = side
        self.sdk = importlib.import_module("flyweight" if side == "flyweight" else "flytekit")
        self.inc = self.sdk.task(inc)
        self.dec = self.sdk.task(dec)

    def map_workflow(self) -> Any:
        mapped = self.sdk.map_task(self.inc)

        def mapped_inc(xs: List[int]) -> List[int]:  # noqa: UP006
            return mapped(x=xs)  # type: ignore[no-any-return]

        return self.sdk.workflow(mapped_inc)

    def dynamic_task(self) -> Any:
        global _STEP  # flytekit takes only module-level functions as tasks
        _STEP = self.inc
        return self.sdk.dynamic(fan_out)

    def conditional_workflow(self, n: int) -> Any:
        conditional, up, down = self.sdk.conditional, self.inc, self.dec

        def branches(x: int) -> int:
            for i in range(n):
                x = conditional(f"c{i}").if_(x > i).then(up(x=x)).else_().then(down(x=x))
            return x

        branches.__name__ = branches.__qualname__ = f"branches_{n}"
        return self.sdk.workflow(branches)

    def plain_workflow(self, n: int) -> Any:
        step = self.inc

        def plain(x: int) -> int:
            for _ in range(n):
                x = step(x=x)
            return x

        plain.__name__ = plain.__qualname__ = f"plain_{n}"
        return self.sdk.workflow(plain)


def timed(fn: Any, repeats: int, check: Any) -> list[float]:
    out = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        value = fn()
        out.append(time.perf_counter() - start)
        check(value)
    return out


def expect(expected: Any) -> Any:
    def check(value: Any) -> None:
        if list(value) != expected:
            raise AssertionError(f"got {str(value)[:80]}…, expected {str(expected)[:80]}…")

    return check


def compiled(wf: Any) -> int:
    return len(wf.nodes)  # flytekit compiles on first use; flyweight at decoration


def run(side: str, what: str, sizes: list[int], repeats: int) -> dict[str, Any]:
    s = Side(side)
    times: dict[str, dict[str, list[float]]] = {}
    cpu: dict[str, list[float]] = {}
    if what == "map":
        wf = s.map_workflow()
        timed(lambda: wf(xs=list(range(10))), 1, expect(list(range(1, 11))))
        for n in sizes:
            xs = list(range(n))
            times[str(n)] = {"run": timed(lambda xs=xs: wf(xs=xs), repeats, expect(list(range(1, n + 1))))}
    elif what == "dynamic":
        fan = s.dynamic_task()
        timed(lambda: fan(n=10), 1, expect(list(range(1, 11))))
        for n in sizes:
            times[str(n)] = {"run": timed(lambda n=n: fan(n=n), repeats, expect(list(range(1, n + 1))))}
    elif what == "conditional":
        compiled(s.conditional_workflow(10))
        compiled(s.plain_workflow(10))
        for n in sizes:
            times[str(n)] = {
                "conditional": timed(
                    lambda n=n: compiled(s.conditional_workflow(n)), repeats, lambda v: None
                ),
                "plain": timed(lambda n=n: compiled(s.plain_workflow(n)), repeats, lambda v: None),
            }
    elif what == "plugin-map":
        if side != "flyweight":
            raise SystemExit("plugin-map: flytekit cannot map a plugin task")
        from plugins_flyweight import add_one

        from flyweight._runtime import run_workflow

        mapped = s.sdk.map_task(add_one)

        def plugin_map(xs: List[int]) -> List[int]:  # noqa: UP006
            return mapped(x=xs)  # type: ignore[no-any-return]

        wf = s.sdk.workflow(plugin_map)
        scratch = Path(tempfile.mkdtemp(prefix="plugin-map-"))
        try:
            run_workflow(wf, {"xs": [0, 1]}, workers=2, blob_dir=scratch / "warm")
            for n in sizes:
                walls, cpus = [], []
                for r in range(repeats):
                    gc.collect()
                    cpu0, start = cpu_seconds(), time.perf_counter()
                    out = run_workflow(wf, {"xs": list(range(n))}, workers=2, blob_dir=scratch / f"{n}-{r}")
                    walls.append(time.perf_counter() - start)
                    cpus.append(cpu_seconds() - cpu0)
                    expect(list(range(1, n + 1)))(out)
                times[str(n)] = {"run": walls}
                cpu[str(n)] = cpus
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    else:
        raise SystemExit(f"unknown --what {what}")
    return {"times": times, "cpu": cpu, "what": what}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["flyweight", "flytekit"], required=True)
    parser.add_argument("--what", choices=["map", "dynamic", "conditional", "plugin-map"], required=True)
    parser.add_argument("--sizes", required=True)
    parser.add_argument("--repeats", type=int, required=True)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    cases.emit(
        {"side": args.side, **run(args.side, args.what, sizes, args.repeats), "versions": cases.versions()}
    )


if __name__ == "__main__":
    main()
