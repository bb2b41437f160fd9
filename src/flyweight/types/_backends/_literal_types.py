"""IR node → ``flyteidl.core.LiteralType``: what a Python annotation looks like on the wire."""

from __future__ import annotations

from typing import Any

from flyweight._idl import (
    BlobType,
    EnumType,
    LiteralType,
    SimpleType,
    Struct,
    TypeAnnotation,
    UnionType,
    as_message,
)
from flyweight.errors import UnsupportedTypeError
from flyweight.types._ir._nodes import Kind, Node

_SIMPLE = {
    Kind.INT: SimpleType.INTEGER,
    Kind.FLOAT: SimpleType.FLOAT,
    Kind.STR: SimpleType.STRING,
    Kind.BOOL: SimpleType.BOOLEAN,
    Kind.DATETIME: SimpleType.DATETIME,
    Kind.DATE: SimpleType.DATETIME,
    Kind.DURATION: SimpleType.DURATION,
    Kind.NONE: SimpleType.NONE,
}

MSGPACK_ANNOTATION = {"cache-key-metadata": {"serialization-format": "msgpack"}}


def literal_type(node: Node) -> LiteralType:
    """The node's literal type (cached on the node; callers get their own copy)."""
    cached = node.c_literal_type
    if cached is None:
        cached = _build(node)
        if node.annotation is not None:
            _merge_annotation(cached, node.annotation)
        node.c_literal_type = cached
    out = LiteralType()
    out.CopyFrom(cached)
    return out


def stored_type(node: Node) -> LiteralType:
    """The type a union literal records for the variant ``node``: its own type, tagged, no user annotation."""
    lt = _build(node)
    lt.ClearField("structure")
    lt.structure.tag = node.tag
    return lt


def struct_from(data: dict[str, Any]) -> Struct:
    s = Struct()
    s.update(data)
    return s


def _build(node: Node) -> LiteralType:
    kind = node.kind
    simple = _SIMPLE.get(kind)
    if simple is not None:
        return LiteralType(simple=simple)
    if kind is Kind.LIST:
        return LiteralType(collection_type=literal_type(node.args[0]))
    if kind is Kind.MAP:
        return LiteralType(map_value_type=literal_type(node.args[0]))
    if kind is Kind.MSGPACK_DICT:
        return LiteralType(
            simple=SimpleType.STRUCT, annotation=TypeAnnotation(annotations=struct_from(MSGPACK_ANNOTATION))
        )
    if kind is Kind.UNION:
        variants = []
        for v in node.args:
            vt = literal_type(v)
            vt.ClearField("structure")
            vt.structure.tag = v.tag
            variants.append(vt)
        return LiteralType(union_type=UnionType(variants=variants))
    if kind is Kind.ENUM:
        return LiteralType(enum_type=EnumType(values=[m.value for m in node.cls]))
    if kind is Kind.DATACLASS:
        return _dataclass_type(node)
    if kind is Kind.ANY:
        return _pickle_type(node.py_type)
    if kind is Kind.CUSTOM:
        assert node.transformer is not None
        got: object = node.transformer.get_literal_type(node.py_type)
        lt = as_message(got, LiteralType)
        if lt is None:
            raise UnsupportedTypeError(
                f"transformer {node.transformer.name!r} returned {type(got).__name__} from "
                "get_literal_type; it must return a flyteidl LiteralType"
            )
        return lt
    raise UnsupportedTypeError(f"no literal type for {node.name}")  # pragma: no cover - all kinds above


def _dataclass_type(node: Node) -> LiteralType:
    from flyweight.types._backends._json_schema import json_schema

    lt = LiteralType(simple=SimpleType.STRUCT)
    schema = json_schema(node)
    if schema is not None:
        lt.metadata.CopyFrom(schema)
    lt.annotation.annotations.update(MSGPACK_ANNOTATION)
    fields = lt.structure.dataclass_type
    for spec in node.fields:
        fields[spec.name].CopyFrom(literal_type(spec.node))
    return lt


def _pickle_type(py_type: Any) -> LiteralType:
    lt = LiteralType(blob=BlobType(format="PythonPickle", dimensionality=BlobType.BlobDimensionality.SINGLE))
    lt.metadata.update({"python_class_name": str(py_type)})
    return lt


def _merge_annotation(lt: LiteralType, data: dict[str, Any]) -> None:
    existing = dict(lt.annotation.annotations) if lt.HasField("annotation") else {}
    lt.annotation.annotations.Clear()
    lt.annotation.annotations.update({**data, **existing})
