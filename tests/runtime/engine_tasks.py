"""Tasks and workflows at module level, so ``flyweight-execute`` can import them (isolated runs)."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pandas as pd

from flyweight import WorkflowFailurePolicy, kwtypes, task, workflow
from flyweight.errors import RecoverableError
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task

MUSIC_DB = Path(__file__).resolve().parents[2] / "examples" / "data" / "music.db"


@task
def double(x: int) -> int:
    return 2 * x


@task
def add(a: int, b: int = 1) -> int:
    return a + b


@task
def greet(name: str) -> str:
    return f"hello {name}"


@workflow
def chain(x: int) -> int:
    return add(a=double(x=double(x=x)))


@task
def fail(x: int) -> int:
    raise ValueError(f"no good: {x}")


@workflow
def failing(x: int) -> int:
    return double(x=fail(x=double(x=x)))


@task(retries=3)
def flaky(counter: str, succeed_on: int) -> int:
    """Fails recoverably until its ``succeed_on``-th attempt; the attempts are counted in a file."""
    path = Path(counter)
    n = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(n))
    if n < succeed_on:
        raise RecoverableError(f"attempt {n} of {succeed_on}")
    return n


@workflow
def flaky_wf(counter: str, succeed_on: int) -> int:
    return flaky(counter=counter, succeed_on=succeed_on)


@task(timeout=1)
def sleepy(seconds: float) -> str:
    time.sleep(seconds)
    return f"pid {os.getpid()} slept"


@workflow
def sleepy_wf(seconds: float) -> str:
    return sleepy(seconds=seconds)


tracks_by_composer = SQLite3Task(
    "engine_tests.tracks_by_composer",
    query_template=(
        "select TrackId, Name from tracks where Composer = {{.inputs.composer}} limit {{.inputs.n}}"
    ),
    inputs=kwtypes(composer=str, n=int),
    task_config=SQLite3Config(uri=str(MUSIC_DB)),
)


@task
def count_rows(df: pd.DataFrame) -> int:
    return len(df)


@workflow
def music(composer: str, n: int = 3) -> int:
    return count_rows(df=tracks_by_composer(composer=composer, n=n))


@workflow
def isolated_mix(x: int, name: str) -> tuple[int, str]:
    return chain(x=x), greet(name=name)


@task
def nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@workflow
def nap_and_greet(seconds: float, name: str) -> tuple[float, str]:
    return nap(seconds=seconds), greet(name=name)


@task
def pid_then_sleep(pid_file: str, seconds: float) -> str:
    """Writes the id of the process it runs in to ``pid_file`` (whole, by a rename), then sleeps."""
    part = Path(pid_file + ".part")
    part.write_text(str(os.getpid()))
    part.rename(pid_file)
    time.sleep(seconds)
    return pid_file


@workflow
def sleep_then_greet(pid_file: str, seconds: float) -> str:
    return greet(name=pid_then_sleep(pid_file=pid_file, seconds=seconds))


@workflow(failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
def time_out_and_fail(x: int, seconds: float) -> None:
    sleepy(seconds=seconds)
    fail(x=x)
