"""The imperative ``Workflow(name)``: built call by call, serialized byte for byte as flytekit 1.16.14's
``ImperativeWorkflow``, run by the local engine with flytekit's results."""

from __future__ import annotations

import typing
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any, List  # noqa: UP035  (the python_type flytekit's examples pass)

import pytest
from tests.serialize.test_workflow_oracle import diff, get_fk_serializable, normalized, settings_pair
from tests.workflows.sdk_switch import load_source

import flyweight
from flyweight import Workflow, task, workflow
from flyweight._runtime import run_workflow
from flyweight._serialize import get_serializable
from flyweight._workflows import ImperativeWorkflow
from flyweight.errors import WorkflowCompileError, WorkflowExecutionError
from flyweight.types import FlyteError

SOURCE = Path(__file__).with_name("imperative_source.py")
MODULE = "tests.workflows.imperative_source"


def tasks_module(sdk: Any) -> ModuleType:
    """The same tasks and sub-workflow made with ``sdk`` under one module name."""
    return load_source(SOURCE, MODULE, task=sdk.task, workflow=sdk.workflow, FlyteError=_flyte_error(sdk))


def _flyte_error(sdk: Any) -> Any:
    if sdk is flyweight:
        return FlyteError
    from flytekit.types.error import FlyteError as FkError

    return FkError


def build_hello(sdk: Any, m: ModuleType) -> Any:
    wb = sdk.Workflow(name="my.imperative.hello")
    wb.add_workflow_input("in1", str)
    node = wb.add_entity(m.greet, a=wb.inputs["in1"])
    wb.add_entity(m.side_effect)
    wb.add_workflow_output("from_n0t1", node.outputs["o0"])
    return wb


def build_chain(sdk: Any, m: ModuleType) -> Any:
    wb = sdk.Workflow(name="my.imperative.chain")
    x = wb.add_workflow_input("x", int)
    y = wb.add_workflow_input("y", int)
    first = wb.add_task(m.add, x=x, y=y)
    second = wb.add_task(m.add, x=first.outputs["o0"], y=5)
    wb.add_workflow_output("out", second.outputs["o0"])
    return wb


def build_fan_in(sdk: Any, m: ModuleType) -> Any:
    wb = sdk.Workflow(name="my.imperative.fan_in")
    x = wb.add_workflow_input("x", int)
    parts = [wb.add_entity(m.add, x=x, y=i) for i in range(3)]
    summed = wb.add_entity(m.total, xs=[p.outputs["o0"] for p in parts])
    wb.add_workflow_output("sum", summed.outputs["o0"])
    wb.add_workflow_output("parts", [p.outputs["o0"] for p in parts], python_type=List[int])  # noqa: UP006
    return wb


def build_sub(sdk: Any, m: ModuleType) -> Any:
    wb = sdk.Workflow(name="my.imperative.sub")
    x = wb.add_workflow_input("x", int)
    node = wb.add_subwf(m.inner_wf, x=x)
    wb.add_workflow_output("out", node.outputs["o0"])
    return wb


def build_with_handler(sdk: Any, m: ModuleType) -> Any:
    wb = sdk.Workflow(name="my.imperative.handled")
    x = wb.add_workflow_input("x", int)
    node = wb.add_entity(m.add, x=x, y=1)
    wb.add_workflow_output("out", node.outputs["o0"])
    wb.add_on_failure_handler(m.clean_up)
    return wb


def build_input_out(sdk: Any, m: ModuleType) -> Any:
    wb = sdk.Workflow(name="my.imperative.echo_input")
    x = wb.add_workflow_input("x", int)
    wb.add_entity(m.add, x=x, y=0)
    wb.add_workflow_output("same", x, python_type=int)  # flytekit cannot infer an input's type
    return wb


BUILDERS: dict[str, Callable[[Any, ModuleType], Any]] = {
    "hello": build_hello,
    "chain": build_chain,
    "fan_in": build_fan_in,
    "sub": build_sub,
    "input_out": build_input_out,
    "with_handler": build_with_handler,
}
RUNS: dict[str, dict[str, Any]] = {
    "hello": {"in1": "hello"},
    "chain": {"x": 1, "y": 2},
    "fan_in": {"x": 10},
    "sub": {"x": 4},
    "input_out": {"x": 7},
    "with_handler": {"x": 1},
}


@pytest.fixture(scope="module")
def pairs(flytekit: Any) -> dict[str, tuple[Any, Any]]:
    theirs_m = tasks_module(flytekit)
    theirs = {k: b(flytekit, theirs_m) for k, b in BUILDERS.items()}
    ours_m = tasks_module(flyweight)
    ours = {k: b(flyweight, ours_m) for k, b in BUILDERS.items()}
    return {k: (theirs[k], ours[k]) for k in BUILDERS}


@pytest.mark.oracle
@pytest.mark.parametrize("shape", list(BUILDERS))
def test_workflow_spec_bytes_equal_flytekits(pairs: dict[str, tuple[Any, Any]], shape: str) -> None:
    theirs, ours = pairs[shape]
    fk_settings, settings = settings_pair()
    expected = normalized(get_fk_serializable(OrderedDict(), fk_settings, theirs).to_flyte_idl())
    got = normalized(get_serializable(OrderedDict(), settings, ours))
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )


@pytest.mark.oracle
@pytest.mark.parametrize("shape", list(BUILDERS))
def test_local_run_equals_flytekits(pairs: dict[str, tuple[Any, Any]], shape: str) -> None:
    theirs, ours = pairs[shape]
    expected = theirs(**RUNS[shape])
    got = ours(**RUNS[shape])
    assert got == expected
    assert run_workflow(ours, RUNS[shape]) == expected


def test_ready_and_the_inputs(pairs: dict[str, tuple[Any, Any]]) -> None:
    wb = Workflow(name="my.imperative.ready")
    assert not wb.ready()
    x = wb.add_workflow_input("x", int)
    assert wb.inputs == {"x": x}
    assert not wb.ready()  # an input no node uses
    _, chain = pairs["chain"]
    wb.add_entity(chain, x=x, y=1)
    assert wb.ready()
    assert isinstance(wb, ImperativeWorkflow)


@task
def one(x: int) -> int:
    return x


def test_an_inputs_type_is_inferred() -> None:
    wb = Workflow(name="my.imperative.inferred")
    x = wb.add_workflow_input("x", int)
    wb.add_entity(one, x=x)
    wb.add_workflow_output("same", x)
    assert wb(x=3) == 3


def test_bad_use_is_named() -> None:
    wb = Workflow(name="my.imperative.bad")
    x = wb.add_workflow_input("x", int)
    with pytest.raises(WorkflowCompileError, match="input 'x' has already been specified"):
        wb.add_workflow_input("x", str)
    node = wb.add_entity(one, x=x)
    wb.add_workflow_output("o", node.outputs["o0"])
    with pytest.raises(WorkflowCompileError, match="output 'o' already exists"):
        wb.add_workflow_output("o", node.outputs["o0"])
    with pytest.raises(WorkflowCompileError, match="give its python_type"):
        wb.add_workflow_output("both", [node.outputs["o0"], x])
    with pytest.raises(WorkflowCompileError):
        wb.add_entity(one, x="not an int")
    with pytest.raises(WorkflowCompileError, match="non-empty str name"):
        Workflow(name="")


def test_a_failure_handler_runs_when_the_workflow_fails() -> None:
    seen: list[str] = []

    @task
    def fails(x: int) -> int:
        raise ValueError(f"no {x}")

    @task
    def handler(x: int, err: typing.Optional[FlyteError] = None) -> None:
        seen.append(f"{x}: {err.message if err else None}")

    wb = Workflow(name="my.imperative.failing")
    x = wb.add_workflow_input("x", int)
    wb.add_entity(fails, x=x)
    node = wb.add_on_failure_handler(handler)
    assert node.id == "efn" and node not in wb.nodes
    with pytest.raises(WorkflowExecutionError, match="no 4"):
        wb(x=4)
    assert seen == ["4: ValueError: no 4"]
    with pytest.raises(WorkflowCompileError, match="must be a task or a workflow"):
        wb.add_on_failure_handler(print)


def test_add_entity_inside_a_body_is_refused() -> None:
    wb = Workflow(name="my.imperative.nested")
    x = wb.add_workflow_input("x", int)

    @workflow
    def body(y: int) -> int:
        wb.add_entity(one, x=x)
        return one(x=y)

    with pytest.raises(WorkflowCompileError, match="cannot be called while a workflow body is compiling"):
        body.nodes  # noqa: B018 - compiling the body is the point
