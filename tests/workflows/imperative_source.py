"""Tasks and a sub-workflow for ``test_imperative_workflow.py``, loaded once with flytekit's names and once
with flyweight's (``task``, ``workflow`` and ``FlyteError`` are injected)."""

# ruff: noqa: F821, UP006  (the SDK's names are injected by the loader; flytekit-style List annotations)
from __future__ import annotations

import typing
from typing import List  # noqa: UP035


@task
def greet(a: str) -> str:
    return a + " world"


@task
def side_effect() -> None:
    print("side effect")


@task
def add(x: int, y: int) -> int:
    return x + y


@task
def total(xs: List[int]) -> int:
    return sum(xs)


@task
def clean_up(x: int, err: typing.Optional[FlyteError] = None) -> None:
    print(f"cleaning up after {x}: {err}")


@workflow
def inner_wf(x: int) -> int:
    return add(x=x, y=1)
