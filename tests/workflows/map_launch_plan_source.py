"""Workflows mapping launch plans, loaded once with flytekit's names and once with flyweight's (see
``test_map_launch_plan.py``): ``task``, ``workflow``, ``map_task`` and ``LaunchPlan`` are put into this
module's namespace before it runs."""

# ruff: noqa: F821, UP006  (the SDK's names are injected by the loader; flytekit-style List annotations)
from __future__ import annotations

from typing import List, Optional  # noqa: UP035


@task
def add(x: int, y: int) -> int:
    if x < 0:
        raise ValueError(f"negative input {x}")
    return x + y


@task
def show(x: int) -> None:
    print(x)


@task
def double(xs: List[int]) -> List[int]:
    return [2 * x for x in xs]


@task
def total(xs: List[Optional[int]]) -> int:
    return sum(x for x in xs if x is not None)


@workflow
def inner(x: int, y: int = 3) -> int:
    return add(x=x, y=y)


@workflow
def inner_none(x: int) -> None:
    show(x=x)


fixed_lp = LaunchPlan.get_or_create(inner, "map_lp_fixed", fixed_inputs={"y": 5})
default_lp = LaunchPlan.get_or_create(inner, "map_lp_default", default_inputs={"y": 7})
none_lp = LaunchPlan.get_or_create(inner_none, "map_lp_none")
default_plan = LaunchPlan.get_or_create(inner)  # the workflow's own, named after it
long_lp = LaunchPlan.get_or_create(
    inner, "Map_LP.CamelCase_with_a_name_long_enough_to_be_hashed_into_a_dns_label", fixed_inputs={"y": 1}
)


@workflow
def fixed(xs: List[int]) -> List[int]:
    return map_task(fixed_lp)(x=xs)


@workflow
def defaults(xs: List[int], ys: List[int]) -> List[int]:
    return map_task(default_lp)(x=xs, y=ys)


@workflow
def concurrency_ratio(xs: List[int]) -> List[Optional[int]]:
    return map_task(fixed_lp, concurrency=2, min_success_ratio=0.5)(x=xs)


@workflow
def min_successes(xs: List[int]) -> List[Optional[int]]:
    return map_task(fixed_lp, min_successes=2)(x=xs)


@workflow
def zeros(xs: List[int]) -> List[Optional[int]]:
    return map_task(fixed_lp, concurrency=0, min_successes=0)(x=xs)


@workflow
def no_outputs(xs: List[int]) -> None:
    map_task(none_lp)(x=xs)


@workflow
def chained(xs: List[int]) -> int:
    mapped = map_task(fixed_lp)(x=double(xs=xs))
    return total(xs=map_task(default_lp, min_success_ratio=0.5)(x=mapped, y=xs))


@workflow
def workflow_plan(xs: List[int]) -> List[int]:
    return map_task(default_plan)(x=xs, y=xs)


@workflow
def long_name(xs: List[int]) -> List[int]:
    return map_task(long_lp)(x=xs)


@workflow
def in_a_branch(xs: List[int], flag: bool) -> List[int]:
    return (
        conditional("which")
        .if_(flag.is_true())
        .then(map_task(fixed_lp)(x=xs))
        .else_()
        .then(map_task(default_lp)(x=xs, y=xs))
    )
