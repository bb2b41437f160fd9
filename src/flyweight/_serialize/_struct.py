"""JSON-like Python data ⇄ ``google.protobuf.Struct``, the type of a template's ``custom`` field.

flytekit goes through ``json.dumps`` and ``json_format.Parse``; building the message directly gives the
same bytes, is faster, and lets a bad value be reported with its place (``custom['a'][2]``) instead of
``TypeError: Object of type set is not JSON serializable``. Numbers are doubles on the wire, so an int
comes back as a float; :func:`struct_to_dict` keeps that (flytekit executors expect it) and typed
configuration (``TaskTemplate.custom_as``) restores field types.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from flyweight._idl import NULL_VALUE, ListValue, Struct, Value
from flyweight.errors import TaskDefinitionError

__all__ = ["dict_to_struct", "struct_to_dict", "value_to_python"]


def dict_to_struct(data: Mapping[str, object], where: str = "custom") -> Struct:
    """A ``Struct`` holding ``data``; keys must be strings, values JSON-like (None, bool, numbers, str,
    lists, tuples, dicts)."""
    out = Struct()
    _fill_struct(out, data, where)
    return out


def _fill_struct(out: Struct, data: Mapping[str, object], where: str) -> None:
    fields = out.fields
    for key, value in data.items():
        if not isinstance(key, str):
            raise TaskDefinitionError(
                f"{where} keys must be strings, got {type(key).__name__} {key!r}; convert the key with str()"
            )
        _fill_value(fields[key], value, f"{where}[{key!r}]")


def _fill_value(out: Value, value: object, where: str) -> None:
    if value is None:
        out.null_value = NULL_VALUE
    elif value is True or value is False:
        out.bool_value = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if math.isnan(number) or math.isinf(number):
            raise TaskDefinitionError(
                f"{where}: {value!r} cannot be stored in a task template (JSON has no NaN/inf)"
            )
        out.number_value = number
    elif isinstance(value, str):
        out.string_value = value
    elif isinstance(value, Mapping):
        out.struct_value.SetInParent()
        _fill_struct(out.struct_value, value, where)
    elif isinstance(value, list | tuple):
        lst: ListValue = out.list_value
        lst.SetInParent()
        for i, item in enumerate(value):
            _fill_value(lst.values.add(), item, f"{where}[{i}]")
    else:
        raise TaskDefinitionError(
            f"{where}: a {type(value).__name__} cannot be stored in a task template; use JSON-like values "
            "(None, bool, int, float, str, list, dict) or a dataclass task_config"
        )


def struct_to_dict(struct: Struct) -> dict[str, Any]:
    """The Python dict a ``Struct`` holds (numbers as floats, as every JSON reader of it sees them)."""
    return {k: value_to_python(v) for k, v in struct.fields.items()}


def value_to_python(v: Value) -> Any:
    which = v.WhichOneof("kind")
    if which == "number_value":
        return v.number_value
    if which == "string_value":
        return v.string_value
    if which == "bool_value":
        return v.bool_value
    if which == "struct_value":
        return struct_to_dict(v.struct_value)
    if which == "list_value":
        return [value_to_python(x) for x in v.list_value.values]
    return None
