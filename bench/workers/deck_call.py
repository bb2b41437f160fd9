"""Time ``add(a=1, b=2)`` called locally with decks off and on, and print one JSON line.

Usage: ``python deck_call.py --side flyweight|flytekit --calls off=N,on=N,timeline=N --repeats R``

The three tasks of ``decks_<side>.py``: ``off`` (plain ``@task``), ``on`` (``enable_deck=True``, the
default ``deck_fields``) and ``timeline`` (decks on, ``deck_fields`` Timeline, Input and Output only).
A local call of a task with decks on writes its page to a file when it ends, on both sides: flyweight
into a fresh temporary directory, flytekit (``_output_deck``) into a fresh directory of its local
sandbox. So the process first points ``TMPDIR`` at a directory of its own (both SDKs make those
directories under it), which it removes at the end.

Each task is called a few times first (the warm-up), every call checked (``3``), and the warm-up must
have written one ``deck.html`` per call for ``on`` and ``timeline`` and none for ``off``, or the worker
fails. Then ``R`` repeats, each timing a loop of the calls of every task in turn (a ``gc.collect()``
before each loop); each loop reports seconds per call. The pages written while timing are deleted
between repeats, outside the timed loops. flyweight's processes also time, alone, the check a local
call makes whether the task renders decks (``deck_fields_of``: for a task with decks off, one attribute
read), on the ``off`` task, and report which of flyweight's deck modules were loaded after the ``off``
task's warm-up calls (``deck_modules_after_off``; the tasks are called in the order off, on, timeline).
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cases

VARIANTS = ("off", "on", "timeline")
WARMUP_CALLS = {"off": 20, "on": 3, "timeline": 10}
PAGE = "deck.html"
DECK_MODULES = ("flyweight._deck", "flyweight._tasks._decks")


def pages(root: Path) -> list[Path]:
    return sorted(root.rglob(PAGE))


def call_loop(task: Any) -> Callable[[int], float]:
    def loop(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            task(a=1, b=2)
        return (time.perf_counter() - start) / n

    return loop


def deck_check_loop(task: Any) -> Callable[[int], float]:
    """flyweight only: ``n`` calls of the check each local call makes whether ``task`` renders decks."""
    from flyweight._tasks._plan import deck_fields_of

    plan = task._execution_plan()
    if deck_fields_of(task, plan) is not None:
        raise AssertionError("the decks-off task renders decks")

    def loop(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            deck_fields_of(task, plan)
        return (time.perf_counter() - start) / n

    return loop


def warm_up(side: str, name: str, task: Any, root: Path) -> dict[str, Any]:
    """Call ``task`` ``WARMUP_CALLS[name]`` times, checking each result and the pages written."""
    before = len(pages(root))
    for _ in range(WARMUP_CALLS[name]):
        got = task(a=1, b=2)
        if got != 3:
            raise AssertionError(f"{side}: {name} add(a=1, b=2) returned {got!r}, expected 3")
    written = pages(root)
    per_call = (len(written) - before) / WARMUP_CALLS[name]
    expected = 0 if name == "off" else 1
    if per_call != expected:
        raise AssertionError(f"{side}: {name}: {per_call} deck pages per call, expected {expected}")
    newest = max(written, key=lambda p: p.stat().st_mtime_ns) if per_call else None
    return {"pages_per_call": per_call, "page_bytes": newest.stat().st_size if newest else 0}


def run(side: str, calls: dict[str, int], repeats: int, root: Path) -> dict[str, Any]:
    module = importlib.import_module(f"decks_{side}")
    tasks = {name: module.TASKS[name] for name in VARIANTS}
    warm = {"off": warm_up(side, "off", tasks["off"], root)}
    # flyweight: the deck modules a decks-off call loaded (none: only the check runs)
    loaded = sorted(m for m in sys.modules if m.startswith(DECK_MODULES)) if side == "flyweight" else None
    warm.update({name: warm_up(side, name, tasks[name], root) for name in VARIANTS[1:]})
    loops = {name: call_loop(task) for name, task in tasks.items()}
    counts = dict(calls)
    if side == "flyweight":
        loops["deck_check"] = deck_check_loop(tasks["off"])
        counts["deck_check"] = calls["off"] * 20
    times: dict[str, list[float]] = {name: [] for name in loops}
    for _ in range(repeats):
        for name, loop in loops.items():
            gc.collect()
            times[name].append(loop(counts[name]))
        for page in pages(root):  # outside the timed loops: keep the directory small
            page.unlink()
    return {"times": times, "calls": counts, "warmup": warm, "deck_modules_after_off": loaded}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["flyweight", "flytekit"], required=True)
    parser.add_argument("--calls", required=True, help="off=N,on=N,timeline=N")
    parser.add_argument("--repeats", type=int, required=True)
    args = parser.parse_args()
    calls = {k: int(v) for k, v in (item.split("=") for item in args.calls.split(","))}
    if set(calls) != set(VARIANTS):
        parser.error(f"--calls must name {', '.join(VARIANTS)}")
    root = Path(tempfile.mkdtemp(prefix=f"bench-decks-{args.side}-"))
    os.environ["TMPDIR"] = str(root)  # before either SDK is imported: both make their directories here
    tempfile.tempdir = None
    try:
        result = run(args.side, calls, args.repeats, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    cases.emit({"side": args.side, **result, "versions": cases.versions()})


if __name__ == "__main__":
    main()
