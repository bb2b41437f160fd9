"""A tiny plugin: a task configured by data whose logic runs in an executor, from the template alone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flyweight import Interface, kwtypes
from flyweight.extend import PythonCustomizedContainerTask, ShimTaskExecutor


@dataclass
class GreeterConfig:
    greeting: str
    repeat: int = 1


class GreeterExecutor(ShimTaskExecutor["Greeter"]):
    """Runs inside the image; sees only the template and the inputs."""

    def execute_from_model(self, tt: Any, **inputs: Any) -> Any:
        cfg = tt.custom_as(GreeterConfig)  # the config back, with `repeat` an int again
        text = " ".join([f"{cfg.greeting}, {inputs['name']}!"] * cfg.repeat)
        return text, len(text)


class Greeter(PythonCustomizedContainerTask[GreeterConfig]):
    def __init__(self, name: str, config: GreeterConfig, **kwargs: Any) -> None:
        super().__init__(
            name,
            config,
            "ghcr.io/acme/greeter:1",
            GreeterExecutor,
            interface=Interface({"name": (str, "world")}, kwtypes(text=str, length=int)),
            **kwargs,
        )


hello = Greeter("examples.hello", GreeterConfig("hello", repeat=2))
