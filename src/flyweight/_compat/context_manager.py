"""flytekit's ``context_manager`` module as plugins use it (``from flyweight.extend import context_manager``).

It holds the execution context of flyweight (``flyweight._context``) under flytekit's names::

    from flyweight.extend import context_manager

    ctx = context_manager.FlyteContextManager.current_context()
    ctx.user_space_params.working_directory

``FlyteContext``, ``FlyteContextManager``, ``ExecutionParameters``, ``ExecutionState`` and
``SecretsManager`` are the classes flyweight runs tasks with (the same objects as
``flyweight.extend.FlyteContextManager`` and the rest), and ``FileAccessProvider`` and
``SerializationSettings`` are there as in flytekit's module. They work as flytekit's do in plugins and
plugin tests: ``ExecutionState.Mode`` (the modes flyweight sets are flytekit's: ``LOCAL_TASK_EXECUTION``
for a task called locally, ``TASK_EXECUTION`` in a container, …), the context stack
(``FlyteContextManager.with_context(builder)``, ``push_context`` / ``pop_context``), builders
(``ctx.with_execution_state(ctx.new_execution_state().with_params(mode=...))``, ``ctx.new_builder()``,
``ExecutionParameters.new_builder()``, ``params.builder().add_attr(...)``). The parts of flytekit's module
that belong to its workflow compiler and its execution internals (``CompilationState``,
``BranchEvalMode``, ``FlyteEntities``, ``OutputMetadataTracker``, …) are not: a plugin that asks for one
gets an ``ImportError`` that says what to use instead, and a method of theirs (``ctx.with_compilation_state``,
``params.stats``, …) an ``AttributeError`` that does.

Example:
    >>> from flyweight.extend import context_manager
    >>> ctx = context_manager.FlyteContextManager.current_context()
    >>> isinstance(ctx, context_manager.FlyteContext)
    True
    >>> es = ctx.new_execution_state().with_params(mode=context_manager.ExecutionState.Mode.TASK_EXECUTION)
    >>> with context_manager.FlyteContextManager.with_context(ctx.with_execution_state(es)) as inner:
    ...     inner.execution_state.is_local_execution()
    False
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flyweight._context import (
    ExecutionParameters,
    ExecutionState,
    FlyteContext,
    FlyteContextManager,
    SecretsManager,
)
from flyweight._settings import SerializationSettings
from flyweight._storage import FileAccessProvider

__all__ = [
    "ExecutionParameters",
    "ExecutionState",
    "FileAccessProvider",
    "FlyteContext",
    "FlyteContextManager",
    "SecretsManager",
    "SerializationSettings",
]

_COMPILER = (
    "it is part of flytekit's workflow compiler; flyweight compiles workflows its own way and a plugin "
    "task needs none of it"
)
_NOT_PROVIDED = {
    "CompilationState": _COMPILER,
    "BranchEvalMode": _COMPILER,
    "FlyteEntities": (
        "flyweight tracks no global list of entities; `flyweight package` finds the tasks, workflows and "
        "launch plans of a module by importing it"
    ),
    "OutputMetadataTracker": "flyweight does not track output metadata (artifacts)",
    "OutputMetadata": "flyweight does not track output metadata (artifacts)",
    "TaskOutputMetadata": "flyweight does not track output metadata (artifacts)",
    "Checkpoint": "use current_context().checkpoint, the running task's checkpoint",
    "SyncCheckpoint": "use current_context().checkpoint, the running task's checkpoint",
    "SecretsConfig": "SecretsManager reads flytekit's FLYTE_SECRETS_* environment variables itself",
    "default_local_file_access_provider": "use FlyteContextManager.current_context().file_access",
    "flyte_context_Var": "use FlyteContextManager.current_context() and FlyteContextManager.with_context()",
}

if not TYPE_CHECKING:  # hidden from type checkers, which keep reporting unknown names

    def __getattr__(name: str) -> object:
        """A name of flytekit's module that flyweight does not provide: an ImportError saying what to use
        (an ImportError, not an AttributeError, so a ``from … import X`` of it shows the message)."""
        hint = _NOT_PROVIDED.get(name)
        if hint is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        raise ImportError(
            f"flyweight's context_manager does not provide flytekit's {name}: {hint}", name=__name__
        )
