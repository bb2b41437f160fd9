"""``flyweight-execute`` under the faults production brings: whatever the task does, and whatever is done
to the process, the attempt ends with a complete, correctly classified ``error.pb`` and exit status 0.

Every case runs the real console script in a subprocess, as a Flyte pod does.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import errors_pb2, execution_pb2
from tests.entrypoint import fault_tasks
from tests.entrypoint.test_execute_function import BIN, REPO, Attempt, prepare
from tests.runtime.processes import HANG, alive, eventually

from flyweight._entrypoint._signals import process_tree

USER = execution_pb2.ExecutionError.USER
SYSTEM = execution_pb2.ExecutionError.SYSTEM
RECOVERABLE = errors_pb2.ContainerError.RECOVERABLE
NON_RECOVERABLE = errors_pb2.ContainerError.NON_RECOVERABLE


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_", "_FSEC_", "FLYWEIGHT_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    env.update(extra or {})
    return env


def _error(out: Path) -> errors_pb2.ContainerError:
    assert sorted(os.listdir(out)) == ["error.pb"], os.listdir(out)
    return errors_pb2.ErrorDocument.FromString((out / "error.pb").read_bytes()).error


# -- BaseException and broken exceptions ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["KeyboardInterrupt", "GeneratorExit", "CustomBase"])
def test_a_base_exception_from_task_code_is_a_user_error(tmp_path: Path, kind: str) -> None:
    result = prepare(tmp_path, fault_tasks.raises_base, {"kind": kind}).run()
    err = result.error()
    assert (err.origin, err.kind, err.code) == (USER, NON_RECOVERABLE, "USER:RuntimeError")
    assert "raised by the task" in err.message
    assert kind in err.message


def test_sys_exit_from_task_code_is_a_user_error(tmp_path: Path) -> None:
    err = prepare(tmp_path, fault_tasks.raises_base, {"kind": "SystemExit"}).run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "called sys.exit(3)" in err.message


@pytest.mark.parametrize(("kind", "shown"), [("str", "BrokenStr()"), ("both", "BrokenStrAndRepr object")])
def test_an_exception_whose_str_raises_is_still_reported(tmp_path: Path, kind: str, shown: str) -> None:
    err = prepare(tmp_path, fault_tasks.raises_broken, {"kind": kind}).run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert shown in err.message
    assert "Trace:" in err.message


# -- the task's own streams --------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["objects", "descriptors"])
def test_task_code_that_closes_stdout_and_stderr(tmp_path: Path, how: str) -> None:
    err = prepare(tmp_path, fault_tasks.closes_streams, {"how": how}).run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert f"failed after closing the streams ({how})" in err.message


def test_stdout_and_stderr_that_are_broken_pipes(tmp_path: Path, started: list[Any]) -> None:
    attempt = prepare(tmp_path, fault_tasks.writes_to_a_broken_pipe, {"n": 1000})
    proc = subprocess.Popen(
        attempt.args, cwd=tmp_path, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    started.append(proc)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # nobody reads the pod's output any more
    proc.stderr.close()
    assert proc.wait(timeout=HANG) == 0
    err = _error(attempt.out)
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "failed after its stdout broke" in err.message


# -- arguments -------------------------------------------------------------------------------------------


def test_a_loader_argument_that_is_not_utf8(tmp_path: Path) -> None:
    attempt = prepare(tmp_path, fault_tasks.raises_base, {"kind": "CustomBase"})
    attempt.replace("raises_base", os.fsdecode(b"no_such_\xff_task"))
    result = attempt.run()
    err = result.error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "no_such_\\udcff_task" in err.message  # the byte is shown escaped, never lost


def test_an_inputs_path_that_is_not_utf8(tmp_path: Path) -> None:
    attempt = prepare(tmp_path, fault_tasks.raises_base, {"kind": "CustomBase"})
    attempt.replace(str(tmp_path / "inputs.pb"), os.fsdecode(str(tmp_path).encode() + b"/in\xfe.pb"))
    err = attempt.run().error()
    assert err.origin == SYSTEM
    assert "in\\udcfe.pb" in err.message


@pytest.mark.parametrize("which", ["{{.outputPrefix}}", "{{ .Input }}", "{{.taskTemplatePath}}"])
def test_an_unreplaced_placeholder_is_refused(tmp_path: Path, which: str) -> None:
    attempt = prepare(tmp_path, fault_tasks.raises_base, {"kind": "CustomBase"})
    if which == "{{.outputPrefix}}":
        attempt.replace(str(attempt.out), which)
    elif which == "{{ .Input }}":
        attempt.replace(str(tmp_path / "inputs.pb"), which)
    else:
        attempt.replace("raises_base", which)
    result = attempt.run()
    assert result.returncode == 2
    assert "still holds the Flyte placeholder" in result.stderr
    assert not any("{{" in name for name in os.listdir(tmp_path)), os.listdir(tmp_path)
    if which != "{{.outputPrefix}}":  # the output prefix is known: Flyte gets the reason too
        err = _error(attempt.out)
        assert "placeholder" in err.message


# -- stopped from outside ---------------------------------------------------------------------------------


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Whatever a test asserts, the entrypoints it started (and their children) end with it."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        if proc.poll() is None:
            for pid in process_tree(proc.pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            proc.kill()
            proc.wait(timeout=HANG)


def _start(
    tmp_path: Path, task: Any, started: list[subprocess.Popen[bytes]], env: dict[str, str] | None = None
) -> tuple[Attempt, Any, list[int]]:
    pidfile = tmp_path / "pids"
    attempt = prepare(tmp_path, task, {"pidfile": str(pidfile)})
    proc = subprocess.Popen(
        attempt.args, cwd=tmp_path, env=_env(env), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    started.append(proc)
    eventually(lambda: pidfile.exists() or proc.poll() is not None, "the task to start")
    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
    pids = [int(p) for p in pidfile.read_text().split()]
    return attempt, proc, pids


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_writes_a_recoverable_system_error_and_ends_the_tasks_children(
    tmp_path: Path, sig: signal.Signals, started: list[Any]
) -> None:
    attempt, proc, (_, child) = _start(tmp_path, fault_tasks.spawns_and_sleeps, started)
    assert alive(child)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=HANG)
    assert proc.returncode == 0, stderr
    err = _error(attempt.out)
    assert (err.origin, err.kind) == (SYSTEM, RECOVERABLE)
    assert f"stopped by {sig.name}" in err.message
    eventually(lambda: not alive(child), "the task's child process to end")


def test_a_task_stuck_in_c_code_still_gets_its_error_after_the_grace_period(
    tmp_path: Path, started: list[Any]
) -> None:
    attempt, proc, _ = _start(
        tmp_path,
        fault_tasks.stuck_in_a_c_call,
        started,
        {"FLYWEIGHT_STOP_GRACE": "0.5"},
    )
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=HANG)
    assert proc.returncode == 0, stderr
    err = _error(attempt.out)
    assert (err.origin, err.kind) == (SYSTEM, RECOVERABLE)
    assert "stopped by SIGTERM" in err.message


def test_the_death_of_the_starting_process_stops_the_attempt(tmp_path: Path, started: list[Any]) -> None:
    read_end, write_end = os.pipe()
    try:
        attempt = prepare(tmp_path, fault_tasks.spawns_and_sleeps, {"pidfile": str(tmp_path / "pids")})
        proc = subprocess.Popen(
            attempt.args,
            cwd=tmp_path,
            env=_env({"FLYWEIGHT_PARENT_FD": str(read_end)}),
            pass_fds=(read_end,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        started.append(proc)
    finally:
        os.close(read_end)
    try:
        eventually(lambda: (tmp_path / "pids").exists() or proc.poll() is not None, "the task to start")
        child = int((tmp_path / "pids").read_text().split()[1])
    finally:
        os.close(write_end)  # as when the driver of a local run is killed
    _, stderr = proc.communicate(timeout=HANG)
    assert proc.returncode == 0, stderr
    err = _error(attempt.out)
    assert (err.origin, err.kind) == (SYSTEM, RECOVERABLE)
    assert "the process that started it exited" in err.message
    eventually(lambda: not alive(child), "the task's child process to end")
