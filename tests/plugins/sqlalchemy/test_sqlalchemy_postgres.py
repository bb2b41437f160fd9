"""SQLAlchemyTask against a real PostgreSQL 15 on loopback (``tools/postgres.py``): bound inputs,
transactions, and how failures are classified. The server is started once for this module and stopped
after it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from tests.oracle import require
from tests.plugins.sqlite3.sqlite3_support import frame
from tools.postgres import Server, free_port

from flyweight import kwtypes
from flyweight.errors import RecoverableError, TaskExecutionError
from flyweight.plugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyTask
from flyweight.types import FlyteSchema

require("sqlalchemy", why="the SQLAlchemy plugin")
psycopg = require("psycopg", why="the PostgreSQL driver")

PAYLOADS = ["' OR '1'='1", "1; DROP TABLE people", "x'); DELETE FROM people; --", "Ada' --"]
ROWS = [(1, "Ada"), (2, "O'Brien"), (3, "Grace")]


@pytest.fixture(scope="module")
def server(postgres: Server) -> Iterator[Server]:
    with _connect(postgres) as con:
        con.execute("create table people (id int primary key, name text not null)")
        con.cursor().executemany("insert into people values (%s, %s)", ROWS)
    yield postgres
    with _connect(postgres) as con:
        con.execute("drop table people")


def _connect(s: Server) -> Any:
    return psycopg.connect(host=s.host, port=s.port, user=s.user, password=s.password, dbname="postgres")


def _rows(s: Server) -> list[tuple[int, str]]:
    with _connect(s) as con:
        return [tuple(r) for r in con.execute("select id, name from people order by id").fetchall()]


NAMES = FlyteSchema[kwtypes(id=int, name=str)]


def _select(s: Server, where: str = "name = {{.inputs.name}}") -> SQLAlchemyTask:
    return SQLAlchemyTask(
        "pg.select",
        query_template=f"select id, name from people where {where} order by id",
        task_config=SQLAlchemyConfig(uri=s.uri()),
        inputs=kwtypes(name=str),
        output_schema_type=NAMES,
    )


def test_rows_equal_a_parameterized_query(server: Server) -> None:
    got = frame(_select(server)(name="O'Brien"))
    with _connect(server) as con:
        want = con.execute("select id, name from people where name = %s order by id", ("O'Brien",)).fetchall()
    assert [tuple(r) for r in got.itertuples(index=False)] == [tuple(r) for r in want] == [(2, "O'Brien")]


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("where", ["name = {{.inputs.name}}", "name = '{{.inputs.name}}'"])
def test_injection_payloads_are_values(server: Server, payload: str, where: str) -> None:
    assert frame(_select(server, where)(name=payload)).empty
    assert _rows(server) == ROWS


def test_a_statement_without_output_commits_and_a_failing_one_rolls_back(server: Server) -> None:
    cfg = SQLAlchemyConfig(uri=server.uri())
    insert = SQLAlchemyTask(
        "pg.insert",
        query_template="insert into people values ({{.inputs.id}}, {{.inputs.name}})",
        task_config=cfg,
        inputs=kwtypes(id=int, name=str),
        output_schema_type=None,
    )
    insert(id=4, name="Linus")
    assert _rows(server)[-1] == (4, "Linus")
    both = SQLAlchemyTask(
        "pg.both",
        query_template="insert into people select 5, ({{.inputs.name}}) union all select 1, 'dup'",
        task_config=cfg,
        inputs=kwtypes(name=str),
        output_schema_type=None,
    )
    with pytest.raises(TaskExecutionError) as info:
        both(name="Edsger")
    assert not isinstance(info.value, RecoverableError)  # a constraint violation: retrying cannot help
    assert (5, "Edsger") not in _rows(server)  # rolled back: the row before the failing one is gone
    with _connect(server) as con:
        con.execute("delete from people where id = 4")


def test_a_syntax_error_is_not_recoverable_and_names_the_query(server: Server) -> None:
    task = _select(server, where="name === {{.inputs.name}}")
    with pytest.raises(TaskExecutionError) as info:
        task(name="Ada")
    assert not isinstance(info.value, RecoverableError)
    assert "name ===" in str(info.value)


def test_a_wrong_password_is_a_connection_failure_without_the_password(server: Server) -> None:
    task = SQLAlchemyTask(
        "pg.badpw",
        query_template="select id, name from people where name = {{.inputs.name}}",
        task_config=SQLAlchemyConfig(uri=server.uri(password="not-the-password")),
        inputs=kwtypes(name=str),
        output_schema_type=NAMES,
    )
    with pytest.raises(RecoverableError) as info:
        task(name="Ada")
    assert "not-the-password" not in str(info.value)
    assert "Ada" not in str(info.value)


def test_an_unreachable_server_is_recoverable() -> None:
    task = SQLAlchemyTask(
        "pg.down",
        query_template="select 1 as id",
        task_config=SQLAlchemyConfig(
            uri=f"postgresql+psycopg://u:p@127.0.0.1:{free_port()}/postgres",
            connect_args={"connect_timeout": 5},
        ),
        output_schema_type=FlyteSchema[kwtypes(id=int)],
    )
    with pytest.raises(RecoverableError):
        task()


def test_the_password_comes_from_a_secret(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    from flyweight.extend import Secret

    monkeypatch.setenv("_FSEC_PG_PASSWORD", server.password)
    task = SQLAlchemyTask(
        "pg.secret",
        query_template="select id, name from people where name = {{.inputs.name}}",
        task_config=SQLAlchemyConfig(
            uri=server.uri_without_password(),
            secret_connect_args={"password": Secret(group="pg", key="password")},
        ),
        inputs=kwtypes(name=str),
        output_schema_type=NAMES,
    )
    assert frame(task(name="Grace"))["id"].tolist() == [3]
    assert server.password not in str(task.task_config)


@pytest.mark.parametrize(
    ("args", "driver_says"),
    [
        ({"secret_connect_args": {"username": "user-secret"}}, 'invalid connection option "username"'),
        ({"connect_args": {"connect_timeout": "soon"}}, "bad value for connect_timeout"),
        ({"connect_args": {"sslmode": "bogus"}}, 'invalid sslmode value: "bogus"'),
    ],
    ids=["unknown-option", "bad-number", "bad-choice"],
)
def test_a_connect_argument_postgres_rejects_is_named_and_not_retried(
    server: Server, monkeypatch: pytest.MonkeyPatch, args: dict[str, Any], driver_says: str
) -> None:
    """flyte#6416: flytekit's users see only ``invalid dsn: invalid connection option "username"``."""
    from flyweight.extend import Secret

    if "secret_connect_args" in args:
        monkeypatch.setenv("_FSEC_PG_USERNAME", "hunter2-user")
        args = {"secret_connect_args": {"username": Secret(group="pg", key="username")}}
    task = SQLAlchemyTask(
        "pg.badarg",
        query_template="select 1 as id",
        task_config=SQLAlchemyConfig(uri=server.uri(), **args),
        output_schema_type=FlyteSchema[kwtypes(id=int)],
    )
    with pytest.raises(TaskExecutionError) as info:
        task()
    assert not isinstance(info.value, RecoverableError)
    message = str(info.value)
    assert "rejected the connect arguments" in message
    assert driver_says in message
    assert "hunter2" not in message
    assert server.password not in message
