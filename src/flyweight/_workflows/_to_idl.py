"""A compiled workflow (or a launch plan) → its registration form, through ``flyweight._serialize``.

This module walks the graph — it knows promises, node kinds and launch plans — and turns each part into
a ``flyteidl`` message: bindings into ``BindingData`` (promises into ``OutputReference``, constants
into scalars, lists and dicts into collections and maps), nodes into ``Node``. The messages are then
assembled by ``flyweight._serialize`` (``workflow_spec``, ``add_workflow_node``, ``add_sub_workflows``,
``launch_plan``); the tasks, sub-workflows and launch plans a workflow uses are serialized through
``get_serializable``, so each is built once per registration (ADR 0010).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flyweight._idl import (
    Binding,
    BindingData,
    BindingDataCollection,
    BindingDataMap,
    LaunchPlan as LaunchPlanMessage,  # registration only: the admin messages
    Literal,
    OutputReference,
    PromiseAttribute,
    TaskNodeOverrides,
    TaskSpec,
    WorkflowTemplate,
)
from flyweight._serialize import (
    EntityMapping,
    add_sub_workflows,
    add_workflow_node,
    fill_node,
    get_serializable,
    launch_plan as assemble_launch_plan,
    security_context,
    task_node_overrides,
    workflow_spec as assemble_spec,
)
from flyweight._serialize._container import k8s_pod, pod_spec
from flyweight._tasks._map import ArrayNodeMapTask
from flyweight._workflows._conditional import Branch
from flyweight._workflows._expression import COMPARISON_OPERATORS, Comparison, Expression
from flyweight._workflows._gate import Gate
from flyweight._workflows._node import ARRAY, GLOBAL_INPUT_NODE_ID, BindingValue, Node
from flyweight._workflows._promise import Promise
from flyweight._workflows._reference import ReferenceEntity
from flyweight.errors import NotSupportedError, WorkflowCompileError

if TYPE_CHECKING:
    from flyweight._idl import WorkflowSpec
    from flyweight._settings import SerializationSettings
    from flyweight._workflows._array_node import ArrayNode
    from flyweight._workflows._launch_plan import LaunchPlan
    from flyweight._workflows._workflow import WorkflowBase

__all__ = ["binding_data", "launch_plan", "workflow_spec"]


def _literal_binding(lit: Literal) -> BindingData:
    kind = lit.WhichOneof("value")
    if kind == "collection":
        return BindingData(
            collection=BindingDataCollection(bindings=[_literal_binding(x) for x in lit.collection.literals])
        )
    if kind == "map":
        return BindingData(
            map=BindingDataMap(bindings={k: _literal_binding(v) for k, v in lit.map.literals.items()})
        )
    return BindingData(scalar=lit.scalar)


def binding_data(value: BindingValue) -> BindingData:
    """The ``BindingData`` of a binding value (a promise, a ``Literal``, or a list or dict of those)."""
    if isinstance(value, Promise):
        if value.is_ready:
            return _literal_binding(value.val)
        ref = value.ref
        out = OutputReference(node_id=ref.node.id, var=ref.var)
        for key in ref.attr_path:
            attr = (
                PromiseAttribute(int_value=key)
                if isinstance(key, int)
                else PromiseAttribute(string_value=key)
            )
            out.attr_path.append(attr)
        return BindingData(promise=out)
    if isinstance(value, Literal):
        return _literal_binding(value)
    if isinstance(value, list):
        return BindingData(collection=BindingDataCollection(bindings=[binding_data(v) for v in value]))
    return BindingData(map=BindingDataMap(bindings={k: binding_data(v) for k, v in value.items()}))


def _add_node(
    template: WorkflowTemplate,
    node: Node,
    settings: SerializationSettings,
    mapping: EntityMapping,
    subs: list[WorkflowTemplate],
) -> None:
    entity = node.flyte_entity
    if entity is None:
        raise TypeError(f"{node.describe()} runs nothing and cannot be serialized")
    if isinstance(entity, Branch):
        _add_branch(template, node, entity, settings, mapping, subs)
        return
    if isinstance(entity, ArrayNodeMapTask):
        _add_array(template, node, entity, settings, mapping)
        return
    if isinstance(entity, Gate):
        _add_gate(template, node, entity)
        return
    if isinstance(entity, ReferenceEntity):  # registered elsewhere: named by its identifier, not registered
        inputs = [Binding(var=b.var, binding=binding_data(b.value)) for b in node.bindings]
        upstream = [n.id for n in node.upstream_nodes if n.id != GLOBAL_INPUT_NODE_ID]
        entity.fill_node(add_workflow_node(template, node.id, node.metadata, inputs, upstream), node)
        return
    if entity.node_kind == ARRAY:
        _add_launch_plan_array(template, node, entity, settings, mapping)
        return
    skip: frozenset[str] = frozenset()
    refs: dict[str, Any] = {}  # task=, launch_plan= or sub_workflow=: an Identifier
    spec = get_serializable(mapping, settings, entity)
    if isinstance(spec, TaskSpec):
        refs["task"] = spec.template.id
    elif isinstance(spec, LaunchPlanMessage):  # its fixed inputs are not the node's to bind
        skip = frozenset(spec.spec.fixed_inputs.literals)
        refs["launch_plan"] = spec.id
    else:
        subs.append(spec.template)
        subs.extend(spec.sub_workflows)
        refs["sub_workflow"] = spec.template.id
    inputs = [Binding(var=b.var, binding=binding_data(b.value)) for b in node.bindings if b.var not in skip]
    upstream = [n.id for n in node.upstream_nodes if n.id != GLOBAL_INPUT_NODE_ID]
    overrides = node.overrides
    if overrides is None or not isinstance(spec, TaskSpec):  # flytekit writes them on task nodes only
        add_workflow_node(template, node.id, node.metadata, inputs, upstream, **refs)
        return
    add_workflow_node(
        template,
        node.id,
        node.metadata,
        inputs,
        upstream,
        task=refs["task"],
        overrides=_task_overrides(node, entity, settings),
        output_aliases=overrides.aliases or (),
    )


def _task_overrides(
    node: Node, task: object = None, settings: SerializationSettings | None = None
) -> TaskNodeOverrides | None:
    """The ``TaskNodeOverrides`` of ``with_overrides`` (None: none set, written empty). A pod template
    is written with ``task``'s primary container filled in (flytekit writes none on a map task's
    sub-node)."""
    o = node.overrides
    if o is None:
        return None
    pod = None
    if o.pod_template is not None and task is not None and settings is not None:
        primary = getattr(task, "primary_container", None)
        if primary is None:
            raise NotSupportedError(
                f"{node.describe()}: with_overrides(pod_template=...) needs a task whose own code runs in a "
                f"container (a @task), got {type(task).__name__}"
            )
        spec = pod_spec(o.pod_template, primary(settings), settings.image_config)
        pod = k8s_pod(spec, o.pod_template, primary_container_name=True)
    return task_node_overrides(
        requests=o.requests,
        limits=o.limits,
        resources=o.resources_set,
        shared_memory=o.shared_memory,
        container_image=o.container_image,
        accelerator=o.accelerator,
        pod=pod,
    )


def _add_branch(  # noqa: PLR0917
    template: WorkflowTemplate,
    node: Node,
    branch: Branch,
    settings: SerializationSettings,
    mapping: EntityMapping,
    subs: list[WorkflowTemplate],
) -> None:
    """A branch node: its condition inputs, then its ``IfElseBlock`` (each branch's node built in place)."""
    inputs = [Binding(var=b.var, binding=binding_data(b.value)) for b in node.bindings]
    upstream = [n.id for n in node.upstream_nodes if n.id != GLOBAL_INPUT_NODE_ID]
    out = add_workflow_node(template, node.id, node.metadata, inputs, upstream)
    if_else = out.branch_node.if_else
    scratch = WorkflowTemplate()  # each branch's node is built here, then copied into its block
    for i, (expr, then) in enumerate(branch.cases):
        block = if_else.case if i == 0 else if_else.other.add()
        _condition(block.condition, expr)
        _add_node(scratch, then, settings, mapping, subs)
        block.then_node.CopyFrom(scratch.nodes[-1])
    if branch.else_node is not None:
        _add_node(scratch, branch.else_node, settings, mapping, subs)
        if_else.else_node.CopyFrom(scratch.nodes[-1])
    else:
        if_else.error.failed_node_id = branch.name
        if_else.error.message = branch.error or "Condition failed"


def _add_gate(template: WorkflowTemplate, node: Node, gate: Gate) -> None:
    """A gate node (flytekit's translator): ``gate_node`` with a ``sleep`` (duration), ``signal`` (signal id,
    type, output variable) or ``approve`` (signal id) condition; an approval binds the approved output."""
    inputs = [Binding(var=b.var, binding=binding_data(b.value)) for b in node.bindings]
    upstream = [n.id for n in node.upstream_nodes if n.id != GLOBAL_INPUT_NODE_ID]
    out = add_workflow_node(template, node.id, node.metadata, inputs, upstream).gate_node
    if gate.kind == "sleep":
        assert gate.sleep_duration is not None  # a sleep gate always has its duration
        out.sleep.duration.FromTimedelta(gate.sleep_duration)
    elif gate.kind == "signal":
        out.signal.signal_id = gate.name
        assert gate.literal_type is not None and gate.output_name is not None  # its output, o0
        out.signal.type.CopyFrom(gate.literal_type)
        out.signal.output_variable_name = gate.output_name
    else:
        out.approve.signal_id = gate.name


def _add_array(
    template: WorkflowTemplate,
    node: Node,
    task: ArrayNodeMapTask,
    settings: SerializationSettings,
    mapping: EntityMapping,
) -> None:
    """A map task's node: an ``ArrayNode`` whose sub-node (named after the map task, with the same
    bindings and no upstream nodes) runs the map task's template, as flytekit writes it."""
    spec = get_serializable(mapping, settings, task)
    assert isinstance(spec, TaskSpec)  # a task always serializes to a TaskSpec
    inputs = [Binding(var=b.var, binding=binding_data(b.value)) for b in node.bindings]
    upstream = [n.id for n in node.upstream_nodes if n.id != GLOBAL_INPUT_NODE_ID]
    out = add_workflow_node(template, node.id, node.metadata, inputs, upstream)
    array = out.array_node
    overrides = node.overrides  # with_overrides: the sub-node's metadata and task overrides (flytekit's)
    metadata = overrides.sub_node_metadata if overrides is not None else None
    fill_node(
        array.node,
        task.name,
        metadata or task.sub_node_metadata(),
        inputs,
        [],
        task=spec.template.id,
        overrides=_task_overrides(node),
    )
    if task.concurrency is not None:
        array.parallelism = task.concurrency
    if task.min_successes:  # flytekit loses it (compatibility row W25)
        array.min_successes = task.min_successes
    elif task.min_success_ratio is not None:
        array.min_success_ratio = task.min_success_ratio
    array.execution_mode = task.execution_mode
    array.is_original_sub_node_interface.value = task.is_original_sub_node_interface
    array.is_original_sub_node_interface.SetInParent()
    array.bound_inputs.extend(sorted(task.bound_inputs))


def _add_launch_plan_array(
    template: WorkflowTemplate,
    node: Node,
    array: ArrayNode,
    settings: SerializationSettings,
    mapping: EntityMapping,
) -> None:
    """A map over a launch plan (flytekit's ``array_node``): an ``ArrayNode`` whose sub-node (id: the plan's
    name as a DNS label; the node's metadata and bindings; no upstream nodes) starts the launch plan, which
    is registered (its workflow first) as for a launch-plan node; a reference launch plan is named by its
    identifier and registers nothing (flytekit's)."""
    plan = array.launch_plan
    plan_id = plan.id if isinstance(plan, ReferenceEntity) else get_serializable(mapping, settings, plan).id
    inputs = [Binding(var=b.var, binding=binding_data(b.value)) for b in node.bindings]
    upstream = [n.id for n in node.upstream_nodes if n.id != GLOBAL_INPUT_NODE_ID]
    out = add_workflow_node(template, node.id, node.metadata, inputs, upstream)
    array_node = out.array_node
    fill_node(array_node.node, array.sub_node_id, node.metadata, inputs, [], launch_plan=plan_id)
    if array.concurrency is not None:
        array_node.parallelism = array.concurrency
    if array.min_successes is not None:  # flytekit: it wins over the ratio (0 is written too)
        array_node.min_successes = array.min_successes
    elif array.min_success_ratio is not None:
        array_node.min_success_ratio = array.min_success_ratio
    array_node.execution_mode = array.execution_mode
    array_node.data_mode = array.data_mode
    array_node.is_original_sub_node_interface.value = array.is_original_sub_node_interface


def _condition(out: Any, expr: Expression) -> None:
    """Fill the ``BooleanExpression`` ``out`` with ``expr``."""
    if isinstance(expr, Comparison):
        comparison = out.comparison
        comparison.operator = COMPARISON_OPERATORS[expr.op]
        _operand(comparison.left_value, expr.lhs)
        _operand(comparison.right_value, expr.rhs)
        return
    conjunction = out.conjunction
    conjunction.operator = expr.op
    _condition(conjunction.left_expression, expr.lhs)
    _condition(conjunction.right_expression, expr.rhs)


def _operand(out: Any, value: object) -> None:
    if isinstance(value, Promise):
        out.var = f"{value.ref.node_id}.{value.var}"
    elif isinstance(value, Literal) and value.scalar.HasField("none_type"):
        out.scalar.CopyFrom(value.scalar)
    elif isinstance(value, Literal):
        out.primitive.CopyFrom(value.scalar.primitive)


def _upstream_first(nodes: list[Node]) -> list[Node]:
    """``nodes`` in the order flytekit serializes them: each after the nodes upstream of it (in the order
    of ``upstream_nodes``), otherwise in call order. The same as call order unless ``>>`` orders a node
    before one called earlier."""
    members = {id(n) for n in nodes}
    done: set[int] = set()
    out: list[Node] = []
    for first in nodes:  # a depth-first walk with an explicit stack: chains may be long
        if id(first) in done:
            continue
        done.add(id(first))
        stack = [(first, iter(first.upstream_nodes))]
        while stack:
            node, upstream = stack[-1]
            up = next(upstream, None)
            if up is None:
                stack.pop()
                out.append(node)
            elif id(up) in members and id(up) not in done:
                done.add(id(up))
                stack.append((up, iter(up.upstream_nodes)))
    return out


def workflow_spec(
    workflow: WorkflowBase, settings: SerializationSettings, mapping: EntityMapping
) -> WorkflowSpec:
    """The ``WorkflowSpec`` of ``workflow``; what it uses is serialized into ``mapping`` first."""
    nodes = workflow.nodes
    outputs = [Binding(var=b.var, binding=binding_data(b.value)) for b in workflow.output_bindings]
    spec = assemble_spec(
        workflow.name,
        settings,
        workflow.workflow_metadata.on_failure.value,
        workflow.workflow_metadata_defaults.interruptible,
        workflow.interface,
        outputs,
        workflow.docs,
    )
    subs: list[WorkflowTemplate] = []
    template = spec.template
    for n in _upstream_first(nodes):  # flytekit's registration order: a node's upstream nodes first
        _add_node(template, n, settings, mapping, subs)
    by_id = {m.id: m for m in template.nodes}
    kept = [by_id[n.id] for n in nodes]  # the template lists them in call order
    del template.nodes[:]
    template.nodes.extend(kept)
    failure_node = workflow.failure_node
    if failure_node is not None:  # built like any node, then moved to its own field
        scratch = WorkflowTemplate()
        _add_node(scratch, failure_node, settings, mapping, subs)
        template.failure_node.CopyFrom(scratch.nodes[-1])
    add_sub_workflows(spec, subs)
    return spec


def launch_plan(
    plan: LaunchPlan, settings: SerializationSettings, mapping: EntityMapping, options: object = None
) -> LaunchPlanMessage:
    """The admin ``LaunchPlan`` of ``plan``; its workflow is serialized into ``mapping`` first.

    ``options`` (a ``flyweight.Options``) override the plan's own, each field that is set (truthy, as
    flytekit merges them).
    """
    from flyweight._settings._options import Options

    if options is None:
        options = Options()
    elif not isinstance(options, Options):
        raise WorkflowCompileError(
            f"launch plan {plan.name!r}: options must be a flyweight.Options, got {type(options).__name__}"
        )
    workflow_id = get_serializable(mapping, settings, plan.workflow).template.id
    return assemble_launch_plan(
        plan.name,
        settings,
        workflow_id,
        plan.parameters,
        plan.fixed_inputs,
        labels=options.label_values or plan.labels,
        annotations=options.annotation_values or plan.annotations,
        raw_output_prefix=options.raw_output_data_config or plan.raw_output_data_config,
        max_parallelism=options.max_parallelism or plan.max_parallelism,
        security_context=security_context(options.security_context or plan.security_context),
        overwrite_cache=options.overwrite_cache or plan.overwrite_cache,
        schedule=plan.schedule,
        notifications=options.notifications or plan.notifications,
        concurrency=plan.concurrency,
    )
