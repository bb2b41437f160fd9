"""The one error tree of flyweight.

Every error flyweight raises on purpose belongs to this tree, so callers can catch by *who must act*:
the user (bad task code, bad input, bad configuration) or the platform (flyweight itself, the machine,
the network, a storage service). When a task runs in a container the branch decides the ``kind``
written into ``error.pb``: ``UserError`` becomes ``USER``, ``PlatformError`` becomes ``SYSTEM``.

Each leaf also subclasses the builtin exception a Python programmer would naturally expect, so code
that catches ``TypeError`` or ``ValueError`` keeps working::

    FlyweightError
    ├── UserError                                   kind USER
    │   ├── TypeTransformerFailedError              + TypeError, ValueError, AssertionError
    │   │   └── UnsupportedTypeError                   (an annotation no transformer handles)
    │   └── TransformerRegistrationError            + ValueError
    └── PlatformError                               kind SYSTEM

``TypeTransformerFailedError`` keeps flytekit's three builtin bases so plugin code written against
flytekit (which catches any of them) ports unchanged.

Messages say what was expected, what came and where, and the fix where there is one::

    expected int, got str 'abc' at [2]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

__all__ = [
    "FlyweightError",
    "PlatformError",
    "TransformerRegistrationError",
    "TypeTransformerFailedError",
    "UnsupportedTypeError",
    "UserError",
]


class FlyweightError(Exception):
    """Root of every error flyweight raises on purpose.

    Attributes:
        kind: ``"USER"`` or ``"SYSTEM"``: who has to act, as written into a Flyte ``ErrorDocument``.
        recoverable: whether retrying the same work may succeed.
    """

    kind: ClassVar[str] = "SYSTEM"
    recoverable: ClassVar[bool] = False


class UserError(FlyweightError):
    """The user has to act: task code, an input value, a type annotation or a setting is wrong."""

    kind: ClassVar[str] = "USER"


class PlatformError(FlyweightError):
    """flyweight or its environment failed (storage, network, a bug of ours); the user's code is fine."""

    kind: ClassVar[str] = "SYSTEM"


class TypeTransformerFailedError(UserError, TypeError, ValueError, AssertionError):
    """A value, type or literal could not be converted.

    The message names what was expected, what came and where inside the value it happened.
    ``reason`` holds the message without the location; ``path`` the location segments, outermost
    first (``"[2]"``, ``"['key']"``, ``".field"``, or a bare name for a top-level input).

    Example:
        >>> from flyweight.types import TypeEngine
        >>> TypeEngine.to_literal(None, [1, 2, "x"], list[int], None)
        Traceback (most recent call last):
        ...
        flyweight.errors.TypeTransformerFailedError: expected int, got str 'x' at [2]
    """

    def __init__(self, reason: str, path: Sequence[str] = ()) -> None:
        self.reason = reason
        self.path: list[str] = list(path)
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.path:
            return self.reason
        return f"{self.reason} at {''.join(self.path)}"

    def at(self, segment: str) -> TypeTransformerFailedError:
        """Prepend one location segment (an enclosing container's index, key or field) and return self."""
        self.path.insert(0, segment)
        self.args = (self._render(),)
        return self

    def __str__(self) -> str:
        return self._render()


class UnsupportedTypeError(TypeTransformerFailedError):
    """A Python type annotation that no registered transformer can handle."""


class TransformerRegistrationError(UserError, ValueError):
    """A type transformer could not be registered (for example, the type already has one)."""
