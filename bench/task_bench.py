"""The task benchmarks: a plugin task called locally, and the same kind of task run as Flyte runs it.

Both SDKs run the same two tasks (``workers/plugins_flyweight.py`` and ``workers/plugins_flytekit.py``):

- **Local call.** ``add_one(x=1)`` in a loop, in a fresh worker process per run
  (``workers/task_call.py``); the sides alternate.
- **Container process.** ``greet``'s template is serialized by each SDK, written to a file next to an
  ``inputs.pb``, and the container arguments in the template are run as a process with Flyte's
  placeholders filled in, as a pod would: ``flyweight-execute`` on one side, ``pyflyte-execute`` on
  the other. Each run is timed spawn to exit and its own peak RSS recorded (``measure.time_child``);
  every run's ``outputs.pb`` must hold the expected literals, or the benchmark stops. Two floors run
  in the same rotation with flyweight's interpreter: ``python -c pass`` and importing the protobuf
  module that holds ``TaskTemplate``, the least any Python entrypoint has to do.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flyteidl.core import errors_pb2, literals_pb2, tasks_pb2

import measure
from report import micros, secs

BENCH = Path(__file__).resolve().parent
WORK = BENCH / ".work" / "container"

# Local-call sizes: calls per timed repeat (flytekit's calls take ~50x longer, so each side's
# repeat lasts about 0.1 s) and repeats per process (``--quick``: 3).
CALLS = {"flyweight": 5000, "flytekit": 200}
CALL_REPEATS = 7

# ``greet``'s inputs and the outputs both SDKs must write for them (x + step, "greeting, s!").
INPUTS = {"x": 40, "s": "flyte"}
EXPECTED = {"o": 42, "t": "hello, flyte!"}


def literal_map(values: dict[str, Any]) -> literals_pb2.LiteralMap:
    """A LiteralMap of int and str primitives, built with bare flyteidl so neither SDK makes it."""
    lm = literals_pb2.LiteralMap()
    for name, value in values.items():
        primitive = lm.literals[name].scalar.primitive
        if isinstance(value, int):
            primitive.integer = value
        else:
            primitive.string_value = value
    return lm


def local_calls(args: argparse.Namespace, flytekit_python: Path) -> dict[str, list[dict[str, Any]]]:
    """Per side, the results of ``args.call_runs`` worker processes timing ``add_one(x=1)``."""

    def progress(job: measure.Job, result: dict[str, Any]) -> None:
        shown = ", ".join(micros(t) for t in result["times"]["call"])
        print(f"  {job.series:<9} per call: {shown}", flush=True)

    repeats = 3 if args.quick else CALL_REPEATS
    plan = []
    for side, python in (("flyweight", Path(sys.executable)), ("flytekit", flytekit_python)):
        job_args = ["--side", side, "--calls", str(CALLS[side]), "--repeats", str(repeats)]
        plan.append((measure.Job(side, python, "task_call.py", job_args), args.call_runs))
    print(
        f"local call: add_one(x=1), {args.call_runs} processes per side, {repeats} repeats each", flush=True
    )
    return measure.alternate(plan, progress)


@dataclass(frozen=True)
class Command:
    """One process of the container benchmark; ``workdir`` is set for the entrypoints only."""

    label: str
    side: str
    argv: list[str]
    env: dict[str, str]
    workdir: Path | None = None

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


def entrypoint(side: str, python: Path, expected_exe: str) -> tuple[Command, dict[str, Any]]:
    """Serialize ``greet`` with ``side``'s SDK and build the process Flyte would start for it."""
    workdir = WORK / side
    workdir.mkdir(parents=True)
    template_path = workdir / "template.pb"
    info = measure.run_worker(python, "serialize_template.py", ["--side", side, "--out", str(template_path)])
    (workdir / "inputs.pb").write_bytes(literal_map(INPUTS).SerializeToString(deterministic=True))
    argv = list(tasks_pb2.TaskTemplate.FromString(template_path.read_bytes()).container.args)
    if not argv or argv[0] != expected_exe:
        raise RuntimeError(f"{side}: the template's container args start {argv[:1]}, expected {expected_exe}")
    env = measure.child_env()
    env["PATH"] = str(python.parent) + os.pathsep + env.get("PATH", "")
    env["PYTHONPATH"] = str(measure.WORKERS)  # where plugins_<side>.py, named in the args, lives
    found = shutil.which(expected_exe, path=env["PATH"])
    if found is None or Path(found).parent != python.parent:
        raise RuntimeError(f"{expected_exe} does not resolve to {python.parent} (found {found})")
    info["args"] = argv
    return Command(expected_exe, side, argv, env, workdir), info


def check_outputs(command: Command, run_dir: Path) -> tuple[str, str]:
    """Fail loudly unless the run wrote the expected ``outputs.pb``.

    Returns the sha256 of the file's bytes and of the same LiteralMap serialized deterministically:
    a protobuf map may be written in any order, so only the second must agree across SDKs.
    """
    out = run_dir / "out"
    if (out / "error.pb").exists():
        doc = errors_pb2.ErrorDocument.FromString((out / "error.pb").read_bytes())
        raise RuntimeError(f"{command.label} wrote error.pb: {doc.error.code}: {doc.error.message[-2000:]}")
    if not (out / "outputs.pb").exists():
        raise RuntimeError(f"{command.label} exited 0 without writing {out / 'outputs.pb'}")
    data = (out / "outputs.pb").read_bytes()
    got = literals_pb2.LiteralMap.FromString(data)
    if got != literal_map(EXPECTED):
        raise RuntimeError(f"{command.label} wrote outputs {got}, expected the literals of {EXPECTED}")
    canonical = got.SerializeToString(deterministic=True)
    return hashlib.sha256(data).hexdigest(), hashlib.sha256(canonical).hexdigest()


def container(args: argparse.Namespace, flytekit_python: Path) -> dict[str, Any]:
    """Wall time, peak RSS and outputs of each entrypoint and floor, ``args.container_runs`` runs each."""
    shutil.rmtree(WORK, ignore_errors=True)
    fw_python = Path(sys.executable)
    fw, fw_info = entrypoint("flyweight", fw_python, "flyweight-execute")
    fk, fk_info = entrypoint("flytekit", flytekit_python, "pyflyte-execute")
    env = measure.child_env()
    commands = [
        fw,
        fk,
        Command('python -c "pass"', "floor", [str(fw_python), "-c", "pass"], env),
        Command(
            'python -c "import flyteidl.core.tasks_pb2"',
            "floor",
            [str(fw_python), "-c", "import flyteidl.core.tasks_pb2"],
            env,
        ),
    ]
    times: dict[str, list[float]] = {c.label: [] for c in commands}
    rss: dict[str, list[int]] = {c.label: [] for c in commands}
    raw: dict[str, set[str]] = {c.label: set() for c in commands if c.workdir is not None}
    canonical: dict[str, set[str]] = {label: set() for label in raw}

    def run(command: Command, i: int) -> measure.ChildUsage:
        if command.workdir is None:
            return measure.time_child(command.argv, env=command.env, cwd=WORK)
        run_dir = command.workdir / f"run-{i}"  # a fresh output prefix per run
        run_dir.mkdir()
        usage = measure.time_child(command.argv_for(run_dir), env=command.env, cwd=run_dir)
        raw_sha, canonical_sha = check_outputs(command, run_dir)
        raw[command.label].add(raw_sha)
        canonical[command.label].add(canonical_sha)
        shutil.rmtree(run_dir)
        return usage

    print(
        f"container process: greet(x=40, s='flyte'), {args.container_runs} runs of each command", flush=True
    )
    for command in commands:  # untimed: .pyc files exist, and a broken setup fails before timing
        run(command, -1)
    for i in range(args.container_runs):
        for command in measure.rotated(commands, i):
            usage = run(command, i)
            times[command.label].append(usage.wall)
            rss[command.label].append(usage.max_rss_kib)
        shown = ", ".join(f"{c.label.split()[0]} {secs(times[c.label][-1])}" for c in commands[:2])
        print(f"  round {i + 1}: {shown}", flush=True)
    return {
        "commands": [{"label": c.label, "side": c.side} for c in commands],
        "times": times,
        "max_rss_kib": rss,
        "templates": {"flyweight": fw_info, "flytekit": fk_info},
        "outputs_sha256": {label: sorted(shas) for label, shas in raw.items()},
        "canonical_outputs_sha256": {label: sorted(shas) for label, shas in canonical.items()},
        "inputs": INPUTS,
        "expected": EXPECTED,
        "rss_source": measure.rss_source(),
    }
