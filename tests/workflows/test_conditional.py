"""Conditionals: compiled, serialized byte for byte as flytekit 1.16.14 does, run by the local engine.

The workflows of ``conditional_source.py`` are loaded once with each SDK under the same module name; their
``WorkflowSpec`` must have equal deterministic bytes (``upstream_node_ids`` sorted on both sides, as in
``tests/serialize/test_workflow_oracle.py``), and local runs must give flytekit's results.
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

from flyweight import LaunchPlan, conditional, task, workflow
from flyweight._runtime import run_workflow
from flyweight._workflows import BRANCH, Branch
from flyweight.errors import NotSupportedError, WorkflowCompileError, WorkflowExecutionError

SOURCE = Path(__file__).with_name("conditional_source.py")
MODULE = "tests.workflows.conditional_source"
SHAPES = [
    "constants",
    "failing",
    "from_task",
    "if_elif_else",
    "if_else",
    "launch_plan_branch",
    "mixed_branches",
    "nested",
    "nested_in_else",
    "no_outputs",
    "promises_compared",
    "sub_workflow_branch",
    "two_outputs",
]


def load(
    task_decorator: Any, workflow_decorator: Any, conditional_function: Any, launch_plan_class: Any
) -> ModuleType:
    """Load ``conditional_source.py`` afresh with these SDK names."""
    return load_source(
        SOURCE,
        MODULE,
        task=task_decorator,
        workflow=workflow_decorator,
        conditional=conditional_function,
        LaunchPlan=launch_plan_class,
    )


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    return load(flytekit.task, flytekit.workflow, flytekit.conditional, flytekit.LaunchPlan)


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:
    return load(task, workflow, conditional, LaunchPlan)


# -- serialization, byte for byte ---------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_workflow_spec_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    assert_same_workflow_spec(getattr(theirs, shape), getattr(ours, shape))


def test_branch_node_shape(ours: ModuleType) -> None:
    nodes = ours.from_task.nodes
    assert [n.id for n in nodes] == ["n0", "n1", "n2"]
    branch = nodes[1]
    assert branch.kind == BRANCH
    assert isinstance(branch.flyte_entity, Branch)
    assert [b.var for b in branch.bindings] == ["n0.o0"]
    assert [n.id for _, n in branch.flyte_entity.cases] == ["n0"]
    assert branch.flyte_entity.else_node is not None
    assert branch.flyte_entity.else_node.id == "n1"
    assert branch.flyte_entity.output_names == ["o0"]


# -- local runs, compared with flytekit's ----------------------------------------------------------------

RUNS: list[tuple[str, dict[str, Any]]] = [
    ("if_else", {"x": 3}),
    ("if_else", {"x": -4}),
    ("if_elif_else", {"my_input": 0.5}),
    ("if_elif_else", {"my_input": 3.0}),
    ("if_elif_else", {"my_input": 0.0}),
    ("if_elif_else", {"my_input": -7.0}),
    ("if_elif_else", {"my_input": 20.0}),
    ("constants", {"x": 2, "s": "go", "b": True, "f": 1.0}),
    ("constants", {"x": 2, "s": "other", "b": True, "f": 1.0}),
    ("constants", {"x": 2, "s": "stop", "b": True, "f": 1.0}),
    ("constants", {"x": 2, "s": "stop", "b": False, "f": 1.0}),
    ("from_task", {"x": 4}),
    ("from_task", {"x": 5}),
    ("failing", {"x": 1}),
    ("nested", {"my_input": 0.3}),
    ("nested", {"my_input": 0.6}),
    ("nested", {"my_input": 5.0}),
    ("nested", {"my_input": 50.0}),
    ("nested_in_else", {"x": -3}),
    ("nested_in_else", {"x": 0}),
    ("nested_in_else", {"x": 3}),
    ("no_outputs", {"x": 1}),
    ("no_outputs", {"x": 11}),
    ("sub_workflow_branch", {"x": 3}),
    ("sub_workflow_branch", {"x": -3}),
    ("launch_plan_branch", {"x": 2}),
    ("launch_plan_branch", {"x": -2}),
    ("mixed_branches", {"x": 200}),
    ("mixed_branches", {"x": 7}),
    ("mixed_branches", {"x": 0}),
    ("mixed_branches", {"x": -7}),
    ("two_outputs", {"x": 1}),
    ("two_outputs", {"x": -1}),
    # flytekit's local run passes a None input as a plain None (no is_none()): z is always given here
    ("promises_compared", {"x": 1, "y": 2, "z": 5}),
    ("promises_compared", {"x": 2, "y": 2, "z": 5}),
    ("promises_compared", {"x": 3, "y": 2, "z": 5}),
]


@pytest.mark.oracle
@pytest.mark.parametrize(("shape", "inputs"), RUNS)
def test_local_run_equals_flytekits(
    theirs: ModuleType, ours: ModuleType, shape: str, inputs: dict[str, Any]
) -> None:
    expected = getattr(theirs, shape)(**inputs)
    got = run_workflow(getattr(ours, shape), inputs)
    assert got == expected
    assert getattr(ours, shape)(**inputs) == expected


@pytest.mark.oracle
def test_fail_branch_ends_the_run(theirs: ModuleType, ours: ModuleType) -> None:
    with pytest.raises(ValueError, match="x must be positive"):
        theirs.failing(x=-1)
    with pytest.raises(WorkflowExecutionError, match=r"positive.*x must be positive") as info:
        run_workflow(ours.failing, {"x": -1})
    assert "conditional_source.failing" in str(info.value)


def test_a_none_input_compares_as_none(ours: ModuleType) -> None:
    assert run_workflow(ours.promises_compared, {"x": 1, "y": 2}) == 1
    assert run_workflow(ours.promises_compared, {"x": 3, "y": 2}) == -2


@pytest.mark.oracle
def test_a_nested_fail_branch_ends_the_run(theirs: ModuleType, ours: ModuleType) -> None:
    with pytest.raises(ValueError, match="Only <0.7 allowed"):
        theirs.nested(my_input=0.8)
    with pytest.raises(WorkflowExecutionError, match=r"inner_fractions.*Only <0.7 allowed"):
        run_workflow(ours.nested, {"my_input": 0.8})


def test_nested_branch_node_ids(ours: ModuleType) -> None:
    (outer,) = ours.nested.nodes
    branch = outer.flyte_entity
    assert isinstance(branch, Branch)
    inner = branch.cases[0][1]
    assert (outer.id, inner.id, inner.kind) == ("n0", "n0", BRANCH)  # numbered in the outer branch
    assert isinstance(inner.flyte_entity, Branch)
    assert [n.id for _, n in inner.flyte_entity.cases] == ["n0", "n1"]


def test_only_the_chosen_branch_runs(ours: ModuleType) -> None:
    events: list[tuple[str, str]] = []
    run_workflow(ours.from_task, {"x": 4}, on_event=lambda node, state, info: events.append((node, state)))
    ran = {node for node, state in events if state == "succeeded"}
    assert ran == {"n0", "n1", "n1-n0", "n2"}


def test_a_sub_workflow_or_launch_plan_branch_runs_its_graph(ours: ModuleType) -> None:
    events: list[tuple[str, str]] = []
    run_workflow(
        ours.mixed_branches, {"x": 7}, on_event=lambda node, state, info: events.append((node, state))
    )
    ran = {node for node, state in events if state == "succeeded"}
    assert ran == {"n0", "n0-n1", "n0-n1-n0", "n0-n1-n1"}  # the sub-workflow's nodes, under the branch's
    events.clear()
    run_workflow(
        ours.mixed_branches, {"x": 200}, on_event=lambda node, state, info: events.append((node, state))
    )
    ran = {node for node, state in events if state == "succeeded"}
    assert ran == {"n0", "n0-n0", "n0-n0-n0", "n0-n0-n1"}


def test_a_failing_sub_workflow_branch_fails_the_run(ours: ModuleType) -> None:
    @workflow
    def sub(x: int) -> int:
        return ours.failing(x=x)

    @workflow
    def outer(x: int) -> int:
        return conditional("c").if_(x < 10).then(sub(x=x)).else_().then(ours.keep(x=x))

    with pytest.raises(WorkflowExecutionError, match="x must be positive"):
        run_workflow(outer, {"x": -1})
    assert run_workflow(outer, {"x": 3}) == 3


def test_values_that_do_not_compare_fail_the_run(ours: ModuleType) -> None:
    @workflow
    def cmp_none(z: int | None = None) -> int:
        return conditional("c").if_(z > 1).then(ours.keep(x=1)).else_().then(ours.keep(x=2))

    with pytest.raises(WorkflowExecutionError, match="conditional 'c'.*TypeError"):
        run_workflow(cmp_none)


# -- compile errors and refusals -------------------------------------------------------------------------


def _compile(body: Any) -> Any:
    wf = workflow(body)
    return wf.nodes


def test_python_logic_on_a_condition_raises_flytekits_message(ours: ModuleType) -> None:
    def and_(x: int) -> int:
        return conditional("c").if_((x > 1) and (x < 3)).then(ours.keep(x=x)).else_().then(ours.keep(x=x))

    with pytest.raises(WorkflowCompileError, match=r"use `&\\\|` \(bitwise\)"):
        _compile(and_)

    def not_(x: int) -> int:
        return conditional("c").if_(not ((x > 1) | (x < 0))).then(ours.keep(x=x)).else_().then(ours.keep(x=x))

    with pytest.raises(WorkflowCompileError, match="truth value testing"):
        _compile(not_)

    def python_if(x: int) -> int:
        if x == 1:
            return ours.keep(x=x)
        return ours.negate(x=x)

    with pytest.raises(WorkflowCompileError, match="Cannot perform truth value testing"):
        _compile(python_if)

    def bare(x: bool) -> int:
        return conditional("c").if_(x).then(ours.keep(x=1)).else_().then(ours.keep(x=2))

    with pytest.raises(WorkflowCompileError, match=r"conditional 'c'.if_: a promise alone"):
        _compile(bare)


def test_missing_then_names_the_workflow_and_the_conditional(ours: ModuleType) -> None:
    def no_else(x: int) -> None:
        conditional("half").if_(x > 1).then(ours.touch(x=x))

    with pytest.raises(
        WorkflowCompileError, match=r"workflow '.*no_else': conditional 'half' is not finished"
    ):
        _compile(no_else)

    def no_then(x: int) -> None:
        conditional("half").if_(x > 1).else_().then(ours.touch(x=x))

    with pytest.raises(WorkflowCompileError, match=r"conditional 'half': if_\(...\) has no then"):
        _compile(no_then)


def test_branches_with_different_output_types_are_refused(ours: ModuleType) -> None:
    def mixed(x: int) -> int:
        return conditional("mixed").if_(x > 1).then(ours.keep(x=x)).else_().then(ours.name_of(x=x))

    with pytest.raises(WorkflowCompileError, match=r"conditional 'mixed'.*output 'o0' different types"):
        _compile(mixed)


def test_unsupported_shapes_are_refused(ours: ModuleType) -> None:
    @workflow
    def sub(x: int) -> int:
        return ours.keep(x=x)

    def sub_after_call(x: int) -> int:
        return conditional("c").if_(x > 1).then(sub(x=ours.keep(x=x))).else_().then(ours.keep(x=x))

    with pytest.raises(
        NotSupportedError, match="the call of workflow .*sub' uses the output of another call"
    ):
        _compile(sub_after_call)

    def two_calls(x: int) -> int:
        return conditional("c").if_(x > 1).then(ours.keep(x=ours.keep(x=x))).else_().then(ours.keep(x=x))

    with pytest.raises(NotSupportedError, match="a branch must be exactly one call of a task"):
        _compile(two_calls)

    def unused_call(x: int) -> int:
        return (
            conditional("c").if_(x > 1).then(ours.keep(x=x) and ours.keep(x=x)).else_().then(ours.keep(x=x))
        )

    with pytest.raises(WorkflowCompileError):  # `and` on a promise: its truth value
        _compile(unused_call)

    def fail_first(x: int) -> int:
        return conditional("c").if_(x > 1).fail("no").else_().then(ours.keep(x=x))

    with pytest.raises(NotSupportedError, match=r"conditional 'c'.if_\(...\).fail: only else_\(\) can fail"):
        _compile(fail_first)

    def no_call(x: int) -> int:
        return conditional("c").if_(x > 1).then(x).else_().then(ours.keep(x=x))

    with pytest.raises(NotSupportedError, match="a branch must be exactly one call of a task"):
        _compile(no_call)

    def path(x: list[int]) -> int:
        return conditional("c").if_(x[0] > 1).then(ours.keep(x=1)).else_().then(ours.keep(x=2))

    with pytest.raises(NotSupportedError, match="a part of a value"):
        _compile(path)

    def constant(x: int) -> int:
        return conditional("c").if_(x > [1]).then(ours.keep(x=1)).else_().then(ours.keep(x=2))

    with pytest.raises(NotSupportedError, match="compares a promise with list"):
        _compile(constant)


def test_conditional_outside_a_workflow_is_refused() -> None:
    with pytest.raises(WorkflowCompileError, match="inside a @workflow body"):
        conditional("c")
