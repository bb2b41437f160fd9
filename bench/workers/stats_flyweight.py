"""A realistic plugin written against flyweight (twin of ``stats_flytekit.py``).

``plugins_flyweight.py`` holds the smallest plugin tasks there are; this module is laid out the
way real plugins are: one module holds the configuration dataclass, the task class (the authoring
side, which stores the configuration in the template) and its executor (the run-time side, which
reads only the template). The container loads the executor by its module and name, so running the
task also imports the authoring side, as it does for a real plugin. The inputs and outputs are a
float, a list of ints and an int, so a call converts a collection and more than one output.

``stats(x, xs)`` returns ``y = round(x * scale + sum(xs), precision)`` and ``total = sum(xs)``;
``stats(x=1.5, xs=[1, 2, 3])`` gives ``(9.0, 6)``. The container process imports this module by
name (``stats_flyweight``), so it must stay importable with ``bench/workers`` on the path.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from flyweight import Interface, kwtypes
from flyweight.extend import (
    PythonCustomizedContainerTask,
    SerializationSettings,
    ShimTaskExecutor,
    TaskTemplate,
)

IMAGE = "ghcr.io/flyweight-bench/plugin:1"


@dataclass
class StatsConfig:
    """What the executor needs, stored in the template's ``custom`` field by field."""

    scale: float = 1.0
    label: str = "stats"
    precision: int = 3


class StatsTask(PythonCustomizedContainerTask[StatsConfig]):
    """The authoring side: a fixed interface, the configuration, and the executor to run."""

    _TASK_TYPE = "stats"

    def __init__(self, name: str, task_config: StatsConfig, **kwargs: Any) -> None:
        super().__init__(
            name=name,
            task_config=task_config,
            container_image=IMAGE,
            executor_type=StatsExecutor,
            task_type=self._TASK_TYPE,
            interface=Interface(inputs=kwtypes(x=float, xs=list[int]), outputs=kwtypes(y=float, total=int)),
            **kwargs,
        )

    def get_custom(self, settings: SerializationSettings) -> dict[str, Any]:
        return asdict(self.task_config)


class StatsExecutor(ShimTaskExecutor[StatsTask]):
    """The run-time side: reads its configuration from the template alone."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        total = sum(kwargs["xs"])
        return round(kwargs["x"] * float(tt.custom["scale"]) + total, int(tt.custom["precision"])), total


stats = StatsTask("bench.stats", StatsConfig(scale=2.0))


def template_bytes(task: Any = None) -> bytes:
    """``task``'s (default ``stats``'s) TaskTemplate as registration would produce it."""
    import cases  # not at the top: the container process imports some of these modules

    from flyweight import Image, ImageConfig

    settings = cases.serialization_settings(SerializationSettings, ImageConfig, Image)
    return (task or stats).serialize_to_model(settings).SerializeToString()
