"""Sub-workflows, chaining with ``>>``, ``create_node``, decorated tasks and workflows, ``with_overrides``
and resources, after flytesnacks ``basics/workflow.py``, ``advanced_composition/subworkflow.py``,
``chain_entities.py``, ``decorating_tasks.py``, ``decorating_workflows.py`` and
``productionizing/customizing_resources.py``."""

# flytesnacks' own style (typing.List, mutable defaults, ...), kept as users write it:
# ruff: noqa: B006, RET504, UP006

import logging
import typing
from datetime import timedelta
from functools import partial, wraps

from flytekit import FlyteContextManager, LaunchPlan, Resources, task, workflow
from flytekit.core.node_creation import create_node

logger = logging.getLogger(__name__)

CALLS: list[str] = []


@task
def slope(x: list[int], y: list[int]) -> float:
    sum_xy = sum([x[i] * y[i] for i in range(len(x))])
    sum_x_squared = sum([x[i] ** 2 for i in range(len(x))])
    n = len(x)
    return (n * sum_xy - sum(x) * sum(y)) / (n * sum_x_squared - sum(x) ** 2)


@task
def intercept(x: list[int], y: list[int], slope: float) -> float:
    mean_x = sum(x) / len(x)
    mean_y = sum(y) / len(y)
    return mean_y - slope * mean_x


@workflow
def simple_wf(x: list[int], y: list[int]) -> float:
    slope_value = slope(x=x, y=y)
    intercept_value = intercept(x=x, y=y, slope=slope_value)
    return intercept_value


@workflow
def slope_intercept_wf(x: list[int], y: list[int]) -> typing.Tuple[float, float]:
    slope_value = slope(x=x, y=y)
    intercept_value = intercept(x=x, y=y, slope=slope_value)
    return (slope_value, intercept_value)


@task
def regression_line(val: int, slope_value: float, intercept_value: float) -> float:
    return (slope_value * val) + intercept_value


@workflow
def regression_line_wf(val: int = 5, x: list[int] = [-3, 0, 3], y: list[int] = [7, 4, -2]) -> float:
    slope_value, intercept_value = slope_intercept_wf(x=x, y=y)
    return regression_line(val=val, slope_value=slope_value, intercept_value=intercept_value)


@workflow
def nested_regression_line_wf() -> float:
    return regression_line_wf()


launch_plan = LaunchPlan.get_or_create(
    regression_line_wf,
    "regression_line_workflow",
    default_inputs={"val": 7, "x": [-3, 0, 3], "y": [7, 4, -2]},
)


@workflow
def nested_regression_line_lp() -> float:
    return launch_plan()


@task
def t2():
    CALLS.append("t2")


@task
def t1():
    CALLS.append("t1")


@task
def t0():
    CALLS.append("t0")


@workflow
def chain_tasks_wf():
    t2_promise = t2()
    t1_promise = t1()
    t0_promise = t0()
    t0_promise >> t1_promise
    t1_promise >> t2_promise


@workflow
def sub_workflow_1():
    t1()


@workflow
def sub_workflow_0():
    t0()


@workflow
def chain_workflows_wf():
    sub_wf1 = sub_workflow_1()
    sub_wf0 = sub_workflow_0()
    sub_wf0 >> sub_wf1


@workflow
def chain_launchplans_wf():
    lp1 = LaunchPlan.get_or_create(sub_workflow_1, "lp1")()
    lp0 = LaunchPlan.get_or_create(sub_workflow_0, "lp0")()
    lp0 >> lp1


@task
def square(n: int) -> int:
    return n * n


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def created_nodes_wf(n: int = 3) -> int:
    first = create_node(square, n=n)
    second = create_node(square, n=first.o0)
    third = create_node(t0)
    second >> third
    return add(a=first.o0, b=second.outputs["o0"])


def log_io(fn):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        logger.info(f"task {fn.__name__} called with args: {args}, kwargs: {kwargs}")
        out = fn(*args, **kwargs)
        logger.info(f"task {fn.__name__} output: {out}")
        return out

    return wrapper


def validate_output(fn=None, *, floor=0):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        out = fn(*args, **kwargs)
        if out <= floor:
            raise ValueError(f"output of task {fn.__name__} must be a positive number, found {out}")
        return out

    if fn is None:
        return partial(validate_output, floor=floor)
    return wrapper


@task
@log_io
def inc(x: int) -> int:
    return x + 1


@task
@log_io
@validate_output(floor=10)
def add_ten(x: int) -> int:
    return x + 10


@workflow
def decorating_task_wf(x: int) -> int:
    return add_ten(x=inc(x=x))


@task
def setup():
    CALLS.append("setup")


@task
def teardown():
    CALLS.append("teardown")


def setup_teardown(fn=None, *, before, after):
    @wraps(fn)
    def wrapper(*args, **kwargs):
        ctx = FlyteContextManager.current_context()
        before_node = create_node(before)
        outputs = fn(*args, **kwargs)
        after_node = create_node(after)
        if ctx.compilation_state is not None:
            workflow_node0 = ctx.compilation_state.nodes[1]
            workflow_node1 = ctx.compilation_state.nodes[-2]
            before_node >> workflow_node0
            workflow_node1 >> after_node
        return outputs

    if fn is None:
        return partial(setup_teardown, before=before, after=after)
    return wrapper


@task
def minus_one(x: float) -> float:
    return x - 1


@task
def squared(x: float) -> float:
    return x**2


@workflow
@setup_teardown(before=setup, after=teardown)
def decorating_workflow(x: float) -> float:
    return squared(x=minus_one(x=x))


@task(
    requests=Resources(cpu="1", mem="100Mi", ephemeral_storage="200Mi"),
    limits=Resources(cpu="2", mem="150Mi", ephemeral_storage="500Mi"),
)
def count_unique_numbers(x: typing.List[int]) -> int:
    return len(set(x))


@task(cache=True, cache_version="1.0", retries=3, timeout=timedelta(minutes=5))
def square_cached(x: int) -> int:
    return x * x


@workflow
def my_pipeline(x: typing.List[int]) -> int:
    unique = count_unique_numbers(x=x).with_overrides(limits=Resources(cpu="6", mem="500Mi"))
    return square_cached(x=unique).with_overrides(
        retries=1, node_name="square-it", timeout=timedelta(minutes=1)
    )
