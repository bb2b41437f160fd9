"""The task benchmarks: plugin tasks called locally, and the same kind of tasks run as Flyte runs them.

Both SDKs run the same tasks: ``add_one`` and ``greet``, the smallest plugin tasks there are
(``workers/plugins_flyweight.py``, ``workers/plugins_flytekit.py``), and ``stats``, a plugin written as
real plugins are, its config dataclass, task class and executor in one module
(``workers/stats_flyweight.py``, ``workers/stats_flytekit.py``):

- **Local call.** ``add_one(x=1)`` (int -> int) and ``stats(x=1.5, xs=[1, 2, 3])`` (a float and a
  list of ints -> a float and an int) in a loop, in a fresh worker process per run
  (``workers/task_call.py``); the four series alternate.
- **Container process.** ``greet``'s and ``stats``'s templates are serialized by each SDK, written to
  a file next to an ``inputs.pb``, and the container arguments in each template are run as a process
  with Flyte's placeholders filled in, as a pod would: ``flyweight-execute`` on one side,
  ``pyflyte-execute`` on the other. Each run is timed spawn to exit and its own peak RSS recorded
  (``measure.time_child``); every run's ``outputs.pb`` must hold the expected literals, or the
  benchmark stops. Two floors run in the same rotation with flyweight's interpreter:
  ``python -c pass`` and importing the protobuf module that holds ``TaskTemplate``, the least any
  Python entrypoint has to do.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flyteidl.core import errors_pb2, literals_pb2, tasks_pb2

import measure
from report import micros, secs

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work" / "container"


@dataclass(frozen=True)
class CallSeries:
    """One local-call series: the worker's ``--kind`` and, per side, calls per timed repeat.

    Calls per repeat are chosen so each repeat lasts about 0.1 s on either side (flytekit's calls
    take 30x to 40x longer).
    """

    name: str  # the key of its results under ``tasks``
    task: str
    kind: str  # ``task_call.py --kind``
    call: str
    calls: dict[str, int]


CALL_SERIES = (
    CallSeries("call", "add_one", "plugin", "add_one(x=1)", {"flyweight": 5000, "flytekit": 200}),
    CallSeries(
        "stats_call", "stats", "stats", "stats(x=1.5, xs=[1, 2, 3])", {"flyweight": 4000, "flytekit": 100}
    ),
)
CALL_REPEATS = 7  # per process (``--quick``: 3)


@dataclass(frozen=True)
class ContainerTask:
    """A task of the container benchmark: where its template comes from, its inputs and outputs."""

    name: str
    module: str  # ``serialize_template.py --module``: ``<module>_<side>.py``
    signature: str
    inputs: dict[str, Any]
    expected: dict[str, Any]


CONTAINER_TASKS = (
    # greet: x + step, "greeting, s!" (step and greeting from the template's custom)
    ContainerTask(
        "greet",
        "plugins",
        "x: int, s: str -> o: int, t: str",
        {"x": 40, "s": "flyte"},
        {"o": 42, "t": "hello, flyte!"},
    ),
    # stats: round(x * scale + sum(xs), precision), sum(xs) (scale 2.0, precision 3 in its custom)
    ContainerTask(
        "stats",
        "stats",
        "x: float, xs: list[int] -> y: float, total: int",
        {"x": 1.5, "xs": [1, 2, 3]},
        {"y": 9.0, "total": 6},
    ),
)
ENTRYPOINTS = {"flyweight": "flyweight-execute", "flytekit": "pyflyte-execute"}


def label_of(exe: str, task: str) -> str:
    """A container command's label: the entrypoint alone for ``greet`` (the first task, whose labels
    the earlier reports used), the entrypoint and the task otherwise."""
    return exe if task == CONTAINER_TASKS[0].name else f"{exe} ({task})"


def literal(value: Any) -> literals_pb2.Literal:
    """An int, float or str primitive, or a list of them, built with bare flyteidl."""
    lit = literals_pb2.Literal()
    if isinstance(value, list):
        lit.collection.literals.extend(literal(v) for v in value)
    elif isinstance(value, int):
        lit.scalar.primitive.integer = value
    elif isinstance(value, float):
        lit.scalar.primitive.float_value = value
    else:
        lit.scalar.primitive.string_value = value
    return lit


def literal_map(values: dict[str, Any]) -> literals_pb2.LiteralMap:
    """A LiteralMap built with bare flyteidl, so neither SDK makes it."""
    lm = literals_pb2.LiteralMap()
    for name, value in values.items():
        lm.literals[name].CopyFrom(literal(value))
    return lm


def local_calls(
    args: argparse.Namespace, flytekit_python: Path
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Per series (``call``: ``add_one``; ``stats_call``: ``stats``) and side, the results of
    ``args.call_runs`` worker processes; all four series alternate in one rotation."""

    def progress(job: measure.Job, result: dict[str, Any]) -> None:
        shown = ", ".join(micros(t) for t in result["times"]["call"])
        print(f"  {job.series:<18} per call: {shown}", flush=True)

    repeats = 3 if args.quick else CALL_REPEATS
    plan = []
    for series in CALL_SERIES:
        for side, python in (("flyweight", Path(sys.executable)), ("flytekit", flytekit_python)):
            job_args = ["--side", side, "--kind", series.kind]
            job_args += ["--calls", str(series.calls[side]), "--repeats", str(repeats)]
            job = measure.Job(f"{series.task} {side}", python, "task_call.py", job_args)
            plan.append((job, args.call_runs))
    calls = " and ".join(s.call for s in CALL_SERIES)
    print(f"local call: {calls}, {args.call_runs} processes per side, {repeats} repeats each", flush=True)
    done = measure.alternate(plan, progress)
    return {
        series.name: {side: done[f"{series.call.split('(')[0]} {side}"] for side in ("flyweight", "flytekit")}
        for series in CALL_SERIES
    }


@dataclass(frozen=True)
class Command:
    """One process of the container benchmark; ``workdir`` is set for the entrypoints only, and
    ``expected`` (the output literals every run must write) for those of the task phase."""

    label: str
    side: str
    argv: list[str]
    env: dict[str, str]
    workdir: Path | None = None
    task: str = ""
    expected: dict[str, Any] = field(default_factory=dict)

    def argv_for(self, run_dir: Path) -> list[str]:
        """The argument list with Flyte's placeholders pointing into ``run_dir`` and ``workdir``."""
        assert self.workdir is not None
        fill = {
            "{{.input}}": str(self.workdir / "inputs.pb"),
            "{{.outputPrefix}}": str(run_dir / "out"),
            "{{.rawOutputDataPrefix}}": str(run_dir / "raw"),
            "{{.taskTemplatePath}}": str(self.workdir / "template.pb"),
        }
        return [fill.get(a, a) for a in self.argv]


def serialize(
    side: str,
    python: Path,
    module: str,
    workdir: Path,
    inputs: literals_pb2.LiteralMap,
    *,
    task: str | None = None,
) -> tuple[list[str], dict[str, Any]]:
    """Write ``workdir/template.pb`` (``<module>_<side>.py``'s task, or its task named ``task``,
    serialized by ``side``'s SDK) and ``workdir/inputs.pb``; the template's container args, checked to
    start with ``side``'s entrypoint, and the worker's JSON line with the args under ``args``."""
    expected_exe = ENTRYPOINTS[side]
    workdir.mkdir(parents=True)
    template_path = workdir / "template.pb"
    worker_args = ["--side", side, "--module", module, "--out", str(template_path)]
    info = measure.run_worker(
        python, "serialize_template.py", [*worker_args, *(["--task", task] if task else [])]
    )
    (workdir / "inputs.pb").write_bytes(inputs.SerializeToString(deterministic=True))
    argv = list(tasks_pb2.TaskTemplate.FromString(template_path.read_bytes()).container.args)
    if not argv or argv[0] != expected_exe:
        raise RuntimeError(
            f"{module}_{side}.py: the template's container args start {argv[:1]}, expected {expected_exe}"
        )
    info["args"] = argv
    return argv, info


def entrypoint(task: ContainerTask, side: str, python: Path) -> tuple[Command, dict[str, Any]]:
    """Serialize ``task`` with ``side``'s SDK and build the process Flyte would start for it."""
    expected_exe = ENTRYPOINTS[side]
    workdir = WORK / task.name / side
    argv, info = serialize(side, python, task.module, workdir, literal_map(task.inputs))
    env = measure.child_env()
    env["PATH"] = str(python.parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(measure.WORKERS)  # where <module>_<side>.py, named in the args, lives
    found = shutil.which(expected_exe, path=env["PATH"])
    if found is None or Path(found).parent != python.parent:
        raise RuntimeError(f"{expected_exe} does not resolve to {python.parent} (found {found})")
    label = label_of(expected_exe, task.name)
    return Command(label, side, argv, env, workdir, task.name, task.expected), info


def raise_error_pb(command: Command, out: Path) -> None:
    """Fail loudly if the run wrote ``error.pb`` to its output prefix ``out``."""
    if (out / "error.pb").exists():
        doc = errors_pb2.ErrorDocument.FromString((out / "error.pb").read_bytes())
        raise RuntimeError(f"{command.label} wrote error.pb: {doc.error.code}: {doc.error.message[-2000:]}")


def run_rounds(
    commands: list[Command],
    runs: int,
    check: Callable[[Command, Path], object],
    cwd: Path,
    shown: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Run every command once untimed (``.pyc`` files exist, and a broken setup fails before timing),
    then ``runs`` rounds of all of them, rotated round by round; per label, the wall times and peak
    RSS (``times``, ``max_rss_kib``) and ``rss_source``.

    A command with a ``workdir`` runs in a fresh ``run-<i>`` directory there, its placeholders filled
    in, and ``check(command, run_dir)`` must accept what it wrote; one without runs as it is in
    ``cwd``. After each round, a line shows the last time of each label in ``shown`` under the name
    it maps to (default: the commands with a ``workdir``, by label).
    """
    times: dict[str, list[float]] = {c.label: [] for c in commands}
    rss: dict[str, list[int]] = {c.label: [] for c in commands}
    if shown is None:
        shown = {c.label: c.label for c in commands if c.workdir is not None}

    def run(command: Command, i: int) -> measure.ChildUsage:
        if command.workdir is None:
            return measure.time_child(command.argv, env=command.env, cwd=cwd)
        run_dir = command.workdir / f"run-{i}"  # a fresh output prefix per run
        run_dir.mkdir()
        usage = measure.time_child(command.argv_for(run_dir), env=command.env, cwd=run_dir)
        check(command, run_dir)
        shutil.rmtree(run_dir)
        return usage

    for command in commands:
        run(command, -1)
    for i in range(runs):
        for command in measure.rotated(commands, i):
            usage = run(command, i)
            times[command.label].append(usage.wall)
            rss[command.label].append(usage.max_rss_kib)
        last = ", ".join(f"{name} {secs(times[label][-1])}" for label, name in shown.items())
        print(f"  round {i + 1}: {last}", flush=True)
    return {"times": times, "max_rss_kib": rss, "rss_source": measure.rss_source()}


def check_outputs(command: Command, run_dir: Path) -> tuple[str, str]:
    """Fail loudly unless the run wrote the expected ``outputs.pb``.

    Returns the sha256 of the file's bytes and of the same LiteralMap serialized deterministically:
    a protobuf map may be written in any order, so only the second must agree across SDKs.
    """
    out = run_dir / "out"
    raise_error_pb(command, out)
    if not (out / "outputs.pb").exists():
        raise RuntimeError(f"{command.label} exited 0 without writing {out / 'outputs.pb'}")
    data = (out / "outputs.pb").read_bytes()
    got = literals_pb2.LiteralMap.FromString(data)
    if got != literal_map(command.expected):
        raise RuntimeError(
            f"{command.label} wrote outputs {got}, expected the literals of {command.expected}"
        )
    canonical = got.SerializeToString(deterministic=True)
    return hashlib.sha256(data).hexdigest(), hashlib.sha256(canonical).hexdigest()


def container(args: argparse.Namespace, flytekit_python: Path) -> dict[str, Any]:
    """Wall time, peak RSS and outputs of each entrypoint and floor, ``args.container_runs`` runs each."""
    shutil.rmtree(WORK, ignore_errors=True)
    fw_python = Path(sys.executable)
    entrypoints: list[Command] = []
    tasks: dict[str, dict[str, Any]] = {}
    for task in CONTAINER_TASKS:
        templates = {}
        for side, python in (("flyweight", fw_python), ("flytekit", flytekit_python)):
            command, templates[side] = entrypoint(task, side, python)
            entrypoints.append(command)
        tasks[task.name] = {
            "signature": task.signature,
            "inputs": task.inputs,
            "expected": task.expected,
            "templates": templates,
            "labels": {side: label_of(exe, task.name) for side, exe in ENTRYPOINTS.items()},
        }
    env = measure.child_env()
    commands = [
        *entrypoints,
        Command('python -c "pass"', "floor", [str(fw_python), "-c", "pass"], env),
        Command(
            'python -c "import flyteidl.core.tasks_pb2"',
            "floor",
            [str(fw_python), "-c", "import flyteidl.core.tasks_pb2"],
            env,
        ),
    ]
    raw: dict[str, set[str]] = {c.label: set() for c in commands if c.workdir is not None}
    canonical: dict[str, set[str]] = {label: set() for label in raw}

    def check(command: Command, run_dir: Path) -> None:
        raw_sha, canonical_sha = check_outputs(command, run_dir)
        raw[command.label].add(raw_sha)
        canonical[command.label].add(canonical_sha)

    shown_tasks = ", ".join(
        f"{t.name}({', '.join(f'{k}={v!r}' for k, v in t.inputs.items())})" for t in CONTAINER_TASKS
    )
    print(f"container process: {shown_tasks}, {args.container_runs} runs of each command", flush=True)
    measured = run_rounds(commands, args.container_runs, check, WORK)
    return {
        # ``command``: what the table shows (the entrypoint, without the task the label adds)
        "commands": [
            {"label": c.label, "side": c.side, "task": c.task, "command": c.argv[0] if c.task else c.label}
            for c in commands
        ],
        "times": measured["times"],
        "max_rss_kib": measured["max_rss_kib"],
        "tasks": tasks,
        "outputs_sha256": {label: sorted(shas) for label, shas in raw.items()},
        "canonical_outputs_sha256": {label: sorted(shas) for label, shas in canonical.items()},
        "rss_source": measured["rss_source"],
    }
