"""The compiler a workflow body runs under: each call becomes a node, each argument a binding.

While a body runs, this module's :class:`Compiler` is the context's ``NodeCompiler``: ``Task.__call__``
(through ``Task.compile``), ``WorkflowBase.__call__`` and ``LaunchPlan.__call__`` hand it their
arguments. It maps positional arguments to input names, applies defaults, binds every input (sorted by
name, as flytekit writes them), gives the node the next id (``n0``, ``n1`` …) and returns promises of the
node's outputs. What it learns about an entity (input types, output names, node metadata) is kept for
the rest of the compilation, so calling a task a thousand times costs a dictionary lookup each time.

Every mistake is a :class:`~flyweight.errors.WorkflowCompileError` naming the workflow, the node and the
input, with the fix.
"""

from __future__ import annotations

import collections
import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeVar

from flyweight._context import compiling, current_compiler
from flyweight._idl import LiteralType, NodeMetadata
from flyweight._interface import NO_DEFAULT
from flyweight._tasks import Task
from flyweight._workflows._binding import Binder, admits_none, describe_type
from flyweight._workflows._entities import Callee, NodeEntity
from flyweight._workflows._node import (
    ARRAY,
    LAUNCH_PLAN,
    TASK,
    WORKFLOW,
    Binding,
    BindingValue,
    Node,
    NodeKind,
    NodeOutput,
    start_node,
)
from flyweight._workflows._promise import Promise, VoidPromise
from flyweight._workflows._reference import ReferenceEntity
from flyweight.errors import WorkflowCompileError

if TYPE_CHECKING:
    from flyweight._workflows._array_node import ArrayNode
    from flyweight._workflows._gate import Gate

__all__ = ["CallOutputs", "Compiler", "OpenSection", "compile_body", "output_tuple_class"]

_T = TypeVar("_T")


CallOutputs: TypeAlias = "Promise | VoidPromise | tuple[Promise, ...]"
"""What a call in a workflow body returns: a promise per output (a named tuple of them for several, or
one named output), or a void promise for a call without outputs."""


def output_tuple_class(names: list[str], tuple_name: str | None) -> type[tuple[Promise, ...]]:
    """The named tuple a call with several outputs (or one named output) returns; ``>>`` on it orders
    the call's node."""
    base = collections.namedtuple(tuple_name or "DefaultNamedTupleOutput", names)  # type: ignore[misc]

    def rshift(self: tuple[Promise, ...], other: _T) -> _T:
        for item in self:
            if isinstance(item, (Promise, VoidPromise)):
                return item >> other
        return other

    def runs_before(self: tuple[Promise, ...], other: _T) -> _T:
        return rshift(self, other)

    def with_overrides(self: tuple[Promise, ...], *args: object, **kwargs: object) -> tuple[Promise, ...]:
        self[0].with_overrides(*args, **kwargs)
        return self

    namespace = {"__slots__": (), "__rshift__": rshift, "runs_before": runs_before}
    namespace["with_overrides"] = with_overrides
    return type(base.__name__, (base,), namespace)


class _Plan:
    """What a compilation needs to know about one entity, computed on its first call."""

    __slots__ = (
        "bound_defaults",
        "by_name",
        "defaults",
        "entity",
        "fixed",
        "inputs",
        "kind",
        "metadata",
        "name",
        "output_cls",
        "output_names",
        "output_types",
        "positional",
    )

    def __init__(
        self,
        entity: Callee,
        kind: NodeKind,
        saved: Mapping[str, Any] | None = None,
        fixed: frozenset[str] = frozenset(),
    ) -> None:
        """``saved`` and ``fixed``: a launch plan's own defaults (Python values) and fixed inputs."""
        self.entity = entity
        self.kind = kind
        self.name = entity.name
        iface = entity.python_interface
        typed = entity._interface_idl
        in_vars = typed.inputs.variables
        with_defaults = iface.inputs_with_defaults
        saved = saved or {}
        self.fixed = fixed
        self.positional: list[str] = list(with_defaults)
        self.inputs: list[tuple[str, Any, LiteralType]] = []  # name, Python type, literal type
        self.defaults: dict[str, Any] = {}  # input name -> the value bound when the call omits it
        self.bound_defaults: dict[str, BindingValue] = {}  # the same, converted on first use
        for k in sorted(with_defaults):
            py_type, default = with_defaults[k]
            lt = in_vars[k].type
            self.inputs.append((k, py_type, lt))
            if k in saved:
                self.defaults[k] = saved[k]
            elif default is not NO_DEFAULT:
                self.defaults[k] = default
            elif admits_none(lt):
                self.defaults[k] = None
        self.by_name = {name: (py_type, lt) for name, py_type, lt in self.inputs}
        self.output_names: list[str] = list(iface.outputs)
        out_vars = typed.outputs.variables
        self.output_types: list[LiteralType] = [out_vars[k].type for k in self.output_names]
        tuple_name = iface.output_tuple_name
        self.output_cls: type[tuple[Promise, ...]] | None = None
        if len(self.output_names) > 1 or (self.output_names and tuple_name):
            self.output_cls = output_tuple_class(self.output_names, tuple_name)
        self.metadata: NodeMetadata = entity.construct_node_metadata()

    def call_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def outputs(self, node: Node) -> CallOutputs:
        names = self.output_names
        if not names:
            return VoidPromise(self.name, NodeOutput(node, "placeholder"))
        if self.output_cls is None:
            return Promise(names[0], NodeOutput(node, names[0]), self.output_types[0])
        return self.output_cls(
            *[Promise(n, NodeOutput(node, n), t) for n, t in zip(names, self.output_types, strict=True)]
        )


class OpenSection(Protocol):
    """A conditional being written (``flyweight._workflows._conditional``): while it is open, calls become
    its branches' nodes, numbered in its own list."""

    name: str
    nodes: list[Node]

    def refuse(self, kind: str, name: str) -> Exception:
        """The error for a branch's call (of a ``kind``) on the output of another call of the branch."""
        ...

    def unfinished(self) -> WorkflowCompileError:
        """The error for the body ending with the conditional still open."""
        ...


class Compiler:
    """Collects the nodes of one workflow body (implements ``flyweight._context.NodeCompiler``).

    Args:
        workflow_name: the workflow being compiled, named in error messages.
        prefix: put before every node id (``""`` for workflows; flytekit's compilation prefix).
    """

    __slots__ = ("_plans", "binder", "nodes", "prefix", "section", "workflow_name")

    def __init__(self, workflow_name: str, prefix: str = "") -> None:
        self.workflow_name = workflow_name
        self.prefix = prefix
        self.nodes: list[Node] = []
        self._plans: dict[int, _Plan] = {}
        self.binder = Binder(workflow_name, self)
        self.section: OpenSection | None = None  # the conditional being written, if any

    def _plan(self, entity: NodeEntity | ArrayNode | Gate) -> _Plan:
        plan = self._plans.get(id(entity))
        if plan is None or plan.entity is not entity:
            if isinstance(entity, Task):
                plan = _Plan(entity, TASK)
            elif isinstance(entity, ReferenceEntity):  # registered elsewhere: its stated interface only
                plan = _Plan(entity, entity.node_kind)
            elif entity.node_kind == "gate":  # sleep / wait_for_input / approve (flyweight._workflows._gate)
                plan = _Plan(entity, "gate")
            elif entity.node_kind == WORKFLOW:
                entity.compile()
                plan = _Plan(entity, WORKFLOW)
            elif entity.node_kind == ARRAY:  # a map over a launch plan: list inputs, none fixed
                plan = _Plan(entity, ARRAY)
            else:
                plan = _Plan(entity, LAUNCH_PLAN, entity.saved_inputs, entity.fixed_input_names)
            self._plans[id(entity)] = plan
        return plan

    def _fail(self, node: str, plan: _Plan, problem: str) -> WorkflowCompileError:
        return WorkflowCompileError(
            f"workflow {self.workflow_name!r}: node {node} ({plan.kind} {plan.name!r}) {problem}"
        )

    def _merge_positional(
        self, node_id: str, plan: _Plan, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> dict[str, Any]:
        names = plan.positional
        if plan.kind == LAUNCH_PLAN:
            raise self._fail(node_id, plan, "got positional arguments; pass a launch plan's inputs by name")
        if len(args) > len(names):
            raise self._fail(
                node_id,
                plan,
                f"takes {len(names)} input(s) ({', '.join(names) or 'none'}) but got {len(args)} "
                "positional argument(s)",
            )
        merged = dict(zip(names, args, strict=False))
        for k in kwargs:
            if k in merged:
                raise self._fail(node_id, plan, f"got two values for input {k!r} (by position and by name)")
        merged.update(kwargs)
        return merged

    def add_entity(self, entity: NodeEntity, args: tuple[Any, ...], kwargs: dict[str, Any]) -> CallOutputs:
        """Add a node calling ``entity``; return a promise, a named tuple of promises or a void promise
        (``args`` and ``kwargs`` are the call's arguments: promises or any values)."""
        plan = self._plan(entity)
        section = self.section
        if section is None:
            target = self.nodes
        else:
            target = section.nodes
            if target:  # a call on the output of another call of the conditional (made in its nodes)
                for v in kwargs.values():
                    if type(v) is Promise and v._ref is not None and v._ref.node.scope is section:
                        raise section.refuse(plan.kind, plan.name)
                for v in args:
                    if type(v) is Promise and v._ref is not None and v._ref.node.scope is section:
                        raise section.refuse(plan.kind, plan.name)
        node_id = f"{self.prefix}n{len(target)}"
        if args:
            kwargs = self._merge_positional(node_id, plan, args, kwargs)
        by_name = plan.by_name
        for k in kwargs:
            if k not in by_name:
                known = ", ".join(plan.positional) or "none"
                raise self._fail(node_id, plan, f"got an unexpected input {k!r}; its inputs are: {known}")
            if k in plan.fixed:
                raise self._fail(
                    node_id, plan, f"got input {k!r}, which the launch plan fixes; leave it out of the call"
                )
        binder = self.binder
        quick = binder.bind_promise
        upstream: dict[int, Node] = {}
        bindings: list[Binding] = []
        missing: list[str] = []
        for name, py_type, lt in plan.inputs:
            if name in kwargs:
                value = kwargs[name]
                if type(value) is Promise and quick(value, lt, upstream):
                    bound: BindingValue = value
                else:
                    bound = binder.bind(value, lt, py_type, upstream, _where(node_id, plan, name))
            elif name in plan.bound_defaults:
                bound = plan.bound_defaults[name]
            elif name in plan.defaults:  # a constant: converted once per compilation
                bound = binder.bind(plan.defaults[name], lt, py_type, None, _where(node_id, plan, name))
                plan.bound_defaults[name] = bound
            else:
                missing.append(name)
                continue
            bindings.append(_new_binding(Binding, (name, bound)))
        if missing:
            listed = ", ".join(f"{k} ({describe_type(plan.by_name[k][1])})" for k in missing)
            example = ", ".join(f"{k}=..." for k in missing)
            raise self._fail(
                node_id, plan, f"is missing input(s) {listed}; pass them: {plan.call_name()}({example})"
            )
        node = Node(
            node_id,
            plan.metadata,
            bindings,
            list(upstream.values()),
            entity,
            plan.kind,
            self.workflow_name,
            self if section is None else section,  # a branch's node is not the workflow's to bind
        )
        target.append(node)
        return plan.outputs(node)


_new_binding = tuple.__new__  # Binding(name, value), without the named tuple's own __new__


def _where(node_id: str, plan: _Plan, name: str) -> Callable[[], str]:
    return lambda: f"node {node_id} ({plan.kind} {plan.name!r}), input {name!r}"


def compile_body(workflow: Callee, function: Callable[..., object]) -> tuple[list[Node], list[Binding]]:
    """Run ``function`` (a workflow body) with promises of the workflow's inputs under a new compiler;
    return the nodes it created and the bindings of the workflow's outputs."""
    name = workflow.name
    typed = workflow._interface_idl
    iface = workflow.python_interface
    outer = current_compiler()  # first compiled inside a dynamic task's body: its "d" prefix (flytekit's)
    compiler = Compiler(name, outer.prefix if isinstance(outer, Compiler) else "")
    start = start_node(name, compiler)
    in_vars = typed.inputs.variables
    inputs = {k: Promise(k, NodeOutput(start, k), in_vars[k].type) for k in iface.inputs}
    with compiling(compiler):
        try:
            result = function(**inputs)
        except Exception as e:
            if sys.version_info >= (3, 11) and not isinstance(e, WorkflowCompileError):  # the user's own
                e.add_note(f"(raised while compiling the body of workflow {name!r})")
            raise
    if compiler.section is not None:
        raise compiler.section.unfinished()
    return compiler.nodes, _output_bindings(compiler, workflow, result)


def compile_failure_node(workflow: Callee, handler: Any) -> Node:
    """The failure node of ``workflow``: a call of ``handler`` (a task or workflow) with the workflow's
    inputs, numbered ``fn0`` as flytekit numbers it; its other inputs keep their defaults (``err`` is
    given by Flyte, or by the local engine, when the workflow fails).

    Raises:
        WorkflowCompileError: ``handler`` lacks one of the workflow's inputs (or types it differently), or
            has another input that is not optional.
    """
    name = workflow.name
    mine = workflow.python_interface.inputs
    theirs = handler.python_interface.inputs_with_defaults
    for k, t in mine.items():
        if k not in theirs or theirs[k][0] != t:
            raise WorkflowCompileError(
                f"workflow {name!r}: the failure handler {handler.name!r} must take every input of the "
                f"workflow with the same type; it lacks {k}: {getattr(t, '__name__', t)}"
            )
    handler_vars = handler._interface_idl.inputs.variables
    for k in theirs:
        if k not in mine and not admits_none(handler_vars[k].type):
            raise WorkflowCompileError(
                f"workflow {name!r}: the failure handler {handler.name!r} has input {k!r}, which the "
                "workflow does not have; its other inputs must be Optional (err: Optional[FlyteError] = None)"
            )
    typed = workflow._interface_idl
    compiler = Compiler(name, "f")  # its node is fn0, as flytekit numbers it
    start = start_node(name, compiler)
    in_vars = typed.inputs.variables
    inputs = {k: Promise(k, NodeOutput(start, k), in_vars[k].type) for k in mine}
    with compiling(compiler):
        handler(**inputs)
    return compiler.nodes[-1]


def _output_bindings(compiler: Compiler, workflow: Callee, result: object) -> list[Binding]:
    iface = workflow.python_interface
    names = list(iface.outputs)
    out_vars = workflow._interface_idl.outputs.variables
    wf = f"workflow {workflow.name!r}"
    declared = ", ".join(f"{k}: {describe_type(out_vars[k].type)}" for k in names)
    if not names:
        if result is None or isinstance(result, VoidPromise):
            return []
        raise WorkflowCompileError(
            f"{wf} returns {result!r} but declares no outputs; annotate the return type "
            "(def wf(...) -> int:) or return nothing"
        )
    none_is_a_value = result is None and len(names) == 1 and admits_none(out_vars[names[0]].type)
    if (result is None and not none_is_a_value) or isinstance(result, VoidPromise):
        raise WorkflowCompileError(
            f"{wf} declares output(s) ({declared}) but its body returned "
            f"{'None' if result is None else 'the result of a call without outputs'}; return the promise(s)"
        )
    if len(names) == 1:
        values = [result]
        if isinstance(result, tuple):
            if len(result) != 1 or iface.output_tuple_name is None:
                raise WorkflowCompileError(
                    f"{wf} declares one output ({declared}) but returned a tuple of {len(result)}; return "
                    "one value, or declare a tuple / NamedTuple return type"
                )
            values = [result[0]]
    else:
        if not isinstance(result, tuple):
            raise WorkflowCompileError(
                f"{wf} declares {len(names)} outputs ({declared}) but returned one value; return a tuple"
            )
        if len(result) != len(names):
            raise WorkflowCompileError(
                f"{wf} declares {len(names)} outputs ({declared}) but returned {len(result)} values"
            )
        values = list(result)
    binder = compiler.binder
    bindings = []
    for k, v in zip(names, values, strict=True):
        where = _output_where(k)
        bindings.append(Binding(k, binder.bind(v, out_vars[k].type, iface.outputs[k], None, where)))
    return bindings


def _output_where(name: str) -> Callable[[], str]:
    return lambda: f"output {name!r}"
