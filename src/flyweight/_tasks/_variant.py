"""A task with another ``task_config``: what ``with_overrides(task_config=...)`` makes a node run.

flytekit's ``Node.with_overrides(task_config=c)`` assigns ``c`` to the task itself, so every node of that
task, in every workflow, and every later call of it, take the last config given. flyweight keeps the
override on the node: the node runs a *variant*, a shallow copy of the task holding ``c``. On a cluster a
task name names one template, so a variant registers under its own name, the task's name followed by
``-config-`` and eight hex digits of the digest of its template (the same config gives the same name, in
every workflow and on every run). A config equal to the task's own makes no variant: the node keeps the
task, and its bytes are flytekit's.

In a container, a function task's variant is loaded as its task is (by module and name, the variant
exists only in the workflow that made it): the template (its ``custom``, read by Flyte's backend plugins)
carries the override, while Python code reading ``self.task_config`` in the container sees the task's
own, as in flytekit when the workflow's module is not imported there. A customized container task's
executor reads the template only, so it sees the override.
"""

from __future__ import annotations

import copy
import hashlib
import weakref
from typing import TYPE_CHECKING, Final, TypeVar

from flyweight._settings._serialization import placeholder_settings

if TYPE_CHECKING:
    from flyweight._tasks._task import PythonTask

__all__ = ["config_origin", "config_variant"]

_T = TypeVar("_T", bound="PythonTask[object]")

_ORIGIN: Final = "_config_origin"
_VARIANTS: weakref.WeakKeyDictionary[object, dict[str, object]] = weakref.WeakKeyDictionary()
"""task → {digest: variant}: one variant object per config, so a registration records it once."""


def config_origin(task: _T) -> _T:
    """The task a variant was made from (``task`` itself when it is not a variant)."""
    origin: _T = task.__dict__.get(_ORIGIN, task)
    return origin


def _digest(task: PythonTask[object]) -> str:
    template = task.serialize_to_model(placeholder_settings())
    template.ClearField("id")
    return hashlib.sha256(template.SerializeToString(deterministic=True)).hexdigest()


def config_variant(task: _T, config: object) -> _T:
    """``task`` (or the task it is a variant of) running with ``config``: the task itself when its
    template does not change, else its variant for that config (see the module docstring).

    Raises:
        TaskDefinitionError: the task cannot be serialized with ``config`` (the plugin refuses it).
    """
    origin = config_origin(task)
    variant = copy.copy(origin)
    state = variant.__dict__
    state.pop("_local_template", None)  # a template made from the task's own config
    state["_task_config"] = config
    digest = _digest(variant)
    if digest == _digest(origin):
        return origin
    known = _VARIANTS.setdefault(origin, {})
    kept = known.get(digest)
    if kept is not None:
        return kept  # type: ignore[return-value]
    state["_name"] = f"{origin.name}-config-{digest[:8]}"
    state[_ORIGIN] = origin
    known[digest] = variant
    return variant
