"""Makes tracked objects for another module (the tracker must record the caller's module)."""

from __future__ import annotations

from flyweight.extend import TaskTemplateResolver


def make_resolver() -> TaskTemplateResolver:
    return TaskTemplateResolver()
