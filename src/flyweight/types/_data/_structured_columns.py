"""Column declarations of tables: ``Annotated[StructuredDataset, kwtypes(a=int), "parquet"]`` → types.

A structured dataset's literal type lists the columns a task declares (each with a Flyte literal
type) and the storage format; the legacy ``FlyteSchema`` lists columns with a smaller enum of column
types. Both mappings follow Flyte's Python SDK exactly, since they are part of every task template
that uses them. numpy scalar types are accepted as column types without importing numpy: a program
that names ``numpy.int64`` has already imported it.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import sys
import typing
from typing import Any

from flyweight._idl import LiteralType, SchemaType, SimpleType, StructuredDatasetType
from flyweight.errors import UnsupportedTypeError
from flyweight.types._ir._describe import type_name

__all__ = ["DatasetSpec", "dataset_spec", "dataset_type", "schema_column_type"]

_SIMPLE: dict[type, SimpleType] = {
    int: SimpleType.INTEGER,
    float: SimpleType.FLOAT,
    bool: SimpleType.BOOLEAN,
    str: SimpleType.STRING,
    datetime.datetime: SimpleType.DATETIME,
    datetime.timedelta: SimpleType.DURATION,
}

# numpy scalar type name -> the simple type of a structured-dataset column
_NUMPY_SIMPLE: dict[str, SimpleType] = {
    "int32": SimpleType.INTEGER,
    "int64": SimpleType.INTEGER,
    "uint32": SimpleType.INTEGER,
    "uint64": SimpleType.INTEGER,
    "float32": SimpleType.FLOAT,
    "float64": SimpleType.FLOAT,
    "bool_": SimpleType.BOOLEAN,
    "datetime64": SimpleType.DATETIME,
    "timedelta64": SimpleType.DURATION,
    "bytes_": SimpleType.STRING,
    "str_": SimpleType.STRING,
    "object_": SimpleType.STRING,
}

_SCHEMA_COLUMN: dict[SimpleType, SchemaType.SchemaColumn.SchemaColumnType] = {
    SimpleType.INTEGER: SchemaType.SchemaColumn.SchemaColumnType.INTEGER,
    SimpleType.FLOAT: SchemaType.SchemaColumn.SchemaColumnType.FLOAT,
    SimpleType.STRING: SchemaType.SchemaColumn.SchemaColumnType.STRING,
    SimpleType.BOOLEAN: SchemaType.SchemaColumn.SchemaColumnType.BOOLEAN,
    SimpleType.DATETIME: SchemaType.SchemaColumn.SchemaColumnType.DATETIME,
    SimpleType.DURATION: SchemaType.SchemaColumn.SchemaColumnType.DURATION,
}
SCHEMA_TO_SIMPLE: dict[SchemaType.SchemaColumn.SchemaColumnType, SimpleType] = {
    v: k for k, v in _SCHEMA_COLUMN.items()
}
SCHEMA_TO_PYTHON: dict[SchemaType.SchemaColumn.SchemaColumnType, type] = {
    _SCHEMA_COLUMN[v]: k for k, v in _SIMPLE.items()
}


class DatasetSpec(typing.NamedTuple):
    """What an annotation says about a table: the base type, columns, format and arrow schema."""

    base: Any
    columns: collections.OrderedDict[str, Any] | None
    format: str
    arrow_schema: Any


def dataset_spec(t: Any) -> DatasetSpec:
    """Split ``Annotated[X, columns, format, pyarrow.Schema]`` (any of the extras may be missing).

    Columns are a mapping (``kwtypes(a=int)``) or a class with annotations (a dataclass); the format
    is a string; an arrow schema is a ``pyarrow.Schema``.
    """
    if typing.get_origin(t) is not typing.Annotated:
        return DatasetSpec(t, None, "", None)
    base, *extras = typing.get_args(t)
    columns: collections.OrderedDict[str, Any] | None = None
    fmt = ""
    arrow_schema = None
    for extra in extras:
        if isinstance(extra, type) and hasattr(extra, "__annotations__"):
            columns = collections.OrderedDict(typing.get_type_hints(extra))
        elif isinstance(extra, dict):
            columns = collections.OrderedDict(extra)
        elif isinstance(extra, str):
            if fmt:
                raise UnsupportedTypeError(
                    f"{type_name(t)} names two storage formats, {fmt!r} and {extra!r}; give at most one"
                )
            fmt = extra
        elif type(extra).__module__.startswith("pyarrow") and type(extra).__name__ == "Schema":
            if arrow_schema is not None:
                raise UnsupportedTypeError(f"{type_name(t)} has two arrow schemas; give at most one")
            arrow_schema = extra
    return DatasetSpec(base, columns, fmt, arrow_schema)


def dataset_type(t: Any) -> StructuredDatasetType:
    """The ``StructuredDatasetType`` of an annotation, as Flyte's Python SDK writes it."""
    spec = dataset_spec(t)
    sdt = StructuredDatasetType(format=spec.format)
    add_dataset_columns(sdt, spec.columns)
    if spec.arrow_schema is not None:
        sdt.external_schema_type = "arrow"
        sdt.external_schema_bytes = spec.arrow_schema.to_string().encode()
    return sdt


def add_dataset_columns(sdt: StructuredDatasetType, columns: typing.Mapping[str, Any] | None) -> None:
    """Append ``columns`` (name → type; nested mappings and dataclasses flatten to ``a.b``) to ``sdt``."""
    if not columns:
        return
    for name, col_type in _flatten(columns, ""):
        sdt.columns.add(name=name, literal_type=_column_literal_type(name, col_type))


def _flatten(columns: typing.Mapping[str, Any], parent: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in columns.items():
        name = f"{parent}.{key}" if parent else key
        if isinstance(value, dict):
            out.extend(_flatten(value, name))
        elif isinstance(value, type) and dataclasses.is_dataclass(value):
            out.extend(_flatten(typing.get_type_hints(value), name))
        else:
            out.append((name, value))
    return out


def _column_literal_type(name: str, t: Any) -> LiteralType:
    simple = _simple(t)
    if simple is not None:
        return LiteralType(simple=simple)
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin is list and args:
        return LiteralType(collection_type=_column_literal_type(name, args[0]))
    if origin is dict and len(args) == 2:
        return LiteralType(map_value_type=_column_literal_type(name, args[1]))
    raise UnsupportedTypeError(
        f"column {name!r} has type {type_name(t)}, which a structured dataset cannot declare; column "
        "types are int, float, bool, str, datetime, timedelta (or numpy's), and list[T] / dict[str, T] "
        "of those"
    )


def _simple(t: Any) -> SimpleType | None:
    found = _SIMPLE.get(t)
    if found is not None:
        return found
    np = sys.modules.get("numpy")
    if np is not None and isinstance(t, type) and t.__module__ == "numpy":
        for np_name, simple in _NUMPY_SIMPLE.items():
            if getattr(np, np_name, None) is t:
                return simple
    return None


def schema_column_type(name: str, t: Any) -> SchemaType.SchemaColumn.SchemaColumnType:
    """The ``SchemaColumnType`` of a ``FlyteSchema`` column declared as ``t``."""
    simple = _simple(t)
    if simple is None:
        raise UnsupportedTypeError(
            f"FlyteSchema column {name!r} has type {type_name(t)}; schema columns are int, float, "
            "bool, str, datetime and timedelta (or numpy's scalar types)"
        )
    return _SCHEMA_COLUMN[simple]
