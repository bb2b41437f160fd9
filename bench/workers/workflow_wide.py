"""Run a wide workflow of N independent plugin tasks locally with one SDK; print one JSON line.

Usage: ``python workflow_wide.py --side flyweight|flytekit --mode M --nodes N --repeats R``

The workflow calls the plugin task ``add_one`` (``plugins_<side>.py``) N times with the constants
0 .. N-1, all independent of each other, and a function task ``total`` sums the N outputs, so each
run must return N * (N + 1) / 2: proof that every node ran and its output came back. Modes:

- ``subprocess-1`` / ``subprocess-2`` (flyweight): ``run_workflow(..., workers=1 or 2)``, each plugin
  node through the real ``flyweight-execute`` in its own process against a fresh blob directory,
  as a pod would run it.
- ``in-process`` (both SDKs): the plain local call ``wf()``; for flytekit this is its only local mode.
- ``entrypoint-2`` (flytekit): what flytekit lacks, done by this script: ``add_one``'s template,
  serialized by flytekit, run N times as a pod runs it (``pyflyte-execute`` with the template's
  arguments, placeholders filled, one process per node, two at a time, each with its own
  ``inputs.pb`` and output prefix); the outputs are read back and summed here. It is the same work
  as flyweight's ``subprocess-2``, so the two compare the SDKs' entrypoints under one scheduler shape.

Each repeat records the wall time and the CPU time this process and its children used in it; CPU
time over wall time is how many cores were busy on average. A 2-node warm-up run comes first.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import cases

MODES = {
    "flyweight": ("subprocess-1", "subprocess-2", "in-process"),
    "flytekit": ("in-process", "entrypoint-2"),
}


def total(xs: list[int]) -> int:
    """The fan-in node: sums the plugin tasks' outputs."""
    return sum(xs)


def build(side: str, n: int) -> Any:
    sdk = importlib.import_module("flyweight" if side == "flyweight" else "flytekit")
    add_one = importlib.import_module(f"plugins_{side}").add_one
    total_task = sdk.task(total)

    def body() -> int:
        return total_task(xs=[add_one(x=i) for i in range(n)])

    body.__name__ = body.__qualname__ = f"wide_{n}"
    return sdk.workflow(body)


def cpu_seconds() -> float:
    """CPU time of this process and its reaped children so far (microsecond resolution)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def int_literals(**values: int) -> bytes:
    """A LiteralMap of integers, built with bare flyteidl so no SDK makes it."""
    from flyteidl.core import literals_pb2

    lm = literals_pb2.LiteralMap()
    for name, value in values.items():
        lm.literals[name].scalar.primitive.integer = value
    return lm.SerializeToString(deterministic=True)


class Entrypoints:
    """flytekit's ``add_one`` template run through ``pyflyte-execute``, one process per node."""

    def __init__(self, n: int) -> None:
        from flyteidl.core import tasks_pb2

        self.n = n
        data = importlib.import_module("plugins_flytekit").template_bytes(
            importlib.import_module("plugins_flytekit").add_one
        )
        self.args = list(tasks_pb2.TaskTemplate.FromString(data).container.args)
        self.data = data
        self.env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent))
        self.exe = str(Path(sys.executable).parent / self.args[0])

    def node(self, root: Path, i: int) -> int:
        from flyteidl.core import literals_pb2

        node_dir = root / f"n{i}"
        node_dir.mkdir()
        (node_dir / "inputs.pb").write_bytes(int_literals(x=i))
        fill = {
            "input": str(node_dir / "inputs.pb"),
            "outputprefix": str(node_dir),
            "rawoutputdataprefix": str(node_dir / "raw"),
            "checkpointoutputprefix": str(node_dir / "checkpoint"),
            "prevcheckpointprefix": '""',
            "tasktemplatepath": str(root / "template.pb"),
        }
        argv = [
            re.sub(r"\{\{\s*\.(\w+)\s*\}\}", lambda m: fill.get(m.group(1).lower(), m.group(0)), a)
            for a in self.args[1:]
        ]
        done = subprocess.run([self.exe, *argv], env=self.env, capture_output=True, check=False)
        outputs = node_dir / "outputs.pb"
        if done.returncode != 0 or not outputs.exists():
            raise RuntimeError(f"node {i}: exit {done.returncode}\n{done.stderr.decode()[-2000:]}")
        return literals_pb2.LiteralMap.FromString(outputs.read_bytes()).literals["o"].scalar.primitive.integer

    def __call__(self, root: Path, n: int) -> int:
        (root / "template.pb").write_bytes(self.data)
        with ThreadPoolExecutor(2) as pool:
            return sum(pool.map(lambda i: self.node(root, i), range(n)))


def run_once(side: str, mode: str, wf: Any, scratch: Path) -> Any:
    if mode == "in-process":
        return wf()
    if mode == "entrypoint-2":
        root = Path(tempfile.mkdtemp(dir=scratch))
        try:
            return wf(root, wf.n)
        finally:
            shutil.rmtree(root, ignore_errors=True)
    from flyweight._runtime import run_workflow

    blob_dir = Path(tempfile.mkdtemp(dir=scratch))
    try:
        workers = int(mode.rsplit("-", 1)[1])
        return run_workflow(wf, {}, workers=workers, blob_dir=blob_dir)
    finally:
        shutil.rmtree(blob_dir, ignore_errors=True)


def run(side: str, mode: str, n: int, repeats: int) -> dict[str, Any]:
    if mode not in MODES[side]:
        raise SystemExit(f"mode {mode} is not defined for {side}; choose from {MODES[side]}")
    scratch = Path(tempfile.mkdtemp(prefix="wide-"))
    try:
        warm = Entrypoints(2) if mode == "entrypoint-2" else build(side, 2)
        if run_once(side, mode, warm, scratch) != 3:
            raise AssertionError(f"{side}: the 2-node warm-up returned a wrong sum")
        wf = Entrypoints(n) if mode == "entrypoint-2" else build(side, n)
        expected = n * (n + 1) // 2
        walls, cpus = [], []
        for _ in range(repeats):
            gc.collect()
            cpu0, start = cpu_seconds(), time.perf_counter()
            out = run_once(side, mode, wf, scratch)
            walls.append(time.perf_counter() - start)
            cpus.append(cpu_seconds() - cpu0)
            if out != expected:
                raise AssertionError(f"{side} {mode}: {n} nodes summed to {out!r}, expected {expected}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"times": {"run": walls}, "cpu": cpus, "mode": mode, "nodes": n, "cores": os.cpu_count()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["flyweight", "flytekit"], required=True)
    parser.add_argument("--mode", choices=sorted({m for ms in MODES.values() for m in ms}), required=True)
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--repeats", type=int, required=True)
    args = parser.parse_args()
    result = run(args.side, args.mode, args.nodes, args.repeats)
    cases.emit({"side": args.side, **result, "versions": cases.versions()})


if __name__ == "__main__":
    main()
