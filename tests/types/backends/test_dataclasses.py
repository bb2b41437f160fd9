"""Dataclasses: what is stored, what is validated, and what comes back."""

from __future__ import annotations

import datetime
import typing
from dataclasses import dataclass, field

import msgpack
import pytest

from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types import TypeEngine


@dataclass
class WithDerived:
    a: int
    b: int = field(init=False, default=5)


@dataclass(frozen=True)
class Frozen:
    name: str
    tags: tuple[str, ...] = ()  # tuples inside dataclasses are not Flyte types either


@dataclass
class Positive:
    n: int

    def __post_init__(self) -> None:
        if self.n <= 0:
            raise ValueError("n must be positive")


@dataclass
class Item:
    sku: str
    qty: int = 1
    price: float = 0.0


def roundtrip(value: object, t: object) -> object:
    return TypeEngine.to_python_value(None, TypeEngine.to_literal(None, value, t, None), t)


def payload(value: object, t: object) -> object:
    return msgpack.unpackb(
        TypeEngine.to_literal(None, value, t, None).scalar.binary.value, strict_map_key=False
    )


def test_init_false_fields_are_stored_and_restored() -> None:
    value = WithDerived(1)
    value.b = 9
    assert payload(value, WithDerived) == {"a": 1, "b": 9}
    assert roundtrip(value, WithDerived).b == 9  # type: ignore[attr-defined]
    assert "b" in TypeEngine.to_literal_type(WithDerived).structure.dataclass_type


def test_tuple_fields_are_refused_with_the_field_name() -> None:
    with pytest.raises(
        UnsupportedTypeError, match="field 'tags' of dataclass Frozen.*tuples are not supported"
    ):
        TypeEngine.to_literal_type(Frozen)


def test_post_init_validation_failing_on_read_is_a_conversion_error() -> None:
    lit = TypeEngine.to_literal(None, {"n": -1}, dict, None)
    with pytest.raises(
        TypeTransformerFailedError, match="Positive\\(...\\) rejected the value: n must be positive"
    ):
        TypeEngine.to_python_value(None, lit, Positive)


def test_a_dict_for_a_dataclass_is_validated_and_completed() -> None:
    assert payload({"sku": "a"}, Item) == {"sku": "a", "qty": 1, "price": 0.0}
    with pytest.raises(TypeTransformerFailedError, match="expected int, got str 'x' at .qty"):
        TypeEngine.to_literal(None, {"sku": "a", "qty": "x"}, Item, None)


def test_an_int_in_a_float_field_is_stored_as_a_float() -> None:
    data = TypeEngine.to_literal(None, Item("a", 1, 2), Item, None).scalar.binary.value  # type: ignore[arg-type]
    assert msgpack.unpackb(data)["price"] == 2.0
    assert b"\xcb@\x00\x00\x00\x00\x00\x00\x00" in data  # float64 2.0


def test_a_subclass_instance_is_stored_as_the_declared_class() -> None:
    @dataclass
    class Special(Item):
        extra: str = "x"

    assert payload(Special("a"), Item) == {"sku": "a", "qty": 1, "price": 0.0}


def test_annotated_fields_are_plain_fields() -> None:
    @dataclass
    class Tagged:
        n: typing.Annotated[int, "meta"]

    assert roundtrip(Tagged(3), Tagged) == Tagged(3)
    assert TypeEngine.to_literal_type(Tagged).metadata.fields["properties"].struct_value.fields["n"]


def test_non_str_keys_inside_a_dataclass() -> None:
    @dataclass
    class Index:
        by_id: dict[int, str]

    assert payload(Index({1: "a"}), Index) == {"by_id": {1: "a"}}
    assert roundtrip(Index({1: "a"}), Index) == Index({1: "a"})


@dataclass
class Tree:
    children: list[Tree]


def test_a_recursive_dataclass_is_refused() -> None:
    with pytest.raises(UnsupportedTypeError, match="refers to itself"):
        TypeEngine.to_literal_type(Tree)


@dataclass
class Wait:
    d: typing.Union[datetime.timedelta, int]


def test_union_fields_read_back_the_member_that_was_written() -> None:
    assert type(roundtrip(Wait(0), Wait).d) is int  # type: ignore[attr-defined]
    assert roundtrip(Wait(datetime.timedelta(seconds=3)), Wait) == Wait(datetime.timedelta(seconds=3))
