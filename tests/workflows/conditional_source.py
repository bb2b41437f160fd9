"""Conditionals written once, loaded with flyweight or with flytekit (``test_conditional.py``).

``task``, ``workflow``, ``conditional`` and ``LaunchPlan`` are not imported here: the loader puts the
chosen SDK's into the module before running it, so both SDKs compile the same source under the same
module name.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

task: Any = globals()["task"]
workflow: Any = globals()["workflow"]
conditional: Any = globals()["conditional"]
LaunchPlan: Any = globals()["LaunchPlan"]


class Pair(NamedTuple):
    total: int
    label: str


@task
def double(n: float) -> float:
    return 2 * n


@task
def square(n: float) -> float:
    return n * n


@task
def negate(x: int) -> int:
    return -x


@task
def keep(x: int) -> int:
    return x


@task
def name_of(x: int) -> str:
    return f"x={x}"


@task
def pair(x: int) -> Pair:
    return Pair(x + 1, "up")


@task
def other_pair(x: int) -> Pair:
    return Pair(x - 1, "down")


@task
def touch(x: int) -> None:
    print(x)


@task
def touch_twice(x: int) -> None:
    print(2 * x)


@task
def is_even(x: int) -> bool:
    return x % 2 == 0


@workflow
def if_else(x: int) -> int:
    return conditional("sign").if_(x >= 0).then(keep(x=x)).else_().then(negate(x=x))


@workflow
def if_elif_else(my_input: float) -> float:
    return (
        conditional("fractions")
        .if_((my_input > 0.1) & (my_input < 1.0))
        .then(double(n=my_input))
        .elif_((my_input > 1.0) & (my_input < 10.0))
        .then(square(n=my_input))
        .elif_((my_input == 0) | (my_input <= -5))
        .then(double(n=my_input))
        .else_()
        .then(square(n=my_input))
    )


@workflow
def constants(x: int, s: str, b: bool, f: float) -> int:
    return (
        conditional("constants")
        .if_((s == "go") & (b == True))  # noqa: E712 - a Flyte condition, not a Python test
        .then(keep(x=x))
        .elif_((s != "stop") | (f >= 2.5) | b.is_false())
        .then(negate(x=x))
        .else_()
        .then(keep(x=x))
    )


@workflow
def from_task(x: int) -> str:
    even = is_even(x=x)
    y = conditional("parity").if_(even.is_true()).then(keep(x=x)).else_().then(negate(x=x))
    return name_of(x=y)


@workflow
def failing(x: int) -> int:
    return conditional("positive").if_(x > 0).then(keep(x=x)).else_().fail("x must be positive")


@workflow
def no_outputs(x: int) -> None:
    conditional("side").if_(x < 10).then(touch(x=x)).else_().then(touch_twice(x=x))


@workflow
def two_outputs(x: int) -> tuple[int, str]:
    p = conditional("pairs").if_(x > 0).then(pair(x=x)).else_().then(other_pair(x=x))
    return p.total, p.label


@workflow
def promises_compared(x: int, y: int, z: Optional[int] = None) -> int:
    k = keep(x=y)
    return (
        conditional("order")
        .if_(z.is_none() & (x < k))
        .then(keep(x=x))
        .elif_((k == x) | (x > k))
        .then(negate(x=k))
        .else_()
        .then(keep(x=y))
    )


@workflow
def nested(my_input: float) -> float:
    return (
        conditional("fractions")
        .if_((my_input > 0.1) & (my_input < 1.0))
        .then(
            conditional("inner_fractions")
            .if_(my_input < 0.5)
            .then(double(n=my_input))
            .elif_((my_input > 0.5) & (my_input < 0.7))
            .then(square(n=my_input))
            .else_()
            .fail("Only <0.7 allowed")
        )
        .elif_((my_input > 1.0) & (my_input < 10.0))
        .then(square(n=my_input))
        .else_()
        .then(double(n=my_input))
    )


@workflow
def nested_in_else(x: int) -> str:
    k = keep(x=x)
    y = (
        conditional("outer")
        .if_(k < 0)
        .then(negate(x=k))
        .else_()
        .then(conditional("inner").if_(x == 0).then(keep(x=x)).else_().then(negate(x=k)))
    )
    return name_of(x=y)


@task
def add(x: int, by: int) -> int:
    return x + by


@workflow
def negate_twice(x: int) -> int:
    return negate(x=negate(x=x))


@workflow
def shift(x: int, by: int = 1) -> int:
    return add(x=add(x=x, by=by), by=by)


shift_by_ten = LaunchPlan.get_or_create(shift, "conditional_source.shift_by_ten", fixed_inputs={"by": 10})


@workflow
def sub_workflow_branch(x: int) -> int:
    return conditional("sub").if_(x >= 0).then(negate_twice(x=x)).else_().then(negate(x=x))


@workflow
def launch_plan_branch(x: int) -> str:
    k = keep(x=x)
    y = conditional("plan").if_(k < 0).then(negate(x=k)).else_().then(shift_by_ten(x=k))
    return name_of(x=y)


@workflow
def mixed_branches(x: int) -> int:
    return (
        conditional("mixed")
        .if_(x > 100)
        .then(shift_by_ten(x=x))
        .elif_(x > 0)
        .then(negate_twice(x=x))
        .elif_(x == 0)
        .then(shift(x=x, by=5))
        .else_()
        .then(negate(x=x))
    )
