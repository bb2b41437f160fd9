"""The checks a launch plan's arguments pass when it is made: the entity is a workflow, the name a str,
labels and annotations dicts of str, and the execution options of the types Flyte takes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flyweight._tasks._checks import str_dict
from flyweight._workflows._workflow import WorkflowBase
from flyweight.errors import WorkflowCompileError

__all__ = ["check_options", "check_workflow", "labels_dict"]


def labels_dict(owner: str, what: str, x: Any) -> dict[str, str]:
    """Labels or annotations given as a dict or as an object with ``values`` (flytekit's models)."""
    if x is None:
        return {}
    values = x if isinstance(x, Mapping) else getattr(x, "values", x)
    return str_dict(f"{owner}: {what}", values, WorkflowCompileError, "'team': 'data'")


def check_workflow(workflow: Any, name: Any) -> None:
    if not isinstance(workflow, WorkflowBase):
        what = (
            "a task" if hasattr(workflow, "dispatch_execute") else f"{type(workflow).__name__} {workflow!r}"
        )
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
    raw_output_data_config: Any,
    max_parallelism: Any,
    security_context: Any,
    overwrite_cache: Any,
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
