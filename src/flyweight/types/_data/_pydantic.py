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

Not supported yet: models holding files, directories or tables (Flyte's Python SDK gives its own
``FlyteFile`` pydantic hooks that upload on dump); such a model is refused with ``NotSupportedError``.
"""

from __future__ import annotations

import json
import logging
import typing
from typing import TYPE_CHECKING, Any

from flyweight._idl import Literal, LiteralType, SimpleType
from flyweight.errors import NotSupportedError, TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types._backends._literal_types import MSGPACK_ANNOTATION
from flyweight.types._ir._describe import describe_value, short_repr, type_name
from flyweight.types._registry._engine import TypeEngine
from flyweight.types._registry._transformer import TypeTransformer

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

__all__ = ["PydanticTransformer", "pydantic_transformer"]

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
            _refuse_data(cls, name, field_type)
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
    """A model that cannot be dumped: usually a field assigned a value of the wrong type after the model
    was built; validating its loose dump says which field."""
    cls = type(value)
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


def _refuse_data(cls: Any, name: str, lt: LiteralType) -> None:
    """Files, directories and tables inside a model need upload hooks flyweight does not give pydantic."""
    found = _data_kind(lt)
    if found is not None:
        raise NotSupportedError(
            f"field {name!r} of pydantic model {cls.__qualname__} holds {found}: pydantic models holding "
            "files, directories or tables are not supported yet; pass it as a separate task input or "
            "output, or use a dataclass"
        )


def _data_kind(lt: LiteralType) -> str | None:
    which = lt.WhichOneof("type")
    if which == "blob":
        return None if lt.blob.format == "PythonPickle" else "a file or directory"
    if which in ("structured_dataset_type", "schema"):
        return "a table"
    if which == "collection_type":
        return _data_kind(lt.collection_type)
    if which == "map_value_type":
        return _data_kind(lt.map_value_type)
    if which == "union_type":
        for variant in lt.union_type.variants:
            found = _data_kind(variant)
            if found is not None:
                return found
    return None


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
