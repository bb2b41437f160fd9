"""Flyte ``LiteralType`` → a Python type, for code that has only a template (plugin executors, the
container entrypoint, a CLI reading a remote interface).

Dataclasses come back as new dataclasses rebuilt from the field types the literal type carries; the
same literal type always gives the same class, so values read twice compare equal.

The kinds of literal type that name a data type (``blob``, ``schema``, ``structured_dataset_type``)
are answered by ``other``, which the engine passes in: the data types declare their guesses with the
registry, and this module knows none of them.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import typing
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flyweight._idl import LiteralType, SimpleType
from flyweight.errors import UnsupportedTypeError
from flyweight.types._backends._plain import STRUCTURAL_MARK

Other = Callable[[LiteralType], Any]
"""The Python type for a kind of literal type the built-ins do not cover; raises ``UnsupportedTypeError``."""

_SIMPLE: dict[SimpleType, type] = {
    SimpleType.INTEGER: int,
    SimpleType.FLOAT: float,
    SimpleType.STRING: str,
    SimpleType.BOOLEAN: bool,
    SimpleType.DATETIME: datetime.datetime,
    SimpleType.DURATION: datetime.timedelta,
    SimpleType.NONE: type(None),
}


def guess(lt: LiteralType, other: Other) -> Any:
    """The Python type for ``lt``; ``other`` answers the kinds the built-in types do not have.

    Raises:
        UnsupportedTypeError: no Python type has this literal type.
    """
    which = lt.WhichOneof("type")
    if which == "simple":
        if lt.simple == SimpleType.STRUCT:
            if lt.HasField("structure") and len(lt.structure.dataclass_type) > 0:
                return _dataclass(lt.SerializeToString(deterministic=True), other)
            if not lt.HasField("metadata"):
                return dict
        found = _SIMPLE.get(lt.simple)
        if found is not None:
            return found
    elif which == "collection_type":
        return list[guess(lt.collection_type, other)]  # type: ignore[misc]
    elif which == "map_value_type":
        return dict[str, guess(lt.map_value_type, other)]  # type: ignore[misc]
    elif which == "union_type":
        return typing.Union[tuple(guess(v, other) for v in lt.union_type.variants)]
    elif which == "enum_type":
        return _enum(tuple(lt.enum_type.values))
    elif which is not None:
        return other(lt)
    raise no_type(lt)


def no_type(lt: LiteralType) -> UnsupportedTypeError:
    """The error for a literal type that no Python type has."""
    return UnsupportedTypeError(f"no Python type for the Flyte literal type {_short(lt)}")


@lru_cache(maxsize=256)
def _enum(values: tuple[str, ...]) -> type[enum.Enum]:
    try:
        return enum.Enum("DynamicEnum", {v: v for v in values})  # type: ignore[return-value]
    except (ValueError, TypeError):
        # A value that cannot be a member name ("", "mro", "_x_", "_order_"): the values are what the
        # literals carry, so the members get plain names of their own.
        return enum.Enum("DynamicEnum", {f"value_{i}": v for i, v in enumerate(values)})  # type: ignore[return-value]


@lru_cache(maxsize=256)
def _dataclass(serialized: bytes, other: Other) -> type:
    lt = LiteralType.FromString(serialized)
    schema = lt.metadata
    title = schema.fields["title"].string_value if "title" in schema.fields else "GuessedDataclass"
    required = (
        [v.string_value for v in schema.fields["required"].list_value.values]
        if ("required" in schema.fields)
        else []
    )
    types = {name: guess(field_lt, other) for name, field_lt in lt.structure.dataclass_type.items()}
    order = [n for n in required if n in types] + sorted(n for n in types if n not in required)
    fields: list[Any] = []
    for name in order:
        if name in required:
            fields.append((name, types[name]))
        else:
            fields.append((name, typing.Optional[types[name]], dataclasses.field(default=None)))
    cls = dataclasses.make_dataclass(title if title.isidentifier() else "GuessedDataclass", fields)
    # Code that only has a template (an executor) returns its own dataclass for such a type: accept
    # any dataclass that has these fields.
    setattr(cls, STRUCTURAL_MARK, True)
    return cls


def _short(lt: LiteralType) -> str:
    text = str(lt).replace("\n", " ").strip()
    return text if len(text) <= 120 else text[:117] + "..."
