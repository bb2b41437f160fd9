"""SQLAlchemyTask in local calls, on SQLite through SQLAlchemy: inputs are data, statements without an
output commit or roll back, secrets become connect args, errors are classified and carry no values."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.oracle import require
from tests.plugins.sqlite3.sqlite3_support import MUSIC_DB, assert_same_rows, expected_rows, frame, sha256

from flyweight import kwtypes
from flyweight.errors import RecoverableError, TaskDefinitionError, TaskExecutionError
from flyweight.extend import Secret, SQLTask
from flyweight.plugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyTask
from flyweight.types import FlyteSchema

require("sqlalchemy", why="the SQLAlchemy plugin")

PAYLOADS = ["' OR '1'='1", "1; DROP TABLE tracks", "O'Brien"]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return Path(shutil.copyfile(MUSIC_DB, tmp_path / "music.db"))


def cfg(db: Path, **kw: Any) -> SQLAlchemyConfig:
    return SQLAlchemyConfig(uri=f"sqlite:///{db}", **kw)


def count(db: Path, sql: str = "select count(*) from tracks") -> int:
    with sqlite3.connect(db) as con:
        return int(con.execute(sql).fetchone()[0])


@pytest.mark.parametrize("payload", PAYLOADS)
@pytest.mark.parametrize("quoted", [True, False])
def test_injection_payloads_are_values(db: Path, payload: str, quoted: bool) -> None:
    ph = "'{{.inputs.name}}'" if quoted else "{{.inputs.name}}"
    before = sha256(db)
    task = SQLAlchemyTask(
        "sa.inj",
        query_template=f"select TrackId, Name from tracks where Name = {ph} or Composer = {ph}",
        task_config=cfg(db),
        inputs=kwtypes(name=str),
    )
    assert frame(task(name=payload)).empty
    assert sha256(db) == before
    assert count(db) > 0


def test_an_apostrophe_is_found_as_a_value(db: Path) -> None:
    with sqlite3.connect(db) as con:
        con.execute("update tracks set Composer = 'O''Brien' where TrackId = 2")
    task = SQLAlchemyTask(
        "sa.obrien",
        query_template="select TrackId from tracks where Composer = '{{.inputs.c}}'",
        task_config=cfg(db),
        inputs=kwtypes(c=str),
        output_schema_type=FlyteSchema[kwtypes(TrackId=int)],
    )
    assert frame(task(c="O'Brien"))["TrackId"].tolist() == [2]


def test_the_sql_is_bound_with_named_parameters_and_colons_kept(db: Path) -> None:
    pq = SQLTask.parameterize_query(
        "select '10:30 :x' as t, {{.inputs.a}} as a where '%{{.inputs.b}}' = 'y'", "ab"
    )
    assert pq.render(lambda i: f":p{i}") == "select '10:30 :x' as t, :p0 as a where ('%' || :p1) = 'y'"
    task = SQLAlchemyTask(
        "sa.colon",
        query_template="select ':x \\:y' as t, {{.inputs.a}} as a",
        task_config=cfg(db),
        inputs=kwtypes(a=int),
    )
    got = frame(task(a=4))
    assert got.to_dict("records") == [{"t": ":x \\:y", "a": 4}]


def test_rows_with_declared_columns_in_their_order(db: Path) -> None:
    task = SQLAlchemyTask(
        "sa.cols",
        query_template="select TrackId, Name, Composer from tracks where Composer = '{{.inputs.c}}'",
        task_config=cfg(db),
        inputs=kwtypes(c=str),
        output_schema_type=FlyteSchema[kwtypes(Name=str, TrackId=int)],
    )
    got = frame(task(c="Ada Berg"))
    want = expected_rows("select Name, TrackId from tracks where Composer = ?", ["Ada Berg"])
    assert_same_rows(got, want)


def test_many_rows_are_fetched_in_batches(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flyweight.plugins.sqlalchemy import _executor

    monkeypatch.setattr(_executor, "BATCH_ROWS", 7)
    task = SQLAlchemyTask(
        "sa.all", query_template="select * from tracks order by TrackId", task_config=cfg(db)
    )
    assert_same_rows(frame(task()), expected_rows("select * from tracks order by TrackId"))


def test_a_statement_without_output_commits(db: Path) -> None:
    task = SQLAlchemyTask(
        "sa.ins",
        query_template="insert into genres (GenreId, Name) values ({{.inputs.id}}, '{{.inputs.name}}')",
        task_config=cfg(db),
        inputs=kwtypes(id=int, name=str),
        output_schema_type=None,
    )
    assert task(id=9001, name="1; DROP TABLE tracks") is None
    assert (
        count(db, "select count(*) from genres where GenreId = 9001 and Name = '1; DROP TABLE tracks'") == 1
    )
    assert count(db) > 0


def test_a_failing_statement_rolls_back(db: Path) -> None:
    with sqlite3.connect(db) as con:
        con.execute("create table t (id integer primary key, v text not null)")
        con.execute("insert into t values (1, 'a')")
    # One statement that writes a row, then fails on the duplicate key: nothing stays.
    task = SQLAlchemyTask(
        "sa.dup",
        query_template="insert into t (id, v) values ({{.inputs.id}}, 'x'), (1, 'dup')",
        task_config=cfg(db),
        inputs=kwtypes(id=int),
        output_schema_type=None,
    )
    with pytest.raises(TaskExecutionError, match="UNIQUE constraint failed") as info:
        task(id=2)
    assert not isinstance(info.value, RecoverableError)
    assert count(db, "select count(*) from t") == 1


def test_secrets_become_connect_args(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_FSEC_DB_TIMEOUT", "7")
    seen: dict[str, Any] = {}
    import sqlite3.dbapi2 as dbapi  # what SQLAlchemy's pysqlite dialect calls

    real = dbapi.connect

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return real(*args, **{**kwargs, "timeout": float(kwargs["timeout"])})

    monkeypatch.setattr(dbapi, "connect", spy)
    task = SQLAlchemyTask(
        "sa.sec",
        query_template="select count(*) as n from tracks",
        task_config=cfg(db, connect_args={"check_same_thread": False},
                        secret_connect_args={"timeout": Secret(group="db", key="timeout")}),
    )  # fmt: skip
    assert frame(task())["n"].tolist() == [count(db)]
    assert seen["timeout"] == "7"
    assert seen["check_same_thread"] is False
    assert [s.key for s in task.security_context.secrets] == ["timeout"]  # type: ignore[union-attr]
    assert task.task_config.connect_args == {"check_same_thread": False}  # never changed


def test_whole_numbers_in_connect_args_reach_the_driver_as_ints(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template's Struct holds every number as a double; sqlite3 refuses ``cached_statements=50.0``."""
    seen: dict[str, Any] = {}
    import sqlite3.dbapi2 as dbapi

    real = dbapi.connect

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.update(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(dbapi, "connect", spy)
    args = {
        "cached_statements": 50,
        "timeout": 2.5,
        "check_same_thread": False,
        "isolation_level": "DEFERRED",
    }
    task = SQLAlchemyTask("sa.ints", query_template="select 1 as one", task_config=cfg(db, connect_args=args))
    assert frame(task())["one"].tolist() == [1]
    assert {k: (type(seen[k]), seen[k]) for k in args} == {k: (type(v), v) for k, v in args.items()}


def test_a_missing_secret_names_the_argument(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("_FSEC_DB_NOPE", raising=False)
    task = SQLAlchemyTask(
        "sa.nosec",
        query_template="select 1 as one",
        task_config=cfg(db, secret_connect_args={"timeout": Secret(group="db", key="nope")}),
    )
    with pytest.raises(TaskExecutionError, match=r"connect argument 'timeout'.*group='db', key='nope'"):
        task()


def test_a_rejected_connect_arg_names_it_but_not_the_secret(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("_FSEC_DB_BOGUS", "hunter2-value")
    task = SQLAlchemyTask(
        "sa.badarg",
        query_template="select 1 as one",
        task_config=cfg(db, secret_connect_args={"bogus_arg": Secret(group="db", key="bogus")}),
    )
    with pytest.raises(TaskExecutionError, match="rejected the connect arguments") as info:
        task()
    assert "bogus_arg" in str(info.value)
    assert "hunter2" not in str(info.value)


@pytest.mark.parametrize(
    ("query", "driver_says"),
    [("selec * from tracks where Name = '{{.inputs.n}}'", "syntax error"),
     ("select * from trakcs where Name = '{{.inputs.n}}'", "no such table: trakcs")],
)  # fmt: skip
def test_query_errors_are_not_recoverable_and_carry_no_values(db: Path, query: str, driver_says: str) -> None:
    task = SQLAlchemyTask("sa.bad", query_template=query, task_config=cfg(db), inputs=kwtypes(n=str))
    with pytest.raises(TaskExecutionError) as info:
        task(n="s3cr3t-value")
    message = str(info.value)
    assert not isinstance(info.value, RecoverableError)
    assert driver_says in message
    assert query in message
    assert "s3cr3t-value" not in message
    assert "[parameters" not in message


def test_an_unreachable_database_file_is_recoverable(tmp_path: Path) -> None:
    task = SQLAlchemyTask(
        "sa.gone",
        query_template="select 1 as one",
        task_config=SQLAlchemyConfig(uri=f"sqlite:///{tmp_path}/no/such/dir/x.db"),
    )
    with pytest.raises(
        RecoverableError, match="cannot connect to the database.*unable to open database file"
    ):
        task()


@pytest.mark.parametrize("uri", ["nosuchdialect://host/db", "not a url"])
def test_a_bad_uri_is_a_user_error(uri: str) -> None:
    task = SQLAlchemyTask("sa.uri", query_template="select 1 as one", task_config=SQLAlchemyConfig(uri=uri))
    with pytest.raises(TaskExecutionError, match="cannot use the database URL") as info:
        task()
    assert not isinstance(info.value, RecoverableError)


def test_a_password_in_the_uri_is_not_shown(tmp_path: Path) -> None:
    task = SQLAlchemyTask(
        "sa.pw",
        query_template="select 1 as one",
        task_config=SQLAlchemyConfig(uri="nosuchdialect://me:pa55word@host/db"),
    )
    with pytest.raises(TaskExecutionError) as info:
        task()
    assert "pa55word" not in str(info.value)


@pytest.mark.parametrize(
    ("query", "where"),
    [("select * from {{.inputs.t}}", "after FROM"),
     ("select * from tracks order by {{.inputs.t}}", "ORDER BY"),
     ("select {{.inputs.t}}(Name) from tracks", "a function name")],
)  # fmt: skip
def test_placeholders_where_sql_needs_a_name_are_refused_at_definition(query: str, where: str) -> None:
    with pytest.raises(TaskDefinitionError, match=where):
        SQLAlchemyTask(
            "sa.name", query_template=query, task_config=SQLAlchemyConfig("sqlite://"), inputs=kwtypes(t=str)
        )


def test_the_config_is_required() -> None:
    with pytest.raises(TaskDefinitionError, match=r"SQLAlchemyConfig\(uri=...\)"):
        SQLAlchemyTask("sa.nocfg", query_template="select 1")  # type: ignore[call-arg]


def test_importing_the_plugin_does_not_import_sqlalchemy() -> None:
    code = (
        "import sys, json\nimport flyweight\nimport flyweight.plugins.sqlalchemy as p\n"
        "p.SQLAlchemyTask('t', 'select 1', p.SQLAlchemyConfig('sqlite://'))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'pandas'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert json.loads(out.stdout) == []
