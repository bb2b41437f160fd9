"""The JSON schema of a dataclass, as Flyte's Python SDK writes it into ``LiteralType.metadata``.

Flyte consoles and CLIs read this schema to build input forms, and it is part of the bytes of every
task template that takes a dataclass, so it must match what the cluster already has. It is the
JSON Schema that ``mashumaro`` generates; mashumaro is imported here, on the first dataclass literal
type, never at ``import flyweight``.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import typing
from functools import cache
from typing import Any

from flyweight._idl import Struct
from flyweight.types._ir._nodes import Kind, Node

_log = logging.getLogger("flyweight.types")


def json_schema(node: Node) -> Struct | None:
    """The schema of the dataclass ``node`` as a protobuf Struct, or None (logged) if none can be made.

    A field holding a data type stored by reference (``FlyteFile``, ``StructuredDataset``...) is
    described by its transformer's ``_schema_stand_in``: a plain dataclass shaped as Flyte's Python
    SDK's class of that name, so the schema is the one the cluster already has."""
    return _schema_of(_schema_class(node))


@cache
def _schema_of(cls: type) -> Struct | None:
    try:
        from mashumaro.jsonschema import build_json_schema

        try:
            schema: dict[str, Any] = build_json_schema(cls).to_dict()
        except TypeError:  # unhashable Annotated metadata: retry with the wrappers removed
            schema = build_json_schema(_plain_annotations(cls)).to_dict()
        plain = json.loads(json.dumps(schema))
    except Exception as e:  # the schema only helps UIs; a type that has none still works
        _log.warning("no JSON schema for dataclass %s: %s", cls.__qualname__, e)
        return None
    out = Struct()
    out.update(plain)
    return out


def _plain_annotations(cls: type) -> type:
    """``cls``, or a copy whose fields have ``Annotated[...]`` wrappers removed (mashumaro hashes types)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    if not any(_has_annotated(t) for t in hints.values()):
        return cls
    fields: list[Any] = []
    for f in dataclasses.fields(cls):
        t = _strip(hints.get(f.name, f.type))
        if f.default is not dataclasses.MISSING:
            fields.append((f.name, t, dataclasses.field(default=f.default)))
        elif f.default_factory is not dataclasses.MISSING:
            fields.append((f.name, t, dataclasses.field(default_factory=f.default_factory)))
        else:
            fields.append((f.name, t))
    return dataclasses.make_dataclass(cls.__name__, fields)


def _has_annotated(t: Any) -> bool:
    if typing.get_origin(t) is typing.Annotated:
        return True
    return any(_has_annotated(a) for a in typing.get_args(t))


def _strip(t: Any) -> Any:
    if typing.get_origin(t) is typing.Annotated:
        return _strip(typing.get_args(t)[0])
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin is None or not args:
        return t
    stripped = tuple(_strip(a) for a in args)
    if origin is list:
        return list[stripped[0]]  # type: ignore[valid-type]
    if origin is dict:
        return dict[stripped[0], stripped[1]]  # type: ignore[valid-type]
    if origin is typing.Union or type(t).__name__ == "UnionType":
        return typing.Union[stripped]
    return t


def _schema_class(node: Node) -> type:
    """The dataclass to build the schema of: ``node.cls``, or a copy with stand-ins for data types."""
    if not _has_stand_in(node, set()):
        return typing.cast(type, node.cls)
    return _with_stand_ins(node)


def _has_stand_in(node: Node, seen: set[int]) -> bool:
    if id(node) in seen:
        return False
    seen.add(id(node))
    if node.kind is Kind.CUSTOM:
        return _stand_in(node) is not None
    return any(_has_stand_in(a, seen) for a in node.args) or any(
        _has_stand_in(f.node, seen) for f in node.fields
    )


@cache
def _with_stand_ins(node: Node) -> type:
    cls = node.cls
    by_name = {f.name: f for f in dataclasses.fields(cls)}
    fields: list[Any] = []
    for spec in node.fields:
        f = by_name[spec.name]
        t = _schema_type(spec.node)
        if f.default is not dataclasses.MISSING:
            fields.append((f.name, t, dataclasses.field(default=f.default, metadata=f.metadata)))
        elif f.default_factory is not dataclasses.MISSING:
            fields.append(
                (f.name, t, dataclasses.field(default_factory=f.default_factory, metadata=f.metadata))
            )
        else:
            fields.append((f.name, t, dataclasses.field(metadata=f.metadata)))
    return dataclasses.make_dataclass(cls.__name__, fields)


def _schema_type(node: Node) -> Any:
    """The annotation a field of kind ``node`` gets in the copy made for the schema."""
    kind = node.kind
    if kind is Kind.CUSTOM:
        stand_in = _stand_in(node)
        return stand_in if stand_in is not None else _strip(node.py_type)
    if kind is Kind.DATACLASS:
        return _schema_class(node)
    if kind is Kind.LIST:
        return list[_schema_type(node.args[0])]  # type: ignore[misc]
    if kind is Kind.MAP:
        return dict[str, _schema_type(node.args[0])]  # type: ignore[misc]
    if kind is Kind.MSGPACK_DICT and node.args:
        return dict[_schema_type(node.args[0]), _schema_type(node.args[1])]  # type: ignore[misc]
    if kind is Kind.UNION:
        return typing.Union[tuple(_schema_type(a) for a in node.args)]
    return _strip(node.py_type)


def _stand_in(node: Node) -> Any:
    hook = getattr(node.transformer, "_schema_stand_in", None)
    return hook(node.py_type) if hook is not None else None
