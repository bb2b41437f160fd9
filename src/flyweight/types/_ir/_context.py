"""The ``ctx`` a caller handed to the type engine, visible to transformers called deep inside a value.

``TypeEngine.to_literal(ctx, ...)`` may convert a list of a plugin's type; the plugin's transformer
is then called once per element and must see the same ``ctx``. A context variable carries it there
without threading it through every backend function.
"""

from __future__ import annotations

import contextvars
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

_CTX: contextvars.ContextVar[FlyteContext | None] = contextvars.ContextVar(
    "flyweight_type_engine_ctx", default=None
)


def current_ctx() -> FlyteContext | None:
    """The ``ctx`` of the innermost type-engine call, or None."""
    return _CTX.get()


def set_ctx(ctx: FlyteContext | None) -> contextvars.Token[FlyteContext | None]:
    return _CTX.set(ctx)


def reset_ctx(token: contextvars.Token[FlyteContext | None]) -> None:
    _CTX.reset(token)
