"""A first look at flyweight's type engine: Python values to Flyte literals and back.

Run with ``make demo``. Each value is converted to the ``flyteidl`` Literal a Flyte cluster stores,
printed, serialized to bytes (what travels between tasks), parsed back and converted to Python again.
"""

from __future__ import annotations

import datetime
import enum
import typing
from dataclasses import dataclass, field

from flyteidl.core.literals_pb2 import Literal
from google.protobuf import text_format

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
    placed: datetime.datetime
    fruit: Fruit = Fruit.APPLE
    coupon: typing.Optional[str] = None
    tags: dict[str, str] = field(default_factory=dict)


EXAMPLES: list[tuple[str, object, object]] = [
    (
        "a dataclass (stored as msgpack)",
        Order,
        Order(
            id=7,
            items=[Item("a-1", 3, 9.99), Item("b-2", 1, 0.5)],
            placed=datetime.datetime(2025, 7, 4, 8, 0, tzinfo=datetime.timezone.utc),
            fruit=Fruit.PEAR,
            tags={"channel": "web"},
        ),
    ),
    ("a nested list", list[list[int]], [[1, 2], [], [3]]),
    ("an Optional holding a value", typing.Optional[str], "flyweight"),
    ("an Optional holding None", typing.Optional[str], None),
    ("a typed dict", dict[str, float], {"mean": 2.5, "p99": 9.75}),
]


def main() -> None:
    for title, py_type, value in EXAMPLES:
        literal_type = TypeEngine.to_literal_type(py_type)
        literal = TypeEngine.to_literal(None, value, py_type, literal_type)
        wire = literal.SerializeToString(deterministic=True)
        back = TypeEngine.to_python_value(None, Literal.FromString(wire), py_type)
        print(f"== {title}: {py_type!r}")
        print(f"   value   : {value!r}")
        print(f"   literal : {text_format.MessageToString(literal, as_one_line=True)[:300]}")
        print(f"   bytes   : {len(wire)}")
        print(f"   back    : {back!r}")
        print(f"   equal   : {back == value}")
        print()
    try:
        TypeEngine.to_literal(None, [1, 2, "three"], list[int], None)
    except TypeError as e:
        print(f"== a bad value is a clear error:\n   {type(e).__name__}: {e}")


if __name__ == "__main__":
    main()
