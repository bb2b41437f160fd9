"""Gate nodes written once, loaded with flyweight or with flytekit (``test_gate_nodes.py``).

``task``, ``workflow``, ``conditional``, ``sleep``, ``wait_for_input`` and ``approve`` are not imported
here: the loader puts the chosen SDK's into the module before running it, so both SDKs compile the same
source under the same module name.
"""

from __future__ import annotations

import datetime
from typing import Any

task: Any = globals()["task"]
workflow: Any = globals()["workflow"]
conditional: Any = globals()["conditional"]
sleep: Any = globals()["sleep"]
wait_for_input: Any = globals()["wait_for_input"]
approve: Any = globals()["approve"]

HOUR = datetime.timedelta(hours=1)


@task
def add_one(a: int) -> int:
    return a + 1


@task
def shout(s: str) -> str:
    return s.upper()


@task
def scale(x: float, on: bool) -> float:
    return x * 2 if on else x


@task
def boom(a: int) -> int:
    if a >= 0:
        raise ValueError(f"boom {a}")
    return a


@workflow
def sleep_alone() -> None:
    sleep(datetime.timedelta(seconds=10))


@workflow
def sleep_then_task(a: int) -> int:
    pause = sleep(datetime.timedelta(minutes=1))
    out = add_one(a=a)
    pause >> out
    return out


@workflow
def input_int(a: int) -> int:
    n = wait_for_input("count", timeout=datetime.timedelta(hours=2), expected_type=int)
    return add_one(a=n)


@workflow
def input_str() -> str:
    s = wait_for_input("title", timeout=HOUR, expected_type=str)
    return shout(s=s)


@workflow
def input_float_bool() -> float:
    x = wait_for_input("factor", timeout=HOUR, expected_type=float)
    on = wait_for_input("enabled", timeout=datetime.timedelta(minutes=30), expected_type=bool)
    return scale(x=x, on=on)


@workflow
def approve_output(a: int) -> int:
    x = add_one(a=a)
    ok = approve(x, "ok", timeout=datetime.timedelta(minutes=5))
    return add_one(a=ok)


@workflow
def approve_returned(a: int) -> int:
    x = add_one(a=a)
    return approve(x, "publish", timeout=datetime.timedelta(days=1))


@workflow
def several_gates(a: int) -> int:
    first = sleep(datetime.timedelta(seconds=5))
    n = wait_for_input("n", timeout=HOUR, expected_type=int)
    first >> n
    x = add_one(a=n)
    ok = approve(x, "check", timeout=HOUR)
    y = add_one(a=ok)
    later = sleep(datetime.timedelta(seconds=7))
    y >> later
    return y


@workflow
def gate_in_branch(a: int) -> int:
    return (
        conditional("ask")
        .if_(a > 0)
        .then(wait_for_input("w", timeout=HOUR, expected_type=int))
        .else_()
        .then(add_one(a=a))
    )


@workflow
def sleep_beside_failure(a: int) -> int:
    sleep(datetime.timedelta(hours=5))
    return boom(a=a)


@workflow
def long_sleep() -> None:
    sleep(datetime.timedelta(hours=5))
