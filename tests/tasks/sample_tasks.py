"""Executors and a small plugin task for the local-execution tests of customized container tasks.

Executors live at module level, as a container needs them to (it imports them by path). Most tests
use :class:`CallbackExecutor`, which runs whatever function the test installed with :func:`install`,
so one executor class covers many behaviours without defining classes inside test functions.
"""

from __future__ import annotations

import dataclasses
import enum
import os
from collections.abc import Callable
from typing import Any, NamedTuple, Optional

from flyweight import current_context
from flyweight.extend import (
    Interface,
    PythonCustomizedContainerTask,
    ShimTaskExecutor,
    TaskTemplate,
)

Callback = Callable[..., Any]

_CALLBACK: list[Callback] = []


def install(fn: Callback) -> None:
    """Make :class:`CallbackExecutor` run ``fn(tt, **inputs)``; the previous callback is replaced."""
    _CALLBACK[:] = [fn]


def clear() -> None:
    _CALLBACK.clear()


class CallbackExecutor(ShimTaskExecutor[Any]):
    """Runs the callback the test installed."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        if not _CALLBACK:
            raise AssertionError("the test did not install a callback")
        return _CALLBACK[0](tt, **kwargs)


class DoubleExecutor(ShimTaskExecutor[Any]):
    """``y = x * custom['factor']`` (the factor is a float in ``custom``, so it is coerced)."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        return kwargs["x"] * int(tt.custom["factor"])


class WorkdirExecutor(ShimTaskExecutor[Any]):
    """Writes a file into the working directory and returns whether the directory existed."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        wd = current_context().working_directory
        with open(os.path.join(wd, "scratch.txt"), "w") as f:
            f.write("data")
        return os.path.isdir(wd)


class Mode(enum.Enum):
    FAST = "fast"
    SLOW = "slow"


@dataclasses.dataclass
class Inner:
    label: str = "inner"
    weight: float = 1.5
    count: int = 2


@dataclasses.dataclass
class Config:
    n: int
    inner: Inner = dataclasses.field(default_factory=Inner)
    maybe: Optional[int] = None
    items: list[int] = dataclasses.field(default_factory=list)
    mode: Mode = Mode.FAST


class Pair(NamedTuple):
    total: int
    label: str


class SampleTask(PythonCustomizedContainerTask[Any]):
    """A plugin task whose ``custom`` is the dict held in ``self.custom`` (changeable after creation)."""

    def __init__(
        self,
        name: str,
        inputs: dict[str, Any] | None = None,
        outputs: dict[str, Any] | None = None,
        custom: dict[str, Any] | None = None,
        executor_type: type[ShimTaskExecutor[Any]] = CallbackExecutor,
        container_image: str | None = "registry.example/sample:1",
        **kwargs: Any,
    ) -> None:
        super().__init__(
            name=name,
            task_config=None,
            container_image=container_image,
            executor_type=executor_type,
            interface=Interface(inputs=inputs or {}, outputs=outputs or {}),
            **kwargs,
        )
        self.custom = dict(custom or {})

    def get_custom(self, settings: Any) -> dict[str, Any]:
        return dict(self.custom)


class ConfigTask(PythonCustomizedContainerTask[Config]):
    """A plugin task with a dataclass ``task_config`` and no ``get_custom`` override."""
