"""The one execution path (``run_plan``) and the plan it runs, built from an interface or a template.

A plan built from a task's Python interface and one built from that task's template hold the same
names, literal types and output order, and running either gives the same output literals. A template
plan's executor sees a fresh view of the template during the hooks; failures are classified the same
way on both paths. ``output_mapper`` maps return values exactly as ``map_outputs`` does.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple, Optional

import pytest
from hypothesis import given, strategies as st
from tests.tasks import sample_tasks
from tests.tasks.sample_tasks import CallbackExecutor, SampleTask

from flyweight import kwtypes
from flyweight._context import FlyteContextManager
from flyweight._serialize import OUTPUT_ORDER_KEY
from flyweight._settings import placeholder_settings
from flyweight._tasks._plan import TaskPlan, run_plan, running_template
from flyweight._tasks._values import map_outputs, output_mapper
from flyweight.errors import (
    TypeTransformerFailedError,
    marked_transient,
    raised_by_user_code,
)
from flyweight.extend import ExecutableTemplateShimTask, LiteralMap, ShimTaskExecutor, TypeEngine

INPUTS = kwtypes(x=float, xs=list[int], name=str, flag=Optional[bool])
OUTPUTS = kwtypes(y=float, total=int, mapping=dict[str, float])
VALUES = {"x": 1.5, "xs": [1, 2, 3], "name": "n", "flag": None}


def compute(x: float, xs: list[int], name: str, flag: Optional[bool]) -> tuple[float, int, dict[str, float]]:
    return x * 2, sum(xs), {name: x}


@pytest.fixture
def run() -> Iterator[Any]:
    yield sample_tasks.install
    sample_tasks.clear()


def sample() -> SampleTask:
    return SampleTask("plan.sample", inputs=INPUTS, outputs=OUTPUTS, custom={"k": "v"})


def both_plans() -> tuple[TaskPlan, TaskPlan]:
    t = sample()
    pb = t.serialize_to_model(placeholder_settings())
    typed = t.interface.to_flyte_idl()
    return TaskPlan.from_interface(t.name, t.python_interface, typed), TaskPlan.from_template(pb)


def test_plans_from_the_interface_and_from_the_template_agree() -> None:
    by_iface, by_template = both_plans()
    assert by_iface.owner == by_template.owner == "task 'plan.sample'"
    assert by_iface.input_types == by_template.input_types == dict(INPUTS)
    assert by_iface.output_types == by_template.output_types == dict(OUTPUTS)
    assert by_iface.output_names == by_template.output_names == list(OUTPUTS)
    assert by_iface.input_literal_types == by_template.input_literal_types
    assert by_iface.output_literal_types == by_template.output_literal_types
    assert by_iface.template is None and by_iface.view() is None
    view = by_template.view()
    assert view is not None
    assert view.custom == {"k": "v"}


class Compute:
    """A task-like object with flytekit's hooks, running :func:`compute`."""

    def pre_execute(self, user_params: Any) -> Any:
        return user_params

    def execute(self, **kwargs: Any) -> Any:
        return compute(**kwargs)

    def post_execute(self, _: Any, rval: Any) -> Any:
        return rval


def test_running_either_plan_gives_the_same_output_literals() -> None:
    by_iface, by_template = both_plans()
    ctx = FlyteContextManager.current_context()
    inputs = by_iface.write_inputs(ctx, VALUES)
    assert inputs == by_template.write_inputs(ctx, VALUES)
    outs = [run_plan(Compute(), ctx, inputs, plan, ()) for plan in (by_iface, by_template)]
    assert outs[0].SerializeToString(deterministic=True) == outs[1].SerializeToString(deterministic=True)
    assert by_iface.read_outputs(ctx, outs[0]) == by_template.read_outputs(ctx, outs[1])
    assert by_iface.read_outputs(ctx, outs[0]) == {"y": 3.0, "total": 6, "mapping": {"n": 1.5}}


def test_a_local_call_and_the_shim_from_the_template_give_the_same_outputs(run: Any) -> None:
    run(lambda tt, **kw: compute(**kw))
    t = sample()
    assert tuple(t(**VALUES)) == compute(**VALUES)  # type: ignore[arg-type]
    shim = ExecutableTemplateShimTask(t.serialize_to_model(placeholder_settings()), CallbackExecutor)
    ctx = FlyteContextManager.current_context()
    inputs = TypeEngine.values_to_literal_map(ctx, VALUES, dict(INPUTS), "t", "inputs")
    assert shim.dispatch_execute(None, inputs) == t.dispatch_execute(None, inputs)


class Watching(ShimTaskExecutor[Any]):
    """An executor used without any PythonTask, as in a container."""

    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        assert running_template() is tt
        tt.custom["k"] = "changed"  # its own view: the next call sees the template's value again
        if kwargs["x"] < 0:
            raise ConnectionResetError("flaky")
        if kwargs["x"] == 0:
            raise KeyError("bad")
        return compute(**kwargs)

    def is_transient(self, error: BaseException) -> bool:
        return isinstance(error, ConnectionResetError)


def test_a_shim_runs_an_executor_alone_with_a_fresh_view_per_call() -> None:
    pb = sample().serialize_to_model(placeholder_settings())
    shim = ExecutableTemplateShimTask(pb, Watching)
    inputs = TypeEngine.values_to_literal_map(None, VALUES, dict(INPUTS), "t", "inputs")
    for _ in range(2):
        out = shim.dispatch_execute(None, inputs)
        assert out.literals["total"].scalar.primitive.integer == 6
    assert running_template() is None
    assert shim.task_template is not None and shim.task_template.custom == {"k": "v"}


@pytest.mark.parametrize(("x", "transient"), [(-1.0, True), (0.0, False)])
def test_executor_failures_are_the_users_and_transient_when_it_says_so(x: float, transient: bool) -> None:
    shim = ExecutableTemplateShimTask(sample().serialize_to_model(placeholder_settings()), Watching)
    inputs = TypeEngine.values_to_literal_map(None, {**VALUES, "x": x}, dict(INPUTS), "t", "inputs")
    with pytest.raises((ConnectionResetError, KeyError)) as e:
        shim.dispatch_execute(None, inputs)
    assert raised_by_user_code(e.value)
    assert marked_transient(e.value) is transient
    assert running_template() is None


def test_a_template_without_output_order_takes_only_named_results() -> None:
    pb = sample().serialize_to_model(placeholder_settings())
    assert OUTPUT_ORDER_KEY in pb.config
    del pb.config[OUTPUT_ORDER_KEY]
    plan = TaskPlan.from_template(pb)
    ctx = FlyteContextManager.current_context()
    with pytest.raises(TypeTransformerFailedError, match="does not record the order of its outputs"):
        plan.write_outputs(ctx, (1.0, 2, {}))
    out = plan.write_outputs(ctx, {"y": 1.0, "total": 2, "mapping": {}})
    assert isinstance(out, LiteralMap)
    assert out.literals["total"].scalar.primitive.integer == 2


# -- output_mapper is map_outputs ---------------------------------------------------------------------------


class Two(NamedTuple):
    a: int
    b: int


class One(NamedTuple):
    a: int


RETURNS = st.one_of(
    st.none(),
    st.integers(),
    st.tuples(st.integers()),
    st.tuples(st.integers(), st.integers()),
    st.tuples(st.integers(), st.integers(), st.integers()),
    st.lists(st.integers(), max_size=3),
    st.builds(Two, st.integers(), st.integers()),
    st.builds(One, st.integers()),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.integers(), max_size=3),
)


def outcome(fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except TypeTransformerFailedError as e:
        return ("error", str(e))


@given(names=st.sampled_from([(), ("a",), ("a", "b")]), rval=RETURNS)
def test_output_mapper_maps_as_map_outputs_does(names: tuple[str, ...], rval: Any) -> None:
    mapper = output_mapper("task 't'", names)
    assert outcome(mapper, rval) == outcome(map_outputs, "task 't'", rval, names)
