"""One error contract on every path a task runs by (ADR 0014).

A table of exceptions is raised by a function task and by a plugin executor, and each failure is
classified (origin, kind, code) as seen by: a direct local call, the local engine in-process, the local
engine through ``flyweight-execute`` subprocesses, and ``flyweight-execute`` run directly as a Flyte
pod runs it. All four must agree, and agree with the table.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import errors_pb2
from tests import failure_tasks as ft
from tests.entrypoint.flyte_args import fill

from flyweight._failure import Failure, failure_of, from_error_document
from flyweight._runtime import run_workflow
from flyweight.errors import TaskExecutionError, WorkflowExecutionError
from flyweight.types import TypeEngine

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent

U_NR = Failure("USER", False, "USER:RuntimeError")
U_R = Failure("USER", True, "USER:RuntimeError")
S_R = Failure("SYSTEM", True, "SYSTEM")
S_NR = Failure("SYSTEM", False, "SYSTEM")
RECOVERABLE = Failure("USER", True, "USER:Recoverable")
QUOTA = Failure("USER", False, "USER:Quota")

EXPECTED: dict[str, dict[str, Failure]] = {
    "value": {"function": U_NR, "plugin": U_NR},
    "type": {"function": U_NR, "plugin": U_NR},
    "recoverable": {"function": Failure("USER", True, "USER:Recoverable")}
    | {"plugin": Failure("USER", True, "USER:Recoverable")},
    "connection": {"function": U_R, "plugin": U_R},
    "timeout": {"function": U_R, "plugin": U_R},
    "coded": {
        "function": Failure("USER", False, "USER:Quota"),
        "plugin": Failure("USER", False, "USER:Quota"),
    },
    "declared": {"function": U_NR, "plugin": U_R},  # only the plugin's executor declares it transient
    "storage": {"function": Failure("SYSTEM", True, "SYSTEM"), "plugin": Failure("SYSTEM", True, "SYSTEM")},
    "template": {
        "function": Failure("SYSTEM", False, "SYSTEM"),
        "plugin": Failure("SYSTEM", False, "SYSTEM"),
    },
    "generator_exit": {"function": U_NR, "plugin": U_NR},
    "custom_base": {"function": U_NR, "plugin": U_NR},
    "sys_exit": {"function": U_NR, "plugin": U_NR},
    "broken_str": {"function": U_NR, "plugin": U_NR},
    # Ignored outputs of a task that declares outputs: no path can give the outputs.
    "ignore": {"function": U_NR, "plugin": U_NR},
}
TASKS = {"function": (ft.raises, ft.raises_wf), "plugin": (ft.plugin_raises, ft.plugin_raises_wf)}
CASES = [(kind, which) for kind in EXPECTED for which in TASKS]


def _direct(which: str, kind: str) -> Failure:
    task = TASKS[which][0]
    try:
        task(kind=kind)
    except BaseException as e:
        return failure_of(e)[0]
    raise AssertionError("the task did not fail")


def _engine(which: str, kind: str, tmp: Path, subprocesses: bool) -> Failure:
    wf = TASKS[which][1]
    options: dict[str, Any] = {"blob_dir": tmp}
    if subprocesses:
        options["isolated"] = True  # function tasks through flyweight-execute; plugin tasks go there anyway
    else:
        options["in_process"] = True
    with pytest.raises(WorkflowExecutionError) as e:
        run_workflow(wf, {"kind": kind}, **options)
    (record,) = e.value.failures
    return Failure(record.origin, record.recoverable, record.code)


def _container(which: str, kind: str, tmp: Path) -> Failure | None:
    """``flyweight-execute`` as a Flyte pod runs it; None when it wrote nothing (IgnoreOutputs)."""
    pb = TASKS[which][0].serialize_to_model(ft.SETTINGS)
    (tmp / "task.pb").write_bytes(pb.SerializeToString())
    inputs = TypeEngine.dict_to_literal_map(None, {"kind": kind}, {"kind": str})
    (tmp / "inputs.pb").write_bytes(inputs.SerializeToString())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_", "FLYWEIGHT_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    args = fill(pb.container.args, tmp)
    proc = subprocess.run(args, cwd=tmp, env=env, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    files = sorted(os.listdir(tmp / "out")) if (tmp / "out").exists() else []
    if not files:
        return None
    assert files == ["error.pb"], files
    return from_error_document(errors_pb2.ErrorDocument.FromString((tmp / "out" / "error.pb").read_bytes()))[
        0
    ]


@pytest.fixture(scope="module")
def through_subprocesses(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str], Any]:
    """Both subprocess paths for every case, run a few at a time (each is a whole interpreter)."""
    jobs: dict[tuple[str, str, str], Any] = {}
    with ThreadPoolExecutor(4) as pool:
        for kind, which in CASES:
            root = tmp_path_factory.mktemp(f"{which}-{kind}")
            (root / "engine").mkdir()
            (root / "container").mkdir()
            jobs[kind, which, "engine"] = pool.submit(_engine, which, kind, root / "engine", True)
            jobs[kind, which, "container"] = pool.submit(_container, which, kind, root / "container")
    return {key: job.result() for key, job in jobs.items()}


@pytest.mark.parametrize(("kind", "which"), CASES, ids=[f"{w}-{k}" for k, w in CASES])
def test_every_path_classifies_a_failure_the_same_way(
    kind: str, which: str, through_subprocesses: dict[tuple[str, str, str], Any], tmp_path: Path
) -> None:
    expected = EXPECTED[kind][which]
    seen = {
        "direct call": _direct(which, kind),
        "engine in-process": _engine(which, kind, tmp_path, subprocesses=False),
        "engine through flyweight-execute": through_subprocesses[kind, which, "engine"],
    }
    container = through_subprocesses[kind, which, "container"]
    if kind == "ignore":  # a pod leaves no file; the engine reads that as the same failure as the others
        assert container is None
    else:
        seen["flyweight-execute"] = container
    assert seen == dict.fromkeys(seen, expected)


@pytest.mark.parametrize("which", list(TASKS))
def test_ignored_outputs_fail_the_same_way_locally(which: str) -> None:
    with pytest.raises(TaskExecutionError, match="IgnoreOutputs.*declares"):
        TASKS[which][0](kind="ignore")


@pytest.mark.parametrize("which", list(TASKS))
def test_keyboard_interrupt_in_this_process_stops_the_run(which: str, tmp_path: Path) -> None:
    """In-process, KeyboardInterrupt is the user pressing Ctrl-C, never a node failure (a container, which
    no user can interrupt that way, reports it as the task's USER error: test_execute_faults)."""
    with pytest.raises(KeyboardInterrupt):
        run_workflow(TASKS[which][1], {"kind": "keyboard_interrupt"}, in_process=True, blob_dir=tmp_path)
