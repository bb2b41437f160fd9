"""``map_task``: flytekit's entry point for mapping a task over lists.

It lives with the workflows because what it accepts depends on the kind of entity: a task becomes an
:class:`~flyweight._tasks._map.ArrayNodeMapTask`; a launch plan (an ``ArrayNode`` whose sub-node runs a
launch plan, flytekit's ``array_node``) is refused for now, with a clear error.
"""

from __future__ import annotations

from typing import Any

from flyweight._tasks._map import ArrayNodeMapTask
from flyweight._workflows._launch_plan import LaunchPlan
from flyweight.errors import NotSupportedError

__all__ = ["map_task"]


def map_task(
    target: Any,
    concurrency: int | None = None,
    min_successes: int | None = None,
    min_success_ratio: float = 1.0,
    **kwargs: Any,
) -> ArrayNodeMapTask:
    """Map ``target`` over lists: call the result with a list for each input, get a list of outputs.

    Args:
        target: a function task, a ``functools.partial`` of one binding some inputs by keyword (those are
            passed whole to every element), or a plugin task (``PythonCustomizedContainerTask``).
        concurrency: at most this many elements run at once (0: no limit; None: the workflow's limit).
        min_successes: the map succeeds when at least this many elements do (failed ones give None).
        min_success_ratio: the map succeeds when at least this fraction of the elements do; below 1, the
            output is a list of ``Optional`` values (None for a failed element).
        **kwargs: ``metadata``, ``security_ctx``, ``docs`` of the map task (default: the task's own).

    Raises:
        TaskDefinitionError: ``target`` cannot be mapped: a workflow, a dynamic task, a task with several
            outputs or no container; or an option is out of range.
        NotSupportedError: ``target`` is a launch plan (not yet supported).

    Example:
        >>> from flyweight import task
        >>> @task
        ... def square(x: int) -> int:
        ...     return x * x
        >>> map_task(square)(x=[1, 2, 3])
        [1, 4, 9]
    """
    if isinstance(target, LaunchPlan) or getattr(target, "node_kind", None) == "launch plan":
        raise NotSupportedError(
            f"map_task() over a launch plan ({getattr(target, 'name', target)!r}, flytekit's array_node) is "
            "not supported by flyweight yet; map the launch plan's tasks, or call the launch plan in a "
            "@dynamic task's loop"
        )
    return ArrayNodeMapTask(
        target,
        concurrency=concurrency,
        min_successes=min_successes,
        min_success_ratio=min_success_ratio,
        **kwargs,
    )
