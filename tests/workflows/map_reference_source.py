"""Maps over reference launch plans (``@reference_launch_plan`` and ``ReferenceLaunchPlan(...)``), loaded once
with flytekit's names and once with flyweight's (see ``test_map_reference.py``): ``task``, ``workflow``,
``map_task``, ``LaunchPlan``, ``conditional``, ``reference_launch_plan`` and ``ReferenceLaunchPlan`` are put
into this module's namespace before it runs."""

# ruff: noqa: F821, UP006  (the SDK's names are injected by the loader; flytekit-style List annotations)
from __future__ import annotations

from typing import List, Optional  # noqa: UP035


@reference_launch_plan(project="team-c", domain="development", name="remote.plans.nightly", version="v9")
def nightly(day: str, limit: int) -> int: ...


@reference_launch_plan(project="team-c", domain="production", name="remote.plans.notify", version="v1")
def notify(user: str) -> None: ...


report = ReferenceLaunchPlan("team-c", "development", "remote.plans.report", "v5", {"n": int}, {"o0": str})
long_ref = ReferenceLaunchPlan(
    "team-d",
    "development",
    "Remote.Plans.CamelCase_with_a_name_long_enough_to_be_hashed_into_a_dns_label",
    "v2",
    {"n": int},
    {"o0": int},
)


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def total(xs: List[Optional[int]]) -> int:
    return sum(x for x in xs if x is not None)


@workflow
def inner(x: int, y: int = 3) -> int:
    return add(x=x, y=y)


fixed_lp = LaunchPlan.get_or_create(inner, "map_ref_fixed", fixed_inputs={"y": 5})


@workflow
def decorated(days: List[str], limits: List[int]) -> List[int]:
    return map_task(nightly)(day=days, limit=limits)


@workflow
def by_class(ns: List[int]) -> List[str]:
    return map_task(report, concurrency=2)(n=ns)


@workflow
def no_outputs(users: List[str]) -> None:
    map_task(notify, concurrency=0)(user=users)


@workflow
def ratio(days: List[str], limits: List[int]) -> int:
    return total(xs=map_task(nightly, min_success_ratio=0.5)(day=days, limit=limits))


@workflow
def min_successes(ns: List[int]) -> List[Optional[str]]:
    return map_task(report, min_successes=1)(n=ns)


@workflow
def long_name(ns: List[int]) -> List[int]:
    return map_task(long_ref)(n=ns)


@workflow
def mixed(xs: List[int], days: List[str]) -> List[int]:
    local = map_task(fixed_lp)(x=xs)
    return map_task(nightly)(day=days, limit=local)


@workflow
def in_a_branch(ns: List[int], flag: bool) -> List[int]:
    return (
        conditional("which")
        .if_(flag.is_true())
        .then(map_task(long_ref)(n=ns))
        .else_()
        .then(map_task(fixed_lp)(x=ns))
    )
