"""flyweight's type engine against flytekit 1.16.14 (the oracle), byte for byte.

Each test draws a (Python type, value) pair and checks that flyweight's ``LiteralType`` and
``Literal`` serialize (deterministically) to exactly the bytes flytekit's do.

flytekit comes from the ``flytekit`` fixture (``tests/conftest.py``): without it these tests are
skipped, unless ``FLYWEIGHT_REQUIRE_ORACLE=1``, in which case they fail.
"""

from __future__ import annotations

import datetime
import typing
from dataclasses import dataclass
from typing import Any, Optional

import pytest
from _type_strategies import (
    Color,
    Fruit,
    Tagged,
    annotated_types,
    any_types,
    container_types,
    describe_type,
    dynamic_dataclass_types,
    enum_family_types,
    optional_union_types,
    pairs,
    scalar_types,
    static_dataclass_types,
    untyped_dicts,
)
from flyteidl.core import literals_pb2, types_pb2
from hypothesis import HealthCheck, given, settings, strategies as st

from flyweight.types import TypeEngine

pytestmark = pytest.mark.oracle

UTC = datetime.timezone.utc

_SETTINGS = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


class Oracle:
    """flytekit's TypeEngine and a context, returning serialized protobuf bytes."""

    def __init__(self) -> None:
        from flytekit import FlyteContextManager
        from flytekit.core.type_engine import TypeEngine as FlytekitTypeEngine

        self.engine = FlytekitTypeEngine
        self.ctx = FlyteContextManager.current_context()

    def literal_type(self, py_type: Any) -> bytes:
        lt = self.engine.to_literal_type(py_type)
        return lt.to_flyte_idl().SerializeToString(deterministic=True)

    def literal(self, value: Any, py_type: Any) -> bytes:
        lt = self.engine.to_literal_type(py_type)
        lit = self.engine.to_literal(self.ctx, value, py_type, lt)
        return lit.to_flyte_idl().SerializeToString(deterministic=True)


@pytest.fixture(scope="module")
def oracle(flytekit: Any) -> Oracle:
    """The flytekit oracle (the ``flytekit`` fixture skips, or fails, without flytekit)."""
    return Oracle()


def _text(cls: type, data: bytes) -> str:
    return str(cls.FromString(data)) or "<empty message>"


class OracleError(Exception):
    """flytekit itself failed on a drawn (type, value): a case the strategies should not produce."""


def assert_same_as_flytekit(oracle: Oracle, py_type: Any, value: Any) -> None:
    """LiteralType and Literal bytes of flyweight equal flytekit's for (py_type, value)."""
    try:
        expected_type = oracle.literal_type(py_type)
        expected_lit = oracle.literal(value, py_type)
    except Exception as e:
        raise OracleError(
            f"flytekit failed ({type(e).__name__}: {e}) on {describe_type(py_type)}\n  value: {value!r}"
        ) from e

    got_type = TypeEngine.to_literal_type(py_type).SerializeToString(deterministic=True)
    assert got_type == expected_type, (
        f"LiteralType differs for {describe_type(py_type)}\n"
        f"--- flyweight:\n{_text(types_pb2.LiteralType, got_type)}\n"
        f"--- flytekit:\n{_text(types_pb2.LiteralType, expected_type)}"
    )

    lt = TypeEngine.to_literal_type(py_type)
    got_lit = TypeEngine.to_literal(None, value, py_type, lt).SerializeToString(deterministic=True)
    assert got_lit == expected_lit, (
        f"Literal differs for {describe_type(py_type)}\n  value: {value!r}\n"
        f"--- flyweight:\n{_text(literals_pb2.Literal, got_lit)}\n"
        f"--- flytekit:\n{_text(literals_pb2.Literal, expected_lit)}"
    )
    # Without the expected literal type, too.
    got_lit = TypeEngine.to_literal(None, value, py_type, None).SerializeToString(deterministic=True)
    assert got_lit == expected_lit, (
        f"Literal with expected=None differs for {describe_type(py_type)}\n  value: {value!r}"
    )


# --------------------------------------------------------------------------------------------------
# Property-based comparisons, one per type family


@settings(max_examples=800, **_SETTINGS)
@given(pairs(scalar_types() | st.just(type(None))))
def test_scalars(oracle: Oracle, pair: tuple[Any, Any]) -> None:
    assert_same_as_flytekit(oracle, *pair)


@settings(max_examples=600, **_SETTINGS)
@given(pairs(container_types(3)))
def test_lists_and_dicts(oracle: Oracle, pair: tuple[Any, Any]) -> None:
    assert_same_as_flytekit(oracle, *pair)


@settings(max_examples=400, **_SETTINGS)
@given(untyped_dicts(allow_nan=True))
def test_untyped_dict(oracle: Oracle, value: dict[str, Any]) -> None:
    assert_same_as_flytekit(oracle, dict, value)


@settings(max_examples=600, **_SETTINGS)
@given(pairs(optional_union_types(2)))
def test_optional_and_unions(oracle: Oracle, pair: tuple[Any, Any]) -> None:
    assert_same_as_flytekit(oracle, *pair)


@settings(max_examples=120, **_SETTINGS)
@given(pairs(enum_family_types()))
def test_enums(oracle: Oracle, pair: tuple[Any, Any]) -> None:
    assert_same_as_flytekit(oracle, *pair)


@settings(max_examples=400, **_SETTINGS)
@given(pairs(static_dataclass_types()))
def test_module_dataclasses(oracle: Oracle, pair: tuple[Any, Any]) -> None:
    assert_same_as_flytekit(oracle, *pair)


@settings(max_examples=400, **_SETTINGS)
@given(pairs(dynamic_dataclass_types(2)))
def test_generated_dataclasses(oracle: Oracle, pair: tuple[Any, Any]) -> None:
    assert_same_as_flytekit(oracle, *pair)


@settings(max_examples=300, **_SETTINGS)
@given(pairs(annotated_types()))
def test_annotated(oracle: Oracle, pair: tuple[Any, Any]) -> None:
    assert_same_as_flytekit(oracle, *pair)


@settings(max_examples=500, **_SETTINGS)
@given(pairs(any_types(3)))
def test_any_nesting(oracle: Oracle, pair: tuple[Any, Any]) -> None:
    assert_same_as_flytekit(oracle, *pair)


# --------------------------------------------------------------------------------------------------
# Explicit edge cases


@dataclass
class Item:
    sku: str
    qty: int
    price: float


@dataclass
class AnnotatedUnionField:
    value: Optional[typing.Annotated[typing.Union[int, str], "meta"]]


_PARIS = datetime.timezone(datetime.timedelta(hours=2), "CEST")
_MINUS_0930 = datetime.timezone(-datetime.timedelta(hours=9, minutes=30))

EDGE_CASES: list[tuple[str, Any, Any]] = [
    ("empty_list", list[int], []),
    ("empty_typing_list", typing.List[str], []),  # noqa: UP006
    ("empty_dict", dict[str, int], {}),
    ("empty_untyped_dict", dict, {}),
    ("nested_empty_list", list[list[int]], [[]]),
    ("nested_empty_dict", dict[str, dict[str, int]], {"a": {}}),
    ("nested_empty_mix", list[dict[str, list[int]]], [{}, {"k": []}]),
    ("optional_list_none", Optional[list[int]], None),
    ("optional_list_value", Optional[list[int]], [1, 2]),
    ("list_optional_int", list[Optional[int]], [1, None, 3]),
    ("dict_list_dict", dict[str, list[dict[str, int]]], {"a": [{"x": 1}, {}], "b": []}),
    ("optional_dataclass_value", Optional[Item], Item("a", 1, 2.5)),
    ("optional_dataclass_none", Optional[Item], None),
    ("union_dataclass_str", typing.Union[Item, str], Item("b", 2, 0.5)),
    ("datetime_non_utc", datetime.datetime, datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=_PARIS)),
    (
        "datetime_negative_offset",
        datetime.datetime,
        datetime.datetime(2024, 1, 1, 0, 0, tzinfo=_MINUS_0930),
    ),
    ("datetime_naive", datetime.datetime, datetime.datetime(2024, 5, 6, 7, 8, 9, 123456)),
    ("datetime_min_naive", datetime.datetime, datetime.datetime(1, 1, 1)),
    ("datetime_max_utc", datetime.datetime, datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
    ("date", datetime.date, datetime.date(2024, 2, 29)),
    ("date_min", datetime.date, datetime.date(1, 1, 1)),
    ("timedelta_negative", datetime.timedelta, datetime.timedelta(microseconds=-1)),
    ("timedelta_max", datetime.timedelta, datetime.timedelta(days=3_652_500)),
    ("float_nan", float, float("nan")),
    ("float_negative_zero", float, -0.0),
    ("int64_min", int, -(2**63)),
    ("str_nul", str, "a\x00b"),
    ("none", type(None), None),
    ("enum_list", list[Color], [Color.BLUE, Color.RED]),
    ("optional_enum_none", Optional[Fruit], None),
    ("dataclass_defaults", Tagged, Tagged("t")),
    ("untyped_dict_nested", dict, {"a": [1, 2.5, None, "x", True, {"b": []}], "": {}}),
    ("list_untyped_dict", list[dict], [{}, {"a": 1}]),
    ("annotated_dataclass", typing.Annotated[Item, "meta"], Item("c", 3, 1.0)),
    ("dataclass_annotated_union_field", AnnotatedUnionField, AnnotatedUnionField(None)),
]


@pytest.mark.parametrize(("py_type", "value"), [c[1:] for c in EDGE_CASES], ids=[c[0] for c in EDGE_CASES])
def test_edge_cases(oracle: Oracle, py_type: Any, value: Any) -> None:
    assert_same_as_flytekit(oracle, py_type, value)


def test_datetime_zoneinfo(oracle: Oracle) -> None:
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        tz = zoneinfo.ZoneInfo("America/New_York")
    except zoneinfo.ZoneInfoNotFoundError:
        pytest.skip("no time zone database")
    assert_same_as_flytekit(oracle, datetime.datetime, datetime.datetime(2024, 3, 10, 12, 0, tzinfo=tz))


# typing.Union compares equal (and hashes the same) whatever the order of its members, but the
# variants of a union literal type follow that order.
UNION_ORDERS: list[tuple[Any, Any, Any]] = [
    (typing.Union[int, float], typing.Union[float, int], 1.5),
    (typing.Union[int, str], typing.Union[str, int], "s"),
    (list[typing.Union[int, str]], list[typing.Union[str, int]], [1, "s"]),
    (typing.Union[int, str, None], typing.Union[str, int, None], None),
    (dict[str, typing.Union[int, float]], dict[str, typing.Union[float, int]], {"k": 2}),
]


@pytest.mark.parametrize(("first", "second", "value"), UNION_ORDERS, ids=repr)
def test_union_member_order(oracle: Oracle, first: Any, second: Any, value: Any) -> None:
    assert_same_as_flytekit(oracle, first, value)
    assert_same_as_flytekit(oracle, second, value)
