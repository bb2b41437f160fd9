"""Launch plans: the default one, named ones with default and fixed inputs, and launch plans as nodes."""

from __future__ import annotations

from typing import Any, Optional

import pytest
from tests.tasks.oracle_plugins import FlyweightPluginTask, ScaleExecutor

from flyweight import Interface, LaunchPlan, workflow
from flyweight.errors import WorkflowCompileError

inc = FlyweightPluginTask(
    "mod.inc", {}, ScaleExecutor, interface=Interface(inputs={"n": int, "k": int}, outputs={"o": int})
)


def make_workflow() -> Any:
    @workflow
    def lp_wf(n: int, k: int = 1, maybe: Optional[int] = None) -> int:
        return inc(n=n, k=k)

    return lp_wf


def test_the_default_launch_plan_has_the_workflows_name_and_signature_defaults() -> None:
    wf = make_workflow()
    lp = LaunchPlan.get_default_launch_plan(None, wf)
    assert lp.name == wf.name and lp.workflow is wf
    params = lp.parameters.parameters
    assert params["n"].required is True
    assert params["k"].default.scalar.primitive.integer == 1
    assert params["maybe"].default.scalar.HasField("none_type")
    assert lp.saved_inputs == {"k": 1, "maybe": None}
    assert LaunchPlan.get_default_launch_plan(None, wf) is lp
    assert LaunchPlan.get_or_create(wf) is lp


def test_a_redefined_workflow_gets_its_own_default_launch_plan() -> None:
    first, second = make_workflow(), make_workflow()
    assert first.name == second.name
    assert LaunchPlan.get_default_launch_plan(None, second).workflow is second
    assert LaunchPlan.get_default_launch_plan(None, first).workflow is first


def test_named_launch_plans_override_defaults_and_fix_inputs() -> None:
    wf = make_workflow()
    lp = LaunchPlan.get_or_create(wf, "lp_named", default_inputs={"n": 4}, fixed_inputs={"k": 9})
    assert set(lp.parameters.parameters) == {"n", "maybe"}
    assert lp.parameters.parameters["n"].default.scalar.primitive.integer == 4
    assert lp.fixed_inputs.literals["k"].scalar.primitive.integer == 9
    assert lp.fixed_input_names == frozenset({"k"})
    assert LaunchPlan.get_or_create(wf, "lp_named", default_inputs={"n": 4}, fixed_inputs={"k": 9}) is lp
    with pytest.raises(WorkflowCompileError, match="already exists with other options"):
        LaunchPlan.get_or_create(wf, "lp_named", default_inputs={"n": 5})


def test_options_without_a_name_are_refused() -> None:
    with pytest.raises(WorkflowCompileError, match="need a name"):
        LaunchPlan.get_or_create(make_workflow(), default_inputs={"n": 1})


def test_unknown_inputs_and_wrong_values_are_refused() -> None:
    wf = make_workflow()
    with pytest.raises(WorkflowCompileError, match="'zzz' is not an input of workflow"):
        LaunchPlan.create("lp_bad", wf, default_inputs={"zzz": 1})
    with pytest.raises(WorkflowCompileError, match="launch plan 'lp_bad2': input 'k'"):
        LaunchPlan.create("lp_bad2", wf, fixed_inputs={"k": "nine"})


def test_one_name_cannot_serve_two_workflows() -> None:
    wf = make_workflow()
    LaunchPlan.create("lp_shared_name", wf)

    @workflow
    def another(n: int) -> int:
        return inc(n=n, k=1)

    with pytest.raises(WorkflowCompileError, match="already belongs to workflow"):
        LaunchPlan.create("lp_shared_name", another)


def test_triggers_are_not_supported_yet() -> None:
    # schedules, notifications and concurrency policies are: tests/workflows/test_launch_plan_schedule.py
    with pytest.raises(NotImplementedError, match="trigger"):
        LaunchPlan.create("lp_triggered", make_workflow(), trigger=object())


def test_a_launch_plan_called_in_a_body_becomes_a_node_without_its_fixed_inputs() -> None:
    child = make_workflow()
    lp = LaunchPlan.get_or_create(child, "lp_child", fixed_inputs={"k": 3})

    @workflow
    def parent(a: int) -> int:
        return lp(n=a)

    (node,) = parent.nodes
    assert node.kind == "launch plan" and node.flyte_entity is lp
    assert node.metadata.name == "lp_wf"
    assert {b.var for b in node.bindings} == {
        "n",
        "k",
        "maybe",
    }  # k bound from the plan, dropped when serialized


def test_a_launch_plans_fixed_input_cannot_be_passed() -> None:
    lp = LaunchPlan.get_or_create(make_workflow(), "lp_fixed_k", fixed_inputs={"k": 3})

    @workflow
    def parent(a: int) -> int:
        return lp(n=a, k=a)

    with pytest.raises(WorkflowCompileError, match="got input 'k', which the launch plan fixes"):
        parent.compile()


def test_launch_plans_take_inputs_by_name_only() -> None:
    lp = LaunchPlan.get_default_launch_plan(None, make_workflow())

    @workflow
    def parent(a: int) -> int:
        return lp(a)

    with pytest.raises(WorkflowCompileError, match="pass a launch plan's inputs by name"):
        parent.compile()


def test_calling_a_launch_plan_outside_a_body_is_a_local_run() -> None:
    from flyweight._context import running_workflows_with

    wf = make_workflow()
    lp = LaunchPlan.get_default_launch_plan(None, wf)
    calls: list[Any] = []
    with running_workflows_with(lambda w, args, kwargs: calls.append((w, args, kwargs))):
        lp(n=1)
    assert calls == [(wf, (), {"n": 1, "k": 1, "maybe": None})]


def test_a_fixed_input_cannot_be_changed_by_a_local_run() -> None:
    lp = LaunchPlan.get_or_create(make_workflow(), "lp_fixed_local", fixed_inputs={"k": 3})
    with pytest.raises(WorkflowCompileError, match="launch plan 'lp_fixed_local' fixes input\\(s\\) 'k'"):
        lp(n=1, k=4)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"labels": ["team"]}, "labels must be a dict of str to str, got list"),
        ({"annotations": {"n": 1}}, r"annotations: 'n': 1 must be str to str.*quote it: \{'n': '1'\}"),
        ({"max_parallelism": "3"}, "max_parallelism='3' is not valid"),
        ({"max_parallelism": -1}, "max_parallelism=-1 is not valid"),
        ({"raw_output_data_config": 3}, "raw_output_data_config=3 is not valid"),
        ({"security_context": ["db"]}, r"security_context=\['db'\] is not valid"),
        ({"overwrite_cache": "yes"}, "overwrite_cache='yes' is not valid"),
        ({"fixed_inputs": [("k", 1)]}, "fixed_inputs must be a dict of input name to value, got list"),
    ],
)
def test_options_of_the_wrong_type_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(WorkflowCompileError, match=message):
        LaunchPlan.get_or_create(make_workflow(), "lp_bad_option", **options)


def test_a_launch_plan_needs_a_workflow_and_a_str_name() -> None:
    with pytest.raises(WorkflowCompileError, match="a launch plan starts a workflow, got a task"):
        LaunchPlan.get_or_create(inc, "lp_of_a_task")  # type: ignore[arg-type]
    with pytest.raises(WorkflowCompileError, match="got function"):
        LaunchPlan.get_default_launch_plan(None, make_workflow().function)
    with pytest.raises(WorkflowCompileError, match="the name must be a non-empty str, got 5"):
        LaunchPlan.get_or_create(make_workflow(), 5)  # type: ignore[arg-type]
