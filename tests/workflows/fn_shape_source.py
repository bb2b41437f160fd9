"""Function tasks and workflows written once, loaded with flyweight or with flytekit (``sdk_switch``)."""

from __future__ import annotations

from typing import NamedTuple, Optional

from tests.workflows.sdk_switch import task, workflow


class Stats(NamedTuple):
    total: int
    label: str


@task
def add(a: int, b: int = 1) -> int:
    """Add two numbers.

    :param a: the first
    :param b: the second
    """
    return a + b


@task(retries=2, timeout=60)
def scale(x: int, factor: float = 2.0) -> int:
    return int(x * factor)


@task
def describe(xs: list[int], note: Optional[str] = None) -> Stats:
    return Stats(sum(xs), note or "")


@task
def announce(label: str) -> None:
    print(label)


@workflow
def sub(x: int) -> int:
    return scale(x=x)


@workflow
def pipeline(a: int, b: int = 2) -> Stats:
    """A pipeline of function tasks.

    Args:
        a: where to start
        b: how much to add
    """
    total = add(a=a, b=scale(x=b))
    scaled = sub(x=total)
    stats = describe(xs=[total, scaled, 3])
    announce(label=stats.label)
    return stats
