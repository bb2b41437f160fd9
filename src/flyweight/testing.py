"""Test helpers (flytekit.testing's): replace a task, a workflow or a reference entity with a mock.

A workflow that calls a plugin task whose service is not at hand (a SQL query, a cluster job), or a
reference task whose code is registered elsewhere, still runs locally in a test when that entity is
replaced by a ``unittest.mock.MagicMock``:

- :func:`task_mock` — ``with task_mock(t) as m:`` the mock stands in for ``t`` inside the block;
- :func:`patch` — ``@patch(t)`` on a test function: the mock stands in for ``t`` while the test runs and is
  passed to it as its first argument (stacked patches: the innermost first);
- ``SecretsManager`` — the secrets a task reads (flytekit.testing re-exports it too).

The mock is called with the inputs as keyword arguments (an input the caller left at its default is not
passed, as in flytekit); its ``return_value`` — or what its ``side_effect`` returns — is the entity's result,
checked against its declared outputs exactly as the entity's own would be: a value of the wrong type fails
naming the output. What ``side_effect`` raises is the entity's failure.

Where it holds: a direct call of the entity, and a workflow run by the local engine (``wf(...)``,
``flyweight.run_workflow``), where every node calling the entity — a task node, a map task's elements, a
branch of a conditional, a node in a dynamic workflow or a sub-workflow — runs the mock. A mocked node always
runs in this process, whatever ``isolated`` or ``in_process=False`` say (a mock cannot cross to a
``flyweight-execute`` subprocess), with the node's retries and never through the local cache (a mock's
outputs are not stored). ``pre_execute``/``post_execute`` do not run: the mock stands in for the whole task.

Example:
    >>> from flyweight import task, workflow
    >>> from flyweight.testing import task_mock
    >>> @task
    ... def fetch(day: str) -> int:
    ...     raise RuntimeError("needs the warehouse")
    >>> @workflow
    ... def report(day: str) -> int:
    ...     return fetch(day=day)
    >>> with task_mock(fetch) as m:
    ...     m.return_value = 42
    ...     report(day="mon")
    42
    >>> m.call_args
    call(day='mon')
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterator
from typing import Any, TypeAlias, TypeVar
from unittest.mock import MagicMock

from flyweight._context import SecretsManager
from flyweight._tasks import Task
from flyweight._tasks._mocks import mocking
from flyweight._workflows import LaunchPlan, ReferenceEntity, WorkflowBase
from flyweight.loggers import logger

__all__ = ["SecretsManager", "patch", "task_mock"]

_Target: TypeAlias = "Task | WorkflowBase | ReferenceEntity"
R = TypeVar("R")


def _check_target(target: object, helper: str) -> None:
    if isinstance(target, (Task, WorkflowBase, ReferenceEntity)):
        return
    if isinstance(target, LaunchPlan):
        hint = "mock its workflow (launch_plan.workflow) instead, or the tasks it calls"
    elif callable(target):
        hint = "is it a plain function? decorate it with @task first, or mock it with unittest.mock.patch"
    else:
        hint = "pass the task object itself, e.g. patch(my_task)"
    raise ValueError(
        f"flyweight.testing.{helper} replaces a task, a workflow or a reference entity, got "
        f"{type(target).__name__} {target!r}: {hint}"
    )


@contextlib.contextmanager
def task_mock(t: _Target) -> Iterator[MagicMock]:
    """A ``MagicMock`` that stands in for ``t`` while the block runs.

    Set ``return_value`` (or ``side_effect``) to what ``t`` should return; a call of ``t`` — direct, or as a
    node of a workflow run locally — calls the mock with the inputs as keyword arguments, and its result is
    checked against ``t``'s outputs.

    Raises:
        ValueError: ``t`` is not a task, a workflow or a reference entity (flytekit's error type).

    Example:
        >>> from flyweight import task
        >>> @task
        ... def t1(i: int) -> int:
        ...     return i
        >>> with task_mock(t1) as m:
        ...     m.side_effect = lambda i: i * 10
        ...     t1(i=2)
        20
    """
    _check_target(t, "task_mock")
    m = MagicMock()
    name = t.name

    def _log(*args: Any, **kwargs: Any) -> Any:
        logger.info("Invoking mock method for task: %r", name)
        return m(*args, **kwargs)

    with mocking(t, _log):
        yield m


def patch(target: _Target) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """A decorator for a test function: ``target`` is replaced by a ``MagicMock`` while the test runs, and
    the mock is passed as the test's first argument (with stacked ``@patch``, the innermost one's first).

    The test's other parameters stay visible to pytest (its fixtures are given as usual); the mock is
    removed when the test ends, also when it fails.

    Raises:
        ValueError: ``target`` is not a task, a workflow or a reference entity (flytekit's error type).

    Example:
        >>> from flyweight import task
        >>> @task
        ... def t1(i: int) -> int:
        ...     return i
        >>> @patch(t1)
        ... def test_t1(mock_t1):
        ...     mock_t1.return_value = 5
        ...     assert t1(i=1) == 5
        >>> test_t1()
    """
    _check_target(target, "patch")

    def wrapper(test_fn: Callable[..., R]) -> Callable[..., R]:
        def new_test(*args: Any, **kwargs: Any) -> R:
            logger.info("Invoking mock method for target: %r", target.name)
            m = MagicMock()
            with mocking(target, m):
                return test_fn(m, *args, **kwargs)

        # Not functools.wraps: pytest would read the test's own signature, the mock's parameter included.
        for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
            with contextlib.suppress(AttributeError):
                setattr(new_test, attribute, getattr(test_fn, attribute))
        try:
            params = list(inspect.signature(test_fn).parameters.values())
        except (TypeError, ValueError):  # no signature to read: pytest sees (*args, **kwargs)
            return new_test
        if params and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
            new_test.__signature__ = inspect.Signature(params[1:])  # type: ignore[attr-defined]
        return new_test

    return wrapper
