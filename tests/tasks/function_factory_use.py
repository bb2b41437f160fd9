"""Tasks bound at module level under names that are not their functions' names."""

from __future__ import annotations

from tests.tasks.function_factory import make

from flyweight import task

tripled = make(3)


def plain(x: int) -> int:
    return x + 1


renamed = task(plain)
