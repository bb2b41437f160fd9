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

_log = logging.getLogger("flyweight.types")


@cache
def json_schema(cls: type) -> Struct | None:
    """The schema of ``cls`` as a protobuf Struct, or None (logged) if no schema can be made for it."""
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
