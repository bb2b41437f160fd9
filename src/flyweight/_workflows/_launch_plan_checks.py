"""The checks a launch plan's arguments pass when it is made: the entity is a workflow, the name a str,
labels and annotations dicts of str, the execution options of the types Flyte takes, default and fixed
inputs that fit their types (as the ``ParameterMap`` and literals the plan keeps), and a schedule and
notifications Flyte will accept (a kickoff input that is a free ``datetime`` input), and a concurrency
policy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flyweight._idl import Literal, LiteralType, Parameter, ParameterMap, Scalar, SimpleType, Void
from flyweight._interface import NO_DEFAULT
from flyweight._settings._concurrency import ConcurrencyPolicy
from flyweight._settings._notification import Notification
from flyweight._settings._schedule import CronSchedule, FixedRate
from flyweight._tasks import Task
from flyweight._tasks._checks import str_dict
from flyweight._workflows._binding import admits_none
from flyweight._workflows._workflow import WorkflowBase
from flyweight.errors import TypeTransformerFailedError, WorkflowCompileError
from flyweight.types import TypeEngine

__all__ = [
    "check_concurrency",
    "check_notifications",
    "check_options",
    "check_schedule",
    "check_workflow",
    "default_parameters",
    "input_literal",
    "labels_dict",
]


def labels_dict(owner: str, what: str, x: object) -> dict[str, str]:
    """Labels or annotations given as a dict or as an object with ``values`` (flytekit's models, read
    by name: flyweight does not import them)."""
    if x is None:
        return {}
    values = x if isinstance(x, Mapping) else getattr(x, "values", x)
    return str_dict(f"{owner}: {what}", values, WorkflowCompileError, "'team': 'data'")


def check_workflow(workflow: object, name: object) -> None:
    """Refuse what is not a workflow, and a name that is not a non-empty str (None: the workflow's)."""
    if not isinstance(workflow, WorkflowBase):
        what = "a task" if isinstance(workflow, Task) else f"{type(workflow).__name__} {workflow!r}"
        raise WorkflowCompileError(
            f"a launch plan starts a workflow, got {what}; make the launch plan of a @workflow (a task can "
            "be wrapped in a one-node workflow)"
        )
    if name is not None and (not isinstance(name, str) or not name):
        raise WorkflowCompileError(
            f"launch plan of {workflow.name!r}: the name must be a non-empty str, got {name!r}"
        )


def check_options(
    owner: str,
    raw_output_data_config: object,
    max_parallelism: object,
    security_context: object,
    overwrite_cache: object,
) -> str | None:
    """Check the execution options' types; return the raw output prefix (given as a str, or as an object
    with ``output_location_prefix`` such as flytekit's ``RawOutputDataConfig``)."""
    from flyweight._settings import SecurityContext

    raw = getattr(raw_output_data_config, "output_location_prefix", raw_output_data_config)
    for option, value, ok, example in (
        ("raw_output_data_config", raw, isinstance(raw, str), "'s3://bucket/prefix'"),
        (
            "max_parallelism",
            max_parallelism,
            isinstance(max_parallelism, int)
            and not isinstance(max_parallelism, bool)
            and max_parallelism >= 0,
            "10",
        ),
        (
            "security_context",
            security_context,
            isinstance(security_context, SecurityContext),
            "SecurityContext(...)",
        ),
        ("overwrite_cache", overwrite_cache, isinstance(overwrite_cache, bool), "True"),
    ):
        if value is not None and not ok:
            raise WorkflowCompileError(
                f"{owner}: {option}={value!r} is not valid ({type(value).__name__}); write {option}={example}"
            )
    return None if raw is None else str(raw)


def input_literal(owner: str, name: str, value: object, py_type: Any, lt: LiteralType) -> Literal:
    """``value`` of input ``name`` as a literal; a value that does not fit is the plan's mistake."""
    try:
        return TypeEngine.to_literal(None, value, py_type, lt)
    except TypeTransformerFailedError as e:
        raise WorkflowCompileError(f"{owner}: input {name!r}: {e}; pass a value of the input's type") from e


def default_parameters(
    owner: str, workflow: WorkflowBase, defaults: Mapping[str, Any], fixed: Mapping[str, Any]
) -> ParameterMap:
    """The launch plan's default inputs, as flytekit writes them: a default literal (a bare none literal
    for an optional input without one), else ``required``."""
    out = ParameterMap()
    variables = workflow.interface.inputs.variables
    with_defaults = workflow.python_interface.inputs_with_defaults
    for name, (py_type, signature_default) in with_defaults.items():
        if name in fixed:
            continue
        var = variables[name]
        param = Parameter()
        param.var.CopyFrom(var)
        default = defaults.get(name, signature_default)
        if default is NO_DEFAULT or default is None:
            if admits_none(var.type):
                param.default.CopyFrom(Literal(scalar=Scalar(none_type=Void())))
            else:
                param.required = True
        else:
            param.default.CopyFrom(input_literal(owner, name, default, py_type, var.type))
        out.parameters[name].CopyFrom(param)
    return out


def check_notifications(owner: str, notifications: object) -> list[Notification]:
    """A launch plan's notifications: a list (or one) of ``Email`` / ``Slack`` / ``PagerDuty``."""
    if notifications is None:
        return []
    given = [notifications] if isinstance(notifications, Notification) else notifications
    if not isinstance(given, (list, tuple)):
        raise WorkflowCompileError(
            f"{owner}: notifications must be a list of flyweight.Email, Slack or PagerDuty, got "
            f"{type(notifications).__name__}; write notifications=[Email([WorkflowExecutionPhase.FAILED], "
            "['team@example.com'])]"
        )
    for i, n in enumerate(given):
        if not isinstance(n, Notification):
            raise WorkflowCompileError(
                f"{owner}: notifications[{i}] is {type(n).__name__} {n!r}, not a flyweight.Email, Slack or "
                "PagerDuty"
            )
    return list(given)


def check_concurrency(owner: str, concurrency: object) -> ConcurrencyPolicy | None:
    """A launch plan's concurrency policy: None or a ``flyweight.ConcurrencyPolicy`` (its values were
    checked when it was made); anything else, flytekit's own policy object included, is refused."""
    if concurrency is None or isinstance(concurrency, ConcurrencyPolicy):
        return concurrency
    kind = type(concurrency)
    what = (
        f"{kind.__name__} {concurrency!r}"
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"  # flytekit's policy prints as several lines
    )
    raise WorkflowCompileError(
        f"{owner}: concurrency must be a flyweight.ConcurrencyPolicy, got {what}; write "
        "concurrency=flyweight.ConcurrencyPolicy(max_concurrency=1)"
    )


def check_schedule(owner: str, schedule: object, workflow: WorkflowBase, parameters: ParameterMap) -> None:
    """A schedule is a ``CronSchedule`` or ``FixedRate``; its kickoff input names a free ``datetime`` input,
    and every other input has a default (a scheduled execution gets no inputs but the kickoff time).

    Flyte refuses the last two at registration (flyteadmin's launch plan validation); flytekit does not
    check them, so flyweight does when the plan is made.
    """
    if schedule is None:
        return
    if not isinstance(schedule, (CronSchedule, FixedRate)):
        raise WorkflowCompileError(
            f"{owner}: schedule must be a flyweight.CronSchedule or FixedRate, got {type(schedule).__name__} "
            f"{schedule!r}; write schedule=CronSchedule(schedule='0 * * * *')"
        )
    kickoff = schedule.kickoff_time_input_arg
    inputs = workflow.interface.inputs.variables
    if kickoff:
        if kickoff not in inputs:
            raise WorkflowCompileError(
                f"{owner}: kickoff_time_input_arg {kickoff!r} is not an input of workflow {workflow.name!r}; "
                f"its inputs are: {', '.join(inputs) or 'none'}"
            )
        lt = inputs[kickoff].type
        if lt.WhichOneof("type") != "simple" or lt.simple != SimpleType.DATETIME:
            py_type = workflow.python_interface.inputs[kickoff]
            raise WorkflowCompileError(
                f"{owner}: kickoff_time_input_arg {kickoff!r} must name a datetime input, but it is "
                f"{getattr(py_type, '__name__', py_type)}; declare {kickoff}: datetime.datetime"
            )
        if kickoff not in parameters.parameters:
            raise WorkflowCompileError(
                f"{owner}: kickoff_time_input_arg {kickoff!r} is a fixed input; the schedule must be free "
                "to set it, so leave it out of fixed_inputs"
            )
    missing = [k for k, p in parameters.parameters.items() if p.required and k != kickoff]
    if missing:
        raise WorkflowCompileError(
            f"{owner}: a scheduled launch plan gets no inputs (only the kickoff time), but input(s) "
            f"{', '.join(map(repr, missing))} of workflow {workflow.name!r} have no default; give them "
            "default_inputs or fixed_inputs (Flyte refuses this plan at registration)"
        )
