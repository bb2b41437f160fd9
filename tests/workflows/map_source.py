"""Workflows with map tasks, loaded once with flytekit's names and once with flyweight's (see
``test_map_task.py``): ``task``, ``workflow``, ``map_task`` and ``Resources`` are put into this module's
namespace before it runs."""

# ruff: noqa: F821, UP006  (the SDK's names are injected by the loader; flytekit-style List annotations)
from __future__ import annotations

import functools
from typing import List, Optional  # noqa: UP035


@task
def square(x: int) -> int:
    return x * x


@task(retries=2, interruptible=True, requests=Resources(cpu="1", mem="1Gi"))
def scaled(x: int, factor: int = 1, label: str = "") -> int:
    if x < 0:
        raise ValueError(f"negative input {x}")
    return x * factor


@task
def concat(a: str, b: str) -> str:
    return a + b


@task
def show(x: int) -> None:
    print(x)


@task
def maybe(x: Optional[int], fallback: int) -> Optional[float]:
    return None if x is None else float(x + fallback)


@task
def total(xs: List[int]) -> int:
    return sum(xs)


@task
def total_optional(xs: List[Optional[int]]) -> int:
    return sum(x for x in xs if x is not None)


@workflow
def plain(xs: List[int]) -> List[int]:
    return map_task(square)(x=xs)


@workflow
def with_concurrency(xs: List[int]) -> List[int]:
    return map_task(square, concurrency=2)(x=xs)


@workflow
def zero_concurrency(xs: List[int]) -> List[int]:
    return map_task(square, concurrency=0)(x=xs)


@workflow
def two_lists(xs: List[int], fs: List[int], ls: List[str]) -> List[int]:
    return map_task(scaled)(x=xs, factor=fs, label=ls)


@workflow
def partial_bound(xs: List[int]) -> List[int]:
    return map_task(functools.partial(scaled, factor=3, label="x"))(x=xs)


@workflow
def ratio(xs: List[int]) -> int:
    out = map_task(functools.partial(scaled, factor=2, label=""), min_success_ratio=0.5)(x=xs)
    return total_optional(xs=out)


@workflow
def chained(xs: List[int]) -> int:
    squares = map_task(square)(x=xs)
    again = map_task(square, concurrency=4)(x=squares)
    return total(xs=again)


@workflow
def strings(a: List[str], b: List[str]) -> List[str]:
    return map_task(concat)(a=a, b=b)


@workflow
def no_outputs(xs: List[int]) -> None:
    map_task(show)(x=xs)


@workflow
def optional_inputs(xs: List[Optional[int]]) -> List[Optional[float]]:
    return map_task(functools.partial(maybe, fallback=10))(x=xs)


@workflow
def constant_list() -> List[int]:
    return map_task(square)(x=[1, 2, 3])


@workflow
def from_task(xs: List[int]) -> int:
    doubled = map_task(functools.partial(scaled, factor=2, label="d"), concurrency=3)(x=xs)
    return total(xs=doubled)
