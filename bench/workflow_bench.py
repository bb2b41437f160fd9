"""The workflow benchmark: function tasks, chains of them, and a wide workflow of plugin tasks.

- ``workers/task_call.py --kind function``: a trivial ``@task`` called locally in a loop.
- ``workers/workflow_chain.py`` builds a workflow of N chained ``inc`` calls per size, compiles it and
  runs it locally in-process. Sizes 100, 1,000 and 10,000 show how the cost grows with the node count.
- ``workers/workflow_wide.py``: 100 independent plugin tasks and a fan-in, run by flyweight's engine
  through one ``flyweight-execute`` process per node with one and with two workers, and in-process;
  flytekit runs it in-process, and its ``pyflyte-execute`` runs the same 100 nodes two at a time.

Every measurement is a fresh worker process in each SDK's own interpreter; the sides alternate.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import measure
from report import micros, secs

SIZES = (100, 1_000, 10_000)
WIDE_NODES = 100
# Function-task calls per timed repeat (flytekit's take ~50x longer) and repeats per process.
CALLS = {"flyweight": 5000, "flytekit": 200}
CALL_REPEATS = 7


def function_calls(args: argparse.Namespace, flytekit_python: Path) -> dict[str, list[dict[str, Any]]]:
    """Per side, ``args.call_runs`` worker processes timing a trivial ``@task`` called locally."""

    def progress(job: measure.Job, result: dict[str, Any]) -> None:
        print(
            f"  {job.series:<9} per call: {', '.join(micros(t) for t in result['times']['call'])}", flush=True
        )

    repeats = 3 if args.quick else CALL_REPEATS
    plan = []
    for side, python in (("flyweight", Path(sys.executable)), ("flytekit", flytekit_python)):
        job_args = [
            "--side",
            side,
            "--kind",
            "function",
            "--calls",
            str(CALLS[side]),
            "--repeats",
            str(repeats),
        ]
        plan.append((measure.Job(side, python, "task_call.py", job_args), args.call_runs))
    print(
        f"function task: add_one(x=1), {args.call_runs} processes per side, {repeats} repeats each",
        flush=True,
    )
    return measure.alternate(plan, progress)


def wide(args: argparse.Namespace, flytekit_python: Path) -> dict[str, Any]:
    """Per series (SDK and mode), the worker results of the wide workflow."""

    def progress(job: measure.Job, result: dict[str, Any]) -> None:
        shown = ", ".join(
            f"{secs(wall)} ({cpu / wall:.2f} cores)"
            for wall, cpu in zip(result["times"]["run"], result["cpu"], strict=True)
        )
        print(f"  {job.series:<24} {shown}", flush=True)

    nodes = WIDE_NODES // 5 if args.quick else WIDE_NODES
    fw, fk = Path(sys.executable), flytekit_python
    in_process = 1 if args.quick else 5
    series = [
        # (series, interpreter, side, mode, processes, repeats per process)
        ("flyweight subprocess-1", fw, "flyweight", "subprocess-1", 1, 3),
        ("flyweight subprocess-2", fw, "flyweight", "subprocess-2", 1, 3),
        ("flytekit entrypoint-2", fk, "flytekit", "entrypoint-2", 1, 2),
        ("flyweight in-process", fw, "flyweight", "in-process", args.call_runs, in_process),
        ("flytekit in-process", fk, "flytekit", "in-process", args.call_runs, in_process),
    ]
    plan = []
    for name, python, side, mode, processes, repeats in series:
        job_args = ["--side", side, "--mode", mode, "--nodes", str(nodes), "--repeats", str(repeats)]
        plan.append((measure.Job(name, python, "workflow_wide.py", job_args), processes))
    print(f"wide workflow: {nodes} independent plugin tasks and a fan-in", flush=True)
    return {"runs": measure.alternate(plan, progress), "nodes": nodes}


def chains(args: argparse.Namespace, flytekit_python: Path) -> dict[str, Any]:
    """Per side, the worker results of the chain benchmark."""

    def progress(job: measure.Job, result: dict[str, Any]) -> None:
        shown = ", ".join(
            f"{n}: compile {secs(min(t['compile']))} run {secs(min(t['run']))}"
            for n, t in result["times"].items()
        )
        print(f"  {job.series:<9} {shown}", flush=True)

    sizes = SIZES[:2] if args.quick else SIZES
    repeats = 2 if args.quick else 3
    common = ["--sizes", ",".join(map(str, sizes)), "--repeats", str(repeats)]
    plan = [
        (
            measure.Job(
                "flyweight", Path(sys.executable), "workflow_chain.py", ["--side", "flyweight", *common]
            ),
            args.call_runs,
        ),
        (
            measure.Job("flytekit", flytekit_python, "workflow_chain.py", ["--side", "flytekit", *common]),
            args.call_runs,
        ),
    ]
    print(f"workflow chains: sizes {sizes}, {repeats} repeats per process", flush=True)
    return {"runs": measure.alternate(plan, progress), "sizes": list(sizes)}
