"""Function tasks that misbehave the ways production code does, for the entrypoint's fault tests.

The container imports this module by name (the tests run ``flyweight-execute`` with the repository on
``PYTHONPATH``)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

from flyweight import task


class CustomBase(BaseException):
    """A ``BaseException`` that is neither ``Exception`` nor one of Python's own."""


class BrokenStr(Exception):
    def __str__(self) -> str:
        raise RuntimeError("__str__ is broken")


class BrokenStrAndRepr(Exception):
    def __str__(self) -> str:
        raise ValueError("__str__ is broken")

    def __repr__(self) -> str:
        raise ValueError("__repr__ is broken too")


_BASE = {
    "KeyboardInterrupt": lambda: KeyboardInterrupt("raised by the task"),
    "GeneratorExit": lambda: GeneratorExit("raised by the task"),
    "CustomBase": lambda: CustomBase("raised by the task"),
    "SystemExit": lambda: SystemExit(3),
}


@task
def raises_base(kind: str) -> int:
    raise _BASE[kind]()


@task
def raises_broken(kind: str) -> int:
    raise BrokenStr() if kind == "str" else BrokenStrAndRepr()


@task
def closes_streams(how: str) -> int:
    if how == "objects":
        sys.stdout.close()
        sys.stderr.close()
    else:
        print("buffered, never flushed", end="")  # the interpreter would flush it at exit
        os.close(1)
        os.close(2)
    raise ValueError(f"failed after closing the streams ({how})")


@task
def writes_to_a_broken_pipe(n: int) -> int:
    for text in ["x" * 1000] * n + ["left in the buffer for the interpreter to flush at exit"]:
        try:
            print(text, flush=len(text) > 100)
        except BrokenPipeError:
            pass
    raise ValueError("failed after its stdout broke")


@task
def spawns_and_sleeps(pidfile: str) -> int:
    child = subprocess.Popen(["sleep", "300"])
    with open(pidfile + ".tmp", "w") as f:
        f.write(f"{os.getpid()} {child.pid}")
    os.replace(pidfile + ".tmp", pidfile)
    time.sleep(300)
    return 0


@task
def stuck_in_a_c_call(pidfile: str) -> int:
    with open(pidfile + ".tmp", "w") as f:
        f.write(f"{os.getpid()} 0")
    os.replace(pidfile + ".tmp", pidfile)
    # An endless query: SQLite runs it in C with the GIL released, and the interpreter runs no Python
    # signal handler until it returns, which it never does.
    db = sqlite3.connect(":memory:")
    endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
    return int(db.execute(endless).fetchone()[0])
