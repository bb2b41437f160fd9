"""``with_overrides(task_config=...)`` written once, loaded with flyweight or with flytekit
(``test_task_config_override.py``).

A plugin task (a customized container task whose executor reads its ``scale`` from the template) and
workflows overriding its config on some nodes. flytekit assigns an overriding config to the task itself,
so each shape has its own task: the one shape's override does not reach the others' templates there.
The SDK's names are put into the module by the loader before it runs.
"""

from __future__ import annotations

import dataclasses
from typing import Any

workflow: Any = globals()["workflow"]
kwtypes: Any = globals()["kwtypes"]
Interface: Any = globals()["Interface"]
PythonCustomizedContainerTask: Any = globals()["PythonCustomizedContainerTask"]
ShimTaskExecutor: Any = globals()["ShimTaskExecutor"]


@dataclasses.dataclass
class Scale:
    factor: int = 1
    label: str = "plain"


class ScaleExecutor(ShimTaskExecutor):  # type: ignore[misc]
    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        return kwargs["x"] * int(tt.custom["factor"])


class ScaleTask(PythonCustomizedContainerTask):  # type: ignore[misc]
    def __init__(self, name: str, task_config: Scale) -> None:
        super().__init__(
            name=name,
            task_config=task_config,
            container_image="repo/scale:1",
            executor_type=ScaleExecutor,
            task_type="scale",
            interface=Interface(inputs=kwtypes(x=int), outputs=kwtypes(o0=int)),
        )

    def get_custom(self, settings: Any) -> dict[str, Any]:
        return {"factor": self.task_config.factor, "label": self.task_config.label}


scale_single = ScaleTask("scale_single", Scale(2))
scale_same = ScaleTask("scale_same", Scale(2))
scale_chained = ScaleTask("scale_chained", Scale(2))
scale_mixed = ScaleTask("scale_mixed", Scale(2))
scale_twice = ScaleTask("scale_twice", Scale(2))


@workflow
def single(x: int) -> int:
    return scale_single(x=x).with_overrides(task_config=Scale(10, "big"))


@workflow
def same(x: int) -> int:
    return scale_same(x=x).with_overrides(task_config=Scale(2))


@workflow
def chained(x: int) -> int:
    return scale_chained(x=x).with_overrides(retries=2).with_overrides(task_config=Scale(3), name="tripled")


@workflow
def mixed(x: int) -> tuple[int, int]:
    return scale_mixed(x=x), scale_mixed(x=x).with_overrides(task_config=Scale(10, "big"))


@workflow
def twice(x: int) -> tuple[int, int]:
    a = scale_twice(x=x).with_overrides(task_config=Scale(5))
    b = scale_twice(x=a).with_overrides(task_config=Scale(5))
    return a, b
