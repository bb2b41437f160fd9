"""``create_node``: a call in a workflow body that hands back its node, for ordering and output access.

flytekit's ``create_node(entity, **inputs)`` is the call ``entity(**inputs)`` written so that the node
itself comes back: useful for entities without outputs that must run in an order (``a >> b``), and for
reading outputs by name (``n.o0``, ``n.outputs["o0"]``). The node is the same node the call adds, so
serialization is the call's. flyweight compiles every workflow body (a local run runs the compiled
graph), so ``create_node`` only ever sees a body being compiled; anywhere else it says so.
"""

from __future__ import annotations

from typing import Any

from flyweight._context import current_compiler
from flyweight._workflows._node import Node, NodeOutput
from flyweight._workflows._overrides import apply_overrides
from flyweight._workflows._promise import Promise, VoidPromise
from flyweight.errors import WorkflowCompileError

__all__ = ["CreatedNode", "create_node"]


class CreatedNode:
    """The node of a call made with :func:`create_node`: ``id``, ``outputs`` by name (also as attributes,
    ``n.o0``), and ordering with other calls (``n >> other``, ``n.runs_before(other)``)."""

    __slots__ = ("_node", "_outputs")

    def __init__(self, node: Node, outputs: dict[str, Promise]) -> None:
        self._node = node
        self._outputs = outputs

    @property
    def node(self) -> Node:
        """The workflow node the call added."""
        return self._node

    @property
    def id(self) -> str:
        return self._node.id

    @property
    def outputs(self) -> dict[str, Promise]:
        """The call's outputs by name (empty for an entity without outputs)."""
        return self._outputs

    def __getattr__(self, name: str) -> Promise:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return self._outputs[name]
        except KeyError:
            known = ", ".join(self._outputs) or "none"
            raise AttributeError(
                f"node {self._node.id} ({self._node.entity_name!r}) has no output {name!r}; its outputs: "
                f"{known}"
            ) from None

    def runs_before(self, other: Any) -> Any:
        """Make ``other`` (a call's result or another created node) wait for this node; returns ``other``."""
        return self >> other

    def __rshift__(self, other: Any) -> Any:
        VoidPromise(self._node.entity_name, NodeOutput(self._node, "placeholder")) >> other
        return other

    def with_overrides(self, *args: object, **kwargs: object) -> CreatedNode:
        """Override settings of the node (flytekit's ``Node.with_overrides``; see
        ``flyweight._workflows._overrides``); returns ``self``.

        Raises:
            WorkflowCompileError: an unknown key or a bad value.
            NotSupportedError: a key flyweight does not support yet.
        """
        apply_overrides(self._node, args, kwargs, (Promise, VoidPromise))
        return self

    def __repr__(self) -> str:
        return f"CreatedNode({self._node.id}, {self._node.entity_name!r})"


def create_node(entity: Any, *args: Any, **kwargs: Any) -> CreatedNode:
    """Call ``entity`` (a task, workflow or launch plan) with keyword inputs inside a workflow body and
    return its node (flytekit's ``create_node``).

    Raises:
        WorkflowCompileError: positional inputs; ``entity`` is not a task, workflow or launch plan; or no
            workflow body is being compiled.

    Example:
        >>> from flyweight import task, workflow
        >>> @task
        ... def setup() -> None: ...
        >>> @task
        ... def teardown() -> None: ...
        >>> @workflow
        ... def ordered() -> None:
        ...     first = create_node(setup)
        ...     first >> create_node(teardown)
        >>> [n.id for n in ordered.nodes[1].upstream_nodes]
        ['n0']
    """
    name = getattr(entity, "name", repr(entity))
    if args:
        raise WorkflowCompileError(
            f"create_node({name!r}, ...): only keyword inputs are supported, got {len(args)} positional "
            "argument(s)"
        )
    if getattr(entity, "node_kind", None) not in ("task", "workflow", "launch plan"):
        raise WorkflowCompileError(
            f"create_node() needs a task, workflow or launch plan, got {type(entity).__name__} {entity!r}"
        )
    if current_compiler() is None:
        raise WorkflowCompileError(
            f"create_node({name!r}) adds a node to the workflow being compiled; call it inside a @workflow "
            "(or @dynamic) body"
        )
    out = entity(**kwargs)
    items = list(out) if isinstance(out, tuple) else [out]
    first = items[0] if items else None
    if not isinstance(first, (Promise, VoidPromise)) or first.ref is None:
        raise WorkflowCompileError(f"create_node({name!r}): the call added no node")
    node = first.ref.node
    outputs = {p.var: p for p in items if isinstance(p, Promise)}
    return CreatedNode(node, outputs)
