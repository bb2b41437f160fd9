"""``create_node``: the same nodes as calls, serialized byte for byte as flytekit 1.16.14 does, run locally.

The workflows of ``create_node_source.py`` are loaded once with each SDK under the same module name; their
``WorkflowSpec`` must have equal deterministic bytes, and local runs must give flytekit's results.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.serialize.test_workflow_oracle import (
    assert_same_workflow_spec,
)
from tests.workflows.sdk_switch import load_source

from flyweight import LaunchPlan, create_node, task, workflow
from flyweight._runtime import run_workflow
from flyweight.errors import WorkflowCompileError

SOURCE = Path(__file__).with_name("create_node_source.py")
MODULE = "tests.workflows.create_node_source"
SHAPES = [
    "of_launch_plan",
    "of_sub_workflow",
    "ordered",
    "ordered_runs_before",
    "outputs_by_name",
    "outputs_in_dict",
    "several_outputs",
]


def load(task_decorator: Any, workflow_decorator: Any, create: Any, launch_plan_class: Any) -> ModuleType:
    return load_source(
        SOURCE,
        MODULE,
        task=task_decorator,
        workflow=workflow_decorator,
        create_node=create,
        LaunchPlan=launch_plan_class,
    )


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    from flytekit.core.node_creation import create_node as fk_create_node  # not exported at the top

    return load(flytekit.task, flytekit.workflow, fk_create_node, flytekit.LaunchPlan)


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:
    return load(task, workflow, create_node, LaunchPlan)


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_workflow_spec_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    assert_same_workflow_spec(getattr(theirs, shape), getattr(ours, shape))


RUNS: list[tuple[str, dict[str, Any]]] = [
    ("ordered", {}),
    ("outputs_by_name", {"x": 3}),
    ("several_outputs", {"x": 4}),
    ("of_sub_workflow", {"x": 2}),
    ("of_launch_plan", {"x": 2}),
]


@pytest.mark.oracle
@pytest.mark.parametrize(("shape", "inputs"), RUNS)
def test_local_run_equals_flytekits(
    theirs: ModuleType, ours: ModuleType, shape: str, inputs: dict[str, Any]
) -> None:
    expected = getattr(theirs, shape)(**inputs)
    assert run_workflow(getattr(ours, shape), inputs) == expected
    assert getattr(ours, shape)(**inputs) == expected


def test_outputs_by_name_in_a_dict(ours: ModuleType) -> None:
    # flytekit's own local run of this fails (its local create_node returns a tuple without .outputs)
    assert run_workflow(ours.outputs_in_dict, {"x": 3}) == 12


def test_a_created_node_orders_calls_and_calls_order_created_nodes(ours: ModuleType) -> None:
    # flytekit refuses both (`node >> promise`: no .ref; `promise >> node`: not iterable)
    mixed, then = ours.mixed.nodes, ours.promise_then_node.nodes
    assert [n.id for n in mixed[1].upstream_nodes] == ["n0"]
    assert [n.id for n in then[1].upstream_nodes] == ["n0"]
    assert run_workflow(ours.mixed, {"x": 5}) == 10
    assert run_workflow(ours.promise_then_node, {"x": 5}) == 10


def test_the_order_is_the_one_written(ours: ModuleType) -> None:
    events: list[tuple[str, str]] = []
    run_workflow(ours.ordered, {}, on_event=lambda node, state, info: events.append((node, state)), workers=2)
    done = [node for node, state in events if state == "succeeded"]
    assert done == ["n0", "n1"]
    assert [n.id for n in ours.ordered.nodes[1].upstream_nodes] == ["n0"]


def test_an_unknown_output_names_the_known_ones(ours: ModuleType) -> None:
    @workflow
    def wrong(x: int) -> int:
        return create_node(ours.double, x=x).total  # type: ignore[no-any-return]

    with pytest.raises((WorkflowCompileError, AttributeError)) as info:
        wrong.nodes  # noqa: B018 - compiling the body is the point
    assert "has no output 'total'; its outputs: o0" in str(info.value.__cause__ or info.value)


def test_positional_inputs_are_refused(ours: ModuleType) -> None:
    @workflow
    def positional(x: int) -> int:
        return create_node(ours.double, x).o0  # type: ignore[no-any-return]

    with pytest.raises(WorkflowCompileError, match="only keyword inputs"):
        positional.nodes  # noqa: B018


def test_outside_a_workflow_body(ours: ModuleType) -> None:
    with pytest.raises(WorkflowCompileError, match="inside a @workflow"):
        create_node(ours.double, x=1)


def test_not_an_entity() -> None:
    with pytest.raises(WorkflowCompileError, match="needs a task, workflow or launch plan"):
        create_node(print)


def test_with_overrides_applies_to_the_created_node(ours: ModuleType) -> None:
    @workflow
    def overridden(x: int) -> int:
        return create_node(ours.double, x=x).with_overrides(retries=3).o0  # type: ignore[no-any-return]

    (node,) = overridden.nodes
    assert node.metadata is not None and node.metadata.retries.retries == 3

    @workflow
    def refused(x: int) -> int:
        return create_node(ours.double, x=x).with_overrides(pod_template=object()).o0  # type: ignore[no-any-return]

    with pytest.raises(WorkflowCompileError, match="pod_template must be a flyweight.PodTemplate"):
        refused.nodes  # noqa: B018


def test_compilation_state_lists_the_nodes_so_far_for_ordering() -> None:
    """flytekit's decorating-workflow pattern: ``ctx.compilation_state.nodes`` inside a body."""
    from flyweight import FlyteContextManager, task, workflow

    seen: list[str] = []

    @task
    def setup() -> None:
        seen.append("setup")

    @task
    def work(x: int) -> int:
        seen.append("work")
        return x + 1

    @workflow
    def wf(x: int) -> int:
        ctx = FlyteContextManager.current_context()
        out = work(x=x)
        state = ctx.compilation_state
        assert state is not None and state.prefix == ""
        assert [n.id for n in state.nodes] == ["n0"]
        before = create_node(setup)
        before >> state.nodes[0]
        return out

    assert FlyteContextManager.current_context().compilation_state is None
    assert wf(x=1) == 2
    assert seen == ["setup", "work"]
    (work_node, setup_node) = wf.nodes
    assert work_node.upstream_nodes == [setup_node]


def test_a_node_ordered_before_something_else_is_refused() -> None:
    from flyweight import FlyteContextManager, task, workflow

    @task
    def one() -> int:
        return 1

    @workflow
    def wf() -> int:
        out = one()
        state = FlyteContextManager.current_context().compilation_state
        assert state is not None
        state.nodes[0] >> "n1"
        return out

    with pytest.raises(WorkflowCompileError, match="right-hand side of >> on a node must be a node"):
        wf.compile()
