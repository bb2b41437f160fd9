"""Workflows using ``create_node``, loaded once with flytekit's names and once with flyweight's (see
``test_create_node.py``): ``task``, ``workflow``, ``create_node`` and ``LaunchPlan`` are injected."""

# ruff: noqa: F821  (the SDK's names are injected by the loader)
from __future__ import annotations

from typing import NamedTuple


class Pair(NamedTuple):
    total: int
    label: str


@task
def setup() -> None:
    print("setup")


@task
def teardown() -> None:
    print("teardown")


@task
def double(x: int) -> int:
    return 2 * x


@task
def pair(x: int) -> Pair:
    return Pair(x + 1, f"n={x}")


@task
def show(s: str) -> str:
    return s.upper()


@workflow
def sub(x: int) -> int:
    return double(x=x)


@workflow
def ordered() -> None:
    first = create_node(setup)
    last = create_node(teardown)
    first >> last


@workflow
def ordered_runs_before() -> None:
    first = create_node(setup)
    last = create_node(teardown)
    first.runs_before(last)


@workflow
def outputs_by_name(x: int) -> int:
    n = create_node(double, x=x)
    return double(x=n.o0)


@workflow
def outputs_in_dict(x: int) -> int:
    n = create_node(double, x=x)
    return double(x=n.outputs["o0"])


@workflow
def several_outputs(x: int) -> str:
    n = create_node(pair, x=x)
    return show(s=n.label)


@workflow
def mixed(x: int) -> int:
    s = create_node(setup)
    d = double(x=x)
    s >> d
    return d


@workflow
def promise_then_node(x: int) -> int:
    d = double(x=x)
    t = create_node(teardown)
    d >> t
    return d


@workflow
def of_sub_workflow(x: int) -> int:
    n = create_node(sub, x=x)
    return double(x=n.o0)


sub_lp = LaunchPlan.get_or_create(sub, "create_node_sub_lp")


@workflow
def of_launch_plan(x: int) -> int:
    n = create_node(sub_lp, x=x)
    return n.o0
