"""Tasks mapped in the map-task entrypoint tests (``test_execute_map.py``).

A container imports this module by name (the tests run ``flyweight-execute`` with the repository on
``PYTHONPATH``): the function tasks by ``task-module``/``task-name``, the plugin executors by the class
path written in the template.
"""

from __future__ import annotations

import os
from typing import Any

from flyweight import PodTemplate, task
from flyweight._interface import Interface, kwtypes
from flyweight._settings import Image, ImageConfig, SerializationSettings
from flyweight._tasks import PythonCustomizedContainerTask, ShimTaskExecutor, TaskTemplate
from flyweight.extend import ExecutableTemplateShimTask, default_task_template_resolver

SETTINGS = SerializationSettings(
    project="proj",
    domain="dev",
    version="v1",
    image_config=ImageConfig(default_image=Image(name="default", fqn="test", tag="tag")),
)


# --- function tasks -------------------------------------------------------------------------------


@task
def square(x: int) -> int:
    return x * x


@task
def label(x: int, prefix: str, offsets: list[int]) -> str:
    """Two inputs a partial can bind, one of them itself a list (passed whole, never sliced)."""
    return f"{prefix}{x}:{sum(offsets)}:{len(offsets)}"


@task
def fails_on_two(x: int) -> int:
    if x == 2:
        raise ValueError(f"element refuses x={x}")
    return x + 100


@task(
    pod_template=PodTemplate(
        pod_spec={
            "containers": [
                {"name": "sidecar", "image": "busybox:1", "command": ["sleep", "60"]},
                {"name": "main", "env": [{"name": "POD_OFFSET", "value": "100"}]},
            ]
        },
        primary_container_name="main",
        labels={"team": "maps"},
    ),
    pod_template_name="base-template",
)
def pod_offset(x: int) -> int:
    """Runs in a pod template; adds ``POD_OFFSET`` from the pod's primary container (0 when unset)."""
    return x + int(os.environ.get("POD_OFFSET", "0"))


# --- a plugin task (run from its template) --------------------------------------------------------

PLUGIN_INPUTS = kwtypes(x=int, offsets=list[int])
PLUGIN_OUTPUTS = kwtypes(y=int)


class ScaleExecutor(ShimTaskExecutor[Any]):
    """``y = x * custom['factor'] + sum(offsets)``; checks that it got an element, not a list."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        x, offsets = kwargs["x"], kwargs["offsets"]
        if not isinstance(x, int) or not isinstance(offsets, list):
            raise TypeError(f"expected x: int and offsets: list, got {x!r} and {offsets!r}")
        return x * int(tt.custom["factor"]) + sum(offsets)


class FailingScaleExecutor(ShimTaskExecutor[Any]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        if kwargs["x"] < 0:
            raise ValueError(f"the warehouse rejected x={kwargs['x']}")
        return kwargs["x"]


class ScalePluginTask(PythonCustomizedContainerTask[Any]):
    """A plugin task whose ``custom`` holds the scale factor."""

    def __init__(self, name: str, executor_type: type[ShimTaskExecutor[Any]] = ScaleExecutor) -> None:
        super().__init__(
            name=name,
            task_config=None,
            container_image="registry.example/scale-plugin:1",
            executor_type=executor_type,
            interface=Interface(inputs=PLUGIN_INPUTS, outputs=PLUGIN_OUTPUTS),
        )

    def get_custom(self, settings: Any) -> dict[str, Any]:
        return {"factor": 3}


scale = ScalePluginTask("map_entrypoint.scale")
failing_scale = ScalePluginTask("map_entrypoint.failing_scale", FailingScaleExecutor)


# --- a resolver of the user's own returning a task of its own (a subclass of the template shim) -----


class TaggingShimTask(ExecutableTemplateShimTask):
    """A template shim of a plugin's own: it adds 1000 to ``x`` before the executor runs."""

    def execute(self, **kwargs: Any) -> Any:
        return super().execute(**{**kwargs, "x": kwargs["x"] + 1000})


class TaggingResolver:
    """Loads ``[template path, executor path]`` as a :class:`TaggingShimTask`."""

    def load_task(self, loader_args: list[str]) -> Any:
        task = default_task_template_resolver.load_task(loader_args)
        return TaggingShimTask(task.task_template, task.executor_type)


tagging_resolver = TaggingResolver()
