"""``map_task``: flytekit's entry point for mapping a task over lists.

It lives with the workflows because what it accepts depends on the kind of entity: a task becomes an
:class:`~flyweight._tasks._map.ArrayNodeMapTask`; a launch plan becomes an
:class:`~flyweight._workflows._array_node.ArrayNode` (whose sub-node starts the launch plan, flytekit's
``array_node``).
"""

from __future__ import annotations

import functools
from typing import Any

from flyweight._tasks._map import ArrayNodeMapTask
from flyweight._workflows._array_node import ArrayNode
from flyweight._workflows._launch_plan import LaunchPlan
from flyweight._workflows._node import LAUNCH_PLAN
from flyweight._workflows._reference import ReferenceEntity, ReferenceLaunchPlan
from flyweight.errors import NotSupportedError

__all__ = ["map_task"]


def map_task(
    target: Any,
    concurrency: int | None = None,
    min_successes: int | None = None,
    min_success_ratio: float = 1.0,
    **kwargs: Any,
) -> ArrayNodeMapTask | ArrayNode:
    """Map ``target`` over lists: call the result with a list for each input, get a list of outputs.

    Args:
        target: a function task, a ``functools.partial`` of one binding some inputs by keyword (those are
            passed whole to every element), a plugin task (``PythonCustomizedContainerTask``), or a launch
            plan (each element starts it; its fixed inputs are not inputs of the map, every other input is
            a list), a reference launch plan included (which cannot run locally).
        concurrency: at most this many elements run at once (0: no limit; None: the workflow's limit).
        min_successes: the map succeeds when at least this many elements do (failed ones give None).
        min_success_ratio: the map succeeds when at least this fraction of the elements do; below 1, the
            output is a list of ``Optional`` values (None for a failed element).
        **kwargs: ``metadata``, ``security_ctx``, ``docs`` of the map task (default: the task's own); none
            for a launch plan.

    Raises:
        TaskDefinitionError: ``target`` cannot be mapped: a workflow, a dynamic task, a task or launch plan
            with several outputs, a task with no container, a ``functools.partial`` of a launch plan; or an
            option is out of range.
        TypeError: an unknown keyword argument (any, for a launch plan).
        NotSupportedError: ``target`` is a reference task or reference workflow.

    Example:
        >>> from flyweight import task
        >>> @task
        ... def square(x: int) -> int:
        ...     return x * x
        >>> map_task(square)(x=[1, 2, 3])
        [1, 4, 9]
    """
    if isinstance(target, ReferenceEntity) and not isinstance(target, ReferenceLaunchPlan):
        raise NotSupportedError(
            f"map_task() over the {target.describe()} is not supported by flyweight yet; map a reference "
            "launch plan (@reference_launch_plan), or a local task or launch plan"
        )
    if _is_launch_plan(target):
        if kwargs:
            raise TypeError(
                f"map_task() over launch plan {getattr(target, 'name', target)!r} got unexpected keyword "
                f"argument(s): {', '.join(sorted(kwargs))} (metadata, security_ctx and docs are a task's)"
            )
        return ArrayNode(target, concurrency, min_successes, min_success_ratio)
    return ArrayNodeMapTask(
        target,
        concurrency=concurrency,
        min_successes=min_successes,
        min_success_ratio=min_success_ratio,
        **kwargs,
    )


def _is_launch_plan(target: object) -> bool:
    """Whether ``target`` is a launch plan, or a ``functools.partial`` of one (which ArrayNode refuses)."""
    while isinstance(target, functools.partial):
        target = target.func
    return isinstance(target, LaunchPlan) or getattr(target, "node_kind", None) == LAUNCH_PLAN
