"""Promise paths at run time: the part of a value that ``p.field``, ``p["key"]`` or ``p[0]`` stands for.

A workflow body may pass a part of a value (``t(x=d.inner.name)``, ``t(x=m["k"][0])``); the compiler
records the path on the promise and serializes it as the binding's ``OutputReference.attr_path``. On a
cluster, Flyte's propeller resolves that path on the output literal before it writes the next node's
``inputs.pb`` (``flytepropeller/pkg/controller/nodes/attr_path_resolver.go``); the local engine resolves it
here the same way, so a task receives the same literal locally as on a cluster:

- through a list (``collection``) or a dict (``map``) literal, one step per index or key;
- then, in a dataclass or an untyped dict (a msgpack ``binary`` scalar), the rest of the path inside the
  unpacked data; the part reached is packed again as a msgpack binary, whatever its type (an ``int``
  field gives a msgpack ``int``: every reader accepts a msgpack binary, see ``types/_backends/_read``);
- in the legacy generic ``Struct`` form (older SDKs' dataclasses), the rest of the path inside the
  struct; the part reached becomes a struct, a collection or a primitive, as propeller converts it.

A path that does not fit the value (a missing key or field, an index out of range, a key into a list)
raises ``KeyError`` or ``IndexError`` naming the node, the path and what the value has: the engine reports
it as the workflow's (USER) failure (``_outcomes.lookup_failure``), as propeller fails the node with a
``PromiseAttributeResolveError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flyweight import _idl

__all__ = ["format_path", "resolve_path"]

_SHOWN = 8  # keys or fields named in an error message


def format_path(path: Sequence[str | int]) -> str:
    """``["a", 0, "b"]`` → ``.a[0].b``, as a promise's path is written in a workflow body."""
    return "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in path)


class _Walk:
    """One path being resolved, and how error messages name it."""

    __slots__ = ("name", "path", "source", "where")

    def __init__(self, path: Sequence[str | int], name: str, source: str, where: str) -> None:
        self.path = path
        self.name = name
        self.source = source
        self.where = where

    def head(self) -> str:
        return f"{self.where}: cannot resolve {self.name}{format_path(self.path)} ({self.source})"

    def at(self, i: int) -> str:
        return f"{self.name}{format_path(self.path[:i])}"

    def index(self, items: Sequence[Any], i: int) -> int:
        key = self.path[i]
        if not isinstance(key, int):
            raise KeyError(
                f"{self.head()}: the value at {self.at(i)} is a list of {len(items)}, indexed with an int "
                f"([0]), not with {key!r}"
            )
        if not -len(items) <= key < len(items):
            raise IndexError(
                f"{self.head()}: index {key} is out of range for the list of {len(items)} at {self.at(i)}"
            )
        return key

    def missing(self, keys: list[Any], what: str, i: int) -> KeyError:
        key = self.path[i]
        shown = ", ".join(repr(k) for k in keys[:_SHOWN])
        if len(keys) > _SHOWN:
            shown += f", … ({len(keys)} in all)"
        has = f"it has {shown}" if keys else "it is empty"
        kind = "field or key" if isinstance(key, str) else "key"
        return KeyError(f"{self.head()}: the {what} at {self.at(i)} has no {kind} {key!r} ({has})")

    def no_items(self, i: int, what: str) -> KeyError:
        return KeyError(
            f"{self.head()}: the value at {self.at(i)} is {what}, which has no fields, keys or items (only "
            "lists, dicts and dataclasses do)"
        )


def resolve_path(
    lit: _idl.Literal, path: Sequence[str | int], name: str, source: str, where: str
) -> _idl.Literal:
    """The literal at ``path`` inside ``lit``.

    Args:
        lit: the whole value (a node's output or a workflow input).
        path: the promise's attribute path: ``str`` fields or keys, ``int`` indices.
        name: the name of ``lit`` (the output or input's), for error messages.
        source: what ``lit`` is, for error messages (``output 'o0' of node n0``).
        where: the binding being resolved, for error messages (``node n1, 'x'``).

    Returns:
        The literal that a node bound to ``lit`` followed by ``path`` receives.

    Raises:
        KeyError: a key or field is missing, or the value at some point has no keys or fields.
        IndexError: an index is out of range.
    """
    walk = _Walk(path, name, source, where)
    done = 0
    for key in path:
        kind = lit.WhichOneof("value")
        if kind == "scalar" and lit.scalar.WhichOneof("value") == "union":
            # (propeller and flytekit leave a union unresolved; its value is what the path is into)
            lit = lit.scalar.union.value
            kind = lit.WhichOneof("value")
        if kind == "collection":
            items = lit.collection.literals
            lit = items[walk.index(items, done)]
        elif kind == "map":
            entries = lit.map.literals
            if not isinstance(key, str) or key not in entries:
                raise walk.missing(list(entries), "dict", done)
            lit = entries[key]
        else:
            break
        done += 1
    if done == len(path):
        return lit
    which = lit.scalar.WhichOneof("value") if lit.WhichOneof("value") == "scalar" else None
    if which == "binary":
        return _in_msgpack(lit.scalar.binary, walk, done)
    if which == "generic":
        return _in_struct(lit.scalar.generic, walk, done)
    raise walk.no_items(done, _describe_literal(lit))


def _in_msgpack(binary: _idl.Binary, walk: _Walk, done: int) -> _idl.Literal:
    if binary.tag != "msgpack":
        raise walk.no_items(done, f"a binary tagged {binary.tag!r} (only msgpack binaries can be read)")
    import msgpack  # imported on the first path into a dataclass: lists and dicts never need it

    value: Any = msgpack.unpackb(binary.value, strict_map_key=False)
    for i in range(done, len(walk.path)):
        if isinstance(value, dict):
            if walk.path[i] not in value:
                raise walk.missing(list(value), "dataclass or dict", i)
            value = value[walk.path[i]]
        elif isinstance(value, list):
            value = value[walk.index(value, i)]
        else:
            raise walk.no_items(i, _describe_plain(value))
    return _idl.Literal(scalar=_idl.Scalar(binary=_idl.Binary(value=msgpack.packb(value), tag="msgpack")))


def _in_struct(st: _idl.Struct, walk: _Walk, done: int) -> _idl.Literal:
    value: Any = st
    for i in range(done, len(walk.path)):
        key = walk.path[i]
        if isinstance(value, _idl.Struct):
            if not isinstance(key, str) or key not in value:
                raise walk.missing(list(value.keys()), "dataclass or dict", i)
            value = value[key]
        elif isinstance(value, _idl.ListValue):
            value = value[walk.index([value[j] for j in range(len(value))], i)]
        else:
            raise walk.no_items(i, _describe_plain(value))
    return _from_struct_value(value, walk)


def _from_struct_value(value: Any, walk: _Walk) -> _idl.Literal:
    """A part of a generic struct as propeller turns it into a literal: a struct stays a struct, a list
    becomes a collection, a string, number or bool a primitive (a struct's numbers are all floats)."""
    if isinstance(value, _idl.Struct):
        generic = _idl.Struct()
        generic.CopyFrom(value)
        return _idl.Literal(scalar=_idl.Scalar(generic=generic))
    if isinstance(value, _idl.ListValue):
        items = [_from_struct_value(value[j], walk) for j in range(len(value))]
        return _idl.Literal(collection=_idl.LiteralCollection(literals=items))
    if isinstance(value, bool):
        return _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(boolean=value)))
    if isinstance(value, str):
        return _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(string_value=value)))
    if isinstance(value, (int, float)):
        return _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(float_value=float(value))))
    raise KeyError(
        f"{walk.head()}: it is {_describe_plain(value)} in a generic struct, which has no literal form "
        "(propeller refuses it too)"
    )


def _describe_literal(lit: _idl.Literal) -> str:
    kind = lit.WhichOneof("value")
    if kind == "scalar":
        inner = lit.scalar.WhichOneof("value")
        if inner == "primitive":
            return f"a {lit.scalar.primitive.WhichOneof('value') or 'empty'} primitive"
        return f"a {inner or 'empty'} scalar"
    return f"a {kind or 'empty'} literal"


def _describe_plain(value: Any) -> str:
    if value is None:
        return "None"
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}"
