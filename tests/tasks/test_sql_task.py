"""``SQLTask``: flytekit's SQL base class (query template, ``interpolate_query``, ``get_query``) and the
binding it adds (``parameterize_query``), checked against flytekit where they are meant to agree."""

from __future__ import annotations

from typing import Any

import pytest

import flyweight
from flyweight import kwtypes
from flyweight.errors import TaskDefinitionError
from flyweight.extend import SQLTask


@pytest.fixture(scope="module")
def flytekit_sql_task(flytekit: Any) -> Any:
    from flytekit.core.base_sql_task import SQLTask as FlytekitSQLTask

    return FlytekitSQLTask


# flytekit's own test_query_sanitization variants (tests/flytekit/unit/extras/sqlite3/test_task.py).
SANITIZATION_CASES = [
    "select * from tracks limit {{.inputs.limit}}",
    """
    select * from tracks
    limit {{.inputs.limit}}
    """,
    """select * from tracks
    limit {{.inputs.limit}}""",
    "select\t*\tfrom tracks\n\n   limit {{ .inputs.limit }}  ",
]


def test_public_names() -> None:
    assert flyweight.SQLTask is SQLTask


def test_it_is_a_python_task_with_the_declared_interface() -> None:
    t = SQLTask("q", "select * from t limit {{.inputs.n}}", inputs=kwtypes(n=int), outputs=kwtypes(r=int))
    assert t.task_type == "sql_task"
    assert t.python_interface.inputs == {"n": int}
    assert t.python_interface.outputs == {"r": int}


@pytest.mark.oracle
@pytest.mark.parametrize("query", SANITIZATION_CASES)
def test_query_template_is_sanitised_as_flytekit_does(query: str, flytekit_sql_task: Any) -> None:
    theirs = flytekit_sql_task("q", query, inputs={"limit": int})
    assert SQLTask("q", query, inputs=kwtypes(limit=int)).query_template == theirs.query_template


@pytest.mark.oracle
def test_only_string_literals_keep_their_whitespace(flytekit_sql_task: Any) -> None:
    query = "select *\n from tracks where Name = 'Two  Spaces'"
    assert flytekit_sql_task("q", query).query_template == "select * from tracks where Name = 'Two Spaces'"
    assert SQLTask("q", query).query_template == "select * from tracks where Name = 'Two  Spaces'"


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("template", "values"),
    [
        ("select * from t limit {{.inputs.limit}}", {"limit": 5}),
        ("select * from t where a = '{{ .inputs.a }}' and b = {{.INPUTS.b}}", {"a": "x y", "b": 2.5}),
        ("select {{.inputs.n}} + {{.inputs.n}}", {"n": 1}),
        ("select 1", {}),
    ],
)
def test_interpolate_query_splices_text_like_flytekit(
    template: str, values: dict[str, Any], flytekit_sql_task: Any
) -> None:
    assert SQLTask.interpolate_query(template, **values) == flytekit_sql_task.interpolate_query(
        template, **values
    )


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("template", "values", "ours"),
    [
        ("select {{.inputs.a}}", {}, r"no value was given for 'a'"),
        ("select 1", {"a": 1}, r"values were given for a, which the query template never uses"),
    ],
)
def test_interpolate_query_refuses_what_flytekit_refuses(
    template: str, values: dict[str, Any], ours: str, flytekit_sql_task: Any
) -> None:
    with pytest.raises(ValueError):
        flytekit_sql_task.interpolate_query(template, **values)
    with pytest.raises(TaskDefinitionError, match=ours) as info:
        SQLTask.interpolate_query(template, **values)
    assert isinstance(info.value, ValueError)


def test_get_query_uses_the_tasks_template() -> None:
    t = SQLTask("q", "select *\n  from t limit {{.inputs.n}}", inputs=kwtypes(n=int))
    assert t.get_query(n=3) == "select * from t limit 3"


def test_interpolation_is_text_substitution_binding_is_not() -> None:
    template = "select * from t where name = '{{.inputs.name}}'"
    attack = "' OR '1'='1"
    assert SQLTask.interpolate_query(template, name=attack) == "select * from t where name = '' OR '1'='1'"
    pq = SQLTask.parameterize_query(template, kwtypes(name=str))
    assert pq.sql == "select * from t where name = ?"
    assert pq.parameters({"name": attack}) == [attack]


def test_a_plain_sql_task_cannot_run_itself() -> None:
    t = SQLTask("q", "select 1")
    with pytest.raises(NotImplementedError, match="cannot run here"):
        t.execute()


def test_query_template_must_be_text() -> None:
    with pytest.raises(TaskDefinitionError, match="query_template must be a str, got int"):
        SQLTask("q", 5)  # type: ignore[arg-type]
