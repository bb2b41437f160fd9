"""``Echo``: a task whose outputs are its inputs, passed through by Flyte itself.

An echo task has no container: Flyte's propeller runs it with its ``echo`` plugin (enabled in the
propeller configuration under ``task-plugins.enabled-plugins``), which copies the inputs to the outputs
without starting a pod. Its template is the task type ``echo`` and an interface whose outputs are
``o0, o1, …``, one per input in declaration order and of the same type, as flytekit writes it. A local
call and the local engine pass the values through; ``flyweight-execute`` refuses to run one, since Flyte
never starts a container for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flyweight import _idl
from flyweight._context import ExecutionState, FlyteContext, FlyteContextManager
from flyweight._interface import Interface
from flyweight._tasks._task import PythonTask
from flyweight.errors import TaskDefinitionError, TaskExecutionError

__all__ = ["Echo"]

_FIXED = ("interface", "task_type", "outputs")


def _output_names(count: int) -> list[str]:
    return [f"o{i}" for i in range(count)]


def _checked_inputs(name: str, inputs: object) -> dict[str, Any]:
    if inputs is None:
        return {}
    if not isinstance(inputs, Mapping):
        raise TypeError(
            f"Echo {name!r}: inputs must be a mapping of input name to type, such as "
            f"{{'a': int, 'b': str}}, got {type(inputs).__name__} {inputs!r}"
        )
    out: dict[str, Any] = {}
    for key, py_type in inputs.items():
        if type(py_type) is tuple:
            raise TaskDefinitionError(
                f"Echo {name!r}: input {key!r} is declared as {py_type!r}; an echo task's inputs take "
                "a type only, with no default (its output would have the same declaration)"
            )
        out[key] = py_type
    return out


class Echo(PythonTask[None]):
    """A task with no container whose outputs are its inputs: ``o0, o1, …`` in the inputs' order.

    Flyte runs it with propeller's ``echo`` plugin (no pod); a local call returns the inputs — the value
    for one input, a NamedTuple ``(o0, o1, …)`` for several, None for none. A typical use is a branch
    that passes a value on unchanged.

    Args:
        name: the task's name.
        inputs: input name → type, in order, e.g. ``{"a": int, "b": str}``; None or empty for none.
        kwargs: what :class:`PythonTask` takes besides the type and interface (``metadata``, ``docs``…).

    Raises:
        TypeError: ``inputs`` is not a mapping, or ``interface=`` / ``outputs=`` / ``task_type=`` was given
            (the outputs are the inputs and the type is ``echo``).
        TaskDefinitionError: an input is declared with a default (``(int, 3)``).

    Example:
        >>> echo = Echo("passthrough", inputs={"a": int, "b": str})
        >>> echo(a=1, b="x")
        DefaultNamedTupleOutput(o0=1, o1='x')
    """

    _TASK_TYPE = "echo"

    def __init__(self, name: str, inputs: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
        fixed = sorted(k for k in kwargs if k in _FIXED)
        if fixed:
            raise TypeError(
                f"Echo {name!r}: {', '.join(fixed)} cannot be given: an echo task's outputs are its inputs "
                f"(o0, o1, … in order) and its task type is {self._TASK_TYPE!r}; declare inputs= only"
            )
        declared = _checked_inputs(name, inputs)
        outputs = dict(zip(_output_names(len(declared)), declared.values(), strict=True))
        super().__init__(
            task_type=self._TASK_TYPE,
            name=name,
            interface=Interface(inputs=declared, outputs=outputs),
            **kwargs,
        )

    def execute(self, **kwargs: Any) -> Any:
        """The inputs, in declaration order: the value (one input), a tuple (several) or None (none)."""
        values = [kwargs[k] for k in self.python_interface.inputs]
        if not values:
            return None
        if len(values) == 1:
            return values[0]
        return tuple(values)

    def dispatch_execute(
        self, ctx: FlyteContext | None, input_literal_map: _idl.LiteralMap
    ) -> _idl.LiteralMap:
        """Pass the inputs through (locally); in a container, refuse: Flyte runs echo tasks itself.

        Raises:
            TaskExecutionError: called in a container (``flyweight-execute``).
        """
        current = ctx if ctx is not None else FlyteContextManager.current_context()
        if current.execution_state.mode == ExecutionState.CONTAINER:
            raise TaskExecutionError(
                f"task {self.name!r} is an echo task: Flyte's propeller passes its inputs to its outputs "
                "with the 'echo' plugin and never starts a container for it, so flyweight-execute does not "
                "run it; enable the plugin in the propeller configuration (task-plugins: enabled-plugins: "
                "[echo])"
            )
        return super().dispatch_execute(ctx, input_literal_map)
