"""A realistic plugin written against flytekit (twin of ``stats_flyweight.py``).

Same configuration dataclass, task class and executor in one module, the way real plugins are
written, with flytekit's classes; runs only under ``bench/.venv-flytekit``. The container process
imports this module by name (``stats_flytekit``) to load the executor named in the template, so it
must stay importable with ``bench/workers`` on the path.

``stats(x, xs)`` returns ``y = round(x * scale + sum(xs), precision)`` and ``total = sum(xs)``;
``stats(x=1.5, xs=[1, 2, 3])`` gives ``(9.0, 6)``.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Any

from flytekit import kwtypes
from flytekit.configuration import SerializationSettings
from flytekit.core.interface import Interface
from flytekit.core.python_customized_container_task import PythonCustomizedContainerTask
from flytekit.core.shim_task import ShimTaskExecutor
from flytekit.models.task import TaskTemplate

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
    """The run-time side: reads its configuration from the template alone.

    flytekit matches a returned tuple to the outputs in the iteration order of the template's
    protobuf map, which changes from process to process (``y`` and ``total`` would come out swapped
    in some runs), so the tuple is built in that order here, as in ``plugins_flytekit.Greet``.
    flyweight records the declared order in the template and takes the tuple as written.
    """

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        total = sum(kwargs["xs"])
        y = round(kwargs["x"] * float(tt.custom["scale"]) + total, int(tt.custom["precision"]))
        out = {"y": y, "total": total}
        return tuple(out[name] for name in tt.interface.outputs)


stats = StatsTask("bench.stats", StatsConfig(scale=2.0))


def template_bytes(task: Any = None) -> bytes:
    """``task``'s (default ``stats``'s) TaskTemplate as registration would produce it."""
    import cases  # not at the top: the container process imports some of these modules
    from flytekit.configuration import Image, ImageConfig
    from flytekit.tools.translator import get_serializable

    settings = cases.serialization_settings(SerializationSettings, ImageConfig, Image)
    entity = get_serializable(OrderedDict(), settings, task or stats)
    return entity.template.to_flyte_idl().SerializeToString()
