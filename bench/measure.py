"""Run the measurements: every one in a fresh subprocess, the two SDKs alternating.

Alternating (rather than all flyweight runs, then all flytekit runs) spreads slow drifts of the
machine, such as thermal throttling or a background job, over both sides instead of charging them
to whichever ran second. The order within a round is rotated for the same reason.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
WORKERS = BENCH / "workers"


@dataclass(frozen=True)
class ImportProbe:
    """One cold-start command: ``python -c CODE`` under one side's interpreter."""

    label: str
    side: str
    python: Path
    code: str


def rotated(items: Sequence[Any], by: int) -> list[Any]:
    """``items`` rotated left by ``by``, so each round starts with a different one."""
    if not items:
        return []
    k = by % len(items)
    return [*items[k:], *items[:k]]


def time_process(argv: list[str]) -> float:
    """Wall time of one process from spawn to exit: what a user waits for at a task's cold start."""
    start = time.perf_counter()
    done = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{argv[1:]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def cold_imports(probes: Sequence[ImportProbe], runs: int) -> dict[str, list[float]]:
    """Seconds per run of each probe, ``runs`` times each, interleaved.

    Each probe runs once untimed first so the ``.pyc`` files exist: the numbers are a task's
    cold start on an image built once, not the first start after installing.
    """
    for probe in probes:
        time_process([str(probe.python), "-c", probe.code])
    times: dict[str, list[float]] = {probe.label: [] for probe in probes}
    for i in range(runs):
        for probe in rotated(probes, i):
            times[probe.label].append(time_process([str(probe.python), "-c", probe.code]))
    return times


def run_worker(python: Path, script: str, args: list[str]) -> dict[str, Any]:
    """Run one worker script and return the JSON object on the last line of its stdout."""
    done = subprocess.run(
        [str(python), str(WORKERS / script), *args], capture_output=True, text=True, check=False
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{script} {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


@dataclass(frozen=True)
class Job:
    """One worker run to schedule: which series it belongs to and how to start it."""

    series: str
    python: Path
    script: str
    args: list[str]


def alternate(
    plan: Sequence[tuple[Job, int]], report: Callable[[Job, dict[str, Any]], None]
) -> dict[str, list[dict[str, Any]]]:
    """Run each job its number of times, round-robin, rotating the order every round.

    A series with fewer runs (flytekit's, which takes minutes per run) simply drops out of the
    later rounds. ``report`` is called after every run, for progress output.
    """
    results: dict[str, list[dict[str, Any]]] = {job.series: [] for job, _ in plan}
    rounds = max((count for _, count in plan), default=0)
    for i in range(rounds):
        due = [job for job, count in plan if i < count]
        for job in rotated(due, i):
            result = run_worker(job.python, job.script, job.args)
            results[job.series].append(result)
            report(job, result)
    return results
