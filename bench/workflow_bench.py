"""The workflow benchmark: compile and run chains of trivial function tasks with each SDK.

``workers/workflow_chain.py`` builds a workflow of N chained ``inc`` calls per size, compiles it and
runs it locally in-process, in a fresh worker process per run and in each SDK's own interpreter; the
sides alternate. Sizes 100, 1,000 and 10,000 show how the cost grows with the node count.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import measure
from report import secs

SIZES = (100, 1_000, 10_000)


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
