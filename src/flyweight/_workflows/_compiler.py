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

from collections.abc import Callable
from typing import Any

from flyweight._context import compiling
from flyweight._idl import LiteralType, NodeMetadata
from flyweight._interface import NO_DEFAULT
from flyweight._workflows._binding import Binder, admits_none, describe_type
from flyweight._workflows._node import LAUNCH_PLAN, TASK, WORKFLOW, Binding, Node, NodeOutput, start_node
from flyweight._workflows._promise import Promise, VoidPromise, output_tuple_class
from flyweight.errors import WorkflowCompileError

__all__ = ["Compiler", "compile_body"]


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

    def __init__(self, entity: Any) -> None:
        self.entity = entity
        self.kind: str = getattr(entity, "_node_kind", TASK)
        self.name: str = entity.name
        iface = entity.python_interface
        typed = entity.interface
        in_vars = typed.inputs.variables
        with_defaults = iface.inputs_with_defaults
        saved: dict[str, Any] = dict(getattr(entity, "saved_inputs", None) or {})
        self.fixed: frozenset[str] = frozenset(getattr(entity, "fixed_input_names", ()))
        self.positional: list[str] = list(with_defaults)
        self.inputs: list[tuple[str, Any, LiteralType]] = []
        self.defaults: dict[str, Any] = {}  # input name -> the value bound when the call omits it
        self.bound_defaults: dict[str, Any] = {}  # the same, converted on first use
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
        self.output_cls: type[tuple[Any, ...]] | None = None
        if len(self.output_names) > 1 or (self.output_names and tuple_name):
            self.output_cls = output_tuple_class(self.output_names, tuple_name)
        self.metadata: NodeMetadata = entity.construct_node_metadata()

    def call_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]

    def outputs(self, node: Node) -> Any:
        names = self.output_names
        if not names:
            return VoidPromise(self.name, NodeOutput(node, "placeholder"))
        if self.output_cls is None:
            return Promise(names[0], NodeOutput(node, names[0]), self.output_types[0])
        return self.output_cls(
            *[Promise(n, NodeOutput(node, n), t) for n, t in zip(names, self.output_types, strict=True)]
        )


class Compiler:
    """Collects the nodes of one workflow body (implements ``flyweight._context.NodeCompiler``).

    Args:
        workflow_name: the workflow being compiled, named in error messages.
        prefix: put before every node id (``""`` for workflows; flytekit's compilation prefix).
    """

    __slots__ = ("_binder", "_plans", "nodes", "prefix", "workflow_name")

    def __init__(self, workflow_name: str, prefix: str = "") -> None:
        self.workflow_name = workflow_name
        self.prefix = prefix
        self.nodes: list[Node] = []
        self._plans: dict[int, _Plan] = {}
        self._binder = Binder(workflow_name, self)

    def _plan(self, entity: Any) -> _Plan:
        plan = self._plans.get(id(entity))
        if plan is None or plan.entity is not entity:
            if getattr(entity, "_node_kind", TASK) == WORKFLOW:
                entity.compile()
            plan = _Plan(entity)
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

    def add_entity(self, entity: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Add a node calling ``entity``; return a promise, a named tuple of promises or a void promise."""
        plan = self._plan(entity)
        node_id = f"{self.prefix}n{len(self.nodes)}"
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
        binder = self._binder
        upstream: dict[int, Node] = {}
        bindings: list[Binding] = []
        missing: list[str] = []
        for name, py_type, lt in plan.inputs:
            if name in kwargs:
                bound = binder.bind(kwargs[name], lt, py_type, upstream, _where(node_id, plan, name))
            elif name in plan.bound_defaults:
                bound = plan.bound_defaults[name]
            elif name in plan.defaults:  # a constant: converted once per compilation
                bound = binder.bind(plan.defaults[name], lt, py_type, None, _where(node_id, plan, name))
                plan.bound_defaults[name] = bound
            else:
                missing.append(name)
                continue
            bindings.append(Binding(name, bound))
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
            self,
        )
        self.nodes.append(node)
        return plan.outputs(node)


def _where(node_id: str, plan: _Plan, name: str) -> Callable[[], str]:
    return lambda: f"node {node_id} ({plan.kind} {plan.name!r}), input {name!r}"


def compile_body(workflow: Any, function: Callable[..., Any]) -> tuple[list[Node], list[Binding]]:
    """Run ``function`` (a workflow body) with promises of the workflow's inputs under a new compiler;
    return the nodes it created and the bindings of the workflow's outputs."""
    name: str = workflow.name
    typed = workflow.interface
    iface = workflow.python_interface
    compiler = Compiler(name)
    start = start_node(name, compiler)
    in_vars = typed.inputs.variables
    inputs = {k: Promise(k, NodeOutput(start, k), in_vars[k].type) for k in iface.inputs}
    with compiling(compiler):
        try:
            result = function(**inputs)
        except Exception as e:
            add_note = getattr(e, "add_note", None)  # Python 3.11+
            if add_note is not None and not isinstance(e, WorkflowCompileError):  # the user's own error
                add_note(f"(raised while compiling the body of workflow {name!r})")
            raise
    return compiler.nodes, _output_bindings(compiler, workflow, result)


def _output_bindings(compiler: Compiler, workflow: Any, result: Any) -> list[Binding]:
    iface = workflow.python_interface
    names = list(iface.outputs)
    out_vars = workflow.interface.outputs.variables
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
    binder = compiler._binder
    bindings = []
    for k, v in zip(names, values, strict=True):
        where = _output_where(k)
        bindings.append(Binding(k, binder.bind(v, out_vars[k].type, iface.outputs[k], None, where)))
    return bindings


def _output_where(name: str) -> Callable[[], str]:
    return lambda: f"output {name!r}"
