"""Round trips through the type engine, for every type family (no flytekit needed).

``to_python_value(to_literal(v, t), t)`` gives ``v`` back, also after the literal has gone through
its protobuf bytes; converting the same value twice gives the same bytes.

The documented exceptions to getting exactly ``v`` back (see ``expected_round_trip``): a naive
datetime stored as a literal comes back as an aware UTC datetime, an aware one comes back in UTC
(the same instant), and a timedelta inside a dataclass is float seconds. NaN is never drawn here
(NaN != NaN).
"""

from __future__ import annotations

import datetime
import typing
from typing import Any

import pytest
from _type_strategies import (
    Color,
    Event,
    Labeled,
    Tagged,
    annotated_types,
    any_types,
    container_types,
    describe_type,
    dynamic_dataclass_types,
    enum_family_types,
    expected_round_trip,
    optional_union_types,
    pairs,
    scalar_types,
    static_dataclass_types,
    strict_equal,
    untyped_dicts,
)
from flyteidl.core import literals_pb2
from hypothesis import HealthCheck, given, settings, strategies as st

from flyweight.types import TypeEngine

UTC = datetime.timezone.utc

_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


def check_round_trip(py_type: Any, value: Any) -> None:
    expected = expected_round_trip(py_type, value)
    lt = TypeEngine.to_literal_type(py_type)
    lit = TypeEngine.to_literal(None, value, py_type, lt)
    context = f"{describe_type(py_type)}\n  value: {value!r}\n  literal:\n{lit}"

    back = TypeEngine.to_python_value(None, lit, py_type)
    assert back == expected, f"round trip changed the value for {context}\n  got back: {back!r}"
    assert strict_equal(back, expected), (
        f"round trip changed a type for {context}\n  got back: {back!r}\n  expected: {expected!r}"
    )

    data = lit.SerializeToString(deterministic=True)
    parsed = literals_pb2.Literal.FromString(data)
    back_from_bytes = TypeEngine.to_python_value(None, parsed, py_type)
    assert strict_equal(back_from_bytes, expected), (
        f"round trip through bytes changed the value for {context}\n  got back: {back_from_bytes!r}"
    )

    again = TypeEngine.to_literal(None, value, py_type, None).SerializeToString(deterministic=True)
    assert again == data, f"converting twice gave different bytes for {context}"


def no_nan(type_strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[tuple[Any, Any]]:
    return pairs(type_strategy, allow_nan=False)


@settings(max_examples=1000, **_SETTINGS)
@given(no_nan(scalar_types() | st.just(type(None))))
def test_scalars(pair: tuple[Any, Any]) -> None:
    check_round_trip(*pair)


@settings(max_examples=600, **_SETTINGS)
@given(no_nan(container_types(3)))
def test_lists_and_dicts(pair: tuple[Any, Any]) -> None:
    check_round_trip(*pair)


@settings(max_examples=400, **_SETTINGS)
@given(untyped_dicts(allow_nan=False))
def test_untyped_dict(value: dict[str, Any]) -> None:
    check_round_trip(dict, value)


@settings(max_examples=600, **_SETTINGS)
@given(no_nan(optional_union_types(2)))
def test_optional_and_unions(pair: tuple[Any, Any]) -> None:
    check_round_trip(*pair)


@settings(max_examples=100, **_SETTINGS)
@given(no_nan(enum_family_types()))
def test_enums(pair: tuple[Any, Any]) -> None:
    check_round_trip(*pair)


@settings(max_examples=400, **_SETTINGS)
@given(no_nan(static_dataclass_types()))
def test_module_dataclasses(pair: tuple[Any, Any]) -> None:
    check_round_trip(*pair)


@settings(max_examples=400, **_SETTINGS)
@given(no_nan(dynamic_dataclass_types(2)))
def test_generated_dataclasses(pair: tuple[Any, Any]) -> None:
    check_round_trip(*pair)


@settings(max_examples=300, **_SETTINGS)
@given(no_nan(annotated_types()))
def test_annotated(pair: tuple[Any, Any]) -> None:
    check_round_trip(*pair)


@settings(max_examples=600, **_SETTINGS)
@given(no_nan(any_types(3)))
def test_any_nesting(pair: tuple[Any, Any]) -> None:
    check_round_trip(*pair)


# --------------------------------------------------------------------------------------------------
# The documented exceptions, spelled out


def test_naive_datetime_comes_back_as_utc() -> None:
    naive = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456)
    lit = TypeEngine.to_literal(None, naive, datetime.datetime, None)
    back = TypeEngine.to_python_value(None, lit, datetime.datetime)
    assert back == naive.replace(tzinfo=UTC)
    assert back.tzinfo is not None and back.utcoffset() == datetime.timedelta(0)


def test_aware_datetime_comes_back_as_the_same_instant() -> None:
    tz = datetime.timezone(datetime.timedelta(hours=-7, minutes=-30))
    aware = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=tz)
    lit = TypeEngine.to_literal(None, aware, datetime.datetime, None)
    back = TypeEngine.to_python_value(None, lit, datetime.datetime)
    assert back == aware
    assert back.utcoffset() == datetime.timedelta(0)


def test_datetime_in_dataclass_keeps_its_offset() -> None:
    tz = datetime.timezone(datetime.timedelta(hours=5, minutes=45))
    value = Event(
        when=datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=tz),
        day=datetime.date(2024, 1, 2),
        took=datetime.timedelta(seconds=1.5),
    )
    lit = TypeEngine.to_literal(None, value, Event, None)
    back = TypeEngine.to_python_value(None, lit, Event)
    assert back == value
    assert back.when.utcoffset() == tz.utcoffset(None)


@pytest.mark.parametrize(
    ("py_type", "value"),
    [
        (list[int], []),
        (dict[str, int], {}),
        (dict, {}),
        (list[list[int]], [[]]),
        (dict[str, list[dict[str, int]]], {"a": [{}], "b": []}),
        (typing.Optional[list[int]], None),
        (list[typing.Optional[int]], [None, 1, None]),
        (typing.Optional[Tagged], None),
        (typing.Optional[Tagged], Tagged("x")),
        (list[Color], [Color.GREEN]),
        (Labeled, Labeled(7)),
        (datetime.date, datetime.date(1, 1, 1)),
        (datetime.timedelta, datetime.timedelta(days=-3_652_500)),
        (float, -0.0),
        (float, float("inf")),
        (type(None), None),
    ],
    ids=repr,
)
def test_edge_cases(py_type: Any, value: Any) -> None:
    check_round_trip(py_type, value)
