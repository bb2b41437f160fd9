"""The control-flow benchmark: map tasks, dynamic fan-outs and conditionals (``workers/control_flow.py``).

- ``map``: a local run of ``map_task(inc)`` over 100, 1,000 and 10,000 elements, both SDKs.
- ``dynamic``: a ``@dynamic`` task fanning out to N ``inc`` calls; flyweight at 100, 1,000 and 10,000,
  flytekit at 100 and 1,000 (its 10,000 would take minutes per run).
- ``conditional``: compiling N conditionals against compiling N plain nodes, both SDKs.
- ``plugin-map``: flyweight only (flytekit refuses to map plugin tasks): 100 plugin-task elements, each a
  ``flyweight-execute`` process, with two workers; CPU time over wall time is how many cores were busy.

Every measurement is a fresh worker process in each SDK's own interpreter; the sides alternate.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import measure
from report import secs

MAP_SIZES = (100, 1_000, 10_000)
DYNAMIC_SIZES = {"flyweight": (100, 1_000, 10_000), "flytekit": (100, 1_000)}
CONDITIONAL_SIZES = (100, 1_000)
PLUGIN_ELEMENTS = 100


def _progress(job: measure.Job, result: dict[str, Any]) -> None:
    shown = ", ".join(
        f"{n}: " + " ".join(f"{step} {secs(min(ts))}" for step, ts in steps.items())
        for n, steps in result["times"].items()
    )
    print(f"  {job.series:<22} {shown}", flush=True)


def run_all(args: argparse.Namespace, flytekit_python: Path) -> dict[str, Any]:
    fw = Path(sys.executable)
    quick = args.quick
    repeats = 2 if quick else 3

    def sizes(values: tuple[int, ...]) -> str:
        return ",".join(str(n) for n in (values[:2] if quick else values))

    plan: list[tuple[measure.Job, int]] = []
    for side, python in (("flyweight", fw), ("flytekit", flytekit_python)):
        common = ["--side", side, "--repeats", str(repeats)]
        plan += [
            (
                measure.Job(
                    f"map {side}",
                    python,
                    "control_flow.py",
                    [*common, "--what", "map", "--sizes", sizes(MAP_SIZES)],
                ),
                args.call_runs,
            ),
            (
                measure.Job(
                    f"dynamic {side}",
                    python,
                    "control_flow.py",
                    [*common, "--what", "dynamic", "--sizes", sizes(DYNAMIC_SIZES[side])],
                ),
                args.call_runs,
            ),
            (
                measure.Job(
                    f"conditional {side}",
                    python,
                    "control_flow.py",
                    [*common, "--what", "conditional", "--sizes", sizes(CONDITIONAL_SIZES)],
                ),
                args.call_runs,
            ),
        ]
    elements = PLUGIN_ELEMENTS // 5 if quick else PLUGIN_ELEMENTS
    plugin_args = ["--side", "flyweight", "--what", "plugin-map", "--sizes", str(elements), "--repeats", "2"]
    plan.append((measure.Job("plugin-map flyweight", fw, "control_flow.py", plugin_args), 1))
    print("control flow: map tasks, dynamic fan-outs, conditionals, a map over plugin tasks", flush=True)
    return {"runs": measure.alternate(plan, _progress), "plugin_elements": elements}
