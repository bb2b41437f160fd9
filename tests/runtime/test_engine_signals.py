"""The local engine under signals: SIGTERM and Ctrl-C to a process running a workflow end the run and its
``flyweight-execute`` subprocesses, report what did not finish as cancelled, and end the process as the
signal would have; a driver killed outright leaves no subprocess behind (the pipe it held closes).

The subprocess tests run a real driver process; every wait in them is a generous hang detector, not a
measure of speed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from tests.runtime import engine_tasks as t
from tests.runtime.processes import HANG, eventually, needs_proc, processes_naming

from flyweight._runtime import run_workflow

REPO = Path(__file__).resolve().parents[2]

DRIVER = """
import sys
from tests.runtime import engine_tasks as t
from flyweight._runtime import run_workflow

def on_event(node, state, info):
    print(node, state, info.get("reason", ""), flush=True)

try:
    run_workflow(
        t.sleep_then_greet,
        {"pid_file": sys.argv[1], "seconds": 600.0},
        isolated=True,
        blob_dir=sys.argv[2],
        on_event=on_event,
    )
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
    raise
print("the call returned", flush=True)
"""


def start_driver(tmp_path: Path) -> tuple[subprocess.Popen[str], Path]:
    """A process running ``sleep_then_greet`` isolated; returns once its task's subprocess is sleeping."""
    pid_file, blob = tmp_path / "pid", tmp_path / "blob"
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER, str(pid_file), str(blob)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        eventually(lambda: pid_file.exists() or driver.poll() is not None, "the task to start")
    except AssertionError:
        driver.kill()
        raise
    assert driver.poll() is None, driver.communicate()
    assert processes_naming(str(blob)), "the task's flyweight-execute is not running"
    return driver, blob


@needs_proc
@pytest.mark.parametrize(
    ("sig", "status"),
    [
        (signal.SIGTERM, -signal.SIGTERM),  # ended by SIGTERM, as without the run: 143 in a shell
        (signal.SIGINT, -signal.SIGINT),  # KeyboardInterrupt left uncaught: Python ends by SIGINT (130)
    ],
)
def test_a_signal_to_a_process_running_a_workflow_ends_the_run_and_its_subprocesses(
    tmp_path: Path, sig: signal.Signals, status: int
) -> None:
    driver, blob = start_driver(tmp_path)
    driver.send_signal(sig)
    try:
        out, err = driver.communicate(timeout=HANG)
    finally:
        driver.kill()
    assert driver.returncode == status, err
    lines = out.splitlines()
    assert "n0 cancelled the run was interrupted" in lines  # its subprocess was ended
    assert "n1 cancelled the run was interrupted" in lines  # it never started
    assert "the call returned" not in lines
    assert ("KeyboardInterrupt" in lines) == (sig == signal.SIGINT)
    eventually(lambda: not processes_naming(str(blob)), "the run's flyweight-execute to end")
    assert not (blob / "n0" / "0" / "outputs.pb").exists()


@needs_proc
def test_a_driver_killed_outright_leaves_no_entrypoint_process(tmp_path: Path) -> None:
    """SIGKILL cannot be handled: the subprocess sees the pipe its driver held close, and stops itself
    (the entrypoint's side of the FLYWEIGHT_PARENT_FD contract)."""
    driver, blob = start_driver(tmp_path)
    driver.kill()
    driver.communicate(timeout=HANG)
    eventually(lambda: not processes_naming(str(blob)), "the orphaned flyweight-execute to end")


def test_the_run_takes_over_sigint_and_sigterm_and_restores_them(tmp_path: Path) -> None:
    seen: list[Any] = []

    def on_event(node: str, state: str, info: Any) -> None:
        if state == "running":
            seen.extend([signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)])

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    assert run_workflow(t.chain, {"x": 1}, on_event=on_event) == 5
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before
    if before == (signal.default_int_handler, signal.SIG_DFL):
        assert seen[0] is seen[1]
        assert seen[0] not in before


def test_a_handler_of_the_programs_own_is_left_alone() -> None:
    seen: list[Any] = []

    def own(number: int, frame: Any) -> None:
        raise SystemExit(3)

    previous = signal.signal(signal.SIGTERM, own)
    try:
        run_workflow(t.chain, {"x": 1}, on_event=lambda *_: seen.append(signal.getsignal(signal.SIGTERM)))
        assert set(seen) == {own}
        assert signal.getsignal(signal.SIGTERM) is own
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_no_handler_is_installed_outside_the_main_thread() -> None:
    seen: list[Any] = []
    before = signal.getsignal(signal.SIGTERM)

    def run() -> None:
        run_workflow(t.chain, {"x": 1}, on_event=lambda *_: seen.append(signal.getsignal(signal.SIGTERM)))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive()
    assert seen and set(seen) == {before}
