"""Map tasks, after flytesnacks ``advanced_composition/map_task.py``."""

# flytesnacks' own style (typing.List, mutable defaults, ...), kept as users write it:
# ruff: noqa: B006

import functools

from flytekit import Resources, map_task, task, workflow

threshold = 11


@task
def detect_anomalies(data_point: int) -> bool:
    return data_point > threshold


@workflow
def map_workflow(data: list[int] = [10, 12, 11, 10, 13, 12, 100, 11, 12, 10]) -> list[bool]:
    return map_task(detect_anomalies)(data_point=data)


@task
def multi_input_task(quantity: int, price: float, shipping: float) -> float:
    return quantity * price * shipping


@workflow
def multiple_inputs_map_workflow(
    list_q: list[int] = [1, 2, 3, 4, 5], p: float = 6.0, s: float = 7.0
) -> list[float]:
    partial_task = functools.partial(multi_input_task, price=p, shipping=s)
    return map_task(partial_task)(quantity=list_q)


@task
def get_price() -> float:
    return 7.0


@workflow
def map_workflow_partial_with_task_output(list_q: list[int] = [1, 2, 3, 4, 5], s: float = 6.0) -> list[float]:
    p = get_price()
    partial_task = functools.partial(multi_input_task, price=p, shipping=s)
    return map_task(partial_task)(quantity=list_q)


@workflow
def map_workflow_with_lists(
    list_q: list[int] = [1, 2, 3, 4, 5], list_p: list[float] = [6.0, 9.0, 8.7, 6.5, 1.2], s: float = 6.0
) -> list[float]:
    partial_task = functools.partial(multi_input_task, shipping=s)
    return map_task(partial_task)(quantity=list_q, price=list_p)


@task(retries=2, cache=True, cache_version="1.0")
def square(x: int) -> int:
    return x * x


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@workflow
def sum_of_squares(xs: list[int] = [1, 2, 3, 4]) -> int:
    squares = map_task(square, concurrency=2, min_success_ratio=1.0)(x=xs)
    return total(xs=squares)


@workflow
def overridden_map(xs: list[int] = [3, 4]) -> list[int]:
    return map_task(square)(x=xs).with_overrides(retries=1, requests=Resources(cpu="1", mem="200Mi"))
