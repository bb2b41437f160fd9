"""An enum input given as its member's raw value (``"red"`` for ``Color.RED``): flytekit 1.16.14 refuses it
("Expected an enum"; later flytekit releases accept it), and so does flyweight, saying which member to pass
(docs/compatibility.md)."""

from __future__ import annotations

import enum
from typing import Any, Optional

import pytest

import flyweight
from flyweight.errors import TypeTransformerFailedError
from flyweight.types import TypeEngine


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@flyweight.task
def paint(c: Color) -> str:
    return c.value


@pytest.mark.oracle
@pytest.mark.parametrize("t", [Color, Optional[Color], list[Color]], ids=str)
def test_flytekit_1_16_14_refuses_a_raw_value(flytekit: Any, t: Any) -> None:
    from flytekit import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine as KitEngine

    value = ["red"] if t == list[Color] else "red"
    with pytest.raises(Exception, match="Expected an enum|Cannot convert") as e:
        KitEngine.to_literal(FlyteContextManager.current_context(), value, t, KitEngine.to_literal_type(t))
    assert "TypeTransformerFailedError" in type(e.value).__name__


@pytest.mark.parametrize(
    ("value", "t", "message"),
    [
        ("red", Color, "expected Color, got str 'red' (the value of Color.RED; pass the member itself)"),
        ("red", Optional[Color], "(the value of Color.RED; pass the member itself)"),
        (["green"], list[Color], "(the value of Color.GREEN; pass the member itself) at [0]"),
        ("blue", Color, "expected Color, got str 'blue'"),
    ],
)
def test_flyweight_refuses_it_naming_the_member(value: Any, t: Any, message: str) -> None:
    with pytest.raises(TypeTransformerFailedError) as e:
        TypeEngine.to_literal(None, value, t, None)
    assert message in str(e.value)


def test_a_task_input_names_the_input() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"pass the member itself\) at inputs\.c$"):
        paint(c="red")
    assert paint(c=Color.RED) == "red"
