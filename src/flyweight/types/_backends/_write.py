"""IR node → a function that writes a Python value into an empty ``flyteidl.core.Literal``.

Writers fill a message in place (``msg.scalar.primitive.integer = v``) rather than building and
copying sub-messages: a million-element list costs one protobuf ``add()`` and one assignment per
element. Each writer validates its value and raises ``TypeTransformerFailedError``; containers add
their index, key or field to the error's path as it passes through them.

A *strict* writer takes only values of exactly its type (no int for a float, no dict for a
dataclass); unions try the strict writers of their variants first.

Unions (``Optional[T]``, ``T1 | T2``) record the chosen variant's type with a ``structure.tag`` (the
variant transformer's name, e.g. ``"int"`` or ``"Typed List"``). Writing tries each variant's *strict*
writer first and falls back to conversions (an int for a float) only when no variant takes the value
as it is; a value that more than one variant takes is ambiguous and an error, never a silent choice.
(``_read`` finds the variant again.)
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flyweight._idl import Literal, LiteralType, as_message
from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types._backends._literal_types import literal_type, stored_type
from flyweight.types._backends._plain import (
    check_bool,
    check_date,
    check_datetime,
    check_enum,
    check_float,
    check_int,
    check_str,
    check_timedelta,
    dataclass_to_plain,
    find_unpackable,
    mismatch,
    to_plain,
)
from flyweight.types._ir._context import current_ctx
from flyweight.types._ir._describe import describe_value
from flyweight.types._ir._nodes import Kind, Node

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

Writer = Callable[[Literal, Any], None]
_UTC = datetime.timezone.utc
_MIDNIGHT = datetime.time.min
_MAX_DURATION = datetime.timedelta(seconds=315_576_000_000)  # google.protobuf.Duration's range


def writer(node: Node, strict: bool = False) -> Writer:
    """The (cached) writer for ``node``."""
    if strict:
        fn = node.c_write_strict
        if fn is None:
            fn = node.c_write_strict = _with_hash(node, _compile(node, strict=True))
        return fn
    fn = node.c_write
    if fn is None:
        fn = node.c_write = _with_hash(node, _compile(node, strict=False))
    return fn


def _with_hash(node: Node, write: Writer) -> Writer:
    method = node.hash_method
    if method is None:
        return write

    def hashed(msg: Literal, v: Any) -> None:
        write(msg, v)
        msg.hash = method.calculate(v)

    return hashed


def _compile(node: Node, strict: bool) -> Writer:
    kind = node.kind
    if kind is Kind.INT:
        return _int_writer(node)
    if kind is Kind.FLOAT:
        return _float_writer(node, lenient=not strict)
    if kind is Kind.STR:

        def w_str(msg: Literal, v: Any) -> None:
            try:
                msg.scalar.primitive.string_value = v if type(v) is str else check_str(node, v)
            except UnicodeEncodeError:
                raise TypeTransformerFailedError(
                    f"expected str that is valid UTF-8, got {describe_value(v)}"
                ) from None

        return w_str
    if kind is Kind.BOOL:

        def w_bool(msg: Literal, v: Any) -> None:
            msg.scalar.primitive.boolean = check_bool(node, v)

        return w_bool
    if kind is Kind.DATETIME:
        return _datetime_writer(node)
    if kind is Kind.DATE:

        def w_date(msg: Literal, v: Any) -> None:
            day = check_date(node, v)
            msg.scalar.primitive.datetime.FromDatetime(datetime.datetime.combine(day, _MIDNIGHT))

        return w_date
    if kind is Kind.DURATION:
        return _duration_writer(node)
    if kind is Kind.NONE:

        def w_none(msg: Literal, v: Any) -> None:
            if v is not None:
                raise mismatch(node, v)
            msg.scalar.none_type.SetInParent()

        return w_none
    if kind is Kind.ENUM:

        def w_enum(msg: Literal, v: Any) -> None:
            msg.scalar.primitive.string_value = check_enum(node, v)

        return w_enum
    if kind is Kind.LIST:
        return _list_writer(node, writer(node.args[0], strict))
    if kind is Kind.MAP:
        return _map_writer(node, writer(node.args[0], strict))
    if kind is Kind.MSGPACK_DICT:
        return _msgpack_writer(node, to_plain(node))
    if kind is Kind.DATACLASS:
        return _msgpack_writer(node, dataclass_to_plain(node, lenient=not strict))
    if kind is Kind.UNION:
        return _union_writer(node, strict)
    if kind is Kind.CUSTOM:
        return _custom_writer(node)
    if kind is Kind.ANY and node.fallback is not None:
        # typing.Any outside a dataclass or dict: stored by the fallback (a pickle); it warns once.
        fallback = node.fallback(node.py_type)

        def w_any(msg: Literal, v: Any) -> None:
            msg.CopyFrom(fallback.to_literal(current_ctx(), v, node.py_type, None))

        return w_any
    raise UnsupportedTypeError(f"no writer for {node.name}")  # pragma: no cover


def _int_writer(node: Node) -> Writer:
    def w_int(msg: Literal, v: Any) -> None:
        if type(v) is not int:
            v = check_int(node, v)
        try:
            msg.scalar.primitive.integer = v
        except ValueError:
            raise TypeTransformerFailedError(
                f"expected int that fits in 64 bits, got {describe_value(v)}"
            ) from None

    return w_int


def _float_writer(node: Node, lenient: bool) -> Writer:
    def w_float(msg: Literal, v: Any) -> None:
        msg.scalar.primitive.float_value = v if type(v) is float else check_float(node, v, lenient)

    return w_float


def _datetime_writer(node: Node) -> Writer:
    def w_datetime(msg: Literal, v: Any) -> None:
        dt = check_datetime(node, v)
        if dt.tzinfo is not None:  # a naive datetime is taken to be UTC, as Flyte's Python SDK does
            dt = dt.astimezone(_UTC).replace(tzinfo=None)
        msg.scalar.primitive.datetime.FromDatetime(dt)

    return w_datetime


def _duration_writer(node: Node) -> Writer:
    def w_duration(msg: Literal, v: Any) -> None:
        td = check_timedelta(node, v)
        if not -_MAX_DURATION <= td <= _MAX_DURATION:
            raise TypeTransformerFailedError(
                f"expected timedelta within ±10000 years, got {describe_value(v)}"
            )
        msg.scalar.primitive.duration.FromTimedelta(td)

    return w_duration


def _list_writer(node: Node, item: Writer) -> Writer:
    def w_list(msg: Literal, v: Any) -> None:
        if type(v) is not list:
            raise mismatch(node, v)
        coll = msg.collection
        coll.SetInParent()
        lits = coll.literals
        add = lits.add
        try:
            for x in v:
                item(add(), x)
        except TypeTransformerFailedError as e:
            raise e.at(f"[{len(lits) - 1}]") from None

    return w_list


def _map_writer(node: Node, value: Writer) -> Writer:
    def w_map(msg: Literal, v: Any) -> None:
        if not isinstance(v, dict):
            raise mismatch(node, v)
        lmap = msg.map
        lmap.SetInParent()
        lits = lmap.literals
        for k, x in v.items():
            if type(k) is not str:
                raise TypeTransformerFailedError(f"expected str key in {node.name}, got {describe_value(k)}")
            try:
                value(lits[k], x)
            except TypeTransformerFailedError as e:
                raise e.at(f"[{k!r}]") from None

    return w_map


def _msgpack_writer(node: Node, plain: Callable[[Any], Any]) -> Writer:
    import msgpack  # imported on the first dataclass or untyped dict: scalars never need it

    packb = msgpack.packb

    def w_msgpack(msg: Literal, v: Any) -> None:
        data = plain(v)
        try:
            packed = packb(data, use_bin_type=True)
        except (TypeError, ValueError, OverflowError) as e:
            found = find_unpackable(data)
            if found is None:
                raise TypeTransformerFailedError(
                    f"cannot store {describe_value(v)} as msgpack: {e}"
                ) from None
            path, bad = found
            raise TypeTransformerFailedError(
                f"expected a msgpack-storable value (str, int, float, bool, None, bytes, list, dict), "
                f"got {describe_value(bad)}",
                [path] if path else [],
            ) from None
        binary = msg.scalar.binary
        binary.value = packed
        binary.tag = "msgpack"

    return w_msgpack


def _custom_writer(node: Node) -> Writer:
    transformer = node.transformer
    assert transformer is not None
    expected = literal_type(node)

    def w_custom(msg: Literal, v: Any) -> None:
        if transformer.type_assertions_enabled:
            transformer.assert_type(node.py_type, v)
        try:
            got = transformer.to_literal(current_ctx(), v, node.py_type, expected)
        except TypeTransformerFailedError:
            raise
        except (TypeError, ValueError, AssertionError) as e:
            raise TypeTransformerFailedError(
                f"transformer {transformer.name!r} could not convert {describe_value(v)}: {e}"
            ) from e
        msg.CopyFrom(as_literal(got, transformer.name))

    return w_custom


def as_literal(got: object, who: str) -> Literal:
    """A flyteidl Literal from what a transformer returned (a Literal, or a model with to_flyte_idl)."""
    lv = as_message(got, Literal)
    if lv is not None:
        return lv
    raise TypeTransformerFailedError(
        f"transformer {who!r} returned {type(got).__name__}; to_literal must return a flyteidl Literal"
    )


def custom_to_literal(
    node: Node, ctx: FlyteContext | None, value: Any, expected: LiteralType | None
) -> Literal:
    """A ``CUSTOM`` node's value as a new literal, given the literal type the caller expects (if any)."""
    transformer = node.transformer
    assert transformer is not None
    if transformer.type_assertions_enabled:
        transformer.assert_type(node.py_type, value)
    lt = expected if expected is not None else literal_type(node)
    return as_literal(transformer.to_literal(ctx, value, node.py_type, lt), transformer.name)


# -- unions ---------------------------------------------------------------------------------------


def _union_writer(node: Node, strict: bool) -> Writer:
    variants = [(v, writer(v, strict=True), writer(v, strict=False), stored_type(v)) for v in node.args]
    if len(variants) == 2 and any(v.kind is Kind.NONE for v in node.args):
        return _optional_writer(node, variants, strict)

    def w_union(msg: Literal, v: Any) -> None:
        failures: list[str] = []
        for exact in (True, False) if not strict else (True,):
            matches: list[tuple[Node, Literal, LiteralType]] = []
            for variant, w_strict, w_lenient, st in variants:
                tmp = Literal()
                try:
                    (w_strict if exact else w_lenient)(tmp, v)
                except TypeTransformerFailedError as e:
                    if exact:
                        failures.append(f"{variant.name}: {e}")
                    continue
                matches.append((variant, tmp, st))
            if len(matches) == 1:
                _, value, st = matches[0]
                union = msg.scalar.union
                union.value.CopyFrom(value)
                union.type.CopyFrom(st)
                return
            if len(matches) > 1:
                names = " and ".join(m[0].name for m in matches)
                raise TypeTransformerFailedError(
                    f"ambiguous value for {node.name}: {describe_value(v)} matches {names}; "
                    "make the union's variants distinguishable or pass a value of one variant's type"
                )
        detail = "; ".join(failures[:4])
        raise TypeTransformerFailedError(f"expected {node.name}, got {describe_value(v)} ({detail})")

    return w_union


def _optional_writer(
    node: Node, variants: list[tuple[Node, Writer, Writer, LiteralType]], strict: bool
) -> Writer:
    """``Optional[T]``: None goes to the none variant, anything else to T, with no trial writes."""
    none_first = variants[0][0].kind is Kind.NONE
    none_type = variants[0][3] if none_first else variants[1][3]
    _, w_strict, w_lenient, other_type = variants[1] if none_first else variants[0]
    write_other = w_strict if strict else w_lenient

    def w_optional(msg: Literal, v: Any) -> None:
        union = msg.scalar.union
        if v is None:
            union.value.scalar.none_type.SetInParent()
            union.type.CopyFrom(none_type)
            return
        write_other(union.value, v)
        union.type.CopyFrom(other_type)

    return w_optional


__all__ = ["Writer", "as_literal", "custom_to_literal", "writer"]
