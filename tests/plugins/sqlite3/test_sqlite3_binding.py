"""Inputs are bound, never spliced: injection attempts are data, quoted placeholders written for flytekit
keep working, and string literals keep their whitespace."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings, strategies as st
from tests.plugins.sqlite3.sqlite3_support import MUSIC_DB, assert_same_rows, expected_rows, frame, sha256

from flyweight import kwtypes
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task

CONFIG = SQLite3Config(uri=str(MUSIC_DB))


def by_name(quoted: bool = True) -> SQLite3Task:
    placeholder = "'{{.inputs.name}}'" if quoted else "{{.inputs.name}}"
    return SQLite3Task(
        f"sqlite3.by_name_{quoted}",
        query_template=f"select TrackId, Name from tracks where Name = {placeholder}",
        inputs=kwtypes(name=str),
        task_config=CONFIG,
    )


def by_id() -> SQLite3Task:
    return SQLite3Task(
        "sqlite3.by_id",
        query_template="select count(*) as n from tracks where TrackId = {{.inputs.id}}",
        inputs=kwtypes(id=str),
        task_config=CONFIG,
    )


@pytest.mark.parametrize(
    "attack",
    [
        "' OR '1'='1",
        "x' OR 1=1 --",
        "x' UNION SELECT name, sql FROM sqlite_master --",
        "'; DROP TABLE tracks; --",
    ],
)
@pytest.mark.parametrize("quoted", [True, False])
def test_string_injection_matches_nothing(attack: str, quoted: bool) -> None:
    assert frame(by_name(quoted)(name=attack)).empty


@pytest.mark.parametrize(
    "attack", ["1 OR 1=1", "1; DROP TABLE tracks", "0 UNION SELECT count(*) FROM artists"]
)
def test_numeric_position_injection_is_a_value_that_matches_nothing(attack: str) -> None:
    before = sha256(MUSIC_DB)
    assert frame(by_id()(id=attack))["n"].tolist() == [0]
    assert frame(by_id()(id="1"))["n"].tolist() == [1]  # the table is still there, and "1" compares as 1
    assert sha256(MUSIC_DB) == before


@pytest.mark.parametrize("name", ["Don't Stop", "100% Pure", "Café del Mar", "Two  Spaces"])
@pytest.mark.parametrize("quoted", [True, False])
def test_names_flytekit_could_not_pass_are_found(name: str, quoted: bool) -> None:
    got = frame(by_name(quoted)(name=name))
    assert got["Name"].tolist() == [name]


def test_a_placeholder_inside_a_longer_literal_keeps_the_literal() -> None:
    t = SQLite3Task(
        "sqlite3.like",
        query_template="select Name from tracks where Name like '%{{.inputs.word}}%' order by TrackId",
        inputs=kwtypes(word=str),
        task_config=CONFIG,
    )
    want = expected_rows("select Name from tracks where Name like ? order by TrackId", ["%Ghost%"])
    assert len(want) > 1
    assert_same_rows(frame(t(word="Ghost")), want)
    assert frame(t(word="%' or '1'='1")).empty


def test_whitespace_inside_a_literal_is_kept() -> None:
    t = SQLite3Task(
        "sqlite3.spaces",
        query_template="""
            select TrackId
            from tracks
            where Name = 'Two  Spaces'
        """,
        task_config=CONFIG,
    )
    assert t.query_template == "select TrackId from tracks where Name = 'Two  Spaces'"
    assert frame(t())["TrackId"].tolist() == [3]


@pytest.mark.parametrize(
    ("condition", "value", "typ"),
    [
        ("Milliseconds > {v}", 300000, int),
        ("Milliseconds > {v}", 300000.5, float),
        ("TrackId = {v}", True, bool),
    ],
)
def test_numbers_and_bools_bind_as_numbers(condition: str, value: Any, typ: type) -> None:
    t = SQLite3Task(
        f"sqlite3.num_{typ.__name__}",
        query_template="select TrackId from tracks where " + condition.format(v="{{.inputs.v}}"),
        inputs={"v": typ},
        task_config=CONFIG,
    )
    want = expected_rows("select TrackId from tracks where " + condition.format(v="?"), [value])
    assert len(want) > 0
    assert_same_rows(frame(t(v=value)), want)


def test_a_quoted_number_compares_like_the_text_flytekit_spliced() -> None:
    t = SQLite3Task(
        "sqlite3.quoted_number",
        query_template="select TrackId from tracks where Milliseconds > '{{.inputs.ms}}' order by TrackId",
        inputs=kwtypes(ms=int),
        task_config=CONFIG,
    )
    want = expected_rows("select TrackId from tracks where Milliseconds > '400000' order by TrackId")
    assert len(want) > 0
    assert_same_rows(frame(t(ms=400000)), want)


@settings(max_examples=30, deadline=None)
@given(st.text(max_size=40))
def test_any_name_is_data(name: str) -> None:
    want = expected_rows("select TrackId, Name from tracks where Name = ?", [name])
    assert_same_rows(frame(by_name()(name=name)), want)
