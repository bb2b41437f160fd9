"""What a workflow body can call, as the compiler and the graph it builds need it.

A call in a body names a task, a workflow or a launch plan; the compiler reads the same few things from
each (:class:`Callee`) and keeps the entity in the :class:`~flyweight._workflows.Node` it makes, where
the serializer and the local engine find it again. Workflows and launch plans say which they are
(``node_kind``) and carry their graph or their fixed inputs (:class:`SubWorkflow`,
:class:`CalledLaunchPlan`); a task is told apart by its class, the base every task type shares.

The workflow and launch plan classes import the compiler, so it knows them only by these protocols.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

from flyweight._tasks import Task
from flyweight._workflows._node import NodeKind
from flyweight._workflows._reference import ReferenceEntity

if TYPE_CHECKING:
    from flyweight._idl import (
        LaunchPlan as LaunchPlanMessage,
        LiteralMap,
        NodeMetadata,
        TypedInterface,
        WorkflowSpec,
    )
    from flyweight._interface import Interface
    from flyweight._serialize import EntityMapping
    from flyweight._settings import SerializationSettings
    from flyweight._workflows._metadata import WorkflowMetadata
    from flyweight._workflows._node import Binding, Node

__all__ = ["CalledLaunchPlan", "Callee", "NodeEntity", "SubWorkflow", "node_kind"]


class Callee(Protocol):
    """What compiling a call needs from what is called: its name, its two interfaces (the Python one
    binds the arguments and gives the defaults, the typed one the literal types the bindings are checked
    against) and the ``NodeMetadata`` of the node that runs it."""

    @property
    def name(self) -> str: ...

    @property
    def python_interface(self) -> Interface: ...

    @property
    def _interface_idl(self) -> TypedInterface:
        """The typed interface message (a task's public ``interface`` is a view of it, ADR 0022)."""
        ...

    def construct_node_metadata(self) -> NodeMetadata: ...


class SubWorkflow(Callee, Protocol):
    """A workflow called in another workflow's body: compiled before its first call (its own mistakes
    surface first, and a workflow calling itself is refused), run as a graph of its own."""

    @property
    def node_kind(self) -> Literal["workflow"]: ...

    def compile(self) -> None: ...

    @property
    def nodes(self) -> list[Node]: ...

    @property
    def output_bindings(self) -> list[Binding]: ...

    @property
    def workflow_metadata(self) -> WorkflowMetadata: ...

    def registration_spec(
        self, entity_mapping: EntityMapping, settings: SerializationSettings, options: object = None
    ) -> WorkflowSpec: ...


class CalledLaunchPlan(Callee, Protocol):
    """A launch plan called in a workflow body: its own defaults and fixed inputs apply to the call, and
    a fixed input cannot be passed."""

    @property
    def node_kind(self) -> Literal["launch plan"]: ...

    @property
    def workflow(self) -> SubWorkflow: ...

    @property
    def saved_inputs(self) -> Mapping[str, Any]:
        """The Python values of the plan's defaults and fixed inputs (any value an input takes)."""
        ...

    @property
    def fixed_input_names(self) -> frozenset[str]: ...

    @property
    def fixed_inputs(self) -> LiteralMap: ...

    def registration_spec(
        self, entity_mapping: EntityMapping, settings: SerializationSettings, options: object = None
    ) -> LaunchPlanMessage: ...


NodeEntity: TypeAlias = Task | SubWorkflow | CalledLaunchPlan | ReferenceEntity
"""What a node runs (a reference entity: a task, workflow or launch plan registered elsewhere)."""


def node_kind(entity: NodeEntity) -> NodeKind:
    """``"task"``, ``"workflow"`` or ``"launch plan"``: what a call of ``entity`` becomes."""
    return entity.node_kind
