"""IR node → a function that turns a ``flyteidl.core.Literal`` back into a Python value.

Every reader has a fast path for the literal shape its own writer produces and one shared slow path
for everything else a real cluster may hand over: a value wrapped in a union literal, a msgpack
``binary`` scalar (what Flyte's attribute access on dataclasses yields), the generic ``Struct`` that
older SDKs used for dataclasses and dicts, and integral floats from the Flyte console. A literal of
any other shape raises ``TypeTransformerFailedError`` naming what was expected and what came.

A union literal records its variant's type with a ``structure.tag`` (see ``_write``). Reading narrows
the variants by tag and by type, then requires exactly one to accept the value; a value that reads as
more than one variant is ambiguous and an error.
"""

from __future__ import annotations

import datetime
import operator
from collections.abc import Callable
from typing import Any

from flyweight._idl import Literal, LiteralType, SimpleType
from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types._backends._literal_types import literal_type
from flyweight.types._backends._plain import enum_member, from_plain
from flyweight.types._ir._context import current_ctx
from flyweight.types._ir._describe import describe_literal
from flyweight.types._ir._nodes import Kind, Node

Reader = Callable[[Literal], Any]
_UTC = datetime.timezone.utc


def reader(node: Node) -> Reader:
    """The (cached) reader for ``node``."""
    fn = node.c_read
    if fn is None:
        fn = node.c_read = _compile(node)
    return fn


def shape_error(node: Node, lit: Literal) -> TypeTransformerFailedError:
    return TypeTransformerFailedError(f"expected {node.name}, got {describe_literal(lit)}")


def _fallback(node: Node) -> Reader:
    """The slow path shared by all readers (see the module docstring)."""

    def slow(lit: Literal) -> Any:
        which = lit.WhichOneof("value")
        if which == "offloaded_metadata":
            raise TypeTransformerFailedError(
                f"expected {node.name}, got {describe_literal(lit)}: reading offloaded literals needs "
                "remote file access, which flyweight does not support yet"
            )
        if which == "scalar":
            scalar = lit.scalar
            kind = scalar.WhichOneof("value")
            if kind == "union":
                return reader(node)(scalar.union.value)
            if kind == "binary":
                return from_plain(node)(unpack_binary(node, lit))
            if kind == "generic" and node.kind in (Kind.DATACLASS, Kind.MSGPACK_DICT, Kind.LIST, Kind.MAP):
                from google.protobuf.json_format import MessageToDict

                try:
                    plain = MessageToDict(scalar.generic)
                except ValueError as e:  # NaN or infinity in a number: not JSON
                    raise TypeTransformerFailedError(
                        f"expected {node.name}, got a generic struct: {e}"
                    ) from None
                return from_plain(node)(plain)
            if (
                kind == "primitive"
                and node.kind is Kind.INT
                and scalar.primitive.WhichOneof("value") == ("float_value")
            ):
                value = scalar.primitive.float_value
                if value.is_integer():
                    return int(value)
        raise shape_error(node, lit)

    return slow


def unpack_binary(node: Node, lit: Literal) -> object:
    binary = lit.scalar.binary
    if binary.tag != "msgpack":
        raise TypeTransformerFailedError(
            f"expected {node.name}, got {describe_literal(lit)}: only msgpack binary literals can be read"
        )
    import msgpack  # imported on the first msgpack literal: scalars and collections never need it

    try:
        return msgpack.unpackb(binary.value, strict_map_key=False)
    except Exception as e:
        raise TypeTransformerFailedError(f"expected {node.name}, got corrupt msgpack data: {e}") from None


def _compile(node: Node) -> Reader:
    kind = node.kind
    slow = _fallback(node)
    if kind is Kind.INT:

        def r_int(lit: Literal) -> Any:
            p = lit.scalar.primitive
            if p.WhichOneof("value") == "integer":
                return p.integer
            return slow(lit)

        return r_int
    if kind is Kind.FLOAT:

        def r_float(lit: Literal) -> Any:
            p = lit.scalar.primitive
            which = p.WhichOneof("value")
            if which == "float_value":
                return p.float_value
            if which == "integer":
                return float(p.integer)
            return slow(lit)

        return r_float
    if kind in (Kind.STR, Kind.ENUM):
        member = (lambda s: enum_member(node, s)) if kind is Kind.ENUM else None

        def r_str(lit: Literal) -> Any:
            p = lit.scalar.primitive
            if p.WhichOneof("value") == "string_value":
                return p.string_value if member is None else member(p.string_value)
            return slow(lit)

        return r_str
    if kind is Kind.BOOL:

        def r_bool(lit: Literal) -> Any:
            p = lit.scalar.primitive
            if p.WhichOneof("value") == "boolean":
                return p.boolean
            return slow(lit)

        return r_bool
    if kind in (Kind.DATETIME, Kind.DATE):
        as_date = kind is Kind.DATE

        def r_datetime(lit: Literal) -> Any:
            p = lit.scalar.primitive
            if p.WhichOneof("value") == "datetime":
                try:
                    dt = p.datetime.ToDatetime(tzinfo=_UTC)
                except (ValueError, OverflowError):  # seconds or nanos no datetime can hold
                    raise shape_error(node, lit) from None
                return dt.date() if as_date else dt
            return slow(lit)

        return r_datetime
    if kind is Kind.DURATION:

        def r_duration(lit: Literal) -> Any:
            p = lit.scalar.primitive
            if p.WhichOneof("value") == "duration":
                try:
                    return p.duration.ToTimedelta()
                except (ValueError, OverflowError):  # seconds no timedelta can hold
                    raise shape_error(node, lit) from None
            return slow(lit)

        return r_duration
    if kind is Kind.NONE:

        def r_none(lit: Literal) -> None:
            if lit.scalar.WhichOneof("value") == "none_type":
                return None
            return slow(lit)  # type: ignore[no-any-return]

        return r_none
    if kind is Kind.LIST:
        return _list_reader(node, reader(node.args[0]), slow)
    if kind is Kind.MAP:
        return _map_reader(node, reader(node.args[0]), slow)
    if kind in (Kind.MSGPACK_DICT, Kind.DATACLASS):
        return slow
    if kind is Kind.UNION:
        return _union_reader(node)
    if kind is Kind.CUSTOM:
        return _custom_reader(node)
    if kind is Kind.ANY and node.fallback is not None:
        fallback = node.fallback(node.py_type, warn=False)

        def r_any(lit: Literal) -> Any:  # typing.Any outside a dataclass or dict: a pickle
            return fallback.to_python_value(current_ctx(), lit, node.py_type)

        return r_any
    raise UnsupportedTypeError(f"no reader for {node.name}")  # pragma: no cover


# The primitive field each scalar kind is stored in: lists of these read with no call per element.
_PRIMITIVE_FIELD = {
    Kind.INT: "integer",
    Kind.FLOAT: "float_value",
    Kind.STR: "string_value",
    Kind.BOOL: "boolean",
}


def _list_reader(node: Node, item: Reader, slow: Reader) -> Reader:
    field = _PRIMITIVE_FIELD.get(node.args[0].kind)
    if field is not None:
        return _primitive_list_reader(field, item, slow)

    def r_list(lit: Literal) -> Any:
        if lit.WhichOneof("value") != "collection":
            return slow(lit)
        out: list[Any] = []
        append = out.append
        try:
            for x in lit.collection.literals:
                append(item(x))
        except TypeTransformerFailedError as e:
            raise e.at(f"[{len(out)}]") from None
        return out

    return r_list


def _primitive_list_reader(field: str, item: Reader, slow: Reader) -> Reader:
    """A list of int/float/str/bool: the common shape is read inline; any other element goes
    through the item's full reader (tolerant reading, errors with the index)."""
    get = operator.attrgetter(field)

    def r_primitive_list(lit: Literal) -> Any:
        if lit.WhichOneof("value") != "collection":
            return slow(lit)
        out: list[Any] = []
        append = out.append
        try:
            for x in lit.collection.literals:
                p = x.scalar.primitive
                append(get(p) if p.HasField(field) else item(x))
        except TypeTransformerFailedError as e:
            raise e.at(f"[{len(out)}]") from None
        return out

    return r_primitive_list


def _map_reader(node: Node, value: Reader, slow: Reader) -> Reader:
    field = _PRIMITIVE_FIELD.get(node.args[0].kind)
    get = operator.attrgetter(field) if field is not None else None

    def r_map(lit: Literal) -> Any:
        if lit.WhichOneof("value") != "map":
            return slow(lit)
        out = {}
        for k, x in lit.map.literals.items():
            try:
                if get is not None:
                    p = x.scalar.primitive
                    if p.HasField(field):
                        out[k] = get(p)
                        continue
                out[k] = value(x)
            except TypeTransformerFailedError as e:
                raise e.at(f"[{k!r}]") from None
        return out

    return r_map


def _custom_reader(node: Node) -> Reader:
    transformer = node.transformer
    assert transformer is not None

    def r_custom(lit: Literal) -> Any:
        try:
            return transformer.to_python_value(current_ctx(), lit, node.py_type)
        except TypeTransformerFailedError:
            raise
        except (TypeError, ValueError, AssertionError, AttributeError) as e:
            raise TypeTransformerFailedError(
                f"transformer {transformer.name!r} could not read {describe_literal(lit)} as {node.name}: {e}"
            ) from e

    return r_custom


# -- unions ---------------------------------------------------------------------------------------


def _union_reader(node: Node) -> Reader:
    variants = [(v, reader(v), literal_type(v)) for v in node.args]

    def r_union(lit: Literal) -> Any:
        scalar = lit.scalar
        if lit.WhichOneof("value") == "scalar" and scalar.WhichOneof("value") == "union":
            union = scalar.union
            tag = union.type.structure.tag
            candidates = [c for c in variants if (not tag or c[0].tag == tag) and castable(union.type, c[2])]
            return _pick(node, candidates, union.value, union.type)
        return _pick(node, variants, lit, None)  # no union wrapper: older writers, attribute access

    return r_union


def _pick(
    node: Node,
    candidates: list[tuple[Node, Reader, LiteralType]],
    value: Literal,
    recorded: LiteralType | None,
) -> Any:
    results: list[tuple[Node, Any, LiteralType]] = []
    failures: list[str] = []
    for variant, read, lt in candidates:
        try:
            results.append((variant, read(value), lt))
        except TypeTransformerFailedError as e:
            failures.append(f"{variant.name}: {e}")
    if len(results) > 1 and recorded is not None:
        exact = [r for r in results if _same_type(recorded, r[2])]
        if len(exact) == 1:
            results = exact
    if len(results) == 1:
        return results[0][1]
    if results:
        names = " and ".join(r[0].name for r in results)
        raise TypeTransformerFailedError(
            f"ambiguous {describe_literal(value)} for {node.name}: it reads as {names}"
        )
    detail = f" ({'; '.join(failures[:4])})" if failures else ""
    raise TypeTransformerFailedError(f"expected {node.name}, got {describe_literal(value)}{detail}")


def _essence(lt: LiteralType) -> bytes:
    copy = LiteralType()
    copy.CopyFrom(lt)
    for f in ("metadata", "structure", "annotation"):
        copy.ClearField(f)
    return copy.SerializeToString(deterministic=True)


def _same_type(recorded: LiteralType, variant: LiteralType) -> bool:
    a, b = LiteralType(), LiteralType()
    a.CopyFrom(recorded)
    b.CopyFrom(variant)
    a.ClearField("structure")
    b.ClearField("structure")
    b.ClearField("annotation")
    a.ClearField("annotation")
    return a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)


def castable(upstream: LiteralType, downstream: LiteralType) -> bool:
    """Whether a value of type ``upstream`` can be read as ``downstream`` (Flyte's union rules)."""
    up = upstream.WhichOneof("type")
    down = downstream.WhichOneof("type")
    if up == "union_type":
        return all(castable(v, downstream) for v in upstream.union_type.variants)
    if down == "union_type" and any(castable(upstream, v) for v in downstream.union_type.variants):
        return True
    if up == "collection_type":
        return down == "collection_type" and castable(upstream.collection_type, downstream.collection_type)
    if up == "map_value_type":
        return down == "map_value_type" and castable(upstream.map_value_type, downstream.map_value_type)
    if up == "enum_type" and down == "simple" and downstream.simple == SimpleType.STRING:
        return True
    return _essence(upstream) == _essence(downstream)
