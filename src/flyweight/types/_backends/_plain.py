"""IR node ⇄ plain data (dicts, lists, str, int, float, bool, None, bytes) for msgpack.

Dataclasses and untyped dicts travel as msgpack ``binary`` scalars. The plain form is the one Flyte's
Python SDK writes (mashumaro's msgpack dialect): dataclasses as maps in field order, enums as their
values, ``datetime`` and ``date`` as ISO 8601 strings, ``timedelta`` as float seconds.

Encoders validate as they go and raise with the path to the bad value (``.items[2].qty``); decoders
also accept what older writers or the Flyte console produce (integral floats for ints).
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flyweight.errors import TypeTransformerFailedError
from flyweight.types._ir._context import current_ctx
from flyweight.types._ir._describe import describe_value
from flyweight.types._ir._nodes import Kind, Node, stores_in_dataclass

STRUCTURAL_MARK = "__flyweight_structural__"
"""Set on dataclasses rebuilt from a literal type: any dataclass with their fields is accepted for them."""

Conv = Callable[[Any], Any]
T = TypeVar("T")


def mismatch(node: Node, value: object) -> TypeTransformerFailedError:
    return TypeTransformerFailedError(f"expected {node.name}, got {describe_value(value)}")


def to_plain(node: Node) -> Conv:
    fn = node.c_to_plain
    if fn is None:
        fn = node.c_to_plain = _compile_to_plain(node)
    return fn


def from_plain(node: Node) -> Conv:
    fn = node.c_from_plain
    if fn is None:
        fn = node.c_from_plain = _compile_from_plain(node)
    return fn


# -- shared scalar checks (also used by the literal writers) -------------------------------------


def check_int(node: Node, v: object) -> int:
    if type(v) is int:
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return int(v)
    raise mismatch(node, v)


def check_float(node: Node, v: object, lenient: bool = True) -> float:
    if type(v) is float:
        return v
    if isinstance(v, float) or (lenient and isinstance(v, int) and not isinstance(v, bool)):
        return float(v)
    raise mismatch(node, v)


def check_str(node: Node, v: object) -> str:
    if type(v) is str:
        return v
    if isinstance(v, str) and not isinstance(v, enum.Enum):
        return str.__str__(v)
    raise mismatch(node, v)


def check_bool(node: Node, v: object) -> bool:
    if type(v) is bool:
        return v
    raise mismatch(node, v)


def check_datetime(node: Node, v: object) -> datetime.datetime:
    if isinstance(v, datetime.datetime):
        return v
    raise mismatch(node, v)


def check_date(node: Node, v: object) -> datetime.date:
    if isinstance(v, datetime.date) and not isinstance(v, datetime.datetime):
        return v
    raise mismatch(node, v)


def check_timedelta(node: Node, v: object) -> datetime.timedelta:
    if isinstance(v, datetime.timedelta):
        return v
    raise mismatch(node, v)


def check_enum(node: Node, v: object) -> str:
    if isinstance(v, node.cls):
        return str(v.value)
    member = node.cls._value2member_map_.get(v) if isinstance(v, str) else None
    if member is not None:  # flytekit 1.16.14 refuses a member's raw value too (docs/compatibility.md)
        raise TypeTransformerFailedError(
            f"expected {node.name}, got {describe_value(v)} (the value of "
            f"{node.cls.__qualname__}.{member.name}; pass the member itself)"
        )
    raise mismatch(node, v)


def enum_member(node: Node, raw: object) -> Any:
    try:
        return node.cls(raw)
    except ValueError:
        allowed = [m.value for m in node.cls]
        raise TypeTransformerFailedError(
            f"expected {node.name} (one of {allowed!r}), got {describe_value(raw)}"
        ) from None


# -- to plain -------------------------------------------------------------------------------------


def _compile_to_plain(node: Node) -> Conv:
    kind = node.kind
    if kind is Kind.INT:
        return lambda v: check_int(node, v)
    if kind is Kind.FLOAT:
        return lambda v: check_float(node, v)
    if kind is Kind.STR:
        return lambda v: check_str(node, v)
    if kind is Kind.BOOL:
        return lambda v: check_bool(node, v)
    if kind is Kind.DATETIME:
        return lambda v: check_datetime(node, v).isoformat()
    if kind is Kind.DATE:
        return lambda v: check_date(node, v).isoformat()
    if kind is Kind.DURATION:
        return lambda v: check_timedelta(node, v).total_seconds()
    if kind is Kind.NONE:
        return _none_to_plain(node)
    if kind is Kind.ENUM:
        return lambda v: check_enum(node, v)
    if kind is Kind.ANY:
        return _identity
    if kind is Kind.LIST:
        return _list_to_plain(node, to_plain(node.args[0]))
    if kind is Kind.MAP:
        return _dict_to_plain(node, check_str_key(node), to_plain(node.args[0]))
    if kind is Kind.MSGPACK_DICT:
        if not node.args:
            return _untyped_dict_to_plain(node)
        return _dict_to_plain(node, to_plain(node.args[0]), to_plain(node.args[1]))
    if kind is Kind.UNION:
        return _union_to_plain(node)
    if kind is Kind.DATACLASS:
        return dataclass_to_plain(node, lenient=True)
    if kind is Kind.CUSTOM and stores_in_dataclass(node):
        return _custom_to_plain(node)
    raise TypeTransformerFailedError(f"{node.name} cannot be stored inside a dataclass or dict")


def _identity(v: T) -> T:
    return v


def _none_to_plain(node: Node) -> Conv:
    def conv(v: object) -> None:
        if v is not None:
            raise mismatch(node, v)

    return conv


def check_str_key(node: Node) -> Conv:
    def conv(k: object) -> str:
        if type(k) is str:
            return k
        raise TypeTransformerFailedError(f"expected str key in {node.name}, got {describe_value(k)}")

    return conv


def _list_to_plain(node: Node, item: Conv) -> Conv:
    def conv(v: Any) -> list[Any]:
        if type(v) is not list:
            raise mismatch(node, v)
        out = []
        try:
            for x in v:
                out.append(item(x))
        except TypeTransformerFailedError as e:
            raise e.at(f"[{len(out)}]") from None
        return out

    return conv


def _dict_to_plain(node: Node, key: Conv, value: Conv) -> Conv:
    def conv(v: Any) -> dict[Any, Any]:
        if not isinstance(v, dict):
            raise mismatch(node, v)
        out = {}
        for k, x in v.items():
            try:
                out[key(k)] = value(x)
            except TypeTransformerFailedError as e:
                raise e.at(f"[{k!r}]") from None
        return out

    return conv


def _untyped_dict_to_plain(node: Node) -> Conv:
    def conv(v: Any) -> Any:
        if not isinstance(v, dict):
            raise mismatch(node, v)
        return v  # msgpack checks the contents; find_unpackable explains a failure

    return conv


def coerces(variant: Node, value: object) -> bool:
    """Whether ``variant`` would take ``value`` only by converting it (an int for a float, seconds for
    a timedelta, a mapping for a dataclass). Unions try exact matches first."""
    kind = variant.kind
    if kind is Kind.FLOAT:
        return isinstance(value, int)
    if kind is Kind.INT:
        return isinstance(value, float)
    if kind in (Kind.DATACLASS, Kind.ENUM):
        return not isinstance(value, variant.cls)
    if kind is Kind.DURATION:  # plain seconds -> timedelta is a conversion
        return not isinstance(value, datetime.timedelta)
    if kind in (Kind.DATETIME, Kind.DATE):  # an ISO string -> datetime/date is a conversion
        return not isinstance(value, datetime.date)
    return False


def _union_to_plain(node: Node) -> Conv:
    return _first_variant(node, [(v, to_plain(v)) for v in node.args])


def _first_variant(node: Node, variants: list[tuple[Node, Conv]]) -> Conv:
    # Optional[FlyteFile] and the like: a value the data type refuses (a missing file) keeps its reason.
    others = [v for v in node.args if v.kind is not Kind.NONE]
    sole_custom = others[0] if len(others) == 1 and others[0].kind is Kind.CUSTOM else None

    def conv(v: Any) -> Any:
        reason: TypeTransformerFailedError | None = None
        for exact_pass in (True, False):
            for variant, fn in variants:
                if coerces(variant, v) == exact_pass:
                    continue
                try:
                    return fn(v)
                except TypeTransformerFailedError as e:
                    if variant is sole_custom:
                        reason = e
                    continue
        if reason is not None and v is not None:
            raise reason
        raise mismatch(node, v)

    return conv


def dataclass_to_plain(node: Node, lenient: bool) -> Conv:
    cls = node.cls
    fields = [(f.name, to_plain(f.node)) for f in node.fields]
    decode = from_plain(node)

    structural = bool(getattr(cls, STRUCTURAL_MARK, False))

    def conv(v: Any) -> dict[str, Any]:
        if not isinstance(v, cls):
            if lenient and isinstance(v, Mapping):
                v = decode(dict(v))
            elif structural and dataclasses.is_dataclass(v) and not isinstance(v, type):
                missing = [name for name, _ in fields if not hasattr(v, name)]
                if missing:
                    raise mismatch(node, v)
            else:
                raise mismatch(node, v)
        out = {}
        for name, enc in fields:
            try:
                out[name] = enc(getattr(v, name))
            except TypeTransformerFailedError as e:
                raise e.at(f".{name}") from None
        return out

    return conv


def find_unpackable(value: object, path: str = "") -> tuple[str, object] | None:
    """The path and value of the first thing msgpack cannot store, for an error message."""
    if value is None or isinstance(value, (str, int, float, bool, bytes, bytearray)):
        return None
    if isinstance(value, (list, tuple)):
        for i, x in enumerate(value):
            found = find_unpackable(x, f"{path}[{i}]")
            if found:
                return found
        return None
    if isinstance(value, dict):
        for k, x in value.items():
            found = find_unpackable(k, f"{path}[{k!r}] (key)") or find_unpackable(x, f"{path}[{k!r}]")
            if found:
                return found
        return None
    return path, value


# -- from plain -----------------------------------------------------------------------------------


def _compile_from_plain(node: Node) -> Conv:
    kind = node.kind
    if kind is Kind.INT:
        return lambda p: plain_int(node, p)
    if kind is Kind.FLOAT:
        return lambda p: check_float(node, p)
    if kind is Kind.STR:
        return lambda p: check_str(node, p)
    if kind is Kind.BOOL:
        return lambda p: check_bool(node, p)
    if kind is Kind.DATETIME:
        return lambda p: _parse_iso(node, p, datetime.datetime.fromisoformat)
    if kind is Kind.DATE:
        return lambda p: _parse_iso(node, p, datetime.date.fromisoformat)
    if kind is Kind.DURATION:
        return lambda p: datetime.timedelta(seconds=check_float(node, p))
    if kind is Kind.NONE:
        return _none_to_plain(node)
    if kind is Kind.ENUM:
        return lambda p: enum_member(node, p)
    if kind is Kind.ANY:
        return _identity
    if kind is Kind.LIST:
        return _list_from_plain(node, from_plain(node.args[0]))
    if kind is Kind.MAP:
        return _dict_to_plain(node, check_str_key(node), from_plain(node.args[0]))
    if kind is Kind.MSGPACK_DICT:
        if not node.args:
            return _untyped_dict_to_plain(node)
        return _dict_to_plain(node, from_plain(node.args[0]), from_plain(node.args[1]))
    if kind is Kind.UNION:
        return _union_from_plain(node)
    if kind is Kind.DATACLASS:
        return _dataclass_from_plain(node)
    if kind is Kind.CUSTOM and stores_in_dataclass(node):
        return _custom_from_plain(node)
    raise TypeTransformerFailedError(f"{node.name} cannot be read from inside a dataclass or dict")


def plain_int(node: Node, p: object) -> int:
    """An int, also from an integral float (JSON numbers and the Flyte console have no ints)."""
    if type(p) is int:
        return p
    if type(p) is float and p.is_integer():
        return int(p)
    return check_int(node, p)


def _parse_iso(node: Node, p: object, parse: Callable[[str], T]) -> T:
    if isinstance(p, str):
        try:
            return parse(p)
        except ValueError:
            pass
    raise mismatch(node, p)


def _list_from_plain(node: Node, item: Conv) -> Conv:
    def conv(p: Any) -> list[Any]:
        if not isinstance(p, (list, tuple)):
            raise mismatch(node, p)
        out = []
        try:
            for x in p:
                out.append(item(x))
        except TypeTransformerFailedError as e:
            raise e.at(f"[{len(out)}]") from None
        return out

    return conv


def _union_from_plain(node: Node) -> Conv:
    return _first_variant(node, [(v, from_plain(v)) for v in node.args])


def _dataclass_from_plain(node: Node) -> Conv:
    cls = node.cls
    fields = [(f.name, f.required, f.init, from_plain(f.node)) for f in node.fields]

    def conv(p: Any) -> Any:
        if not isinstance(p, dict):
            raise mismatch(node, p)
        kwargs: dict[str, Any] = {}
        later: dict[str, Any] = {}  # init=False fields: set once the object exists
        for name, required, init, dec in fields:
            if name in p:
                try:
                    (kwargs if init else later)[name] = dec(p[name])
                except TypeTransformerFailedError as e:
                    raise e.at(f".{name}") from None
            elif required:
                raise TypeTransformerFailedError(f"missing field {name!r} of {node.name}")
        try:
            obj = cls(**kwargs)
        except TypeTransformerFailedError:
            raise
        except Exception as e:  # __post_init__ validation of the user's class
            raise TypeTransformerFailedError(f"{node.name}(...) rejected the value: {e}") from e
        for name, value in later.items():
            object.__setattr__(obj, name, value)
        return obj

    return conv


# -- data types stored by reference (files, directories, tables) ---------------------------------


def _custom_to_plain(node: Node) -> Conv:
    """A data type's reference (``{"path": uri}``), written by its transformer's ``_to_plain`` hook,
    which uploads local data through the context's file access first, as Flyte's Python SDK does."""
    transformer: Any = node.transformer
    hook = transformer._to_plain
    py_type = node.py_type

    def conv(v: Any) -> Any:
        try:
            return hook(current_ctx(), v, py_type)
        except TypeTransformerFailedError:
            raise
        except (TypeError, ValueError, AssertionError, OSError) as e:
            raise TypeTransformerFailedError(
                f"could not store {describe_value(v)} as {node.name}: {e}"
            ) from e

    return conv


def _custom_from_plain(node: Node) -> Conv:
    """A data type's value from its reference, made by its transformer's ``_from_plain`` hook (files
    and directories from a remote URI download on first use)."""
    transformer: Any = node.transformer
    hook = transformer._from_plain
    py_type = node.py_type

    def conv(p: Any) -> Any:
        try:
            return hook(current_ctx(), p, py_type)
        except TypeTransformerFailedError:
            raise
        except (TypeError, ValueError, AssertionError, KeyError, OSError) as e:
            raise TypeTransformerFailedError(f"could not read {describe_value(p)} as {node.name}: {e}") from e

    return conv
