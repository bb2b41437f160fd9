"""Every conversion failure names the expected type, the value that came and where it was."""

from __future__ import annotations

import datetime
import enum
import typing
from dataclasses import dataclass, field

import pytest
from flyteidl.core import literals_pb2

from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError, UserError
from flyweight.types import TypeEngine


class Fruit(enum.Enum):
    APPLE = "apple"
    PEAR = "pear"


@dataclass
class Item:
    sku: str
    qty: int


@dataclass
class Order:
    items: list[Item]
    meta: dict[str, str] = field(default_factory=dict)


def to_literal(value: object, t: object) -> literals_pb2.Literal:
    return TypeEngine.to_literal(None, value, t, None)


@pytest.mark.parametrize(
    ("value", "t", "message"),
    [
        ([1, 2, "abc"], list[int], "expected int, got str 'abc' at [2]"),
        ({"key": Item("a", "x")}, dict[str, Item], "expected int, got str 'x' at ['key'].qty"),  # type: ignore[arg-type]
        ({"k": {"f": "x"}}, dict[str, dict[str, int]], "expected int, got str 'x' at ['k']['f']"),
        (Order([Item("a", 1), Item("b", "2")]), Order, "expected int, got str '2' at .items[1].qty"),  # type: ignore[arg-type]
        ([[1], [2, None]], list[list[int]], "expected int, got None at [1][1]"),
        (True, int, "expected int, got bool True"),
        (1.0, int, "expected int, got float 1.0"),
        ("1", float, "expected float, got str '1'"),
        (None, str, "expected str, got None"),
        (1, bool, "expected bool, got int 1"),
        ((1, 2), list[int], "expected list[int], got tuple (1, 2)"),
        ([1], dict[str, int], "expected dict[str, int], got list [1]"),
        ({1: 2}, dict[str, int], "expected str key in dict[str, int], got int 1"),
        ("apple", Fruit, "expected Fruit, got str 'apple'"),
        (datetime.date(2020, 1, 1), datetime.datetime, "expected datetime, got date"),
        (datetime.datetime(2020, 1, 1), datetime.date, "expected date, got datetime"),
        (5, datetime.timedelta, "expected timedelta, got int 5"),
        (2**63, int, "expected int that fits in 64 bits, got int 9223372036854775808"),
        (datetime.timedelta(days=5_000_000), datetime.timedelta, "within ±10000 years"),
        ("\ud800", str, "expected str that is valid UTF-8"),
        (0, type(None), "expected None, got int 0"),
        ({"a": 1}, Item, "missing field 'sku' of Item"),
        (Item("a", 1), Order, "expected Order, got Item Item(sku='a', qty=1)"),
        ({"a": {1, 2}}, dict, "expected a msgpack-storable value"),
        (
            {"a": [datetime.datetime(2020, 1, 1)]},
            dict,
            "got datetime datetime.datetime(2020, 1, 1, 0, 0) at ['a'][0]",
        ),
        ("x", dict, "expected dict, got str 'x'"),
        ({1: "a"}, dict[int, int], "expected int, got str 'a' at [1]"),
    ],
)
def test_to_literal_errors_say_what_came_and_where(value: object, t: object, message: str) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        to_literal(value, t)
    assert message in str(info.value)
    assert isinstance(info.value, UserError)
    assert isinstance(info.value, TypeError)


def test_long_values_are_cut_to_about_80_characters() -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        to_literal("x" * 500, int)
    assert len(str(info.value)) < 120
    assert str(info.value).endswith("...'") or "..." in str(info.value)


def test_union_mismatch_lists_what_each_variant_said() -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        to_literal(1.5, typing.Union[int, str])
    text = str(info.value)
    assert text.startswith("expected Union[int, str], got float 1.5")
    assert "int: expected int" in text and "str: expected str" in text


def test_optional_reports_the_inner_location() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"expected int, got str 'x' at \[1\]"):
        to_literal([1, "x"], typing.Optional[list[int]])


@pytest.mark.parametrize(
    ("value", "t"),
    [
        ([], typing.Union[list[int], list[str]]),
        ({}, typing.Union[dict[str, int], dict[str, str]]),
    ],
)
def test_an_ambiguous_union_value_is_an_error(value: object, t: object) -> None:
    with pytest.raises(TypeTransformerFailedError, match="ambiguous value"):
        to_literal(value, t)


def test_unions_prefer_the_variant_that_takes_the_value_as_it_is() -> None:
    lit = to_literal(1, typing.Union[int, float])
    assert lit.scalar.union.type.structure.tag == "int"
    lit = to_literal(1, typing.Union[float, str])  # no exact match: an int is taken as a float
    assert lit.scalar.union.value.scalar.primitive.float_value == 1.0


@pytest.mark.parametrize(
    ("t", "fix"),
    [
        (list, "annotate lists as list[T]"),
        (typing.List, "annotate lists as list[T]"),  # noqa: UP006
        (tuple, "tuples are not supported"),
        (typing.Tuple[int, str], "tuples are not supported"),  # noqa: UP006
        (typing.Literal["a", "b"], "typing.Literal is not supported yet"),
        ("Order", "unresolved forward reference"),
    ],
)
def test_an_annotation_without_transformer_fails_at_to_literal_type_with_the_fix(t: object, fix: str) -> None:
    with pytest.raises(UnsupportedTypeError) as info:
        TypeEngine.to_literal_type(t)
    assert fix in str(info.value)
    assert isinstance(info.value, TypeTransformerFailedError)


def test_unsupported_dataclass_field_names_the_field() -> None:
    @dataclass
    class Holder:
        c: complex

    with pytest.raises(
        UnsupportedTypeError, match="field 'c' of dataclass .*Holder.*no type transformer for complex"
    ):
        TypeEngine.to_literal_type(Holder)


def test_enum_with_non_string_values_is_refused() -> None:
    class Number(enum.Enum):
        ONE = 1

    with pytest.raises(UnsupportedTypeError, match="must have string values"):
        TypeEngine.to_literal_type(Number)


def test_any_is_pickled_but_not_none() -> None:
    assert TypeEngine.to_literal_type(typing.Any).blob.format == "PythonPickle"
    with pytest.raises(TypeTransformerFailedError, match="a pickled value cannot be None"):
        to_literal(None, typing.Any)


@pytest.mark.parametrize(
    ("value", "written_as", "read_as", "message"),
    [
        (["a"], list[str], list[int], "expected int, got string literal 'a' at [0]"),
        (["a"], list[str], int, "expected int, got collection literal of 1 item"),
        (["a"], list[str], dict[str, int], "expected dict[str, int], got collection literal"),
        (["a"], list[str], Item, "expected Item, got collection literal"),
        ({"k": Item("a", 1)}, dict[str, Item], dict[str, Order], "missing field 'items' of Order at ['k']"),
        ("banana", str, Fruit, "expected Fruit (one of ['apple', 'pear']), got str 'banana'"),
        (1.5, float, int, "expected int, got float literal 1.5"),
        (None, type(None), str, "expected str, got none literal"),
        (3, int, typing.Union[str, bool], "expected Union[str, bool], got integer literal 3"),
    ],
)
def test_to_python_value_errors_describe_the_literal(
    value: object, written_as: object, read_as: object, message: str
) -> None:
    lit = to_literal(value, written_as)
    with pytest.raises(TypeTransformerFailedError) as info:
        TypeEngine.to_python_value(None, lit, read_as)
    assert message in str(info.value)


def test_an_empty_literal_is_described_as_empty() -> None:
    with pytest.raises(TypeTransformerFailedError, match="expected int, got empty literal"):
        TypeEngine.to_python_value(None, literals_pb2.Literal(), int)


def test_a_corrupt_msgpack_payload_is_a_clear_error() -> None:
    lit = literals_pb2.Literal(
        scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=b"\xc1", tag="msgpack"))
    )
    with pytest.raises(TypeTransformerFailedError, match="corrupt msgpack data"):
        TypeEngine.to_python_value(None, lit, dict)


def test_a_non_msgpack_binary_is_refused() -> None:
    lit = literals_pb2.Literal(
        scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=b"{}", tag="json"))
    )
    with pytest.raises(TypeTransformerFailedError, match="only msgpack binary literals"):
        TypeEngine.to_python_value(None, lit, dict)


def test_an_offloaded_literal_says_it_is_not_supported_yet() -> None:
    lit = literals_pb2.Literal(offloaded_metadata=literals_pb2.LiteralOffloadedMetadata(uri="s3://b/k"))
    with pytest.raises(TypeTransformerFailedError, match="offloaded literal at 's3://b/k'.*not support yet"):
        TypeEngine.to_python_value(None, lit, int)


def test_to_python_value_refuses_something_that_is_not_a_literal() -> None:
    with pytest.raises(TypeTransformerFailedError, match="expected a flyteidl Literal, got int"):
        TypeEngine.to_python_value(None, 5, int)  # type: ignore[arg-type]


def test_literal_map_to_kwargs_names_the_input() -> None:
    lm = TypeEngine.dict_to_literal_map(None, {"limit": "x"}, {"limit": str})
    with pytest.raises(TypeTransformerFailedError, match="expected int, got string literal 'x' at limit"):
        TypeEngine.literal_map_to_kwargs(None, lm, {"limit": int})
    with pytest.raises(TypeTransformerFailedError, match="unexpected input 'limit'"):
        TypeEngine.literal_map_to_kwargs(None, lm, {"other": int})
    with pytest.raises(TypeTransformerFailedError, match="needs python_types or literal_types"):
        TypeEngine.literal_map_to_kwargs(None, lm)


def test_dict_to_literal_map_names_the_input() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"expected int, got str 'x' at items\[1\]"):
        TypeEngine.dict_to_literal_map(None, {"items": [1, "x"]}, {"items": list[int]})
    with pytest.raises(UnsupportedTypeError, match="no type hint for 'items'"):
        TypeEngine.dict_to_literal_map(None, {"items": [1]})


def test_a_failed_conversion_loses_nothing_already_converted() -> None:
    value = [1, 2, 3]
    with pytest.raises(TypeTransformerFailedError):
        to_literal([*value, "x"], list[int])
    assert value == [1, 2, 3]  # the input is never mutated
    item = Item("a", 1)
    to_literal(item, Item)
    assert item == Item("a", 1)
