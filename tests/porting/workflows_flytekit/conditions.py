"""Conditionals, after flytesnacks ``advanced_composition/conditional.py`` (and the merge-sort
``terminal_case`` of ``dynamic_workflow.py``)."""

import random
import typing

from flytekit import conditional, task, workflow
from flytekit.core.task import Echo


@task
def calculate_circle_circumference(radius: float) -> float:
    return 2 * 3.14 * radius


@task
def calculate_circle_area(radius: float) -> float:
    return 3.14 * radius * radius


@workflow
def shape_properties(radius: float) -> float:
    return (
        conditional("shape_properties")
        .if_((radius >= 0.1) & (radius < 1.0))
        .then(calculate_circle_circumference(radius=radius))
        .else_()
        .then(calculate_circle_area(radius=radius))
    )


@workflow
def shape_properties_with_multiple_branches(radius: float) -> float:
    return (
        conditional("shape_properties_with_multiple_branches")
        .if_((radius >= 0.1) & (radius < 1.0))
        .then(calculate_circle_circumference(radius=radius))
        .elif_((radius >= 1.0) & (radius <= 10.0))
        .then(calculate_circle_area(radius=radius))
        .else_()
        .fail("The input must be within the range of 0 to 10.")
    )


@workflow
def shape_properties_accept_conditional_output(radius: float) -> float:
    result = (
        conditional("shape_properties_accept_conditional_output")
        .if_((radius >= 0.1) & (radius < 1.0))
        .then(calculate_circle_circumference(radius=radius))
        .elif_((radius >= 1.0) & (radius <= 10.0))
        .then(calculate_circle_area(radius=radius))
        .else_()
        .fail("The input must exist between 0 and 10.")
    )
    return calculate_circle_area(radius=result)


@task
def coin_toss(seed: int) -> bool:
    """Mimic a condition to verify the successful execution of an operation."""
    r = random.Random(seed)
    return r.random() < 0.5


@task
def failed() -> int:
    return -1


@task
def success() -> int:
    return 0


@workflow
def boolean_wf(seed: int = 5) -> int:
    result = coin_toss(seed=seed)
    return conditional("coin_toss").if_(result.is_true()).then(success()).else_().then(failed())


@workflow
def boolean_input_wf(boolean_input: bool) -> int:
    return (
        conditional("boolean_input_conditional")
        .if_(boolean_input.is_true())
        .then(success())
        .else_()
        .then(failed())
    )


@workflow
def nested_conditions(radius: float) -> float:
    return (
        conditional("nested_conditions")
        .if_((radius >= 0.1) & (radius < 1.0))
        .then(
            conditional("inner_nested_conditions")
            .if_(radius < 0.5)
            .then(calculate_circle_circumference(radius=radius))
            .elif_((radius >= 0.5) & (radius < 0.9))
            .then(calculate_circle_area(radius=radius))
            .else_()
            .fail("0.9 is an outlier.")
        )
        .elif_((radius >= 1.0) & (radius <= 10.0))
        .then(calculate_circle_area(radius=radius))
        .else_()
        .fail("The input must be within the range of 0 to 10.")
    )


@workflow
def consume_task_output(radius: float, seed: int = 5) -> float:
    is_heads = coin_toss(seed=seed)
    return (
        conditional("double_or_square")
        .if_(is_heads.is_true())
        .then(calculate_circle_circumference(radius=radius))
        .else_()
        .then(calculate_circle_area(radius=radius))
    )


echo = Echo(name="echo", inputs={"radius": float})


@workflow
def noop_in_conditional(radius: float, seed: int = 5) -> float:
    is_heads = coin_toss(seed=seed)
    return (
        conditional("noop_in_conditional")
        .if_(is_heads.is_true())
        .then(calculate_circle_circumference(radius=radius))
        .else_()
        .then(echo(radius=radius))
    )


@task
def sort_locally(numbers: list[int]) -> list[int]:
    return sorted(numbers)


@task
def count(numbers: list[int]) -> int:
    return len(numbers)


@workflow
def sort_small(numbers: list[int], run_local_at_count: int = 5) -> list[int]:
    n = count(numbers=numbers)
    return (
        conditional("terminal_case")
        .if_(n <= run_local_at_count)
        .then(sort_locally(numbers=numbers))
        .else_()
        .fail("too many numbers to sort here")
    )


@task
def greet(name: str) -> str:
    return f"hello {name}"


@task
def shout(name: str) -> str:
    return name.upper() + "!"


@workflow
def by_kind(kind: str, name: str) -> str:
    return (
        conditional("by_kind")
        .if_(kind == "loud")
        .then(shout(name=name))
        .elif_(kind == "quiet")
        .then(greet(name=name))
        .else_()
        .fail("unknown kind")
    )


@workflow
def optional_input(x: typing.Optional[int] = None) -> int:
    return conditional("has_x").if_(x.is_none()).then(success()).else_().then(failed())


@workflow
def branch_to_subworkflow(radius: float, seed: int = 5) -> float:
    heads = coin_toss(seed=seed)
    return (
        conditional("sub")
        .if_(heads.is_false())
        .then(shape_properties(radius=radius))
        .else_()
        .then(calculate_circle_area(radius=radius))
    )
