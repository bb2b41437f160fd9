"""A mocked workflow or reference entity, run as a task (``flyweight.testing``; see ``_tasks._mocks``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from flyweight._tasks._mocks import Mockable, mock_of, run_mock
from flyweight._tasks._task import PythonTask, Task

if TYPE_CHECKING:
    from flyweight import _idl
    from flyweight._context import FlyteContext

__all__ = ["MockedEntity", "mocked_task"]


class MockedEntity(PythonTask[None]):
    """A mocked workflow or reference entity, run as a task with its name and interface: what the local
    engine runs in the node's place, and what a direct call of the entity runs."""

    def __init__(self, entity: Mockable, fn: Callable[..., Any]) -> None:
        super().__init__(task_type="mock", name=entity.name, interface=entity.python_interface)
        self._entity = entity
        self._fn = fn

    def dispatch_execute(
        self, ctx: FlyteContext | None, input_literal_map: _idl.LiteralMap
    ) -> _idl.LiteralMap:
        return run_mock(self._entity, self._fn, ctx, input_literal_map)


def mocked_task(entity: object) -> Task | None:
    """What runs for ``entity`` when it is mocked: the task itself (its local path runs the mock), or a
    :class:`MockedEntity`; None when it is not mocked."""
    fn = mock_of(entity)
    if fn is None:
        return None
    if isinstance(entity, Task):
        return entity
    return MockedEntity(cast(Mockable, entity), fn)
