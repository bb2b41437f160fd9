"""The SQL template reader: SQLite's tokens, whitespace normalisation, and placeholders made parameters."""

from __future__ import annotations

import re
import sqlite3
from typing import Any, Optional

import pytest
from hypothesis import given, strategies as st

from flyweight._tasks._sql_query import parameterize, placeholder_names
from flyweight._tasks._sql_tokens import BAD, BLOB, LINE_COMMENT, PH, QNAME, STRING, sanitize_query, tokens
from flyweight.errors import TaskDefinitionError, TypeTransformerFailedError


def flytekit_sanitize(q: str) -> str:
    """flytekit 1.16.14's SQLTask sanitisation (core/base_sql_task.py), for comparison."""
    return re.sub(r"\s+", " ", q.replace("\n", " ").replace("\t", " ")).strip()


# --- tokens -------------------------------------------------------------------------------------


@given(st.text())
def test_tokens_cover_the_text_exactly(q: str) -> None:
    assert "".join(t.text for t in tokens(q)) == q


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("'it''s'", STRING),
        ("x'00ff'", BLOB),
        ('"a ""b"""', QNAME),
        ("[a b]", QNAME),
        ("`a``b`", QNAME),
        ("-- c {{.inputs.x}}", LINE_COMMENT),
        ("{{ .INPUTS.limit }}", PH),
        ("'open", BAD),
        ("{{ inputs.x }}", BAD),
    ],
)
def test_token_kinds(text: str, kind: int) -> None:
    toks = [t for t in tokens(text) if t.text.strip() and t.text not in "x"]
    assert toks[-1].kind == kind
    assert toks[-1].text == text[len(text) - len(toks[-1].text) :]


def test_a_placeholder_token_carries_the_input_name() -> None:
    (tok,) = [t for t in tokens("limit {{ .inputs.n_rows }}") if t.kind == PH]
    assert tok.name == "n_rows"


def test_placeholder_names_in_order_of_first_mention() -> None:
    assert placeholder_names("{{.inputs.b}} {{.inputs.a}} {{ .inputs.b }}") == ["b", "a"]


# --- sanitize_query -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "select TrackId, Name from tracks limit {{.inputs.limit}}",
        "\n        select *\n        from tracks\n    ",
        "select * from tracks where AlbumId = {{ .inputs.album }} limit {{.inputs.limit}}",
        "select\t*\r\n from  t  where a = {{   .inputs.a   }}",
    ],
)
def test_without_literals_it_is_flytekits_sanitisation(query: str) -> None:
    assert sanitize_query(query) == flytekit_sanitize(query)


@given(st.text(alphabet=st.sampled_from("ab \t\n\r,*()=<>{}.")))
def test_matches_flytekit_on_text_without_quotes_or_comments(q: str) -> None:
    assert sanitize_query(q) == flytekit_sanitize(q)


def test_whitespace_inside_literals_and_quoted_names_is_kept() -> None:
    q = "select  \"Track  Name\", [a  b]\n from t where Name = 'Two  Spaces\n' and x = `c  d`"
    assert (
        sanitize_query(q)
        == "select \"Track  Name\", [a  b] from t where Name = 'Two  Spaces\n' and x = `c  d`"
    )


def test_a_line_comment_still_ends_at_its_line() -> None:
    q = "select *  -- every   column\n   from tracks"
    assert sanitize_query(q) == "select * -- every column\nfrom tracks"
    assert flytekit_sanitize(q) == "select * -- every column from tracks"  # flytekit comments out FROM


def test_unterminated_literal_is_kept_as_written() -> None:
    assert sanitize_query("select  'a   b") == "select 'a   b"


@given(st.text())
def test_sanitize_is_idempotent(q: str) -> None:
    once = sanitize_query(q)
    assert sanitize_query(once) == once


# --- parameterize: what binds -------------------------------------------------------------------


def run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    con = sqlite3.connect(":memory:")
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def test_bare_and_quoted_placeholders_become_parameters() -> None:
    pq = parameterize("select * from t where a = {{.inputs.a}} and b = '{{ .inputs.b }}'", ["a", "b"])
    assert pq.sql == "select * from t where a = ? and b = ?"
    assert [(s.name, s.quoted) for s in pq.slots] == [("a", False), ("b", True)]
    assert pq.names == ("a", "b")


def test_placeholder_inside_a_longer_literal_is_a_concatenation() -> None:
    pq = parameterize("select 'it''s {{.inputs.q}}%  ok'", ["q"])
    assert pq.sql == "select ('it''s ' || ? || '%  ok')"
    assert run(pq.sql, pq.parameters({"q": "x'y"})) == [("it's x'y%  ok",)]


def test_one_input_may_be_used_many_times() -> None:
    pq = parameterize("select {{.inputs.n}} + {{.inputs.n}}", {"n": int})
    assert run(pq.sql, pq.parameters({"n": 20})) == [(40,)]


def test_quoted_placeholders_bind_the_text_flytekit_would_splice() -> None:
    pq = parameterize("select '{{.inputs.v}}'", ["v"])
    assert pq.parameters({"v": 1.5}) == ["1.5"]
    assert pq.parameters({"v": True}) == ["True"]
    assert pq.parameters({"v": None}) == ["None"]


def test_bare_placeholders_bind_values_sqlite_understands() -> None:
    import datetime
    import enum

    class Color(enum.Enum):
        RED = "red"

    pq = parameterize("select {{.inputs.v}}", ["v"])
    assert pq.parameters({"v": True}) == [1]
    assert pq.parameters({"v": None}) == [None]
    assert pq.parameters({"v": Color.RED}) == ["red"]
    assert pq.parameters({"v": datetime.date(2024, 1, 2)}) == ["2024-01-02"]
    with pytest.raises(TypeTransformerFailedError, match="input 'v' is a list"):
        pq.parameters({"v": [1, 2]})
    with pytest.raises(TypeTransformerFailedError, match="no value came for it"):
        pq.parameters({})


@given(st.text())
def test_any_text_comes_back_as_data(value: str) -> None:
    for template in ("select '{{.inputs.v}}'", "select ({{.inputs.v}})", "select '<{{.inputs.v}}>'"):
        pq = parameterize(template, {"v": str})
        expected = f"<{value}>" if "<" in template else value
        assert run(pq.sql, pq.parameters({"v": value})) == [(expected,)]


def test_placeholders_in_comments_count_as_uses_but_are_not_bound() -> None:
    pq = parameterize("select 1 -- limit {{.inputs.n}}\n", ["n"])
    assert pq.slots == ()
    assert pq.names == ("n",)


# --- parameterize: what is refused, and how it says so -----------------------------------------


@pytest.mark.parametrize(
    ("query", "inputs", "message"),
    [
        ("select * from {{.inputs.t}}", {"t": str}, r"needs a name \(after FROM\)"),
        ("select * from a join {{.inputs.t}} on 1", {"t": str}, r"after JOIN"),
        ("insert into {{.inputs.t}} values (1)", {"t": str}, r"after INTO"),
        ("select a as {{.inputs.t}} from x", {"t": str}, r"after AS"),
        ("select cast(a as {{.inputs.t}}) from x", {"t": str}, r"after AS"),
        ("select * from a, {{.inputs.t}}", {"t": str}, r"in the FROM list"),
        ("select x.{{.inputs.t}} from x", {"t": str}, r"after a '\.'"),
        ("select {{.inputs.t}}.a from x", {"t": str}, r"before a '\.'"),
        ("select {{.inputs.t}}(a) from x", {"t": str}, r"a function name"),
        ("update x set {{.inputs.t}} = 1", {"t": str}, r"a column assigned by SET"),
        ("select a from x order by {{.inputs.c}}", {"c": int}, r"whole ORDER BY / GROUP BY term"),
        ("select a from x order by b, {{.inputs.c}} desc", {"c": str}, r"whole ORDER BY"),
        ("select a from x group by {{.inputs.c}}", {"c": int}, r"whole ORDER BY / GROUP BY term"),
        ("select {{.inputs.c}} from x", {"c": str}, r"whole select-list item of a str input"),
        ("select a, {{.inputs.c}} as b from x", {"c": Optional[str]}, r"whole select-list item"),
        ('select "{{.inputs.c}}" from x', {"c": str}, r"inside a quoted name"),
        ("select [{{.inputs.c}}] from x", {"c": str}, r"inside a quoted name"),
        ("select x'{{.inputs.c}}'", {"c": str}, r"inside a blob literal"),
        ("select * from tracks{{.inputs.c}}", {"c": int}, r"joined to 'tracks' without a space"),
        ("select {{.inputs.a}}{{.inputs.b}}", {"a": int, "b": int}, r"without a space"),
        ("select {{.inputs.nope}}", {"c": int}, r"names no input of the task \(inputs: c\)"),
        ("select 1", {"c": int}, r"never uses the input\(s\) c"),
        ("select {{ inputs.c }}", {"c": int}, r"is not a placeholder; write \{\{\.inputs\.<name>\}\}"),
        ("select '{{ inputs.c }}'", {"c": int}, r"is not a placeholder"),
        ("select ? + {{.inputs.c}}", {"c": int}, r"its own parameter '\?'"),
        ("select :a + {{.inputs.c}}", {"c": int}, r"its own parameter ':a'"),
        ("select 'a", {}, r"an unterminated string literal starts"),
        ("select 1; drop table x", {}, r"a second statement starts"),
    ],
)
def test_refused_when_the_task_is_defined(query: str, inputs: dict[str, Any], message: str) -> None:
    with pytest.raises(TaskDefinitionError, match=message) as info:
        parameterize(query, inputs, "task 'q'")
    assert str(info.value).startswith("task 'q': ")


@pytest.mark.parametrize(
    "query",
    [
        "select {{.inputs.n}} from x",  # an int as a whole select-list item is a value, as in flytekit
        "select ({{.inputs.s}}) from x",
        "select a from x order by abs(a - {{.inputs.n}})",
        "select a from x order by a limit {{.inputs.n}} offset {{.inputs.n}}",
        "select a from x where b in ({{.inputs.n}}, {{.inputs.s}})",
        "select a from x join y on y.k = {{.inputs.n}} where {{.inputs.s}} = y.name",
        "update x set a = {{.inputs.n}}, b = '{{.inputs.s}}' where c = 1",
        "insert into x (a, b) values ({{.inputs.n}}, {{.inputs.s}})",
        "select * from json_each({{.inputs.s}}) where value > {{.inputs.n}};",
    ],
)
def test_value_positions_are_accepted(query: str) -> None:
    types = {"n": int, "s": str}
    pq = parameterize(query, {name: types[name] for name in placeholder_names(query)})
    assert "{{" not in pq.sql


def test_the_message_shows_where_and_never_a_value() -> None:
    with pytest.raises(TaskDefinitionError) as info:
        parameterize("select Name from tracks order by {{.inputs.col}}", {"col": str}, "task 't'")
    assert "(query at: select Name from tracks order by {{.inputs.col}})" in str(info.value)
