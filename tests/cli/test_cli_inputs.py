"""Input values from the command line: JSON is checked against the input's type before it is decoded (the
decoder alone would turn ``"false"`` into ``True`` and ``1.7`` into ``1``), durations that overflow or do
not parse are errors, not tracebacks."""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import Any, Optional

import pytest

from flyweight._cli._inputs import parse_value


class Tint(enum.Enum):
    LIGHT = "light"
    DARK = "dark"


@dataclasses.dataclass
class Knobs:
    on: bool
    level: int = 0
    tint: Optional[Tint] = None


@pytest.mark.parametrize(
    ("text", "py_type", "message"),
    [
        ('["false"]', list[bool], 'expected bool, got string "false" at $[0]'),
        ("[2]", list[bool], "expected bool, got number 2 at $[0]"),
        ("[1.7]", list[int], "expected int, got number 1.7 at $[0]"),
        ('["1"]', list[int], 'expected int, got string "1" at $[0]'),
        ('"12"', list[int], 'expected list[int], got string "12" at $'),
        ('{"a": 1}', list[int], "expected list[int], got object"),
        ("null", list[int], "expected list[int], got null at $"),
        ("[null]", list[int], "expected int, got null at $[0]"),
        ("[1]", dict[str, int], "expected dict[str, int], got array [1] at $"),
        ('{"a": 1}', dict[str, str], "expected str, got number 1 at $.a"),
        ('{"a": {"b": ["x"]}}', dict[str, dict[str, list[int]]], 'got string "x" at $.a.b[0]'),
        ('{"x": 1}', dict[int, int], 'expected int keys, got "x" at $'),
        ('{"on": "no"}', Knobs, 'expected bool, got string "no" at $.on'),
        ('{"on": true, "level": 1.5}', Knobs, "expected int, got number 1.5 at $.level"),
        ('{"on": true, "levle": 1}', Knobs, "unknown field 'levle' of Knobs at $ (fields: on, level, tint)"),
        (
            '{"on": true, "tint": "pink"}',
            Knobs,
            'expected one of "light", "dark", got string "pink" at $.tint',
        ),
    ],
)
def test_json_that_does_not_fit_the_type_is_refused(text: str, py_type: Any, message: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_value(text, py_type)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("text", "py_type", "value"),
    [
        ("[1, 2.5]", list[float], [1.0, 2.5]),
        ("[1, 2.0]", list[int], [1, 2]),  # an integral float is an int, as the type engine reads it
        ('{"1": 2}', dict[int, int], {1: 2}),
        ("[1, null]", list[Optional[int]], [1, None]),
        ('[1, "a"]', list, [1, "a"]),
        ('{"on": true}', Knobs, Knobs(on=True)),
        ('{"on": false, "level": 3, "tint": "dark"}', Knobs, Knobs(on=False, level=3, tint=Tint.DARK)),
    ],
)
def test_json_that_fits_is_decoded(text: str, py_type: Any, value: Any) -> None:
    assert parse_value(text, py_type) == value


@pytest.mark.parametrize("text", ["1e400", "99999999999d", "a:b:c", "1:x:3", "-1:2:3"])
def test_a_bad_duration_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="expected seconds|longer than the longest duration"):
        parse_value(text, datetime.timedelta)
