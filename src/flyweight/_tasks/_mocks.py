"""Mocked entities (``flyweight.testing``): which tasks, workflows and references a test replaced, and how
a mock runs in their place.

``flyweight.testing.patch`` and ``task_mock`` register a callable (a ``MagicMock``) for an entity with
:func:`mocking` for as long as the test needs it. Every local path asks :func:`mock_of` before running a
task: a direct call and the local engine's in-process attempt (``Task.sandbox_execute``), a map task's
elements (``Task.dispatch_execute``, ``ElementBatch.runs``); the engine runs a mocked node in this process
whatever its settings say (a mock cannot cross to a ``flyweight-execute`` subprocess) and never through the
local cache. A mocked reference or workflow runs as a ``MockedEntity`` (``flyweight._tasks._mocked``), a task
with its interface.

A mock runs by :func:`run_mock`: input literals → Python values (the inputs left at their default are not
passed, as flytekit calls the mock with what the caller gave) → the mock → outputs checked against the
entity's declared outputs, as the entity's own would be. ``pre_execute``/``post_execute`` do not run: the
mock stands in for the whole task (flytekit replaces ``execute`` only).

The registry is a plain dict keyed by identity (threads of the engine see it; the entity is kept with its
mock so an id is never reused while registered).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

from flyweight import _idl
from flyweight._tasks._plan import TaskPlan, mark_task_failure
from flyweight._tasks._values import short_repr
from flyweight.errors import TypeTransformerFailedError, mark_user_code
from flyweight.types import TypeEngine

if TYPE_CHECKING:
    from flyweight._context import FlyteContext
    from flyweight._interface import Interface

__all__ = ["Mockable", "mock_of", "mocking", "run_mock"]

_MOCKS: dict[int, tuple[object, Callable[..., Any]]] = {}


def mock_of(entity: object) -> Callable[..., Any] | None:
    """The mock registered for ``entity``, or None (the usual case: one empty-dict check)."""
    if not _MOCKS:
        return None
    found = _MOCKS.get(id(entity))
    return found[1] if found is not None and found[0] is entity else None


@contextlib.contextmanager
def mocking(entity: object, fn: Callable[..., Any]) -> Iterator[None]:
    """Run ``fn`` in place of ``entity`` while the block runs (the mock it replaced, if any, after)."""
    key = id(entity)
    previous = _MOCKS.get(key)
    _MOCKS[key] = (entity, fn)
    try:
        yield
    finally:
        if previous is None:
            _MOCKS.pop(key, None)
        else:
            _MOCKS[key] = previous


class Mockable(Protocol):
    """What :func:`run_mock` reads of an entity (a task, a workflow, a reference)."""

    @property
    def name(self) -> str: ...

    @property
    def python_interface(self) -> Interface: ...

    @property
    def _interface_idl(self) -> _idl.TypedInterface: ...


def _is_default(value: object, default: object) -> bool:
    if value is default:
        return True
    try:
        return bool(type(value) is type(default) and value == default)
    except Exception:  # values whose == is not a bool (arrays, frames): passed on
        return False


def run_mock(
    entity: Mockable, fn: Callable[..., Any], ctx: FlyteContext | None, literals: _idl.LiteralMap
) -> _idl.LiteralMap:
    """Run ``fn`` as ``entity`` on these input literals; return its output literals, checked.

    Raises:
        TypeTransformerFailedError: an input does not fit the entity's interface, or what the mock returned
            does not fit its outputs (the message names the output and says the entity is mocked).
        BaseException: what the mock raised (``side_effect``), marked as the user's.
    """
    iface = entity.python_interface
    plan = TaskPlan.from_interface(entity.name, iface, entity._interface_idl)
    present = literals.literals
    types = {k: t for k, t in plan.input_types.items() if k in present}
    kwargs = TypeEngine.literal_map_to_values(ctx, literals, types, plan.owner, "inputs")
    defaults = iface.default_inputs_as_kwargs
    if defaults:
        kwargs = {k: v for k, v in kwargs.items() if k not in defaults or not _is_default(v, defaults[k])}
    try:
        rval = fn(**kwargs)
    except BaseException as e:
        mark_task_failure(e, entity)
        raise
    if not plan.output_names:  # nothing to check: what a mock returns by default is ignored (flytekit's)
        return _idl.LiteralMap()
    try:
        return plan.write_outputs(ctx, rval)
    except TypeTransformerFailedError as e:
        error = TypeTransformerFailedError(
            f"{plan.owner} is mocked (flyweight.testing), and its mock returned {type(rval).__name__} "
            f"{short_repr(rval)}, which does not fit its outputs {list(plan.output_types)}: {e}; set the "
            "mock's return_value (or side_effect) to what the task would return"
        )
        mark_user_code(error)
        raise error from e
