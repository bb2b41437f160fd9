"""How a call of a task, workflow or launch plan is dispatched: compiled into a node, or run.

A context variable holds the :class:`NodeCompiler` of the workflow body being compiled, if any: calling a
task (or a workflow, or a launch plan) while it is set adds a node to that workflow instead of running the
task. The tasks layer checks it without knowing what a workflow is (ADR 0010).

A second one holds the :class:`WorkflowRunner` a workflow called outside a body runs with: the local
engine lives in ``flyweight._runtime``, above workflows, so a call reaches it through this hook; when
none is set, the engine's default runner is imported by name on first use (ADR 0012).
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
from collections.abc import Iterator, Sequence
from typing import Any, Protocol

__all__ = [
    "NodeCompiler",
    "WorkflowRunner",
    "compiling",
    "current_compiler",
    "running_workflows_with",
    "workflow_runner",
]


class NodeCompiler(Protocol):
    """What compiles a workflow body: each call of a task, workflow or launch plan becomes a node.

    The workflows layer implements it and sets it (:func:`compiling`) while a body runs; ``Task.__call__``
    and ``Task.compile`` hand their arguments to :meth:`add_entity` and return what it returns (promises).
    """

    @property
    def nodes(self) -> Sequence[Any]:
        """The nodes made so far, in call order."""
        ...

    @property
    def prefix(self) -> str:
        """What the node ids start with (``""`` in a workflow body)."""
        ...

    def add_entity(self, entity: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> object:
        """Add a node calling ``entity`` with these arguments; return its outputs as promises.

        ``entity`` is a task, a workflow or a launch plan, which this layer does not know: the compiler
        states the type it takes. ``args`` and ``kwargs`` are the call's: any values, or promises."""
        ...


_COMPILER: contextvars.ContextVar[NodeCompiler | None] = contextvars.ContextVar(
    "flyweight_compiler", default=None
)

current_compiler = _COMPILER.get
"""The compiler of the workflow body being compiled in this thread or task, or None (one lookup)."""


@contextlib.contextmanager
def compiling(compiler: NodeCompiler | None) -> Iterator[NodeCompiler | None]:
    """Make ``compiler`` the one calls are dispatched to inside the ``with`` block (None: run calls)."""
    token = _COMPILER.set(compiler)
    try:
        yield compiler
    finally:
        _COMPILER.reset(token)


class WorkflowRunner(Protocol):
    """What runs a workflow called outside a workflow body (the local engine, with its switches)."""

    def __call__(self, workflow: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Run ``workflow`` with these call arguments; return its outputs as Python values."""
        ...


_RUNNER: contextvars.ContextVar[WorkflowRunner | None] = contextvars.ContextVar(
    "flyweight_workflow_runner", default=None
)

# The engine sits above this layer (flyweight._runtime); it is found by name, only when a workflow is called.
_DEFAULT_RUNNER = ("flyweight._runtime", "call_workflow")


def workflow_runner() -> WorkflowRunner:
    """The runner set with :func:`running_workflows_with`, else the local engine's default (in-process)."""
    runner = _RUNNER.get()
    if runner is not None:
        return runner
    module, name = _DEFAULT_RUNNER
    found: WorkflowRunner = getattr(importlib.import_module(module), name)
    return found


@contextlib.contextmanager
def running_workflows_with(runner: WorkflowRunner | None) -> Iterator[WorkflowRunner | None]:
    """Make ``runner`` run the workflows called inside the ``with`` block (None: the default runner)."""
    token = _RUNNER.set(runner)
    try:
        yield runner
    finally:
        _RUNNER.reset(token)
