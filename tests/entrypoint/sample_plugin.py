"""A small plugin for the container-entrypoint tests: executors with one behaviour each, and a task.

The container imports executors by the path written in the template, so they live at module level
here and the tests run ``flyweight-execute`` with this repository on ``PYTHONPATH``.
"""

from __future__ import annotations

from typing import Any

from flyweight import current_context
from flyweight._interface import Interface, kwtypes
from flyweight._settings import Image, ImageConfig, SerializationSettings
from flyweight._tasks import PythonCustomizedContainerTask, ShimTaskExecutor, TaskTemplate
from flyweight.errors import IgnoreOutputs, RecoverableError

SETTINGS = SerializationSettings(
    project="proj",
    domain="dev",
    version="v1",
    image_config=ImageConfig(default_image=Image(name="default", fqn="test", tag="tag")),
)

SCALE_INPUTS = kwtypes(x=int, label=str)
SCALE_OUTPUTS = kwtypes(y=int)
SPLIT_OUTPUTS = kwtypes(total=int, label=str, doubled=list[int])
CONTEXT_OUTPUTS = kwtypes(execution=str, task=str, raw=str, output_prefix=str)


class ScaleExecutor(ShimTaskExecutor[Any]):
    """``y = x * custom['factor']``."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        return kwargs["x"] * int(tt.custom["factor"])


class SplitExecutor(ShimTaskExecutor[Any]):
    """Three outputs, returned as a tuple in declaration order."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        x = kwargs["x"]
        return x + 1, f"{kwargs['label']}:{x}", [x, 2 * x]


class ContextExecutor(ShimTaskExecutor[Any]):
    """Reports what the running task sees of its execution."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        params = current_context()
        ex, task = params.execution_id, params.task_id
        return (
            f"{ex.project}/{ex.domain}/{ex.name}",
            f"{task.resource_type}:{task.project}/{task.domain}/{task.name}@{task.version}",
            params.raw_output_prefix,
            params.output_metadata_prefix,
        )


class FailingExecutor(ShimTaskExecutor[Any]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        raise ValueError(f"the warehouse rejected x={kwargs['x']}")


class FlakyExecutor(ShimTaskExecutor[Any]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        raise RecoverableError("the warehouse is restarting")


class IgnoringExecutor(ShimTaskExecutor[Any]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        raise IgnoreOutputs("not the leader")


class WrongTypeExecutor(ShimTaskExecutor[Any]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        return "forty-two"


class TooFewExecutor(ShimTaskExecutor[Any]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        return (1, "only two")


class ExitingExecutor(ShimTaskExecutor[Any]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        raise SystemExit(3)


class CodedError(Exception):
    error_code = 17


class CodedExecutor(ShimTaskExecutor[Any]):
    """Raises an exception carrying an integer ``error_code``."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        raise CodedError("coded failure")


class SamplePluginTask(PythonCustomizedContainerTask[Any]):
    """A plugin task whose ``custom`` holds the scale factor."""

    def __init__(
        self,
        name: str,
        executor_type: type[ShimTaskExecutor[Any]],
        outputs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            name=name,
            task_config=None,
            container_image="registry.example/sample-plugin:1",
            executor_type=executor_type,
            interface=Interface(inputs=SCALE_INPUTS, outputs=SCALE_OUTPUTS if outputs is None else outputs),
            **kwargs,
        )

    def get_custom(self, settings: Any) -> dict[str, Any]:
        return {"factor": 3}


class NotAResolver:
    """Importable, but has no ``load_task``."""


not_a_resolver = NotAResolver()


class BrokenResolver:
    """A resolver of the user's own whose ``load_task`` fails."""

    def load_task(self, loader_args: list[str]) -> Any:
        raise RuntimeError(f"cannot make sense of {loader_args}")


class OddTask:
    """A task whose ``dispatch_execute`` returns a plain dict instead of a ``LiteralMap``."""

    name = "odd"

    def dispatch_execute(self, ctx: Any, inputs: Any) -> Any:
        return {"y": 1}


class OddResolver:
    def load_task(self, loader_args: list[str]) -> Any:
        return OddTask()


class NumberResolver:
    def load_task(self, loader_args: list[str]) -> Any:
        return 42


broken_resolver = BrokenResolver()
odd_resolver = OddResolver()
number_resolver = NumberResolver()
