"""What a node runs: tasks, workflows and launch plans say which they are, and the graph keeps them."""

from __future__ import annotations

import pytest

from flyweight import LaunchPlan, task, workflow
from flyweight._serialize import RegistrationSource
from flyweight._workflows import node_kind


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def twice(x: int) -> int:
    return double(x=double(x=x))


def test_each_entity_says_what_a_call_of_it_becomes() -> None:
    plan = LaunchPlan.get_or_create(twice, "twice_plan")
    assert [node_kind(e) for e in (double, twice, plan)] == ["task", "workflow", "launch plan"]
    assert (twice.node_kind, plan.node_kind) == ("workflow", "launch plan")


def test_node_kind_is_read_only_on_an_instance() -> None:
    with pytest.raises(AttributeError):
        twice.node_kind = "task"  # type: ignore[misc]


def test_a_node_names_what_it_runs_and_the_start_node_names_nothing() -> None:
    @workflow
    def outer(x: int) -> int:
        return twice(x=x)

    (node,) = outer.nodes
    assert node.flyte_entity is twice and node.entity_name == twice.name
    assert node.describe() == f"node n0 (workflow {twice.name!r})"
    start = node.bindings[0].value.ref.node
    assert start.flyte_entity is None and start.entity_name == "?"


def test_workflows_and_launch_plans_build_their_own_registration_form_and_tasks_do_not() -> None:
    plan = LaunchPlan.get_default_launch_plan(None, twice)
    assert isinstance(twice, RegistrationSource) and isinstance(plan, RegistrationSource)
    assert not isinstance(double, RegistrationSource)
