"""guess_python_type: from a template's literal types back to Python types that read its values."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import typing
from dataclasses import dataclass

import pytest
from flyteidl.core import types_pb2

from flyweight.errors import UnsupportedTypeError
from flyweight.types import TypeEngine


class Fruit(enum.Enum):
    APPLE = "apple"


@dataclass
class Item:
    sku: str
    qty: int
    note: typing.Optional[str] = None


@pytest.mark.parametrize(
    "t",
    [
        int,
        float,
        str,
        bool,
        datetime.datetime,
        datetime.timedelta,
        type(None),
        list[int],
        dict[str, list[float]],
        typing.Optional[int],
        typing.Union[int, str],
        dict,
    ],
)
def test_builtin_types_guess_back_to_themselves(t: object) -> None:
    assert TypeEngine.guess_python_type(TypeEngine.to_literal_type(t)) == t


def test_a_date_comes_back_as_a_datetime() -> None:
    assert TypeEngine.guess_python_type(TypeEngine.to_literal_type(datetime.date)) is datetime.datetime


def test_enums_come_back_as_an_enum_with_the_same_values() -> None:
    guessed = TypeEngine.guess_python_type(TypeEngine.to_literal_type(Fruit))
    assert [m.value for m in guessed] == ["apple"]
    assert TypeEngine.guess_python_type(TypeEngine.to_literal_type(Fruit)) is guessed


class Odd(enum.Enum):
    EMPTY = ""
    MRO = "mro"
    SUNDER = "_x_"
    ORDER = "_order_"
    RED = "red"


def test_enum_values_that_cannot_be_member_names_still_come_back() -> None:
    """flyweight writes these values; a container must be able to read its own template's enum."""
    guessed = TypeEngine.guess_python_type(TypeEngine.to_literal_type(Odd))
    assert [m.value for m in guessed] == ["", "mro", "_x_", "_order_", "red"]
    lit = TypeEngine.to_literal(None, Odd.MRO, Odd, None)
    assert TypeEngine.to_python_value(None, lit, guessed).value == "mro"


def test_dataclasses_come_back_as_an_equivalent_dataclass_that_reads_the_value() -> None:
    lt = TypeEngine.to_literal_type(list[Item])
    guessed = TypeEngine.guess_python_type(lt)
    inner = typing.get_args(guessed)[0]
    assert dataclasses.is_dataclass(inner) and inner.__name__ == "Item"
    assert [f.name for f in dataclasses.fields(inner)][:2] == ["sku", "qty"]
    lit = TypeEngine.to_literal(None, [Item("a", 1, "n")], list[Item], None)
    (got,) = TypeEngine.to_python_value(None, lit, guessed)
    assert (got.sku, got.qty, got.note) == ("a", 1, "n")
    assert TypeEngine.guess_python_type(lt) == guessed  # the same literal type gives the same class


def test_variables_guess_by_name() -> None:
    class Var:
        def __init__(self, t: types_pb2.LiteralType) -> None:
            self.type = t

    got = TypeEngine.guess_python_types({"a": Var(TypeEngine.to_literal_type(int))})
    assert got == {"a": int}


def test_literal_map_to_kwargs_with_literal_types_only() -> None:
    class Var:
        def __init__(self, t: types_pb2.LiteralType) -> None:
            self.type = t

    lm = TypeEngine.dict_to_literal_map(None, {"xs": [1, 2]}, {"xs": list[int]})
    got = TypeEngine.literal_map_to_kwargs(
        None, lm, literal_types={"xs": Var(TypeEngine.to_literal_type(list[int]))}
    )
    assert got == {"xs": [1, 2]}


def test_an_unknown_literal_type_is_a_clear_error() -> None:
    with pytest.raises(UnsupportedTypeError, match="no Python type for the Flyte literal type"):
        TypeEngine.guess_python_type(types_pb2.LiteralType(simple=types_pb2.SimpleType.BINARY))
