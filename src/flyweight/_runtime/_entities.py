"""What the local engine needs from what it runs: a task, a workflow, a launch plan.

A task node runs one attempt at a time, in this process (its local path, ``sandbox_execute``) or through
``flyweight-execute`` (its template, ``serialize_to_model``), as many times as its metadata allows; a
workflow is a compiled graph; a launch plan runs its workflow with its own default and fixed inputs.
Workflows and launch plans say which they are (``node_kind``), so a run of either is one type.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

if TYPE_CHECKING:
    from flyweight._context import FlyteContext
    from flyweight._idl import LiteralMap, TaskTemplate, TypedInterface
    from flyweight._interface import Interface
    from flyweight._settings import SerializationSettings
    from flyweight._tasks import Task
    from flyweight._workflows import Binding, LaunchPlan, Node, WorkflowBase, WorkflowMetadata

__all__ = ["Runnable", "RunnableLaunchPlan", "RunnableTask", "RunnableWorkflow", "TaskRunMetadata"]


class TaskRunMetadata(Protocol):
    """How the engine runs a task: attempts, time limit and local cache (``flyweight.TaskMetadata``)."""

    @property
    def retries(self) -> int: ...

    @property
    def timeout(self) -> datetime.timedelta | int | None:
        """A ``timedelta``, seconds, or None (0 and None: no limit)."""
        ...

    @property
    def cache(self) -> bool: ...

    @property
    def cache_version(self) -> str: ...

    @property
    def cache_ignore_input_vars(self) -> Sequence[str]: ...


class RunnableTask(Protocol):
    """A task, as one attempt of it runs: literals in, literals out, in this process or from its
    template; its name and interfaces for messages, the cache key and an attempt that ignored its
    outputs."""

    @property
    def name(self) -> str: ...

    @property
    def python_interface(self) -> Interface: ...

    @property
    def _interface_idl(self) -> TypedInterface:
        """The typed interface message (the public ``interface`` is a view of it, ADR 0022)."""
        ...

    @property
    def metadata(self) -> TaskRunMetadata: ...

    def sandbox_execute(self, ctx: FlyteContext | None, input_literal_map: LiteralMap) -> LiteralMap:
        """Run locally on these input literals, in a fresh working directory; return the output
        literals."""
        ...

    def serialize_to_model(self, settings: SerializationSettings) -> TaskTemplate:
        """The template a container runs (``flyweight-execute`` reads it)."""
        ...


class RunnableWorkflow(Protocol):
    """A workflow, as the engine runs it: compiled (on first use) into nodes and output bindings, its
    inputs bound with its Python interface."""

    @property
    def node_kind(self) -> Literal["workflow"]: ...

    @property
    def name(self) -> str: ...

    @property
    def python_interface(self) -> Interface: ...

    @property
    def _interface_idl(self) -> TypedInterface: ...

    @property
    def workflow_metadata(self) -> WorkflowMetadata: ...

    def compile(self) -> None: ...

    @property
    def nodes(self) -> list[Node]: ...

    @property
    def output_bindings(self) -> list[Binding]: ...


class RunnableLaunchPlan(Protocol):
    """A launch plan, as the engine runs it: its workflow, with the plan's defaults applied and its fixed
    inputs refused from the caller."""

    @property
    def node_kind(self) -> Literal["launch plan"]: ...

    @property
    def name(self) -> str: ...

    @property
    def workflow(self) -> RunnableWorkflow: ...

    @property
    def saved_inputs(self) -> Mapping[str, Any]:
        """The Python values of the plan's defaults and fixed inputs (any value an input takes)."""
        ...

    @property
    def fixed_input_names(self) -> frozenset[str]: ...

    @property
    def fixed_inputs(self) -> LiteralMap: ...


Runnable: TypeAlias = "RunnableWorkflow | RunnableLaunchPlan"
"""What a run starts with: a workflow or a launch plan."""


if TYPE_CHECKING:  # mypy checks that tasks, workflows and launch plans fit what the engine needs

    def _fits(
        task: Task, wf: WorkflowBase, lp: LaunchPlan
    ) -> tuple[RunnableTask, RunnableWorkflow, RunnableLaunchPlan]:
        return task, wf, lp
