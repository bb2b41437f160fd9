"""The benchmark's plugin tasks written against flyweight (twin of ``plugins_flytekit.py``).

Both modules define the same two tasks with the same logic, so the only difference the benchmark
sees is the SDK. The container process imports this module by name (``plugins_flyweight``) to load
the executor named in the template, so it must stay importable with ``bench/workers`` on the path.
"""

from __future__ import annotations

from typing import Any

from flyweight import Interface, kwtypes
from flyweight.extend import PythonCustomizedContainerTask, ShimTaskExecutor

IMAGE = "ghcr.io/flyweight-bench/plugin:1"


class AddOne(ShimTaskExecutor):
    """The trivial executor of the local-call benchmark: int -> int."""

    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        return kwargs["x"] + 1


class Greet(ShimTaskExecutor):
    """The executor of the container benchmark: reads its configuration from the template."""

    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        return kwargs["x"] + int(tt.custom["step"]), f"{tt.custom['greeting']}, {kwargs['s']}!"


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

    from flyweight import Image, ImageConfig, SerializationSettings

    settings = cases.serialization_settings(SerializationSettings, ImageConfig, Image)
    return (task or greet).serialize_to_model(settings).SerializeToString()
