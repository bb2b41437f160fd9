"""The benchmark's plugin tasks written against flytekit (twin of ``plugins_flyweight.py``).

Same tasks, same logic, flytekit's classes; runs only under ``bench/.venv-flytekit``. The container
process imports this module by name (``plugins_flytekit``) to load the executor named in the
template, so it must stay importable with ``bench/workers`` on the path.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from flytekit import kwtypes
from flytekit.core.interface import Interface
from flytekit.core.python_customized_container_task import PythonCustomizedContainerTask
from flytekit.core.shim_task import ShimTaskExecutor

IMAGE = "ghcr.io/flyweight-bench/plugin:1"


class AddOne(ShimTaskExecutor):
    """The trivial executor of the local-call benchmark: int -> int."""

    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        return kwargs["x"] + 1


class Greet(ShimTaskExecutor):
    """The executor of the container benchmark: reads its configuration from the template.

    flytekit matches a returned tuple to the outputs in the iteration order of the template's
    protobuf map, which changes from process to process (``o`` and ``t`` come out swapped in some
    runs), so the tuple is built in that order here. flyweight records the declared order in the
    template and takes the tuple as written.
    """

    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        out = {"o": kwargs["x"] + int(tt.custom["step"]), "t": f"{tt.custom['greeting']}, {kwargs['s']}!"}
        return tuple(out[name] for name in tt.interface.outputs)


class AddOneTask(PythonCustomizedContainerTask):
    def get_custom(self, settings: Any) -> dict[str, Any]:
        return {}


class GreetTask(PythonCustomizedContainerTask):
    def get_custom(self, settings: Any) -> dict[str, Any]:
        return {"greeting": "hello", "step": 2}


add_one = AddOneTask(
    "bench.add_one", None, IMAGE, AddOne, interface=Interface(inputs=kwtypes(x=int), outputs=kwtypes(o=int))
)
greet = GreetTask(
    "bench.greet",
    None,
    IMAGE,
    Greet,
    interface=Interface(inputs=kwtypes(x=int, s=str), outputs=kwtypes(o=int, t=str)),
)


def template_bytes(task: Any = None) -> bytes:
    """``task``'s (default ``greet``'s) TaskTemplate as registration would produce it."""
    import cases  # not at the top: the container process imports some of these modules
    from flytekit.configuration import Image, ImageConfig, SerializationSettings
    from flytekit.tools.translator import get_serializable

    settings = cases.serialization_settings(SerializationSettings, ImageConfig, Image)
    entity = get_serializable(OrderedDict(), settings, task or greet)
    return entity.template.to_flyte_idl().SerializeToString()
