"""Short, human descriptions of values, literals and annotations, for error messages.

Errors read ``expected int, got str 'abc' at [2]``; this module writes the ``int`` and the
``str 'abc'`` parts, never more than about 80 characters of any value.
"""

from __future__ import annotations

import types
import typing
from typing import Any

from flyweight._idl import Literal

_MAX_REPR = 80


def short_repr(value: object) -> str:
    """``repr(value)`` cut to about 80 characters."""
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not hide the real error
        text = f"<{type(value).__name__} object>"
    if len(text) > _MAX_REPR:
        text = text[: _MAX_REPR - 3] + "..."
    return text


def describe_value(value: object) -> str:
    """``str 'abc'``, ``int 5``, ``None``: the type and a short repr of a Python value."""
    if value is None:
        return "None"
    return f"{type(value).__name__} {short_repr(value)}"


def type_name(annotation: Any) -> str:
    """A readable name for an annotation: ``int``, ``list[int]``, ``Optional[str]``, ``Order``."""
    if annotation is None or annotation is type(None):
        return "None"
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin is typing.Union or isinstance(annotation, types.UnionType):
        names = [type_name(a) for a in args]
        if len(args) == 2 and type(None) in args:
            other = args[0] if args[1] is type(None) else args[1]
            return f"Optional[{type_name(other)}]"
        return f"Union[{', '.join(names)}]"
    if origin is not None:
        base = getattr(origin, "__name__", str(origin))
        if args:
            return f"{base}[{', '.join(type_name(a) for a in args)}]"
        return base
    if isinstance(annotation, type):
        return annotation.__qualname__
    return short_repr(annotation)


def describe_literal(lit: Literal) -> str:
    """What a ``flyteidl.core.Literal`` holds, in a few words: ``string literal 'abc'``."""
    which = lit.WhichOneof("value")
    if which == "collection":
        n = len(lit.collection.literals)
        return f"collection literal of {n} item{'' if n == 1 else 's'}"
    if which == "map":
        keys = sorted(lit.map.literals.keys())
        return f"map literal with keys {short_repr(keys)}"
    if which == "offloaded_metadata":
        return f"offloaded literal at {lit.offloaded_metadata.uri!r}"
    if which != "scalar":
        return "empty literal"
    scalar = lit.scalar
    kind = scalar.WhichOneof("value")
    if kind == "primitive":
        prim = scalar.primitive
        pk = prim.WhichOneof("value")
        if pk == "integer":
            return f"integer literal {prim.integer}"
        if pk == "float_value":
            return f"float literal {prim.float_value!r}"
        if pk == "string_value":
            return f"string literal {short_repr(prim.string_value)}"
        if pk == "boolean":
            return f"boolean literal {prim.boolean}"
        if pk in ("datetime", "duration"):
            value = getattr(prim, pk)
            try:
                text = value.ToJsonString()
            except ValueError:  # outside the range protobuf allows: say what is there
                text = f"out of range (seconds={value.seconds}, nanos={value.nanos})"
            return f"{pk} literal {text}"
        return "empty primitive literal"
    if kind == "none_type":
        return "none literal"
    if kind == "binary":
        tag = scalar.binary.tag or "untagged"
        return f"binary literal ({tag}, {len(scalar.binary.value)} bytes)"
    if kind == "generic":
        return "generic struct literal"
    if kind == "union":
        return f"union literal holding {describe_literal(scalar.union.value)}"
    if kind == "blob":
        return f"blob literal {short_repr(scalar.blob.uri)}"
    if kind == "structured_dataset":
        return f"structured dataset literal {short_repr(scalar.structured_dataset.uri)}"
    if kind == "schema":
        return f"schema literal {short_repr(scalar.schema.uri)}"
    if kind == "error":
        return "error literal"
    return "empty scalar literal"
