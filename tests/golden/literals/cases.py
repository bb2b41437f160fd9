"""The literal golden cases: (case id, Python type, value), plain Python with no SDK imports.

``tools/goldens.py`` turns each case into ``<id>.type.pb`` (the ``LiteralType``) and
``<id>.literal.pb`` (the ``Literal``) with flytekit as the oracle; ``tests/types/test_golden.py``
checks that flyweight produces the same bytes and reads them back.

The cases spell ``typing.List`` / ``typing.Dict`` on purpose: the goldens are for these annotations.
"""

# ruff: noqa: UP006

import datetime
import enum
import typing
from dataclasses import dataclass, field


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
    items: typing.List[Item]
    meta: typing.Dict[str, str] = field(default_factory=dict)
    fruit: Fruit = Fruit.APPLE
    coupon: typing.Optional[str] = None


def cases() -> list[tuple[str, typing.Any, typing.Any]]:
    """Every case, in a fixed order; ids are unique and name the golden files."""
    return [
        ("int", int, 42),
        ("float", float, 0.1),
        ("str", str, "flyweight"),
        ("bool", bool, True),
        ("datetime", datetime.datetime, datetime.datetime(2025, 7, 4, 8, 0, 0, tzinfo=datetime.timezone.utc)),
        ("timedelta", datetime.timedelta, datetime.timedelta(minutes=90)),
        ("list_int", typing.List[int], [5, 6, 7]),
        ("list_opt_int", typing.List[typing.Optional[int]], [1, None, 3]),
        ("dict_str_str", typing.Dict[str, str], {"x": "1", "y": "2"}),
        ("opt_str_none", typing.Optional[str], None),
        ("opt_str_val", typing.Optional[str], "v"),
        ("union_float_str", typing.Union[float, str], 2.5),
        ("enum", Fruit, Fruit.PEAR),
        ("dataclass", Item, Item("a-1", 3, 9.99)),
        ("dataclass_nested", Order, Order(7, [Item("b", 1, 1.0)], {"k": "v"}, Fruit.PEAR, None)),
        ("untyped_dict", dict, {"n": 1, "l": [1, "two", 3.0], "d": {"e": False}}),
    ]
