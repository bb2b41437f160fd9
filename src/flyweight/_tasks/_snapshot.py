"""A cheap check that an object's state is what it was: what a cached task template is built from.

A :class:`StateSnapshot` keeps, per attribute, either the value itself (compared by identity) or a deep
copy of it (compared by value), and answers :meth:`~StateSnapshot.matches` with one dict comparison, in C:
an attribute that still holds the same object costs a pointer comparison, a copied one its ``__eq__``.

Per value, the rule is:

- a value whose type compares by identity (no ``__eq__`` of its own), or one that hashes (taken to be
  immutable: ``str``, numbers, tuples of those, frozen dataclasses, classes), is kept as it is;
- anything else (a ``dict``, a ``list``, a dataclass such as ``TaskMetadata``) is deep-copied, and the
  copy is kept when it compares equal to the value; otherwise (a copy that fails, a NaN, an array whose
  ``==`` is not a bool) the value is kept as it is.

So reassigning an attribute is always seen, and so is a change inside a held dict, list or dataclass of
plain data; a change inside an object compared by identity is not.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping
from typing import TypeVar

__all__ = ["StateSnapshot"]

V = TypeVar("V")

_IDENTITY_EQ: Callable[[object, object], bool] = object.__eq__


def _kept(value: V) -> V:
    """What the snapshot holds for ``value`` (see the module docstring)."""
    if type(value).__eq__ is _IDENTITY_EQ:
        return value
    try:
        hash(value)
    except Exception:
        pass
    else:
        return value
    try:
        copied = copy.deepcopy(value)
        if (copied == value) is True:
            return copied
    except Exception:
        pass
    return value


class StateSnapshot:
    """What ``state`` (an object's ``__dict__``) held when the snapshot was taken.

    Args:
        state: attribute name → value.
        by_identity: names whose values are compared by identity only (caches derived from the
            others, helpers whose inside is not data).
    """

    __slots__ = ("_values",)

    def __init__(self, state: Mapping[str, object], by_identity: Collection[str] = ()) -> None:
        items = dict(state).items()  # a copy: another thread may add an attribute meanwhile
        self._values = {k: v if k in by_identity else _kept(v) for k, v in items}

    def matches(self, state: Mapping[str, object]) -> bool:
        """Whether ``state`` holds what it held when the snapshot was taken (a comparison that fails
        counts as a change)."""
        try:
            return bool(state == self._values)
        except Exception:
            return False
