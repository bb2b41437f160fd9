"""``FlyteContext.current_context()`` is callable on the class, as in flytekit, and on an instance."""

from __future__ import annotations

import inspect
from types import ModuleType

from flyweight._context import FlyteContext, FlyteContextManager


def test_current_context_is_callable_on_the_class_and_on_an_instance() -> None:
    ctx = FlyteContextManager.current_context()
    assert FlyteContext.current_context() is ctx
    assert ctx.current_context() is ctx


def test_it_follows_the_context_in_force() -> None:
    base = FlyteContextManager.current_context()
    other = FlyteContext(base.file_access, base.execution_state)
    with FlyteContextManager.with_context(other):
        assert FlyteContext.current_context() is other
    assert FlyteContext.current_context() is base


def test_it_is_a_static_method_as_in_flytekit(flytekit: ModuleType) -> None:
    ours = inspect.getattr_static(FlyteContext, "current_context")
    theirs = inspect.getattr_static(flytekit.FlyteContext, "current_context")
    assert type(ours) is type(theirs) is staticmethod
