"""``@workflow(default_options=Options(...))``: the default launch plan takes the options' labels and
annotations, byte for byte as flytekit 1.16.14 writes it (and nothing else of them, as in flytekit)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import pytest
from tests.serialize.test_workflow_oracle import diff, get_fk_serializable, settings_pair

from flyweight import LaunchPlan, Options, task, workflow
from flyweight._serialize import get_serializable
from flyweight.errors import WorkflowCompileError


@task
def double(x: int) -> int:
    return 2 * x


def body(x: int = 3) -> int:
    return double(x=double(x=x))


@pytest.mark.oracle
@pytest.mark.parametrize(
    "options",
    [
        {"labels": {"team": "data"}},
        {"annotations": {"owner": "ada"}},
        {"labels": {"a": "1", "b": "2"}, "annotations": {"c": "3"}},
        {"labels": {"a": "1"}, "max_parallelism": 5, "overwrite_cache": True},  # only labels are taken
    ],
)
def test_the_default_launch_plan_equals_flytekits(flytekit: Any, options: dict[str, Any]) -> None:
    from flytekit import LaunchPlan as FkLaunchPlan, Options as FkOptions
    from flytekit.models.common import Annotations, Labels

    fk_options = dict(options)
    if "labels" in fk_options:
        fk_options["labels"] = Labels(fk_options["labels"])
    if "annotations" in fk_options:
        fk_options["annotations"] = Annotations(fk_options["annotations"])
    fk_task = flytekit.task(double.task_function)
    fk_body = _named(lambda x=3: fk_task(x=fk_task(x=x)))
    ours_body = _named(lambda x=3: double(x=double(x=x)))
    theirs = flytekit.workflow(fk_body, default_options=FkOptions(**fk_options))
    ours = workflow(ours_body, default_options=Options(**options))
    FkLaunchPlan.CACHE.clear()
    fk_settings, settings = settings_pair()
    fk_lp = FkLaunchPlan.get_default_launch_plan(flytekit.FlyteContextManager.current_context(), theirs)
    expected = get_fk_serializable(OrderedDict(), fk_settings, fk_lp).to_flyte_idl()
    got = get_serializable(OrderedDict(), settings, LaunchPlan.get_default_launch_plan(None, ours))
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )


def _named(fn: Any) -> Any:
    def defaults_workflow(x: int = 3) -> int:
        return fn(x)  # type: ignore[no-any-return]

    defaults_workflow.__module__ = __name__
    return defaults_workflow


def test_anything_but_options_is_refused() -> None:
    with pytest.raises(WorkflowCompileError, match="default_options must be a flyweight.Options"):
        workflow(body, default_options={"labels": {"a": "b"}})
