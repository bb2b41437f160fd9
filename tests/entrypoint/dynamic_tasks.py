"""Dynamic tasks for ``test_execute_dynamic.py``, written once for both SDKs.

The module builds its tasks with flyweight, or with flytekit when ``DYNAMIC_TASKS_SDK=flytekit`` is set
(``pyflyte-execute`` imports it that way), so both containers load the same tasks under the same module
name and their ``futures.pb`` can be compared byte for byte.
"""

from __future__ import annotations

import os

if os.environ.get("DYNAMIC_TASKS_SDK") == "flytekit":
    from flytekit import dynamic, task, workflow
else:
    from flyweight import dynamic, task, workflow


@task
def add_one(a: int) -> int:
    return a + 1


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@workflow
def inner(a: int) -> int:
    return add_one(a=add_one(a=a))


@dynamic
def fan_out(n: int) -> list[int]:
    return [add_one(a=i) for i in range(n)]


@dynamic
def mixed(n: int) -> tuple[int, list[int]]:
    xs = [inner(a=i) for i in range(n)]
    return total(xs=fan_out(n=n)), xs


@dynamic
def constant(n: int) -> str:
    return f"n={n}"


@dynamic
def refuses(n: int) -> int:
    if n > 1:
        raise ValueError(f"the body refuses n={n}")
    return add_one(a=n)
