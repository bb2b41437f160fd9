"""Function tasks mapped by both SDKs in the map-task entrypoint tests, with one source.

The tests build flytekit's map template from these functions (``flytekit.task(fn)``), so its loader
arguments name ``task-module tests.entrypoint.map_tasks_flytekit task-name <function>``. A container
imports this module by that name: ``flyweight-execute`` must find flyweight tasks here and flytekit's
``pyflyte-map-execute`` flytekit tasks, so ``MAP_TASKS_SDK=flytekit`` in the environment (set only by the
tests running ``pyflyte-map-execute``) makes the decorator flytekit's; without it, it is flyweight's.
"""

import os
from typing import Any, Optional

SDK_ENV = "MAP_TASKS_SDK"


def _task() -> Any:
    if os.environ.get(SDK_ENV) == "flytekit":
        from flytekit import task as flytekit_task

        return flytekit_task
    from flyweight import task as flyweight_task

    return flyweight_task


task = _task()


@task
def square(x: int) -> int:
    return x * x


@task
def shout(word: str, suffix: str) -> str:
    return word.upper() + suffix


@task
def half(x: float) -> float:
    return x / 2


@task
def maybe_next(x: Optional[int]) -> Optional[int]:
    return None if x is None else x + 1
