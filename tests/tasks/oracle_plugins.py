"""Executors and task classes shared by the flytekit-oracle tests.

The executors are plain classes (flytekit and flyweight both accept any class with
``execute_from_model``), so the same executor path is written into both SDKs' templates and the same
logic runs under both.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Optional

from flyweight.extend import PythonCustomizedContainerTask


@dataclasses.dataclass
class Point:
    x: int
    y: float
    label: str = "p"


class ScaleExecutor:
    """Scales whichever numeric inputs it gets by ``custom['factor']`` and reports them."""

    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        factor = int(tt.custom["factor"])
        n = kwargs.get("n", 0)
        return n * factor


class ListExecutor:
    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        factor = int(tt.custom["factor"])
        return sum(v * factor for v in kwargs["xs"])


class GreetExecutor:
    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        return f"{tt.custom['greeting']}, {kwargs['name']}"


class NoopExecutor:
    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        return None


class FlyweightPluginTask(PythonCustomizedContainerTask[Any]):
    """flyweight's side: ``custom`` is the dict given at construction."""

    def __init__(self, name: str, custom: dict[str, Any], executor_type: type, **kwargs: Any) -> None:
        super().__init__(name, None, "registry.example/plugin:1.2", executor_type, **kwargs)
        self._custom = custom

    def get_custom(self, settings: Any) -> dict[str, Any]:
        return dict(self._custom)


def flytekit_plugin_task_class() -> type:
    """flytekit's side, built on demand so importing this module does not import flytekit."""
    from flytekit.core.python_customized_container_task import PythonCustomizedContainerTask as Base

    class FlytekitPluginTask(Base):  # type: ignore[misc,valid-type]
        def __init__(self, name: str, custom: dict[str, Any], executor_type: type, **kwargs: Any) -> None:
            super().__init__(name, None, "registry.example/plugin:1.2", executor_type, **kwargs)
            self._custom = custom

        def get_custom(self, settings: Any) -> dict[str, Any]:
            return dict(self._custom)

    return FlytekitPluginTask


OPTIONAL_INT = Optional[int]
