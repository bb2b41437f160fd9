"""Reading what a real cluster may hold: older encodings, attribute access, console inputs."""

from __future__ import annotations

import datetime
import enum
import json
import typing
from dataclasses import dataclass, field

import msgpack
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import json_format, struct_pb2

from flyweight.types import TypeEngine


class Fruit(enum.Enum):
    APPLE = "apple"
    PEAR = "pear"


@dataclass
class Item:
    sku: str
    qty: int
    price: float


@dataclass
class Order:
    id: int
    items: list[Item]
    meta: dict[str, str] = field(default_factory=dict)
    fruit: Fruit = Fruit.APPLE
    coupon: typing.Optional[str] = None
    when: typing.Optional[datetime.datetime] = None


def generic(value: object) -> literals_pb2.Literal:
    """The Struct encoding Flyte's Python SDK used before msgpack (JSON through a protobuf Struct)."""
    return literals_pb2.Literal(
        scalar=literals_pb2.Scalar(generic=json_format.Parse(json.dumps(value), struct_pb2.Struct()))
    )


def binary(value: object) -> literals_pb2.Literal:
    return literals_pb2.Literal(
        scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=msgpack.packb(value), tag="msgpack"))
    )


def test_dataclass_from_the_old_generic_struct_encoding() -> None:
    old = {
        "id": 7,
        "items": [{"sku": "b", "qty": 1, "price": 1}],
        "meta": {"k": "v"},
        "fruit": "pear",
        "coupon": None,
        "when": "2020-01-02T03:04:05+00:00",
    }
    got = TypeEngine.to_python_value(None, generic(old), Order)
    assert got == Order(
        7,
        [Item("b", 1, 1.0)],
        {"k": "v"},
        Fruit.PEAR,
        None,
        datetime.datetime(2020, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc),
    )
    assert type(got.id) is int and type(got.items[0].qty) is int  # Struct numbers are doubles
    assert type(got.items[0].price) is float


def test_untyped_dict_from_the_old_generic_struct_encoding() -> None:
    assert TypeEngine.to_python_value(None, generic({"a": [1, "x"], "b": {"c": True}}), dict) == {
        "a": [1.0, "x"],
        "b": {"c": True},
    }


def test_non_integral_float_is_not_taken_for_an_int() -> None:
    import pytest

    from flyweight.errors import TypeTransformerFailedError

    with pytest.raises(TypeTransformerFailedError, match=r"expected int, got float 1\.5 at \.qty"):
        TypeEngine.to_python_value(None, generic({"sku": "a", "qty": 1.5, "price": 1.0}), Item)


def test_scalars_from_msgpack_binary_as_attribute_access_yields() -> None:
    # Flyte resolves `dc.qty` on a msgpack dataclass into a msgpack binary literal of the field
    assert TypeEngine.to_python_value(None, binary(3), int) == 3
    assert TypeEngine.to_python_value(None, binary("x"), str) == "x"
    assert TypeEngine.to_python_value(None, binary([1, 2]), list[int]) == [1, 2]
    assert TypeEngine.to_python_value(None, binary({"a": 1.5}), dict[str, float]) == {"a": 1.5}
    assert TypeEngine.to_python_value(None, binary({"sku": "a", "qty": 1, "price": 2.0}), Item) == Item(
        "a", 1, 2.0
    )
    assert TypeEngine.to_python_value(None, binary("pear"), Fruit) is Fruit.PEAR
    assert TypeEngine.to_python_value(None, binary("2020-01-01"), datetime.date) == datetime.date(2020, 1, 1)
    assert TypeEngine.to_python_value(None, binary(1.5), datetime.timedelta) == datetime.timedelta(
        seconds=1.5
    )


def test_console_float_for_an_int_input() -> None:
    lit = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(float_value=5.0)))
    assert TypeEngine.to_python_value(None, lit, int) == 5


def test_an_int_literal_is_read_as_a_float() -> None:
    lit = TypeEngine.to_literal(None, 5, int, None)
    got = TypeEngine.to_python_value(None, lit, float)
    assert got == 5.0 and type(got) is float


def test_a_value_wrapped_in_a_union_literal_reads_as_the_plain_type() -> None:
    lit = TypeEngine.to_literal(None, 5, typing.Optional[int], None)
    assert TypeEngine.to_python_value(None, lit, int) == 5


def test_a_plain_literal_reads_as_a_union_when_one_variant_takes_it() -> None:
    lit = TypeEngine.to_literal(None, "x", str, None)
    assert TypeEngine.to_python_value(None, lit, typing.Optional[str]) == "x"
    assert TypeEngine.to_python_value(None, lit, typing.Union[int, str]) == "x"


def test_union_tags_pick_between_structurally_different_variants() -> None:
    t = typing.Union[list[int], list[str]]
    lit = TypeEngine.to_literal(None, [], list[str], None)
    wrapped = literals_pb2.Literal(
        scalar=literals_pb2.Scalar(
            union=literals_pb2.Union(
                value=lit,
                type=types_pb2.LiteralType(
                    collection_type=types_pb2.LiteralType(simple=types_pb2.SimpleType.STRING),
                    structure=types_pb2.TypeStructure(tag="Typed List"),
                ),
            )
        )
    )
    assert TypeEngine.to_python_value(None, wrapped, t) == []


def test_union_of_two_dataclasses_reads_back_the_right_one() -> None:
    @dataclass
    class A:
        a: int

    @dataclass
    class B:
        b: str

    t = typing.Union[A, B]
    assert TypeEngine.to_python_value(None, TypeEngine.to_literal(None, B("x"), t, None), t) == B("x")
    assert TypeEngine.to_python_value(None, TypeEngine.to_literal(None, A(1), t, None), t) == A(1)


def test_flytekit_style_model_objects_are_accepted() -> None:
    class Model:
        def __init__(self, pb: literals_pb2.Literal) -> None:
            self._pb = pb

        def to_flyte_idl(self) -> literals_pb2.Literal:
            return self._pb

    lit = TypeEngine.to_literal(None, [1, 2], list[int], None)
    assert TypeEngine.to_python_value(None, Model(lit), list[int]) == [1, 2]  # type: ignore[arg-type]


def test_extra_keys_in_stored_dataclasses_are_ignored() -> None:
    # a newer writer may have added a field; reading must not fail
    assert TypeEngine.to_python_value(
        None, binary({"sku": "a", "qty": 1, "price": 2.0, "new": 1}), Item
    ) == Item("a", 1, 2.0)


def test_missing_fields_with_defaults_are_filled() -> None:
    got = TypeEngine.to_python_value(None, binary({"id": 1, "items": []}), Order)
    assert got == Order(1, [])
