"""A map task's elements run in this process as one batch: lists converted once, hooks per element.

The local engine (``flyweight._runtime._array``) and a direct call of a map task use it for maps over
plain function tasks, where converting each element's inputs and outputs separately would cost more
than running the element. Each element still runs the task's hooks as any task does
(``flyweight._tasks._plan.run_hooks``). ADR 0018.
"""

from __future__ import annotations

from typing import Any, Protocol

from flyweight import _idl
from flyweight._context import FlyteContext
from flyweight._interface import Interface
from flyweight._tasks._function import PythonFunctionTask
from flyweight._tasks._mocks import mock_of
from flyweight._tasks._plan import TaskPlan, run_hooks
from flyweight._tasks._task import Task
from flyweight.errors import mark_user_code

__all__ = ["ElementBatch", "MapOfTask"]


class MapOfTask(Protocol):
    """What a batch needs of the map task (``ArrayNodeMapTask``)."""

    @property
    def python_function_task(self) -> Task: ...

    @property
    def python_interface(self) -> Interface: ...

    @property
    def mapped_inputs(self) -> list[str]: ...

    @property
    def optional_outputs(self) -> bool: ...

    def _interface_plan(self) -> TaskPlan[Interface]: ...


class ElementBatch:
    """The elements of a map over a function task, run in this process from whole lists.

    The mapped inputs are converted to Python lists once, each element runs the task's hooks
    (``flyweight._tasks._plan.run_hooks``, the same as any task's), and the outputs are converted back as
    one list, so a map over many small elements pays the conversions once rather than per element.

    Args:
        task: the map task.
        ctx: the context the inputs are read in.
        inputs: the map's input literals.
        size: the number of elements (:func:`mapped_size`).
    """

    @staticmethod
    def runs(task: Task) -> bool:
        """Whether the elements of a map over ``task`` can run as a batch: a function task that does not
        change how it is dispatched or sandboxed, and is not mocked (flyweight.testing)."""
        kind = type(task)
        return (
            isinstance(task, PythonFunctionTask)
            and kind.dispatch_execute is PythonFunctionTask.dispatch_execute
            and kind.sandbox_execute is Task.sandbox_execute
            and mock_of(task) is None
        )

    def __init__(self, task: MapOfTask, ctx: FlyteContext, inputs: _idl.LiteralMap, size: int) -> None:
        self.task = task
        self.inner = task.python_function_task
        self.plan = self.inner._interface_plan()
        self._map_plan = task._interface_plan()
        self._kwargs = self._map_plan.read_inputs(ctx, inputs)
        self._mapped = frozenset(task.mapped_inputs)
        self._output = next(iter(task.python_interface.outputs), None)
        self.values: list[Any] = [None] * size

    def run(self, index: int, ctx: FlyteContext) -> None:
        """Run element ``index`` in ``ctx``; raises what the task raised."""
        mapped = self._mapped
        kwargs = {k: (v[index] if k in mapped else v) for k, v in self._kwargs.items()}
        rval = run_hooks(self.inner, ctx, kwargs, self.plan, (self.inner,))
        if isinstance(rval, _idl.LiteralMap):  # a task that wrote its own literals
            values = self.plan.read_outputs(ctx, rval)
        else:
            values = self.plan.map_outputs(rval)
        if self._output is not None:
            self.values[index] = values[self._output]

    def outputs(
        self, ctx: FlyteContext, failed: set[int]
    ) -> tuple[_idl.LiteralMap | None, list[tuple[int, BaseException]]]:
        """The output lists (None for each element in ``failed``), and the elements whose value does not
        convert to the output type, with the error: their place holds None when the outputs are
        ``Optional``; otherwise there are no lists (None)."""
        if self._output is None:
            return self._map_plan.write_outputs(ctx, None), []
        values = self.values
        try:
            return self._map_plan.write_outputs(ctx, values), []
        except Exception:  # find the elements at fault; the others keep their values
            pass
        bad: list[tuple[int, BaseException]] = []
        for i, value in enumerate(values):
            if i in failed:
                continue
            try:
                self.plan.write_outputs(ctx, value)
            except Exception as e:
                mark_user_code(e)
                bad.append((i, e))
                values[i] = None
        if not self.task.optional_outputs:  # a list of T cannot hold None
            return None, bad
        return self._map_plan.write_outputs(
            ctx, [None if i in failed else v for i, v in enumerate(values)]
        ), bad
