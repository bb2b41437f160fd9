"""Hypothesis strategies for (Python type, value) pairs that the type engine supports.

A type is drawn first (the ``*_types`` strategies), then a value for it (``values_for``); ``pairs``
does both.
``expected_round_trip`` says what ``to_python_value(to_literal(v))`` must give back.

Two places a value can live, with different rules:

- *literal level*: a value stored as a Flyte literal (scalars, collections, maps, unions). Datetimes
  are protobuf ``Timestamp``s, so they come back as aware UTC datetimes.
- *packed*: a value inside a dataclass, which is stored as msgpack. Datetimes are isoformat strings
  (naive stays naive, offsets kept) and timedeltas are float seconds.

Floats are always drawn as floats (never an int for a float): flyweight writes a float for a float
field even when given an int, which flytekit does not, and that divergence is intended.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import enum
import itertools
import keyword
import math
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Dict, List, Optional, Union  # noqa: UP035

from hypothesis import strategies as st

UTC = datetime.timezone.utc
NoneType = type(None)

# --------------------------------------------------------------------------------------------------
# Module-level enums and dataclasses


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Fruit(enum.Enum):
    APPLE = "apple"
    PEAR = "pear"


class Odd(enum.Enum):
    """String values that are not plain identifiers."""

    EMPTY = ""
    SPACED = "with space"
    UNICODE = "ünïcødé ✓"
    DIGITS = "123"


ENUMS: tuple[type[enum.Enum], ...] = (Color, Fruit, Odd)


@dataclass
class Point:
    x: float
    y: float


@dataclass
class Tagged:
    name: str
    count: int = 0
    ratio: float = 1.5
    active: bool = True


@dataclass
class Shape:
    label: str
    points: list[Point]
    anchor: Optional[Point] = None
    attrs: dict[str, str] = field(default_factory=dict)
    color: Color = Color.RED


@dataclass
class Event:
    when: datetime.datetime
    day: datetime.date
    took: datetime.timedelta
    note: Optional[str] = None
    tags: List[str] = field(default_factory=list)  # noqa: UP006


@dataclass
class Bag:
    scores: Dict[str, List[float]]  # noqa: UP006
    extra: dict
    choice: Union[int, str]
    maybe: Optional[Union[float, str]] = None
    fruit: Optional[Fruit] = None


@dataclass
class Labeled:
    value: Annotated[int, "meta"]
    names: list[Annotated[str, "name"]] = field(default_factory=lambda: ["a", "b"])
    started: datetime.datetime = datetime.datetime(2024, 1, 2, 3, 4, 5, 678901)
    wait: datetime.timedelta = datetime.timedelta(minutes=5)


@dataclass
class Tree:
    root: Shape
    events: list[Event]
    by_name: dict[str, Tagged]
    labeled: Optional[Labeled] = None


DATACLASSES: tuple[type, ...] = (Point, Tagged, Shape, Event, Bag, Labeled, Tree)

# --------------------------------------------------------------------------------------------------
# Types

SCALARS: tuple[Any, ...] = (int, float, str, bool, datetime.datetime, datetime.date, datetime.timedelta)

# Unions of scalar types with no subclass relation between members, so a value of one member type
# is accepted by exactly that member.
UNIONS: tuple[Any, ...] = (
    Union[int, str],
    Union[float, str],
    Union[int, float, str],
    Union[int, float],
    Union[bool, str],
    Union[str, datetime.timedelta],
    Union[int, str, None],
)

# In a dataclass, flytekit (mashumaro) packs a Union by trying members in order, and its ``str``
# member passes any value through unchecked, so Union[str, timedelta] cannot pack a timedelta there.
# typing caches unions by equality, so Union[timedelta, str] can come back as the cached
# Union[str, timedelta]; packed unions therefore pair timedelta with int, never with str.
PACKED_UNIONS: tuple[Any, ...] = (
    *(u for u in UNIONS if u != Union[str, datetime.timedelta]),
    Union[datetime.timedelta, int],
)

ANNOTATION_METADATA: tuple[Any, ...] = ("anything", "doc: a value", ("tuple", 1), 42)
# typing cannot put an Annotated with unhashable metadata inside Optional/Union, so this one is only
# used outermost.
UNHASHABLE_METADATA: dict[str, Any] = {"unhashable": [1]}

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def _list_of(t: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from([list[t], List[t]])  # noqa: UP006


def _dict_of(t: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from([dict[str, t], Dict[str, t]])  # noqa: UP006


def _optional_of(t: Any) -> Any:
    # Optional[Annotated[Optional[X], ...]] makes flytekit refuse None as ambiguous (both the inner
    # and the outer None fit); the outer Optional adds nothing there, so leave it out.
    if _is_nullable(t):
        return t
    return Optional[t]


def _is_nullable(t: Any) -> bool:
    t = _strip_annotated(t)
    if t is NoneType:
        return True
    members = _union_members(t)
    return members is not None and any(_is_nullable(m) for m in members)


def _annotated_of(t: Any, outermost: bool = False) -> st.SearchStrategy[Any]:
    base = _strip_annotated(t)
    if base is NoneType or (isinstance(base, type) and issubclass(base, enum.Enum)):
        # flytekit refuses Annotated enums ("no support for FlyteAnnotations applied to enums") and
        # None for Annotated[None, ...]; leave those unannotated.
        return st.just(t)
    members = _union_members(base)
    if members is not None and (
        NoneType in members or any(_is_dataclass_or_enum(_strip_annotated(m)) for m in members)
    ):
        # flytekit fails on Annotated[Optional[...]] and Annotated[Union[dataclass or enum, ...]]
        # dataclass fields holding None ("'NoneType' object has no attribute ..."); nothing to compare.
        return st.just(t)
    # flytekit caches dataclass encoders by type, so it cannot take unhashable metadata on a dataclass.
    unhashable_ok = outermost and not dataclasses.is_dataclass(base)
    metadata = [*ANNOTATION_METADATA, UNHASHABLE_METADATA] if unhashable_ok else ANNOTATION_METADATA
    return st.sampled_from(metadata).map(lambda meta: Annotated[t, meta])


def scalar_types() -> st.SearchStrategy[Any]:
    return st.sampled_from(SCALARS)


def enum_types() -> st.SearchStrategy[Any]:
    return st.sampled_from(ENUMS)


def enum_family_types() -> st.SearchStrategy[Any]:
    """An enum, a list of one, or an Optional one."""
    return st.one_of(enum_types(), enum_types().map(lambda e: list[e]), enum_types().map(_optional_of))


def union_types(packed: bool = False) -> st.SearchStrategy[Any]:
    return st.sampled_from(PACKED_UNIONS if packed else UNIONS)


def static_dataclass_types() -> st.SearchStrategy[Any]:
    return st.sampled_from(DATACLASSES)


def _leaf_types(packed: bool) -> st.SearchStrategy[Any]:
    """Types with no drawn type inside; ``packed`` = usable as a dataclass field."""
    leaves = [scalar_types(), enum_types(), st.just(dict), union_types(packed), static_dataclass_types()]
    if not packed:
        leaves.append(st.just(NoneType))
    return st.one_of(*leaves)


@cache
def nested_types(depth: int, packed: bool = False) -> st.SearchStrategy[Any]:
    """Any supported type, with up to ``depth`` levels of list/dict/Optional/Annotated/dataclass."""
    # deferred: keeps the strategy's repr (shown when a test fails) short.
    return st.deferred(lambda: _nested_types(depth, packed))


def _nested_types(depth: int, packed: bool) -> st.SearchStrategy[Any]:
    leaf = _leaf_types(packed)
    if depth <= 0:
        return leaf
    inner = nested_types(depth - 1, packed)
    return st.one_of(
        leaf,
        inner.flatmap(_list_of),
        inner.flatmap(_dict_of),
        inner.map(_optional_of),
        inner.flatmap(_annotated_of),
        dynamic_dataclass_types(depth - 1),
    )


@cache
def container_types(depth: int) -> st.SearchStrategy[Any]:
    """list/dict nests (typing and builtin spellings) over scalars, enums and None."""
    return st.deferred(lambda: _container_types(depth))


def _container_types(depth: int) -> st.SearchStrategy[Any]:
    leaf = st.one_of(scalar_types(), enum_types(), st.just(NoneType))
    if depth <= 0:
        return leaf
    inner = container_types(depth - 1)
    return st.one_of(leaf, inner.flatmap(_list_of), inner.flatmap(_dict_of))


@cache
def optional_union_types(depth: int) -> st.SearchStrategy[Any]:
    """Optional[T] and scalar unions, also inside lists and dicts."""
    return st.deferred(lambda: _optional_union_types(depth))


def _optional_union_types(depth: int) -> st.SearchStrategy[Any]:
    base = st.one_of(union_types(), st.one_of(scalar_types(), enum_types(), st.just(dict)).map(_optional_of))
    if depth <= 0:
        return base
    inner = optional_union_types(depth - 1)
    return st.one_of(
        base,
        inner.map(_optional_of),
        inner.flatmap(_list_of),
        inner.flatmap(_dict_of),
        container_types(depth - 1).map(_optional_of),
    )


def annotated_types() -> st.SearchStrategy[Any]:
    return nested_types(2).flatmap(lambda t: _annotated_of(t, outermost=True))


_FIELD_NAME = st.from_regex(r"[a-z][a-z0-9_]{0,7}", fullmatch=True).filter(lambda s: not keyword.iskeyword(s))
_CLASS_NAME = st.from_regex(r"[A-Z][A-Za-z0-9]{0,7}", fullmatch=True)
_CLASS_COUNTER = itertools.count()


@cache
def dynamic_dataclass_types(depth: int = 1) -> st.SearchStrategy[Any]:
    """Dataclasses made with ``dataclasses.make_dataclass`` over drawn field types."""
    return st.deferred(lambda: _make_dataclass(nested_types(depth, packed=True)))


@st.composite
def _make_dataclass(draw: st.DrawFn, field_types: st.SearchStrategy[Any]) -> Any:
    names = draw(st.lists(_FIELD_NAME, min_size=1, max_size=4, unique=True))
    required: list[tuple[str, Any]] = []
    defaulted: list[tuple[str, Any, Any]] = []
    for name in names:
        t = draw(field_types)
        how = draw(st.sampled_from(["required", "required", "default"]))
        if how == "required":
            required.append((name, t))
            continue
        default = draw(values_for(t, packed=True, allow_nan=False))
        if _is_hashable_default(default):
            defaulted.append((name, t, field(default=default)))
        else:
            defaulted.append((name, t, field(default_factory=_factory(default))))
    # A unique name: flytekit (mashumaro) mixes up different dataclasses that share a name.
    name = f"{draw(_CLASS_NAME)}_{next(_CLASS_COUNTER)}"
    return dataclasses.make_dataclass(name, [*required, *defaulted])


def _factory(value: Any) -> typing.Callable[[], Any]:
    return lambda: copy.deepcopy(value)


def _is_hashable_default(value: Any) -> bool:
    # dataclasses refuses defaults whose class has __hash__ = None (list, dict, set, dataclasses).
    return type(value).__hash__ is not None


def any_types(depth: int = 3) -> st.SearchStrategy[Any]:
    return nested_types(depth)


# --------------------------------------------------------------------------------------------------
# Values


def _strip_annotated(t: Any) -> Any:
    while typing.get_origin(t) is Annotated:
        t = t.__origin__
    return t


def _union_members(t: Any) -> tuple[Any, ...] | None:
    origin = typing.get_origin(t)
    if origin is Union or origin is types.UnionType:
        return typing.get_args(t)
    return None


def text() -> st.SearchStrategy[str]:
    return st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)


def ints() -> st.SearchStrategy[int]:
    return st.integers(min_value=INT64_MIN, max_value=INT64_MAX)


def floats(allow_nan: bool) -> st.SearchStrategy[float]:
    return st.floats(allow_nan=allow_nan, allow_infinity=True)


_DT_MIN = datetime.datetime(1, 1, 1)
_DT_MAX = datetime.datetime(9999, 12, 31, 23, 59, 59, 999999)
# With a fixed offset the UTC instant must stay within years 1..9999 too.
_DT_OFFSET_MIN = datetime.datetime(2, 1, 1)
_DT_OFFSET_MAX = datetime.datetime(9998, 12, 31, 23, 59, 59, 999999)
_OFFSETS = st.integers(min_value=-(23 * 60 + 59), max_value=23 * 60 + 59).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)


def datetimes() -> st.SearchStrategy[datetime.datetime]:
    return st.one_of(
        st.datetimes(min_value=_DT_MIN, max_value=_DT_MAX),  # naive
        st.datetimes(min_value=_DT_MIN, max_value=_DT_MAX, timezones=st.just(UTC)),
        st.datetimes(min_value=_DT_OFFSET_MIN, max_value=_DT_OFFSET_MAX, timezones=_OFFSETS),
    )


def dates() -> st.SearchStrategy[datetime.date]:
    return st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31))


_TEN_THOUSAND_YEARS = datetime.timedelta(days=3_652_500)  # google.protobuf.Duration's range


def timedeltas() -> st.SearchStrategy[datetime.timedelta]:
    return st.timedeltas(min_value=-_TEN_THOUSAND_YEARS, max_value=_TEN_THOUSAND_YEARS)


def json_values(allow_nan: bool) -> st.SearchStrategy[Any]:
    # msgpack holds ints from int64's minimum up to uint64's maximum.
    json_ints = st.integers(min_value=INT64_MIN, max_value=2**64 - 1)
    scalars = st.one_of(st.none(), st.booleans(), json_ints, floats(allow_nan), text())
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text(), inner, max_size=3)),
        max_leaves=8,
    )


def untyped_dicts(allow_nan: bool) -> st.SearchStrategy[dict[str, Any]]:
    """JSON-like dicts: str keys; values None/bool/int/float/str/lists/dicts."""
    return st.dictionaries(text(), json_values(allow_nan), max_size=4)


def values_for(t: Any, packed: bool = False, allow_nan: bool = True) -> st.SearchStrategy[Any]:
    """Values of type ``t``; ``packed`` when the value is (inside) a dataclass field."""
    t = _strip_annotated(t)
    members = _union_members(t)
    if members is not None:
        return st.one_of(*(values_for(m, packed, allow_nan) for m in members))
    if t is NoneType or t is None:
        return st.none()
    if t is bool:
        return st.booleans()
    if t is int:
        return ints()
    if t is float:
        return floats(allow_nan)
    if t is str:
        return text()
    if t is datetime.datetime:
        return datetimes()
    if t is datetime.date:
        return dates()
    if t is datetime.timedelta:
        return timedeltas()
    if t is dict:
        return untyped_dicts(allow_nan)
    if isinstance(t, type) and issubclass(t, enum.Enum):
        return st.sampled_from(list(t))
    if dataclasses.is_dataclass(t):
        return _dataclass_values(t, allow_nan)
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin is list:
        return st.lists(values_for(args[0], packed, allow_nan), max_size=3)
    if origin is dict:
        key_t, value_t = args
        assert key_t is str, t
        return st.dictionaries(text(), values_for(value_t, packed, allow_nan), max_size=3)
    raise NotImplementedError(f"no value strategy for {t!r}")


def _dataclass_values(cls: Any, allow_nan: bool) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls, include_extras=True)
    required: dict[str, st.SearchStrategy[Any]] = {}
    optional: dict[str, st.SearchStrategy[Any]] = {}
    for f in dataclasses.fields(cls):
        strategy = values_for(hints[f.name], packed=True, allow_nan=allow_nan)
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        (optional if has_default else required)[f.name] = strategy
    return st.fixed_dictionaries(required, optional=optional).map(lambda kwargs: cls(**kwargs))


@st.composite
def pairs(draw: st.DrawFn, type_strategy: st.SearchStrategy[Any], allow_nan: bool = True) -> tuple[Any, Any]:
    """A (type, value) pair: the type from ``type_strategy``, then a value of that type."""
    t = draw(type_strategy)
    return t, draw(values_for(t, allow_nan=allow_nan))


# --------------------------------------------------------------------------------------------------
# What a round trip gives back


def expected_round_trip(t: Any, value: Any, packed: bool = False) -> Any:
    """The value ``to_python_value(to_literal(value, t), t)`` returns.

    Literal level: a naive datetime comes back as aware UTC and an aware one in UTC (the same
    instant). Packed (in a dataclass): datetimes round-trip through isoformat unchanged; timedeltas
    through float seconds.
    """
    t = _strip_annotated(t)
    members = _union_members(t)
    if members is not None:
        if value is None:
            return None
        member = _member_for(members, value)
        return expected_round_trip(member, value, packed)
    if t is datetime.datetime:
        if packed:
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    if t is datetime.timedelta:
        return datetime.timedelta(seconds=value.total_seconds()) if packed else value
    if dataclasses.is_dataclass(t):
        hints = typing.get_type_hints(t, include_extras=True)
        return dataclasses.replace(
            value,
            **{
                f.name: expected_round_trip(hints[f.name], getattr(value, f.name), packed=True)
                for f in dataclasses.fields(t)
            },
        )
    origin = typing.get_origin(t)
    args = typing.get_args(t)
    if origin is list:
        return [expected_round_trip(args[0], v, packed) for v in value]
    if origin is dict:
        return {k: expected_round_trip(args[1], v, packed) for k, v in value.items()}
    return value


def _member_for(members: tuple[Any, ...], value: Any) -> Any:
    """The union member a value was drawn from (members never overlap, see ``UNIONS``); a member
    that is itself a union (``Annotated[Union[...], ...]``) is searched too."""
    for m in members:
        base = _strip_annotated(m)
        if base is NoneType:
            continue
        nested = _union_members(base)
        if nested is not None:
            try:
                return _member_for(nested, value)
            except LookupError:
                continue
        origin = typing.get_origin(base) or base
        if origin in (int, float, str, bool, datetime.datetime, datetime.date, datetime.timedelta):
            if type(value) is origin:
                return m
        elif isinstance(value, origin):
            return m
    raise LookupError(f"{value!r} matches none of {members}")


def describe_type(t: Any) -> str:
    """``repr(t)``, with the fields of the dataclasses inside spelled out."""
    seen: set[Any] = set()
    parts = [repr(t)]

    def walk(x: Any) -> None:
        x = _strip_annotated(x)
        if dataclasses.is_dataclass(x) and isinstance(x, type):
            if x in seen:
                return
            seen.add(x)
            hints = typing.get_type_hints(x, include_extras=True)
            fields = []
            for f in dataclasses.fields(x):
                spelled = f"{f.name}: {hints[f.name]!r}"
                if f.default is not dataclasses.MISSING:
                    spelled += f" = {f.default!r}"
                elif f.default_factory is not dataclasses.MISSING:
                    spelled += f" = factory() -> {f.default_factory()!r}"
                fields.append(spelled)
                walk(hints[f.name])
            parts.append(f"@dataclass {x.__qualname__}({', '.join(fields)})")
            return
        for arg in typing.get_args(x):
            walk(arg)

    walk(t)
    return "\n  ".join(parts)


def strict_equal(a: Any, b: Any) -> bool:
    """``a == b`` that also requires the same types all the way down (1 is not 1.0 or True) and
    the same sign of zero."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return all(strict_equal(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    if isinstance(a, datetime.datetime):
        return a == b and (a.tzinfo is None) == (b.tzinfo is None)
    return bool(a == b)


def _is_dataclass_or_enum(t: Any) -> bool:
    return dataclasses.is_dataclass(t) or (isinstance(t, type) and issubclass(t, enum.Enum))
