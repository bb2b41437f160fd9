"""The nodes of a compiled workflow, as plain Python data.

A workflow body runs once under a compiler; every call of a task, sub-workflow or launch plan becomes a
:class:`Node`. A node keeps what it runs, its ``NodeMetadata``, its input bindings and the nodes that
must finish before it. Bindings are plain values — a :class:`~flyweight._workflows.Promise` (an output of
another node, or an input of the workflow), a constant ``Literal``, or lists and dicts of those — so the
graph can be serialized (``flyweight._workflows._to_idl``) or, later, run by a local engine without
parsing protobuf messages back.

Node ids are ``n0``, ``n1`` … in call order, as flytekit assigns them; the workflow's inputs come from
the start node, whose id is the empty string on the wire (Flyte's ``start-node``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal, NamedTuple, TypeAlias, TypeVar, cast

if TYPE_CHECKING:
    from flyweight._idl import Literal as LiteralValue, NodeMetadata
    from flyweight._workflows._array_node import ArrayNode
    from flyweight._workflows._conditional import Branch
    from flyweight._workflows._entities import NodeEntity
    from flyweight._workflows._gate import Gate
    from flyweight._workflows._overrides import NodeOverrides
    from flyweight._workflows._promise import Promise

__all__ = ["GLOBAL_INPUT_NODE_ID", "Binding", "BindingValue", "Node", "NodeKind", "NodeOutput", "start_node"]

_T = TypeVar("_T")

GLOBAL_INPUT_NODE_ID = ""
"""The id a binding to a workflow input names: Flyte reads the empty node id as its ``start-node``."""

TASK: Final = "task"
WORKFLOW: Final = "workflow"
LAUNCH_PLAN: Final = "launch plan"
START: Final = "start"
BRANCH: Final = "branch"
ARRAY: Final = "array"
GATE: Final = "gate"

NodeKind: TypeAlias = Literal["task", "workflow", "launch plan", "array", "gate"]
"""What a call in a workflow body becomes: a node running a task, a sub-workflow, a launch plan, an
``ArrayNode`` mapping a launch plan over lists (``flyweight._workflows._array_node``), or a gate
(``sleep``, ``wait_for_input``, ``approve``: ``flyweight._workflows._gate``)."""

BindingValue: TypeAlias = "Promise | LiteralValue | list[BindingValue] | dict[str, BindingValue]"
"""What an input is bound to: a promise, a constant ``Literal``, or a list or dict of those."""


class Binding(NamedTuple):
    """One input of a node (or one output of a workflow) and what it is bound to.

    ``value`` is a :class:`~flyweight._workflows.Promise` that refers to a node's output, a constant
    ``flyteidl`` ``Literal``, or a ``list`` / ``dict`` of those.
    """

    var: str
    value: BindingValue


class Node:
    """One call in a workflow: what it runs, with which inputs, after which nodes.

    Attributes:
        id: ``n0``, ``n1`` … (the start node's id is ``""``).
        metadata: the ``flyteidl`` ``NodeMetadata`` (the entity's ``construct_node_metadata()``).
        bindings: the inputs, sorted by name, as :class:`Binding` values.
        upstream_nodes: the nodes that must finish first: those whose outputs the bindings use, then those
            ordered before it with ``>>`` / :meth:`runs_before`.
        flyte_entity: the task, workflow or launch plan the node runs (a conditional's :class:`Branch`
            for a branch node, an ``ArrayNode`` for a map over a launch plan).
        kind: ``"task"``, ``"workflow"``, ``"launch plan"``, ``"array"``, ``"branch"`` or ``"start"``.
        workflow_name: the name of the workflow the node belongs to (for error messages).
        scope: the compilation that made the node (a promise of another workflow's node is refused).
        overrides: what ``with_overrides(...)`` set beyond the metadata (resources, image, aliases, a map
            task's sub-node metadata: ``flyweight._workflows._overrides``), or None.

    ``metadata`` is shared by the nodes of one entity in one workflow: replace it, do not change it in
    place.
    """

    __slots__ = (
        "_id",
        "_metadata",
        "bindings",
        "flyte_entity",
        "kind",
        "overrides",
        "scope",
        "upstream_nodes",
        "workflow_name",
    )

    def __init__(  # noqa: PLR0917 - flytekit's positional order
        self,
        id: str,
        metadata: NodeMetadata | None,
        bindings: list[Binding],
        upstream_nodes: list[Node],
        flyte_entity: NodeEntity | ArrayNode | Branch | Gate | None,
        kind: NodeKind | Literal["start", "branch"] = TASK,
        workflow_name: str = "",
        scope: object = None,
    ) -> None:
        self._id = id
        self._metadata = metadata
        self.bindings = bindings
        self.upstream_nodes = upstream_nodes
        self.flyte_entity = flyte_entity
        self.kind = kind
        self.workflow_name = workflow_name
        self.scope = scope
        self.overrides: NodeOverrides | None = None

    @property
    def id(self) -> str:
        return self._id

    @property
    def name(self) -> str:
        """The node's id (flytekit's name for it)."""
        return self._id

    def set_id(self, node_id: str) -> None:
        """Rename the node (``with_overrides(node_name=...)``); promises of its outputs follow it."""
        self._id = node_id

    @property
    def metadata(self) -> NodeMetadata | None:
        """The node's ``NodeMetadata``; a branch node made without one builds it on first read (from its
        conditional: ``Branch.construct_node_metadata``), so compiling a conditional makes no message."""
        metadata = self._metadata
        if metadata is None and self.kind == BRANCH:
            metadata = self._metadata = cast("Branch", self.flyte_entity).construct_node_metadata()
        return metadata

    @metadata.setter
    def metadata(self, metadata: NodeMetadata | None) -> None:
        self._metadata = metadata

    def runs_before(self, other: Node) -> None:
        """Make ``other`` wait for this node to finish (``self >> other`` does the same)."""
        if other is self:
            raise _ordering_error(self, "itself")
        if START in (self.kind, other.kind):
            return
        if any(n is self for n in other.upstream_nodes):
            return
        if _waits_for(self, other):
            raise _ordering_error(self, f"{other.describe()}, which it already waits for (a cycle)")
        other.upstream_nodes.append(self)

    def __rshift__(self, other: _T) -> _T:
        """``node >> other``: ``other`` (a node, or what ``create_node`` returned) waits for this node;
        returns ``other``."""
        target = other if isinstance(other, Node) else getattr(other, "node", None)
        if not isinstance(target, Node):
            raise _ordering_error(
                self,
                f"a {type(other).__name__}: the right-hand side of >> on a node must be a node or what "
                "create_node returned",
            )
        self.runs_before(target)
        return other

    def describe(self) -> str:
        """``node n1 (task 'mod.t')`` — how error messages name the node."""
        if self.kind == START:
            return f"the inputs of workflow {self.workflow_name!r}"
        return f"node {self._id} ({self.kind} {self.entity_name!r})"

    @property
    def entity_name(self) -> str:
        """The name of the task, workflow or launch plan the node runs (the conditional's for a branch node,
        ``"?"`` for the start node)."""
        return "?" if self.flyte_entity is None else self.flyte_entity.name

    def __repr__(self) -> str:
        name = None if self.flyte_entity is None else self.flyte_entity.name
        return f"Node({self._id!r}, {self.kind} {name!r})"


def _waits_for(node: Node, other: Node) -> bool:
    """Whether ``node`` runs after ``other``, directly or through the nodes it waits for."""
    seen: set[int] = set()
    todo = list(node.upstream_nodes)
    while todo:
        up = todo.pop()
        if up is other:
            return True
        if id(up) not in seen:
            seen.add(id(up))
            todo.extend(up.upstream_nodes)
    return False


def _ordering_error(node: Node, what: str) -> Exception:
    from flyweight.errors import WorkflowCompileError

    return WorkflowCompileError(
        f"workflow {node.workflow_name!r}: {node.describe()} cannot run before {what}; "
        "order two different nodes with a >> b"
    )


def start_node(workflow_name: str, scope: object = None) -> Node:
    """The node a workflow's input promises refer to (id ``""``)."""
    return Node(GLOBAL_INPUT_NODE_ID, None, [], [], None, START, workflow_name, scope)


class NodeOutput:
    """A reference to one output of a node, with an optional path into it (``o.field``, ``o[0]``).

    It is what a promise inside a workflow body points at; serialized, it is an ``OutputReference``.
    """

    __slots__ = ("attr_path", "node", "var")

    def __init__(self, node: Node, var: str, attr_path: tuple[str | int, ...] = ()) -> None:
        self.node = node
        self.var = var
        self.attr_path = attr_path

    @property
    def node_id(self) -> str:
        return self.node.id

    def with_attr(self, key: str | int) -> NodeOutput:
        """A reference one step further into the value (a field name, a dict key or a list index)."""
        return NodeOutput(self.node, self.var, (*self.attr_path, key))

    def __repr__(self) -> str:
        path = "".join(f"[{k!r}]" for k in self.attr_path)
        return f"NodeOutput({self.node.id or 'start-node'}.{self.var}{path})"
