"""The ``Container`` of a task template: image, arguments, resources, environment.

All of the command goes into ``args`` (``command`` stays empty), as flytekit writes it. Resource
entries come in the wire order EPHEMERAL_STORAGE, CPU, GPU, MEMORY, requests then limits, and numbers
are written as strings (flytekit crashes on ``Resources(cpu=1)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flyweight._idl import Container, KeyValuePair, Resources
from flyweight._settings import Resources as ResourceValues

__all__ = ["container", "merge_env"]

_NAMES = {
    "CPU": Resources.CPU,
    "GPU": Resources.GPU,
    "MEMORY": Resources.MEMORY,
    "EPHEMERAL_STORAGE": Resources.EPHEMERAL_STORAGE,
}


def merge_env(settings_env: Mapping[str, str] | None, task_env: Mapping[str, str] | None) -> dict[str, str]:
    """Settings' environment first, then the task's (the task wins on a shared name); either may be None."""
    return {**(settings_env or {}), **(task_env or {})}


def container(
    *,
    image: str,
    args: Sequence[str],
    requests: ResourceValues | None,
    limits: ResourceValues | None,
    env: Mapping[str, str],
) -> Container:
    """A ``Container`` message; ``resources`` is always present, even when empty."""
    out = Container(image=image, args=list(args))
    out.resources.SetInParent()
    for values, entries in ((requests, out.resources.requests), (limits, out.resources.limits)):
        if values is None:
            continue
        for name, value in values.entries():
            entries.add(name=_NAMES[name], value=value)
    out.env.extend(KeyValuePair(key=k, value=v) for k, v in env.items())
    return out
