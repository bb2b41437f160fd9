"""Markers that go inside ``typing.Annotated`` to change what the type engine writes.

``FlyteAnnotation`` adds user data to the ``annotation`` field of the literal type; ``HashMethod``
gives a literal the ``hash`` Flyte uses as its cache key instead of the value's bytes. ``BatchSize``
changes nothing on the wire (see its docstring).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")

__all__ = ["BatchSize", "FlyteAnnotation", "HashMethod"]


class FlyteAnnotation:
    """Data attached to a type's ``LiteralType.annotation`` (a JSON-like mapping).

    Example:
        >>> import typing
        >>> from flyweight.types import FlyteAnnotation, TypeEngine
        >>> lt = TypeEngine.to_literal_type(typing.Annotated[int, FlyteAnnotation({"unit": "ms"})])
        >>> lt.annotation.annotations["unit"]
        'ms'
    """

    def __init__(self, data: dict[str, Any]) -> None:
        if not isinstance(data, dict):
            raise TypeError(f"FlyteAnnotation takes a dict, got {type(data).__name__}")
        self._data = data

    @property
    def data(self) -> dict[str, Any]:
        return self._data

    def __repr__(self) -> str:
        return f"FlyteAnnotation({self._data!r})"


class HashMethod(Generic[T]):
    """A function that computes the cache hash of a value, placed in ``Annotated[T, HashMethod(fn)]``.

    Example:
        >>> import typing
        >>> from flyweight.types import HashMethod, TypeEngine
        >>> t = typing.Annotated[str, HashMethod(lambda s: s.lower())]
        >>> TypeEngine.to_literal(None, "ABC", t, None).hash
        'abc'
    """

    def __init__(self, function: Callable[[T], str]) -> None:
        self._function = function

    def calculate(self, obj: T) -> str:
        """The hash of ``obj``."""
        return self._function(obj)


class BatchSize:
    """``Annotated[T, BatchSize(n)]``: flytekit's marker for moving a ``FlyteDirectory`` in chunks of ``n``
    files. It changes no literal type and no literal (in flytekit 1.16 a ``list`` ignores it too: its
    elements are written one literal each), so the type engine ignores it; flyweight moves directories
    whole.

    Example:
        >>> import typing
        >>> from flyweight import BatchSize
        >>> from flyweight.types import TypeEngine
        >>> t = typing.Annotated[list[int], BatchSize(2)]
        >>> TypeEngine.to_literal_type(t) == TypeEngine.to_literal_type(list[int])
        True
    """

    def __init__(self, val: int) -> None:
        self._val = val

    @property
    def val(self) -> int:
        return self._val

    def __repr__(self) -> str:
        return f"BatchSize({self._val})"
