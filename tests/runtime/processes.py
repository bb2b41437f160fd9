"""Helpers for tests that signal real processes: a hang detector and a look at the process table."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

__all__ = ["HANG", "alive", "eventually", "needs_proc", "processes_naming"]

HANG = 60.0  # seconds: only a hang takes this long; no test measures speed with it

needs_proc = pytest.mark.skipif(
    os.name != "posix" or not Path("/proc/self/cmdline").exists(), reason="needs POSIX signals and /proc"
)


def eventually(condition: Callable[[], bool], what: str) -> None:
    """Wait until ``condition()`` holds; fail after :data:`HANG` seconds."""
    deadline = time.monotonic() + HANG
    while not condition():
        assert time.monotonic() < deadline, f"still waiting after {HANG:g}s: {what}"
        time.sleep(0.05)


def alive(pid: int) -> bool:
    """Whether process ``pid`` exists and has not ended (a zombie has)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_bytes().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return False


def processes_naming(text: str) -> list[int]:
    """The live processes (zombies excluded) whose command line contains ``text``, this one excepted."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text.encode() in cmdline and state != b"Z":
            found.append(int(entry.name))
    return found
