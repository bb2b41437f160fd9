"""IR node → a function that writes a Python value into an empty ``flyteidl.core.Literal``.

Writers fill a message in place (``msg.scalar.primitive.integer = v``) rather than building and
copying sub-messages: a million-element list costs one protobuf ``add()`` and one assignment per
element. Each writer validates its value and raises ``TypeTransformerFailedError``; containers add
their index, key or field to the error's path as it passes through them.

A *strict* writer takes only values of exactly its type (no int for a float, no dict for a
dataclass); unions try the strict writers of their variants first.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import msgpack

from flyweight._idl import Literal, as_message
from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types._ctx import current_ctx
from flyweight.types._describe import describe_value
from flyweight.types._ir import Kind, Node
from flyweight.types._plain import (
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
        from flyweight.types._union import union_writer

        return union_writer(node, strict)
    if kind is Kind.CUSTOM:
        return _custom_writer(node)
    if kind is Kind.ANY:
        from flyweight.types._pickle import warn_once, write_pickle

        warn_once(node.py_type)

        def w_any(msg: Literal, v: Any) -> None:  # typing.Any outside a dataclass or dict: a pickle
            msg.CopyFrom(write_pickle(current_ctx(), v, node.py_type))

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
    from flyweight.types._literal_types import literal_type

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


def as_literal(got: Any, who: str) -> Literal:
    """A flyteidl Literal from what a transformer returned (a Literal, or a model with to_flyte_idl)."""
    lv = as_message(got, Literal)
    if lv is not None:
        return lv
    raise TypeTransformerFailedError(
        f"transformer {who!r} returned {type(got).__name__}; to_literal must return a flyteidl Literal"
    )


__all__ = ["Writer", "as_literal", "writer"]
