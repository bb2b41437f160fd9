"""pydantic v2 models (``BaseModel`` subclasses) as Flyte values, written as Flyte's Python SDK writes them.

The literal type is a ``STRUCT`` whose ``metadata`` is the model's own JSON schema
(``model_json_schema()``), whose ``structure.dataclass_type`` holds the literal type of each field that
has one (for attribute access on the cluster), and whose annotation says the value is msgpack. A value is
a ``msgpack`` binary scalar: the model dumped in JSON mode (``model_dump_json``, so enums, datetimes and
nested models become plain JSON values), parsed back and packed with msgpack. Reading unpacks it and
validates it with ``model_validate_json(strict=False)``; a ``generic`` Struct (the Flyte console's form)
is read too.

pydantic is an optional dependency: this module is imported only when a model type is first converted
(the ``flyweight.types`` façade declares ``pydantic.main.BaseModel`` to the engine lazily), so
``import flyweight`` never imports pydantic.

Models may hold ``FlyteFile``, ``FlyteDirectory``, ``StructuredDataset`` and ``FlyteSchema`` fields (also in
lists, dicts and ``Optional``), stored as Flyte's Python SDK stores them: a reference (``{"path": uri}``,
``{"uri", "file_format"}``, ``{"remote_path"}``) written after uploading local data, read back into a value
whose remote data downloads on first use. Those classes give pydantic a ``__get_pydantic_core_schema__``
hook that calls :func:`data_core_schema` here; it reuses the plain-data hooks their transformers give
dataclass fields, and describes each field in the model's JSON schema with a stand-in dataclass shaped
and named as Flyte's Python SDK's class (``FlyteFile``, ``_SpecificFormatClass``, ...), so the literal type
is byte-identical. The hook is only ever called by pydantic, so it imports nothing pydantic has not.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import os
import threading
import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flyweight._idl import Literal, LiteralType, SimpleType
from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types._backends._literal_types import MSGPACK_ANNOTATION
from flyweight.types._backends._plain import from_plain, to_plain
from flyweight.types._ir._describe import describe_value, short_repr, type_name
from flyweight.types._ir._nodes import Kind, stores_in_dataclass
from flyweight.types._registry._engine import TypeEngine
from flyweight.types._registry._transformer import TypeTransformer

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

__all__ = ["PydanticTransformer", "data_core_schema", "pydantic_transformer"]

_log = logging.getLogger("flyweight.types")

NAME = "Pydantic Transformer"  # Flyte's Python SDK's name: the union-variant tag of a model

# pydantic error types -> the Python type the value should have been (for "expected int, got str 'x'")
_EXPECTED = {
    "int_type": "int",
    "int_parsing": "int",
    "int_from_float": "int",
    "float_type": "float",
    "float_parsing": "float",
    "string_type": "str",
    "bool_type": "bool",
    "bool_parsing": "bool",
    "list_type": "list",
    "dict_type": "dict",
    "datetime_type": "datetime",
    "datetime_parsing": "datetime",
    "datetime_from_date_parsing": "datetime",
    "date_type": "date",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "time_delta_type": "timedelta",
    "time_delta_parsing": "timedelta",
}


class PydanticTransformer(TypeTransformer[Any]):
    """pydantic ``BaseModel`` subclasses ⇄ msgpack binary scalars (Flyte's Python SDK's encoding)."""

    def __init__(self, base: type) -> None:
        super().__init__(NAME, base)

    def assert_type(self, t: Any, v: Any) -> None:
        cls = _model_class(t)
        if not isinstance(v, cls):
            raise TypeTransformerFailedError(f"expected {type_name(t)}, got {describe_value(v)}")

    def get_literal_type(self, t: Any) -> LiteralType:
        cls = _model_class(t)
        fields: dict[str, LiteralType] = {}
        for name, info in cls.model_fields.items():
            try:
                field_type = TypeEngine.to_literal_type(info.annotation)
            except Exception as e:  # as Flyte's Python SDK: the field is left out of the structure
                _log.warning("field %r of %s has no literal type: %s", name, cls.__qualname__, e)
                continue
            fields[name] = field_type
        try:
            schema = json.loads(json.dumps(cls.model_json_schema()))
        except Exception as e:  # Flyte's Python SDK fails here too
            raise UnsupportedTypeError(f"pydantic model {cls.__qualname__} has no JSON schema: {e}") from None
        lt = LiteralType(simple=SimpleType.STRUCT)
        lt.metadata.update(schema)
        lt.annotation.annotations.update(MSGPACK_ANNOTATION)
        lt.structure.SetInParent()
        for name, field_type in fields.items():
            lt.structure.dataclass_type[name].CopyFrom(field_type)
        return lt

    def to_literal(
        self, ctx: FlyteContext | None, python_val: Any, python_type: Any, expected: LiteralType | None
    ) -> Literal:
        import msgpack
        from pydantic_core import PydanticSerializationError

        cls = _model_class(python_type)
        if not isinstance(python_val, cls):
            raise TypeTransformerFailedError(
                f"expected {type_name(python_type)}, got {describe_value(python_val)}"
            )
        _FAILED.found = None
        try:
            text = python_val.model_dump_json(warnings="error")
        except PydanticSerializationError as e:
            raise _dump_failure(python_val, e) from None
        lit = Literal()
        binary = lit.scalar.binary
        binary.value = msgpack.packb(json.loads(text))
        binary.tag = "msgpack"
        return lit

    def to_python_value(self, ctx: FlyteContext | None, lv: Literal, expected_python_type: Any) -> Any:
        cls = _model_class(expected_python_type)
        scalar = lv.scalar
        kind = scalar.WhichOneof("value") if lv.WhichOneof("value") == "scalar" else None
        if kind == "binary":
            if scalar.binary.tag != "msgpack":
                raise TypeTransformerFailedError(
                    f"expected {cls.__qualname__} (msgpack), "
                    f"got a binary literal tagged {scalar.binary.tag!r}"
                )
            import msgpack

            try:
                data = msgpack.unpackb(scalar.binary.value, strict_map_key=False)
                text = json.dumps(data)
            except (ValueError, TypeError) as e:
                raise TypeTransformerFailedError(
                    f"cannot read {cls.__qualname__}: bad msgpack: {e}"
                ) from None
        elif kind == "generic":
            from google.protobuf import json_format

            text = json_format.MessageToJson(scalar.generic)
        else:
            raise TypeTransformerFailedError(
                f"expected {cls.__qualname__} (a msgpack binary literal), got {_literal_kind(lv)}"
            )
        return validate(cls, text)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        raise ValueError("a pydantic model cannot be rebuilt from its literal type")


def validate(cls: Any, text: str) -> Any:
    """``cls.model_validate_json(text)`` as Flyte's Python SDK calls it; errors name the field."""
    from pydantic import ValidationError

    try:
        return cls.model_validate_json(text, strict=False, context={"deserialize": True})
    except ValidationError as e:
        raise _validation_failure(cls, e) from None


def _validation_failure(cls: Any, e: Any) -> TypeTransformerFailedError:
    errors = e.errors(include_url=False)
    if not errors:  # pragma: no cover - pydantic always reports at least one
        return TypeTransformerFailedError(f"invalid {cls.__qualname__}: {e}")
    first = errors[0]
    loc = tuple(first.get("loc", ()))
    kind = first.get("type", "")
    error = (first.get("ctx") or {}).get("error")
    if isinstance(error, TypeTransformerFailedError):  # raised by a file, directory or table field
        return TypeTransformerFailedError(error.reason, [*(_segment(p) for p in loc), *error.path])
    if kind == "missing":
        reason = f"missing required field {loc[-1]!r} of {cls.__qualname__}" if loc else "missing value"
        loc = loc[:-1]
    elif kind in _EXPECTED:
        reason = f"expected {_EXPECTED[kind]}, got {describe_value(first.get('input'))}"
    else:
        reason = f"{first.get('msg', 'invalid value')}, got {describe_value(first.get('input'))}"
    more = len(errors) - 1
    if more:
        reason += f" (and {more} more error{'s' if more > 1 else ''})"
    return TypeTransformerFailedError(reason, [_segment(p) for p in loc])


def _segment(part: object) -> str:
    return f"[{part}]" if isinstance(part, int) else f".{part}"


def _dump_failure(value: Any, e: Exception) -> TypeTransformerFailedError:
    """A model that cannot be dumped: a file, directory or table field that could not be stored (the
    error its serializer recorded, placed at the field), or usually a field assigned a value of the
    wrong type after the model was built (validating its loose dump says which field)."""
    cls = type(value)
    failed: tuple[object, TypeTransformerFailedError] | None = getattr(_FAILED, "found", None)
    _FAILED.found = None
    if failed is not None:
        bad, error = failed
        where = _path_to(value, bad)
        return TypeTransformerFailedError(error.reason, [*(where or ()), *error.path])
    try:
        loose = value.model_dump_json(warnings="none")
    except Exception:
        loose = None
    if loose is not None:
        try:
            validate(cls, loose)
        except TypeTransformerFailedError as found:
            return found
    return TypeTransformerFailedError(f"cannot store {cls.__qualname__} {short_repr(value)}: {e}")


def _path_to(root: object, target: object, depth: int = 0) -> list[str] | None:
    """The path segments from ``root`` (a model, list or dict) to the object ``target`` (by identity)."""
    if root is target:
        return []
    if depth > 50:  # pragma: no cover - a self-referencing structure
        return None
    items: typing.Iterable[tuple[str, object]]
    fields = getattr(type(root), "model_fields", None)
    if isinstance(fields, dict):
        items = [(f".{name}", getattr(root, name, None)) for name in fields]
    elif isinstance(root, (list, tuple)):
        items = [(f"[{i}]", x) for i, x in enumerate(root)]
    elif isinstance(root, dict):
        items = [(f"[{k!r}]", x) for k, x in root.items()]
    else:
        return None
    for segment, child in items:
        found = _path_to(child, target, depth + 1)
        if found is not None:
            return [segment, *found]
    return None


# -- files, directories and tables as model fields ------------------------------------------------

_FAILED = threading.local()
"""``found``: the value whose data-field serializer failed during the current dump, and its error
(pydantic reports a serializer's error without the field's path; :func:`_dump_failure` finds it)."""

# The class Flyte's Python SDK describes a field with in a model's JSON schema, by the stand-in's name
# (the plain type) and whether the type is specialised (a format, or columns): title, description.
_DATASET_DOC = (
    "This is the user facing StructuredDataset class. Please don't confuse it with the "
    "literals.StructuredDataset\nclass (that is just a model, a Python class representation of the "
    "protobuf)."
)
_SHAPES: dict[tuple[str, bool], tuple[str, str | None]] = {
    ("FlyteFile", False): ("FlyteFile", None),
    ("FlyteFile", True): ("_SpecificFormatClass", None),
    ("FlyteDirectory", False): ("FlyteDirectory", None),
    ("FlyteDirectory", True): ("_SpecificFormatDirectoryClass", None),
    ("StructuredDataset", False): ("StructuredDataset", _DATASET_DOC),
    ("StructuredDataset", True): ("StructuredDataset", _DATASET_DOC),
    ("FlyteSchema", False): ("FlyteSchema", None),
    ("FlyteSchema", True): ("_TypedSchema", None),
}


def data_core_schema(source: Any, handler: Any) -> Any:
    """The pydantic core schema of a ``FlyteFile`` / ``FlyteDirectory`` / ``StructuredDataset`` /
    ``FlyteSchema`` model field (their ``__get_pydantic_core_schema__``).

    Validating: a value of the class is kept as it is; a mapping (what ``model_dump`` gave, or JSON) is
    read as the reference Flyte's Python SDK writes, through the transformer's ``_from_plain`` (a remote
    URI downloads on first use). Serializing (``model_dump`` and ``model_dump_json``): the reference,
    through ``_to_plain``, which uploads local data first. The JSON schema is the stand-in dataclass's.
    """
    from pydantic_core import core_schema

    node = TypeEngine._node(source)
    if node.kind is not Kind.CUSTOM or not stores_in_dataclass(node):  # pragma: no cover - defensive
        raise UnsupportedTypeError(f"{type_name(source)} cannot be a field of a pydantic model")
    cls = _model_class(source)
    encode, decode = to_plain(node), from_plain(node)
    transformer: Any = node.transformer
    stand_in = _pydantic_stand_in(transformer._schema_stand_in(node.py_type), _specialised(cls))
    names = [f.name for f in dataclasses.fields(stand_in)]

    def check(v: Any, inner: Any) -> Any:
        if isinstance(v, cls):
            return v
        if isinstance(v, Mapping):  # JSON, or what model_dump gave: the transformer checks the reference
            return decode(dict(v))
        reference = inner(v)  # anything else: the stand-in's error ("Input should be a dictionary ...")
        plain = {}
        for name in names:
            x = getattr(reference, name)
            plain[name] = os.fspath(x) if isinstance(x, os.PathLike) else x
        return decode(plain)

    def serialize(v: Any) -> Any:
        try:
            return encode(v)
        except TypeTransformerFailedError as e:
            _FAILED.found = (v, e)
            raise

    # A wrap validator around the stand-in's schema: pydantic then takes the field's JSON schema (a
    # ``$ref`` with no title of its own) from the stand-in, as it does for Flyte's Python SDK's classes.
    return core_schema.no_info_wrap_validator_function(
        check,
        handler.generate_schema(stand_in),
        serialization=core_schema.plain_serializer_function_ser_schema(serialize),
    )


def _specialised(cls: Any) -> bool:
    """Whether Flyte's Python SDK makes a class of its own for this type (a format, or columns)."""
    extension = getattr(cls, "extension", None)
    if callable(extension):
        return bool(extension())
    columns = getattr(cls, "columns", None)
    return bool(columns()) if callable(columns) else False


@functools.cache
def _pydantic_stand_in(base: type, specialised: bool) -> type:
    """``base`` (a stand-in dataclass, see ``_stand_ins``) renamed and documented as Flyte's Python SDK's
    class for the type, so pydantic gives the JSON schema the same title, description and ``$defs`` key."""
    title, doc = _SHAPES.get((base.__name__, specialised), (base.__name__, None))
    if title == base.__name__ and doc is None:
        return base
    fields = [(f.name, f.type, dataclasses.field(default=f.default)) for f in dataclasses.fields(base)]
    made: type = dataclasses.make_dataclass(title, fields, namespace={"__module__": base.__module__})
    made.__doc__ = doc
    return made


def _literal_kind(lv: Literal) -> str:
    which = lv.WhichOneof("value")
    if which == "scalar":
        return f"a {lv.scalar.WhichOneof('value') or 'empty'} scalar literal"
    return f"a {which or 'empty'} literal"


def _model_class(t: Any) -> Any:
    if typing.get_origin(t) is typing.Annotated:
        t = typing.get_args(t)[0]
    return t


_TRANSFORMER: list[PydanticTransformer] = []


def pydantic_transformer() -> PydanticTransformer:
    """The one pydantic transformer (the engine calls this the first time a model type is converted)."""
    if not _TRANSFORMER:
        from pydantic import BaseModel

        _TRANSFORMER.append(PydanticTransformer(BaseModel))
    return _TRANSFORMER[0]
