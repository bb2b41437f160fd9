"""Run the measurements: every one in a fresh subprocess, the two SDKs alternating.

Alternating (rather than all flyweight runs, then all flytekit runs) spreads slow drifts of the
machine, such as thermal throttling or a background job, over both sides instead of charging them
to whichever ran second. The order within a round is rotated for the same reason.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
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


def child_env() -> dict[str, str]:
    """The environment of every measured process: the driver's, minus ``PYTHONDONTWRITEBYTECODE``.

    Each command's untimed first run is there to leave ``.pyc`` files behind, as installing into an
    image does; with that variable set (some shells and CI runners export it), flyweight's modules,
    installed editable, would be compiled from source in every run instead (about 20 ms of a
    container start), while flytekit's, compiled by pip at install, would not.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def rotated(items: Sequence[Any], by: int) -> list[Any]:
    """``items`` rotated left by ``by``, so each round starts with a different one."""
    if not items:
        return []
    k = by % len(items)
    return [*items[k:], *items[:k]]


def time_process(argv: list[str]) -> float:
    """Wall time of one process from spawn to exit: what a user waits for at a task's cold start."""
    start = time.perf_counter()
    done = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False, env=child_env()
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{argv[1:]} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


# GNU time: a tiny process that forks the command and reports its peak RSS (``%M``, KiB).
GNU_TIME = Path("/usr/bin/time")


@dataclass(frozen=True)
class ChildUsage:
    """What one process cost: wall time from spawn to exit, and its peak resident set."""

    wall: float
    max_rss_kib: int


def rss_source() -> str:
    """How ``time_child`` reads peak RSS on this machine, for the report."""
    if GNU_TIME.exists():
        return "`/usr/bin/time -f %M`"
    return "`os.wait4` (**upper bound**: includes the driver's pages the child held before `exec`)"


def time_child(argv: list[str], env: dict[str, str], cwd: Path | None = None) -> ChildUsage:
    """Wall time and peak RSS of one process.

    The child is reaped with ``os.wait4``. Its ``ru_maxrss`` is not the command's own peak, though:
    Linux carries the high-water mark of the memory the child had before ``exec`` (a copy of the
    driver's, about 25 MiB) into it. So the command runs under GNU ``time``, whose own few hundred KiB
    are all its child inherits, and ``%M`` is read from its output file; without ``/usr/bin/time``
    the ``wait4`` figure is used and reported as an upper bound. stderr goes to a file rather than a
    pipe, so a chatty process cannot block on it, and is shown on failure. The wall time includes
    ``time``'s own fork and exec (well under a millisecond), the same for every command.
    """
    gnu_time = GNU_TIME.exists()
    with (
        open(os.devnull, "wb") as devnull,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r", suffix=".rss") as rss,
    ):
        full = [str(GNU_TIME), "-f", "%M", "-o", rss.name, *argv] if gnu_time else argv
        start = time.perf_counter()
        proc = subprocess.Popen(full, stdout=devnull, stderr=err, env=env, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; tell Popen
        if proc.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{tail}")
        max_rss = int(rss.read().split()[-1]) if gnu_time else usage.ru_maxrss
    return ChildUsage(elapsed, max_rss)


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
        [str(python), str(WORKERS / script), *args],
        capture_output=True,
        text=True,
        check=False,
        env=child_env(),
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
