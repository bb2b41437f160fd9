"""Input types as the command line sees them: readable names (``list[int]``, ``Optional[Config]``) and the
check that a JSON value has the shape of its type before it is decoded, since the decoder converts what
it should refuse (``"false"`` into ``True``, ``1.7`` into ``1``)."""

from __future__ import annotations

import dataclasses
import enum
import json
import re
import types
import typing
from typing import Any

__all__ = ["admits_none", "conform", "is_union", "optional_of", "strip_annotated", "type_name"]


def strip_annotated(py_type: Any) -> Any:
    while typing.get_origin(py_type) is typing.Annotated:
        py_type = py_type.__origin__
    return py_type


def optional_of(py_type: Any) -> Any | None:
    """``T`` for ``Optional[T]`` (one other member), else None."""
    if typing.get_origin(py_type) not in (typing.Union, types.UnionType):
        return None
    others = [a for a in typing.get_args(py_type) if a is not type(None)]
    if len(others) == len(typing.get_args(py_type)) or len(others) != 1:
        return None
    return others[0]


def is_union(py_type: Any) -> bool:
    return typing.get_origin(py_type) in (typing.Union, types.UnionType)


def admits_none(py_type: Any) -> bool:
    py_type = strip_annotated(py_type)
    return py_type is type(None) or (is_union(py_type) and type(None) in typing.get_args(py_type))


def type_name(py_type: Any) -> str:
    """A short readable name of an input type: ``int``, ``list[int]``, ``Optional[Config]``."""
    py_type = strip_annotated(py_type)
    inner = optional_of(py_type)
    if inner is not None:
        return f"Optional[{type_name(inner)}]"
    if is_union(py_type):
        return " | ".join(type_name(a) for a in typing.get_args(py_type))
    origin = typing.get_origin(py_type)
    if origin is not None:
        args = typing.get_args(py_type)
        base = getattr(origin, "__name__", str(origin))
        return f"{base}[{', '.join(type_name(a) for a in args)}]" if args else base
    if py_type is type(None):
        return "None"
    if isinstance(py_type, type):
        return py_type.__name__
    return str(py_type).replace("typing.", "")


_JSON_KINDS = {bool: "boolean", int: "number", float: "number", str: "string", list: "array", dict: "object"}


def _got(raw: object) -> str:
    kind = "null" if raw is None else _JSON_KINDS.get(type(raw), type(raw).__name__)
    return f"{kind} {json.dumps(raw)[:60]}"


def conform(raw: Any, py_type: Any, at: str) -> None:
    """Check the JSON value ``raw`` has the shape of ``py_type``, because the decoder does not: it would
    turn ``"false"`` into ``True`` and ``1.7`` into ``1``. Types it cannot judge (dates, files, …) pass.

    Raises:
        ValueError: ``expected int, got string "1" at $[0]``.
    """
    py_type = strip_annotated(py_type)
    if raw is None:
        if not admits_none(py_type) and py_type is not Any:
            raise ValueError(f"expected {type_name(py_type)}, got null at {at}")
        return
    if is_union(py_type):
        members = [m for m in typing.get_args(py_type) if m is not type(None)]
        if len(members) == 1:
            conform(raw, members[0], at)
        return  # several members: the decoder picks one
    origin = typing.get_origin(py_type) or py_type
    ok: bool
    if origin is bool:
        ok = isinstance(raw, bool)
    elif origin is int:
        # an integral float (``2.0``) is an int, as the type engine reads one from the console
        ok = (isinstance(raw, int) and not isinstance(raw, bool)) or (
            isinstance(raw, float) and raw.is_integer()
        )
    elif origin is float:
        ok = isinstance(raw, (int, float)) and not isinstance(raw, bool)
    elif origin is str:
        ok = isinstance(raw, str)
    elif origin is list:
        ok = isinstance(raw, list)
        if ok:
            (item,) = typing.get_args(py_type) or (Any,)
            for i, value in enumerate(raw):
                conform(value, item, f"{at}[{i}]")
    elif origin is dict:
        ok = isinstance(raw, dict)
        if ok:
            key, value_type = typing.get_args(py_type) or (Any, Any)
            for k, value in raw.items():
                if strip_annotated(key) is int and not re.fullmatch(r"-?\d+", k):
                    raise ValueError(f"expected int keys, got {json.dumps(k)} at {at}")
                conform(value, value_type, f"{at}.{k}")
    elif isinstance(py_type, type) and dataclasses.is_dataclass(py_type):
        ok = isinstance(raw, dict)
        if ok:
            try:
                hints = typing.get_type_hints(py_type, include_extras=True)
            except Exception:  # an unresolvable annotation: let the decoder judge the fields
                hints = {}
            fields = {f.name: f for f in dataclasses.fields(py_type) if f.init}
            for k, value in raw.items():
                if k not in fields:
                    raise ValueError(
                        f"unknown field {k!r} of {py_type.__name__} at {at} (fields: {', '.join(fields)})"
                    )
                conform(value, hints.get(k, Any), f"{at}.{k}")
    elif isinstance(py_type, type) and issubclass(py_type, enum.Enum):
        ok = any(raw == m.value for m in py_type)
        if not ok:
            raise ValueError(
                f"expected one of {', '.join(json.dumps(m.value) for m in py_type)}, got {_got(raw)} at {at}"
            )
    else:
        return
    if not ok:
        raise ValueError(f"expected {type_name(py_type)}, got {_got(raw)} at {at}")
