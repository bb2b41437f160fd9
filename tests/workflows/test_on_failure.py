"""Failure handlers (``@workflow(on_failure=...)``, ``FlyteError``): the failure node serialized byte for
byte as flytekit 1.16.14 writes it; locally the handler runs when the workflow fails, is told what failed,
and the run still fails."""

from __future__ import annotations

import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.serialize.test_workflow_oracle import (
    assert_same_workflow_spec,
)
from tests.workflows.sdk_switch import load_source

from flyweight import WorkflowFailurePolicy, task, workflow
from flyweight._runtime import run_workflow
from flyweight.errors import WorkflowCompileError, WorkflowExecutionError
from flyweight.types import FlyteError, TypeEngine

SOURCE = Path(__file__).with_name("on_failure_source.py")
MODULE = "tests.workflows.on_failure_source"
SHAPES = ["finish_first", "no_inputs", "succeeds", "with_err", "without_err", "workflow_handler"]


def load(task_decorator: Any, workflow_decorator: Any, error: Any, policy: Any) -> ModuleType:
    return load_source(
        SOURCE,
        MODULE,
        task=task_decorator,
        workflow=workflow_decorator,
        FlyteError=error,
        WorkflowFailurePolicy=policy,
    )


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    from flytekit.types.error import FlyteError as FkError

    return load(flytekit.task, flytekit.workflow, FkError, flytekit.WorkflowFailurePolicy)


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:
    return load(task, workflow, FlyteError, WorkflowFailurePolicy)


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_workflow_spec_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    assert_same_workflow_spec(getattr(theirs, shape), getattr(ours, shape))


@pytest.mark.oracle
def test_flyte_error_literals_equal_flytekits(flytekit: Any) -> None:
    from flytekit.core.type_engine import TypeEngine as FkEngine
    from flytekit.types.error import FlyteError as FkError

    for py, fk_py in ((FlyteError, FkError), (typing.Optional[FlyteError], typing.Optional[FkError])):
        lt = TypeEngine.to_literal_type(py)
        assert lt == FkEngine.to_literal_type(fk_py).to_flyte_idl()
        ours = TypeEngine.to_literal(None, FlyteError("m", "n1"), py, lt)
        ctx = flytekit.FlyteContextManager.current_context()
        theirs = FkEngine.to_literal(ctx, FkError("m", "n1"), fk_py, FkEngine.to_literal_type(fk_py))
        assert ours.SerializeToString(deterministic=True) == theirs.to_flyte_idl().SerializeToString(
            deterministic=True
        )
        assert TypeEngine.to_python_value(None, ours, py) == FlyteError("m", "n1")


def test_the_handler_runs_with_the_error_and_the_run_still_fails(ours: ModuleType) -> None:
    ours.SEEN.clear()
    events: list[tuple[str, str]] = []
    with pytest.raises(WorkflowExecutionError, match="cannot use my_cluster"):
        run_workflow(ours.with_err, {}, on_event=lambda n, s, i: events.append((n, s)))
    assert ours.SEEN == [("clean_up", "my_cluster", "ValueError: cannot use my_cluster")]
    assert ("fn0", "succeeded") in events


@pytest.mark.parametrize(
    ("shape", "inputs", "expected"),
    [
        ("without_err", {"name": "a"}, [("quiet_clean_up", "a", "none")]),
        ("no_inputs", {}, [("only_err", "", "ValueError: cannot use x")]),
        ("workflow_handler", {"name": "b"}, [("clean_up", "b", "ValueError: cannot use b")]),
        ("finish_first", {"name": "c"}, [("clean_up", "c", "ValueError: cannot use c")]),
    ],
)
def test_each_kind_of_handler_runs(
    ours: ModuleType, shape: str, inputs: dict[str, Any], expected: Any
) -> None:
    ours.SEEN.clear()
    with pytest.raises(WorkflowExecutionError):
        run_workflow(getattr(ours, shape), inputs)
    handled = ours.SEEN
    assert handled == expected


@pytest.mark.oracle
def test_flytekit_runs_the_handler_too(theirs: ModuleType) -> None:
    theirs.SEEN.clear()
    with pytest.raises(Exception, match="cannot use my_cluster"):
        theirs.with_err()
    assert [(h, n) for h, n, _ in theirs.SEEN] == [("clean_up", "my_cluster")]


def test_the_error_names_the_node_that_failed(ours: ModuleType) -> None:
    errors: list[FlyteError] = []

    @task
    def keep(name: str, err: typing.Optional[FlyteError] = None) -> None:
        assert err is not None
        errors.append(err)

    @workflow(on_failure=keep)
    def wf(name: str) -> None:
        ours.boom(name=ours.create(name=name))

    with pytest.raises(WorkflowExecutionError):
        run_workflow(wf, {"name": "z"})
    assert errors == [FlyteError(message="ValueError: cannot use z", failed_node_id="n1")]


def test_a_workflow_that_succeeds_does_not_run_the_handler(ours: ModuleType) -> None:
    ours.SEEN.clear()
    assert run_workflow(ours.succeeds, {"name": "ok"}) == "ok"
    assert ours.SEEN == []


def test_a_failing_handler_is_reported_too(ours: ModuleType) -> None:
    @task
    def broken(name: str) -> None:
        raise RuntimeError("the handler broke")

    @workflow(on_failure=broken)
    def wf(name: str) -> None:
        ours.boom(name=name)

    with pytest.raises(WorkflowExecutionError) as info:
        run_workflow(wf, {"name": "q"})
    assert "cannot use q" in str(info.value) and "the handler broke" in str(info.value)


def test_bad_handlers_are_named(ours: ModuleType) -> None:
    @task
    def lacks(other: str) -> None: ...

    @task
    def extra(name: str, count: int) -> None: ...

    for handler, match in ((lacks, "lacks name: str"), (extra, "has input 'count'")):

        @workflow(on_failure=handler)
        def wf(name: str) -> None:
            ours.boom(name=name)

        with pytest.raises(WorkflowCompileError, match=match):
            wf.nodes  # noqa: B018 - compiling is the point
    with pytest.raises(WorkflowCompileError, match="must be a task or a workflow"):

        @workflow(on_failure=print)
        def nope(name: str) -> None:
            ours.boom(name=name)
