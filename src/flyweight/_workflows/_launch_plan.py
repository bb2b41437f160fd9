"""Launch plans: how a workflow is started on Flyte, with default and fixed inputs.

Every registered workflow gets a default launch plan of the same name, whose default inputs are the
workflow signature's defaults (:meth:`LaunchPlan.get_default_launch_plan`). Named launch plans can add
or change defaults, fix inputs so executions cannot change them, and set labels, annotations, a raw
output location, a parallelism limit and a security context, a schedule (``CronSchedule``,
``FixedRate``), notifications (``Email``, ``Slack``, ``PagerDuty``) and a concurrency policy
(``ConcurrencyPolicy``). Inside a workflow body a launch plan is called like a workflow and becomes a
node that starts it as a separate execution.

A schedule and a concurrency policy are registration data: locally nothing is scheduled or limited, and
a call of the plan runs its workflow once, with a kickoff input passed like any other input. Triggers
are not supported yet (they need Flyte's artifact service).
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from flyweight._context import current_compiler
from flyweight._idl import LiteralMap, NodeMetadata, ParameterMap, TypedInterface
from flyweight._interface import Interface
from flyweight._workflows._launch_plan_checks import (
    check_concurrency,
    check_notifications,
    check_options,
    check_schedule,
    check_workflow,
    default_parameters,
    input_literal,
    labels_dict,
)
from flyweight._workflows._node import LAUNCH_PLAN
from flyweight._workflows._workflow import WorkflowBase
from flyweight.errors import NotSupportedError, WorkflowCompileError

if TYPE_CHECKING:
    from flyweight._idl import LaunchPlan as LaunchPlanMessage
    from flyweight._serialize import EntityMapping
    from flyweight._settings import SecurityContext, SerializationSettings
    from flyweight._settings._concurrency import ConcurrencyPolicy
    from flyweight._settings._notification import Notification
    from flyweight._settings._schedule import CronSchedule, FixedRate

__all__ = ["LaunchPlan"]


_OPTIONS = (
    "default_inputs",
    "fixed_inputs",
    "schedule",
    "notifications",
    "labels",
    "annotations",
    "raw_output_data_config",
    "max_parallelism",
    "security_context",
    "auth_role",
    "trigger",
    "overwrite_cache",
    "auto_activate",
    "concurrency",
)


class LaunchPlan:
    """How a workflow starts on Flyte: default inputs, fixed inputs and execution options.

    Use :meth:`get_or_create` (or :meth:`get_default_launch_plan`, :meth:`create`) rather than the
    constructor.

    Example:
        >>> from flyweight import LaunchPlan, task, workflow
        >>> @task
        ... def inc(x: int) -> int:
        ...     return x + 1
        >>> @workflow
        ... def wf(x: int = 1) -> int:
        ...     return inc(x=x)
        >>> lp = LaunchPlan.get_or_create(wf, "wf_ten", default_inputs={"x": 10})
        >>> lp.parameters.parameters["x"].default.scalar.primitive.integer
        10
    """

    CACHE: ClassVar[dict[str, LaunchPlan]] = {}

    def __init__(  # noqa: PLR0917 - flytekit's positional order
        self,
        name: str,
        workflow: WorkflowBase,
        parameters: ParameterMap,
        fixed_inputs: LiteralMap,
        schedule: object = None,
        notifications: object = None,
        labels: object = None,
        annotations: object = None,
        raw_output_data_config: object = None,
        max_parallelism: int | None = None,
        security_context: SecurityContext | None = None,
        trigger: object = None,
        overwrite_cache: bool | None = None,
        auto_activate: bool = False,
        concurrency: object = None,
    ) -> None:
        if trigger:
            raise NotSupportedError(
                f"launch plan {name!r}: trigger= is not supported by flyweight yet (triggers need Flyte's "
                "artifact service); use schedule=CronSchedule(...) or FixedRate(...)"
            )
        self._name = name
        self._workflow = workflow
        kept = ParameterMap()
        for k, v in parameters.parameters.items():
            if k not in fixed_inputs.literals:
                kept.parameters[k].CopyFrom(v)
        self._parameters = kept
        self._fixed_inputs = fixed_inputs
        self._saved_inputs: dict[str, Any] = {}
        owner = f"launch plan {name!r}"
        check_schedule(owner, schedule, workflow, kept)
        self._schedule = typing.cast("CronSchedule | FixedRate | None", schedule)
        self._notifications = check_notifications(owner, notifications)
        self._labels = labels_dict(owner, "labels", labels)
        self._annotations = labels_dict(owner, "annotations", annotations)
        self._raw_output_data_config: str | None = check_options(
            owner, raw_output_data_config, max_parallelism, security_context, overwrite_cache
        )
        self._max_parallelism = max_parallelism
        self._security_context = security_context
        self._overwrite_cache = overwrite_cache
        self._auto_activate = auto_activate
        self._concurrency = check_concurrency(owner, concurrency)

    # -- making them --------------------------------------------------------------------------------
    @classmethod
    def get_default_launch_plan(cls, ctx: object, workflow: WorkflowBase) -> LaunchPlan:
        """The launch plan Flyte registers with every workflow: same name, the signature's defaults.

        ``ctx`` is accepted for flytekit's signature and not used. The same object comes back for the same
        workflow.
        """
        check_workflow(workflow, None)
        cached = cls.CACHE.get(workflow.name)
        if cached is not None and cached.workflow is workflow:
            return cached
        options = workflow.default_options  # only its labels and annotations, as flytekit takes them
        lp = cls(
            workflow.name,
            workflow,
            default_parameters(f"launch plan {workflow.name!r}", workflow, {}, {}),
            LiteralMap(),
            labels=None if options is None else options.labels,
            annotations=None if options is None else options.annotations,
        )
        lp._saved_inputs = workflow.python_interface.default_inputs_as_kwargs
        cls.CACHE[workflow.name] = lp
        return lp

    @classmethod
    def create(  # noqa: PLR0917 - flytekit's positional order
        cls,
        name: str,
        workflow: WorkflowBase,
        default_inputs: dict[str, Any] | None = None,
        fixed_inputs: dict[str, Any] | None = None,
        schedule: object = None,
        notifications: object = None,
        labels: object = None,
        annotations: object = None,
        raw_output_data_config: object = None,
        max_parallelism: int | None = None,
        security_context: SecurityContext | None = None,
        auth_role: object = None,
        trigger: object = None,
        overwrite_cache: bool | None = None,
        auto_activate: bool = False,
        concurrency: ConcurrencyPolicy | None = None,
    ) -> LaunchPlan:
        """A named launch plan for ``workflow``.

        Args:
            default_inputs: defaults that replace (or add to) the signature's; executions may change them.
            fixed_inputs: values executions cannot change (they leave the default inputs).
            schedule: when Flyte starts executions (``CronSchedule`` or ``FixedRate``); its
                ``kickoff_time_input_arg`` must name a ``datetime`` input that is not fixed, and every other
                input needs a default.
            notifications: ``Email`` / ``Slack`` / ``PagerDuty`` to send when executions end.
            labels: Kubernetes labels for executions (a dict).
            annotations: Kubernetes annotations for executions (a dict).
            raw_output_data_config: where executions write offloaded data (a prefix such as ``s3://b/p``).
            max_parallelism: how many nodes of an execution may run at once.
            security_context: the secrets executions may read (``flyweight.SecurityContext``).
            overwrite_cache: whether executions recompute cached results.
            auto_activate: whether registration activates the plan (not part of the serialized plan).
            concurrency: at most how many executions of the plan Flyte runs at once, and what it does
                with one past the limit (``ConcurrencyPolicy(max_concurrency=1)``). It has no local
                effect: a local call is one execution and always runs.

        Raises:
            WorkflowCompileError: an input name is not an input of the workflow, or a value does not fit
                its type; an option of the wrong kind (``concurrency`` not a ``ConcurrencyPolicy``…); or
                another workflow already has a launch plan of this name.
        """
        check_workflow(workflow, name)
        if auth_role is not None:
            raise NotSupportedError(f"launch plan {name!r}: auth_role is deprecated; use security_context")
        owner = f"launch plan {name!r}"
        for option, given in (("default_inputs", default_inputs), ("fixed_inputs", fixed_inputs)):
            if given is not None and not isinstance(given, Mapping):
                raise WorkflowCompileError(
                    f"{owner}: {option} must be a dict of input name to value, got {type(given).__name__}; "
                    f"write {option}={{'x': 1}}"
                )
        defaults = dict(default_inputs or {})
        fixed = dict(fixed_inputs or {})
        iface = workflow.python_interface
        for k in [*defaults, *fixed]:
            if k not in iface.inputs:
                raise WorkflowCompileError(
                    f"{owner}: {k!r} is not an input of workflow {workflow.name!r}; its inputs are: "
                    f"{', '.join(iface.inputs) or 'none'}"
                )
        variables = workflow.interface.inputs.variables
        fixed_map = LiteralMap()
        for k, v in fixed.items():
            fixed_map.literals[k].CopyFrom(input_literal(owner, k, v, iface.inputs[k], variables[k].type))
        existing = cls.CACHE.get(name)
        if existing is not None and existing.workflow.name != workflow.name:
            raise WorkflowCompileError(
                f"{owner} already belongs to workflow {existing.workflow.name!r}; give the launch plan of "
                f"{workflow.name!r} another name"
            )
        options = {k: v for k, v in locals().items() if k in _OPTIONS}
        init = {k: options[k] for k in _OPTIONS if k not in ("default_inputs", "fixed_inputs", "auth_role")}
        lp = cls(name, workflow, default_parameters(owner, workflow, defaults, fixed), fixed_map, **init)
        lp._saved_inputs = {**defaults, **fixed}
        lp._options = options
        cls.CACHE[name] = lp
        return lp

    @classmethod
    def get_or_create(  # noqa: PLR0917 - flytekit's positional order
        cls,
        workflow: WorkflowBase,
        name: str | None = None,
        default_inputs: dict[str, Any] | None = None,
        fixed_inputs: dict[str, Any] | None = None,
        schedule: object = None,
        notifications: object = None,
        labels: object = None,
        annotations: object = None,
        raw_output_data_config: object = None,
        max_parallelism: int | None = None,
        security_context: SecurityContext | None = None,
        auth_role: object = None,
        trigger: object = None,
        overwrite_cache: bool | None = None,
        auto_activate: bool = False,
        concurrency: ConcurrencyPolicy | None = None,
    ) -> LaunchPlan:
        """The default launch plan (no ``name``), or the named one, made on the first request.

        The options are :meth:`create`'s. A name made before is returned when every option is the same
        (the concurrency policy included, compared by value), as in flytekit.

        Raises:
            WorkflowCompileError: options without a name (the default plan has none), or a name already
                used with other options.
        """
        check_workflow(workflow, name)
        options = {k: v for k, v in locals().items() if k in _OPTIONS}
        if name is None:
            given = [k for k, v in options.items() if v is not None and k != "auto_activate"]
            if given:
                raise WorkflowCompileError(
                    f"launch plan options ({', '.join(given)}) need a name: the default launch plan of "
                    f"{workflow.name!r} has none; pass name='...'"
                )
            return cls.get_default_launch_plan(None, workflow)
        existing = cls.CACHE.get(name)
        if existing is not None and existing.workflow is workflow:
            if existing._options == options:
                return existing
            raise WorkflowCompileError(
                f"launch plan {name!r} of workflow {workflow.name!r} already exists with other options; give "
                "this one another name"
            )
        return cls.create(name, workflow, **options)

    _options: dict[str, object] | None = None

    # -- what it is ---------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def node_kind(self) -> Literal["launch plan"]:
        """What a call of it in a workflow body becomes: a node that starts it."""
        return LAUNCH_PLAN

    @property
    def workflow(self) -> WorkflowBase:
        return self._workflow

    @property
    def parameters(self) -> ParameterMap:
        """The default inputs (``flyteidl`` ``ParameterMap``): a default value or ``required`` per input."""
        return self._parameters

    @property
    def fixed_inputs(self) -> LiteralMap:
        """The inputs executions cannot change (``flyteidl`` ``LiteralMap``)."""
        return self._fixed_inputs

    @property
    def fixed_input_names(self) -> frozenset[str]:
        return frozenset(self._fixed_inputs.literals)

    @property
    def saved_inputs(self) -> dict[str, Any]:
        """The Python values of the launch plan's own defaults and fixed inputs (a copy)."""
        return dict(self._saved_inputs)

    @property
    def python_interface(self) -> Interface:
        return self._workflow.python_interface

    @property
    def interface(self) -> TypedInterface:
        return self._workflow.interface

    @property
    def _interface_idl(self) -> TypedInterface:
        """The typed interface message, as the compiler reads every callee's (ADR 0022)."""
        return self.interface

    @property
    def labels(self) -> dict[str, str]:
        return dict(self._labels)

    @property
    def annotations(self) -> dict[str, str]:
        return dict(self._annotations)

    @property
    def raw_output_data_config(self) -> str | None:
        return self._raw_output_data_config

    @property
    def max_parallelism(self) -> int | None:
        return self._max_parallelism

    @property
    def security_context(self) -> SecurityContext | None:
        return self._security_context

    @property
    def overwrite_cache(self) -> bool | None:
        return self._overwrite_cache

    @property
    def schedule(self) -> CronSchedule | FixedRate | None:
        return self._schedule

    @property
    def notifications(self) -> list[Notification]:
        return list(self._notifications)

    @property
    def concurrency(self) -> ConcurrencyPolicy | None:
        """How many executions Flyte runs at once (registration data: no local effect)."""
        return self._concurrency

    @property
    def should_auto_activate(self) -> bool:
        return self._auto_activate

    def construct_node_metadata(self) -> NodeMetadata:
        """The ``NodeMetadata`` of a node starting this launch plan (the workflow's)."""
        return self._workflow.construct_node_metadata()

    def registration_spec(
        self, entity_mapping: EntityMapping, settings: SerializationSettings, options: object = None
    ) -> LaunchPlanMessage:
        """The ``flyteidl.admin.LaunchPlan`` of this plan; its workflow is added to ``entity_mapping``
        first. Called by ``flyweight._serialize.get_serializable``."""
        from flyweight._workflows._to_idl import launch_plan

        return launch_plan(self, settings, entity_mapping, options)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Inside a workflow body being compiled: add a node that starts this launch plan. Outside one:
        run its workflow locally with the plan's default and fixed inputs (see ``WorkflowBase.__call__``).
        """
        compiler = current_compiler()
        if compiler is not None:
            return compiler.add_entity(self, args, kwargs)
        fixed = sorted(k for k in kwargs if k in self._fixed_inputs.literals)
        if fixed:
            raise WorkflowCompileError(
                f"launch plan {self._name!r} fixes input(s) {', '.join(map(repr, fixed))}, so a run cannot "
                "change them (Flyte refuses it too); leave them out of the call, or use a launch plan that "
                "does not fix them"
            )
        kickoff = self._schedule.kickoff_time_input_arg if self._schedule is not None else None
        if kickoff and not args and kickoff not in kwargs and kickoff not in self._saved_inputs:
            raise WorkflowCompileError(
                f"launch plan {self._name!r}: on Flyte its schedule sets input {kickoff!r} to the scheduled "
                f"time; a local run has no schedule, so pass it: {self._name}({kickoff}=datetime.now())"
            )
        return self._workflow(*args, **{**self._saved_inputs, **kwargs})

    def __repr__(self) -> str:
        return f"LaunchPlan(name={self._name!r}, workflow={self._workflow.name!r})"
