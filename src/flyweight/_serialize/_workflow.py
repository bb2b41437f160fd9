"""Assembling workflows and launch plans from their parts: ``WorkflowTemplate``, ``WorkflowSpec``,
``Node`` and the admin ``LaunchPlan``.

The workflows layer walks its compiled graph and hands the parts here as plain values and ``flyteidl``
messages (ADR 0010); this module knows nothing about promises or workflow classes. Nodes are added to the
spec's template in place, so a workflow of thousands of nodes is built once and never copied. Field presence
follows flytekit byte for byte: ``metadata``, ``metadata_defaults``, each node's ``task_node.overrides``,
and a launch plan's ``entity_metadata``, ``labels``, ``annotations``, ``raw_output_data_config`` and
``closure`` are always present, empty when unset.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from flyweight._idl import (
    Binding,
    Identifier,
    LiteralMap,
    Node,
    NodeMetadata,
    ParameterMap,
    ResourceType,
    SecurityContext,
    TaskNodeOverrides,
    TypedInterface,
    WorkflowTemplate,
)
from flyweight._serialize._container import extended_resources
from flyweight._serialize._template import Documented, description_entity

if TYPE_CHECKING:
    from flyweight._idl import K8sPod, LaunchPlan, Notification, Schedule, WorkflowSpec
    from flyweight._settings import Resources as ResourceValues, SerializationSettings
    from flyweight._settings._accelerators import BaseAccelerator
    from flyweight._settings._concurrency import ConcurrencyPolicy as ConcurrencyValues
    from flyweight._settings._notification import Notification as NotificationValues
    from flyweight._settings._schedule import CronSchedule as CronScheduleValues, FixedRate as FixedRateValues

__all__ = [
    "add_sub_workflows",
    "add_workflow_node",
    "fill_node",
    "identifier",
    "launch_plan",
    "task_node_overrides",
    "workflow_spec",
]

# flytekit's order of a node's resource overrides (``_convert_resources_to_resource_entries``)
_OVERRIDE_RESOURCES = (
    ("cpu", "CPU"),
    ("mem", "MEMORY"),
    ("gpu", "GPU"),
    ("ephemeral_storage", "EPHEMERAL_STORAGE"),
)


def task_node_overrides(
    *,
    requests: ResourceValues | None = None,
    limits: ResourceValues | None = None,
    resources: bool = False,
    shared_memory: bool | str | None = None,
    container_image: str | None = None,
    accelerator: BaseAccelerator | None = None,
    pod: K8sPod | None = None,
) -> TaskNodeOverrides:
    """A task node's ``TaskNodeOverrides`` as flytekit writes ``with_overrides``: with ``resources``,
    the requests and limits (every value given, zero included, as a string: CPU, memory, GPU, ephemeral
    storage); the accelerator and the shared memory (``True``: as large as the memory) under
    ``extended_resources``; the container image; the pod template's ``K8sPod`` (``pod``)."""
    from flyweight._idl import Resources

    out = TaskNodeOverrides(container_image=container_image or "")
    if resources:
        out.resources.SetInParent()
        for values, entries in ((requests, out.resources.requests), (limits, out.resources.limits)):
            for field, name in _OVERRIDE_RESOURCES if values is not None else ():
                value = getattr(values, field)
                if value is not None:
                    entries.add(name=getattr(Resources, name), value=str(value))
    extended = extended_resources(accelerator, shared_memory)
    if extended is not None:
        out.extended_resources.CopyFrom(extended)
    if pod is not None:
        out.pod_template.CopyFrom(pod)
    return out


def identifier(resource_type: ResourceType, name: str, settings: SerializationSettings) -> Identifier:
    """The ``Identifier`` of an entity registered with ``settings`` (project, domain, version)."""
    return Identifier(
        resource_type=resource_type,
        project=settings.project or "",
        domain=settings.domain or "",
        name=name,
        version=settings.version or "",
    )


def add_workflow_node(
    template: WorkflowTemplate,
    node_id: str,
    metadata: NodeMetadata | None,
    inputs: Sequence[Binding],
    upstream_node_ids: Sequence[str],
    *,
    task: Identifier | None = None,
    sub_workflow: Identifier | None = None,
    launch_plan: Identifier | None = None,
    overrides: TaskNodeOverrides | None = None,
    output_aliases: Sequence[tuple[str, str]] = (),
) -> Node:
    """Append to ``template`` a ``Node`` running a task (``task``), a sub-workflow or a launch plan, given by
    its id; return it. Nodes are built in place: a large workflow is never copied."""
    out = template.nodes.add()
    fill_node(
        out,
        node_id,
        metadata,
        inputs,
        upstream_node_ids,
        task=task,
        sub_workflow=sub_workflow,
        launch_plan=launch_plan,
        overrides=overrides,
        output_aliases=output_aliases,
    )
    return out


def fill_node(
    out: Node,
    node_id: str,
    metadata: NodeMetadata | None,
    inputs: Sequence[Binding],
    upstream_node_ids: Sequence[str],
    *,
    task: Identifier | None = None,
    sub_workflow: Identifier | None = None,
    launch_plan: Identifier | None = None,
    overrides: TaskNodeOverrides | None = None,
    output_aliases: Sequence[tuple[str, str]] = (),
) -> None:
    """Fill the empty ``Node`` ``out`` (see :func:`add_workflow_node`; an ``ArrayNode``'s sub-node is filled
    in place with it). A task node's ``overrides`` (:func:`task_node_overrides`) is written empty when
    None; ``output_aliases`` are ``(output, alias)`` pairs."""
    out.id = node_id
    if metadata is not None:
        out.metadata.CopyFrom(metadata)
    out.inputs.extend(inputs)
    out.upstream_node_ids.extend(upstream_node_ids)
    for var, alias in output_aliases:
        out.output_aliases.add(var=var, alias=alias)
    if task is not None:
        task_node = out.task_node
        task_node.reference_id.CopyFrom(task)
        task_node.overrides.SetInParent()
        if overrides is not None:
            task_node.overrides.CopyFrom(overrides)
    elif sub_workflow is not None:
        out.workflow_node.sub_workflow_ref.CopyFrom(sub_workflow)
    elif launch_plan is not None:
        out.workflow_node.launchplan_ref.CopyFrom(launch_plan)


def workflow_spec(  # noqa: PLR0917
    name: str,
    settings: SerializationSettings,
    on_failure: int,
    interruptible: bool,
    interface: TypedInterface,
    outputs: Sequence[Binding],
    docs: Documented | None,
) -> WorkflowSpec:
    """The registration form of a workflow, without nodes yet: its template's id, failure policy,
    interruptible default, interface and outputs, and its description. Add the nodes with
    :func:`add_workflow_node` and the sub-workflows with :func:`add_sub_workflows`."""
    from flyweight._idl import WorkflowSpec

    spec = WorkflowSpec()
    template = spec.template
    template.id.CopyFrom(identifier(ResourceType.WORKFLOW, name, settings))
    template.metadata.SetInParent()
    template.metadata.on_failure = on_failure  # type: ignore[assignment]
    template.metadata_defaults.SetInParent()
    template.metadata_defaults.interruptible = interruptible
    template.interface.CopyFrom(interface)
    template.outputs.extend(outputs)
    described = description_entity(docs)
    if described is not None:
        spec.description.CopyFrom(described)
    return spec


def add_sub_workflows(spec: WorkflowSpec, sub_workflows: Iterable[WorkflowTemplate]) -> None:
    """Add the templates of the sub-workflows ``spec`` runs: each once, ordered by id as flytekit orders
    them (its order is that of their text form, which starts with the id)."""
    unique: dict[bytes, WorkflowTemplate] = {}
    for t in sub_workflows:
        unique.setdefault(t.SerializeToString(deterministic=True), t)
    ordered = sorted(
        unique.items(),
        key=lambda kv: (kv[1].id.project, kv[1].id.domain, kv[1].id.name, kv[1].id.version, kv[0]),
    )
    spec.sub_workflows.extend(t for _, t in ordered)


def launch_plan(
    name: str,
    settings: SerializationSettings,
    workflow_id: Identifier,
    default_inputs: ParameterMap,
    fixed_inputs: LiteralMap,
    *,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    raw_output_prefix: str | None = None,
    max_parallelism: int | None = None,
    security_context: SecurityContext | None = None,
    overwrite_cache: bool | None = None,
    schedule: CronScheduleValues | FixedRateValues | None = None,
    notifications: Sequence[NotificationValues] = (),
    concurrency: ConcurrencyValues | None = None,
) -> LaunchPlan:
    """The admin ``LaunchPlan`` (id, spec, empty closure) of a launch plan of ``workflow_id``.

    ``schedule`` and ``notifications`` (flyweight's plain settings) become the plan's
    ``entity_metadata``, as flytekit writes them; ``concurrency`` the spec's ``concurrency_policy``
    (absent without one).
    """
    from flyweight._idl import (
        Annotations,
        ConcurrencyPolicy,
        Labels,
        LaunchPlan,
        LaunchPlanClosure,
        LaunchPlanMetadata,
        LaunchPlanSpec,
        RawOutputDataConfig,
        VariableMap,
    )

    metadata = LaunchPlanMetadata()
    if schedule is not None:
        metadata.schedule.CopyFrom(_schedule(schedule))
    for n in notifications:
        metadata.notifications.append(_notification(n))
    spec = LaunchPlanSpec(
        workflow_id=workflow_id,
        entity_metadata=metadata,
        default_inputs=default_inputs,
        fixed_inputs=fixed_inputs,
        labels=Labels(values=dict(labels or {})),
        annotations=Annotations(values=dict(annotations or {})),
        raw_output_data_config=RawOutputDataConfig(output_location_prefix=raw_output_prefix or ""),
        max_parallelism=max_parallelism or 0,
    )
    if security_context is not None:
        spec.security_context.CopyFrom(security_context)
    if overwrite_cache:
        spec.overwrite_cache = True
    if concurrency is not None:
        spec.concurrency_policy.CopyFrom(
            ConcurrencyPolicy(
                max=concurrency.max_concurrency,
                behavior=typing.cast("typing.Any", int(concurrency.behavior)),
            )
        )
    closure = LaunchPlanClosure(expected_inputs=ParameterMap(), expected_outputs=VariableMap())
    return LaunchPlan(id=identifier(ResourceType.LAUNCH_PLAN, name, settings), spec=spec, closure=closure)


_RATE_UNITS = {"MINUTE": 0, "HOUR": 1, "DAY": 2}  # flyteidl.admin.FixedRateUnit


def _schedule(values: CronScheduleValues | FixedRateValues) -> Schedule:
    """A ``Schedule``: the kickoff input's name, and a cron schedule or a fixed rate."""
    from flyweight._idl import CronSchedule, FixedRate, Schedule
    from flyweight._settings._schedule import CronSchedule as CronScheduleValues

    out = Schedule(kickoff_time_input_arg=values.kickoff_time_input_arg or "")
    if isinstance(values, CronScheduleValues):
        out.cron_schedule.CopyFrom(CronSchedule(schedule=values.schedule, offset=values.offset or ""))
    else:
        value, unit = values.rate
        out.rate.CopyFrom(FixedRate(value=value, unit=typing.cast("typing.Any", _RATE_UNITS[unit])))
    return out


def _notification(values: NotificationValues) -> Notification:
    """A ``Notification``: its phases, and the recipients under its kind (email, slack or pager_duty)."""
    from flyweight._idl import EmailNotification, Notification, PagerDutyNotification, SlackNotification

    out = Notification(phases=[typing.cast("typing.Any", int(p)) for p in values.phases])
    recipients = list(values.recipients_email)
    if values.KIND == "slack":
        out.slack.CopyFrom(SlackNotification(recipients_email=recipients))
    elif values.KIND == "pager_duty":
        out.pager_duty.CopyFrom(PagerDutyNotification(recipients_email=recipients))
    else:
        out.email.CopyFrom(EmailNotification(recipients_email=recipients))
    return out
