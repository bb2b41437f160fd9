"""A task factory: it decorates a function defined inside it, so the task is importable only where the
caller binds it (see ``function_factory_use``)."""

from __future__ import annotations

from typing import Any

from flyweight import task


def make(factor: int) -> Any:
    def scaled(x: int) -> int:
        return factor * x

    return task(scaled)


def unbound() -> Any:
    """A task made inside a function and bound nowhere: a container cannot import it."""

    @task
    def hidden(x: int) -> int:
        return x

    return hidden
