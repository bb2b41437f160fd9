"""The decks benchmark: what ``enable_deck=True`` costs a task, locally and in the container process.

Both SDKs define the same three function tasks (``workers/decks_flyweight.py``,
``workers/decks_flytekit.py``): ``add(a: int, b: int) -> int`` with decks off, with ``enable_deck=True``
and the default ``deck_fields`` (Source Code, Dependencies, Timeline, Input, Output), and with decks on
but only Timeline, Input and Output (flytekit's Dependencies deck runs ``pip list`` and ``pip freeze`` in
subprocesses; flyweight's reads the names of the dist-info directories).

- **Local call** (``workers/deck_call.py``, ``--call-runs`` processes per side): the three tasks called
  as ``add(a=1, b=2)`` in loops, each writing its page to a file per call when decks are on (both
  SDKs); µs per call, and what decks add (on - off).
- **Container process**: each task serialized by its SDK and its container args run as a Flyte pod
  runs them (``flyweight-execute`` / ``pyflyte-execute``), wall time and peak RSS per process as in the
  tasks phase; every run must write ``outputs.pb`` with ``o0=42`` and, with decks on, ``deck.html``
  beside it (and none with decks off). flyweight only: the plugin task ``greet`` of the tasks phase,
  with and without ``enable_deck=True`` (flytekit renders no page for plugin tasks).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import measure
from report import micros
from task_bench import ENTRYPOINTS, Command, check_outputs, literal_map, run_rounds, serialize

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work" / "decks"
PAGE = "deck.html"

# Calls per timed repeat, per side and task; each repeat lasts about 0.1 - 0.5 s, except flytekit's
# default decks (two ``pip`` subprocesses per call: over a second each).
CALLS = {
    "flyweight": {"off": 5000, "on": 200, "timeline": 500},
    "flytekit": {"off": 100, "on": 3, "timeline": 50},
}
CALL_REPEATS = 5  # per process (``--quick``: 3, and flytekit's ``on`` 2 calls per repeat)


@dataclass(frozen=True)
class DeckCase:
    """One container-process case: the task, which module holds it, decks on or off."""

    key: str  # the case's name in the report
    module: str  # ``serialize_template.py --module``
    task: str  # the module's task
    deck: bool
    inputs: dict[str, Any]
    expected: dict[str, Any]
    sides: tuple[str, ...] = ("flyweight", "flytekit")


ADD = ({"a": 40, "b": 2}, {"o0": 42})
GREET = ({"x": 40, "s": "flyte"}, {"o": 42, "t": "hello, flyte!"})
CASES = (
    DeckCase("off", "decks", "add", False, *ADD),
    DeckCase("on", "decks", "add_deck", True, *ADD),
    DeckCase("timeline", "decks", "add_timeline", True, *ADD),
    DeckCase("plugin off", "plugins", "greet", False, *GREET, sides=("flyweight",)),
    DeckCase("plugin on", "decks", "greet_deck", True, *GREET, sides=("flyweight",)),
)


@dataclass(frozen=True)
class DeckCommand(Command):
    """A container command whose args also hold the checkpoint placeholders of a function task."""

    deck: bool = False
    case: str = ""

    def argv_for(self, run_dir: Path) -> list[str]:
        # As Flyte fills them for a first attempt: a checkpoint prefix, and no previous checkpoint.
        fill = {"{{.checkpointOutputPrefix}}": str(run_dir / "checkpoint"), "{{.prevCheckpointPrefix}}": '""'}
        return [fill.get(a, a) for a in super().argv_for(run_dir)]


def local_calls(args: argparse.Namespace, flytekit_python: Path) -> dict[str, list[dict[str, Any]]]:
    """Per side, the results of ``args.call_runs`` ``deck_call.py`` processes, the sides alternating."""

    def progress(job: measure.Job, result: dict[str, Any]) -> None:
        t = result["times"]
        shown = ", ".join(f"{name} {micros(min(t[name]))}" for name in ("off", "on", "timeline"))
        print(f"  {job.series:<9} per call (best repeat): {shown}", flush=True)

    repeats = 3 if args.quick else CALL_REPEATS
    plan = []
    for side, python in (("flyweight", Path(sys.executable)), ("flytekit", flytekit_python)):
        calls = dict(CALLS[side])
        if args.quick and side == "flytekit":
            calls["on"] = 2
        shown = ",".join(f"{k}={v}" for k, v in calls.items())
        job_args = ["--side", side, "--calls", shown, "--repeats", str(repeats)]
        plan.append((measure.Job(side, python, "deck_call.py", job_args), args.call_runs))
    print(
        f"decks, local call: add(a=1, b=2) with decks off / on / timeline only, {args.call_runs} processes "
        f"per side, {repeats} repeats each",
        flush=True,
    )
    return measure.alternate(plan, progress)


def label_of(case: DeckCase, side: str) -> str:
    return f"{ENTRYPOINTS[side]} ({case.key})"


def _command(case: DeckCase, side: str, python: Path) -> tuple[DeckCommand, dict[str, Any]]:
    """Serialize ``case``'s task with ``side``'s SDK and build the process Flyte would start for it."""
    workdir = WORK / "container" / case.key.replace(" ", "-") / side
    argv, info = serialize(side, python, case.module, workdir, literal_map(case.inputs), task=case.task)
    env = measure.child_env()
    env["PATH"] = str(python.parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(measure.WORKERS)  # where decks_<side>.py and plugins_<side>.py live
    found = shutil.which(ENTRYPOINTS[side], path=env["PATH"])
    if found is None or Path(found).parent != python.parent:
        raise RuntimeError(f"{ENTRYPOINTS[side]} does not resolve to {python.parent} (found {found})")
    command = DeckCommand(
        label_of(case, side), side, argv, env, workdir, case.task, case.expected, case.deck, case.key
    )
    return command, info


def container(args: argparse.Namespace, flytekit_python: Path) -> dict[str, Any]:
    """Wall time, peak RSS and page size of every case's entrypoint, ``args.container_runs`` runs each."""
    shutil.rmtree(WORK / "container", ignore_errors=True)
    pythons = {"flyweight": Path(sys.executable), "flytekit": flytekit_python}
    commands: list[DeckCommand] = []
    templates: dict[str, dict[str, Any]] = {}
    for case in CASES:
        for side in case.sides:
            command, info = _command(case, side, pythons[side])
            commands.append(command)
            templates[command.label] = {k: info[k] for k in ("template_size", "template_sha256")}
    page_bytes: dict[str, list[int]] = {c.label: [] for c in commands}

    def check(command: Command, run_dir: Path) -> None:
        assert isinstance(command, DeckCommand)
        check_outputs(command, run_dir)
        page = run_dir / "out" / PAGE
        if command.deck != page.exists():
            wrote = "wrote" if page.exists() else "did not write"
            raise RuntimeError(f"{command.label} {wrote} {PAGE} (decks {'on' if command.deck else 'off'})")
        if command.deck:
            page_bytes[command.label].append(page.stat().st_size)

    print(
        f"decks, container process: add(a=40, b=2) decks off / on / timeline only, greet off / on "
        f"(flyweight), {args.container_runs} runs of each command",
        flush=True,
    )
    shown = {c.label: c.label for c in commands}
    measured = run_rounds(list(commands), args.container_runs, check, WORK, shown=shown)
    return {
        "commands": [
            {"label": c.label, "side": c.side, "case": c.case, "task": c.task, "deck": c.deck}
            for c in commands
        ],
        **measured,
        "page_bytes": page_bytes,
        "templates": templates,
    }


def run_all(args: argparse.Namespace, flytekit_python: Path) -> dict[str, Any]:
    return {"call": local_calls(args, flytekit_python), "container": container(args, flytekit_python)}


def summary(results: dict[str, Any]) -> str:
    """One line for the run's ``runs`` entry."""
    box = results["container"]
    runs = len(next(iter(box["times"].values())))
    processes = len(results["call"]["flyweight"])
    return f"decks: local call {processes} processes per side; container {runs} per command"
