"""Literals in short form for run reports: bounded, read from the literal alone, never raising."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from flyweight import _idl
from flyweight._runtime._short import short_literal, short_map
from flyweight.types import TypeEngine


@pytest.mark.parametrize(
    ("value", "annotation", "expected"),
    [
        (3, int, "int 3"),
        (1.5, float, "float 1.5"),
        ("abc", str, "str 'abc'"),
        (True, bool, "bool True"),
        (None, int | None, "None"),
        (datetime.timedelta(seconds=90), datetime.timedelta, "timedelta 0:01:30"),
        ([1, 2], list[int], "list (2 items) [int 1, int 2]"),
        ([7], list[int], "list (1 item) [int 7]"),
        ({"b": 1, "a": 2}, dict[str, int], "dict (2 keys) {'a': int 2, 'b': int 1}"),
    ],
)
def test_short_forms(value: Any, annotation: Any, expected: str) -> None:
    assert short_literal(TypeEngine.to_literal(None, value, annotation, None)) == expected


def test_big_values_stay_short() -> None:
    big = short_literal(TypeEngine.to_literal(None, list(range(100_000)), list[int], None))
    assert big.startswith("list (100,000 items) [int 0, int 1, int 2, int 3, int 4, …]")
    text = short_literal(TypeEngine.to_literal(None, "x" * 10_000, str, None))
    assert len(text) < 100 and text.endswith("…'")
    nested = short_literal(TypeEngine.to_literal(None, [["y" * 500] * 50] * 50, list[list[str]], None))
    assert len(nested) <= 300


def test_files_and_binaries_name_what_they_hold() -> None:
    lit = _idl.Literal()
    lit.scalar.blob.uri = "s3://bucket/key.csv"
    assert short_literal(lit) == "file s3://bucket/key.csv"
    packed = TypeEngine.to_literal(None, {"k": [1, 2]}, dict, None)
    assert short_literal(packed).startswith("binary msgpack (")


def test_a_value_protobuf_cannot_print_is_described_instead() -> None:
    lit = _idl.Literal()
    lit.scalar.primitive.datetime.seconds = 10**13  # beyond year 9999
    assert "out of range" in short_literal(lit)


def test_short_map_orders_by_name() -> None:
    lm = TypeEngine.dict_to_literal_map(None, {"b": 1, "a": "x"}, {"b": int, "a": str})
    assert list(short_map(lm)) == ["a", "b"]
    assert short_literal(_idl.Literal()) == "(empty literal)"
