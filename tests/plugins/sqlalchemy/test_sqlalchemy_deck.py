"""The "Query" deck of SQLAlchemy tasks with ``enable_deck=True`` (SQLite through SQLAlchemy, and a real
PostgreSQL through ``flyweight-execute``): the query as written, the bound inputs, the row count (or the
rows a statement without a result affected), the schema and first rows; every value escaped; a failing
statement still gets it; tasks without decks build none; no URL password or secret value is shown."""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import errors_pb2, literals_pb2
from tests.oracle import require
from tests.plugins.sqlite3.sqlite3_support import MUSIC_DB, expected_rows, frame, run_in_container
from tests.plugins.sqlite3.test_sqlite3_deck import (
    ESCAPED,
    HOSTILE,
    fails_with_page,
    panels,
    run_with_page,
    spy_on_deck,
    tabs,
)
from tools.postgres import Server

from flyweight import kwtypes
from flyweight.errors import TaskExecutionError
from flyweight.extend import Secret
from flyweight.plugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyTask
from flyweight.types import FlyteSchema

require("sqlalchemy", why="the SQLAlchemy plugin")

BY_COMPOSER = "select TrackId, Name from tracks where Composer = '{{.inputs.composer}}' order by TrackId"
SECRET_VALUE = "DEFERRED"  # a value the secret connect argument isolation_level takes


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return Path(shutil.copyfile(MUSIC_DB, tmp_path / "music.db"))


def by_composer(db: Path, **kwargs: Any) -> SQLAlchemyTask:
    return SQLAlchemyTask(
        "sa.by_composer",
        query_template=BY_COMPOSER,
        task_config=SQLAlchemyConfig(uri=f"sqlite:///{db}"),
        inputs=kwtypes(composer=str),
        output_schema_type=FlyteSchema[kwtypes(TrackId=int, Name=str)],
        **kwargs,
    )


def insert_genre(db: Path, **kwargs: Any) -> SQLAlchemyTask:
    return SQLAlchemyTask(
        "sa.insert_genre",
        query_template="insert into genres (GenreId, Name) values ({{.inputs.id}}, '{{.inputs.name}}')",
        task_config=SQLAlchemyConfig(uri=f"sqlite:///{db}"),
        inputs=kwtypes(id=int, name=str),
        output_schema_type=None,
        **kwargs,
    )


def test_the_page_has_a_query_tab_with_the_query_its_inputs_rows_and_schema(db: Path) -> None:
    result, pages = run_with_page(lambda: by_composer(db, enable_deck=True)(composer="Ada Berg"))
    want = expected_rows(BY_COMPOSER.replace("'{{.inputs.composer}}'", "?"), ["Ada Berg"])
    assert len(frame(result)) == len(want) == 8
    assert len(pages) == 1
    page = pages[0][1]
    assert tabs(page) == ["Timeline", "Query", "Task", "Input", "Output"]
    query = panels(page)["Query"]
    assert f'<pre class="fw-sql">{html.escape(BY_COMPOSER)}</pre>' in query
    assert "<tr><td><code>composer</code></td><td><code>&#x27;Ada Berg&#x27;</code></td></tr>" in query
    assert "<tr><th>Status</th><td>succeeded</td></tr>" in query
    assert "<tr><th>Rows</th><td>8</td></tr>" in query
    assert re.search(r"<tr><th>Time to execute and fetch \(s\)</th><td>\d+\.\d{6}</td></tr>", query)
    assert "<th>TrackId (int64)</th><th>Name (string)</th>" in query
    shown = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td></tr>", query)
    assert shown == [(str(t), html.escape(n)) for t, n in want.itertuples(index=False)]
    assert f"sqlite:///{db}" not in query  # the database is the Task deck's business


def test_a_statement_without_a_result_shows_the_rows_it_affected(db: Path) -> None:
    result, pages = run_with_page(lambda: insert_genre(db, enable_deck=True)(id=9001, name="Polka"))
    assert result is None
    page = pages[0][1]
    assert tabs(page)[:3] == ["Timeline", "Query", "Task"]
    query = panels(page)["Query"]
    assert "insert into genres (GenreId, Name) values ({{.inputs.id}}, &#x27;{{.inputs.name}}&#x27;)" in query
    assert "<tr><td><code>id</code></td><td><code>9001</code></td></tr>" in query
    assert "<tr><td><code>name</code></td><td><code>&#x27;Polka&#x27;</code></td></tr>" in query
    assert "<tr><th>Result</th><td>no result set</td></tr>" in query
    assert "<tr><th>Rows affected</th><td>1</td></tr>" in query
    assert "<th>Rows</th>" not in query
    assert "no result set" in query


def test_a_hostile_value_is_shown_only_escaped(db: Path) -> None:
    with sqlite3.connect(db) as con:
        con.execute("update tracks set Composer = ?, Name = ? where TrackId = 3", [HOSTILE, HOSTILE])
    result, pages = run_with_page(lambda: by_composer(db, enable_deck=True)(composer=HOSTILE))
    assert frame(result).to_dict("records") == [{"TrackId": 3, "Name": HOSTILE}]
    page = pages[0][1]
    assert HOSTILE not in page
    query = panels(page)["Query"]
    assert f"<td><code>&#x27;{ESCAPED}&#x27;</code></td>" in query
    assert f"<tr><td>3</td><td>{ESCAPED}</td></tr>" in query


def test_without_decks_no_page_is_delivered_and_no_deck_built(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = spy_on_deck(monkeypatch)
    result, pages = run_with_page(lambda: by_composer(db)(composer="Ada Berg"))
    assert len(frame(result)) == 8
    _, more = run_with_page(lambda: insert_genre(db)(id=9002, name="Ska"))
    assert (pages, more, spy.calls) == ([], [], [])
    run_with_page(lambda: by_composer(db, enable_deck=True)(composer="Ada Berg"))
    assert len(spy.calls) == 1  # the spy sees a deck when there is one


def test_a_failing_statement_still_gets_its_query_deck_and_an_error_deck(db: Path) -> None:
    task = SQLAlchemyTask(
        "sa.typo",
        query_template="select TrackId from trakcs where Composer = '{{.inputs.composer}}'",
        task_config=SQLAlchemyConfig(uri=f"sqlite:///{db}"),
        inputs=kwtypes(composer=str),
        enable_deck=True,
    )
    page, message = fails_with_page(lambda: task(composer="Ada Berg"), TaskExecutionError)
    assert "no such table: trakcs" in message
    assert tabs(page) == ["Timeline", "Query", "Task", "Input", "Error"]
    decks = panels(page)
    query = decks["Query"]
    assert "select TrackId from trakcs" in query
    assert "<td><code>composer</code></td>" in query
    assert "<tr><th>Status</th><td>failed</td></tr>" in query
    assert "The query failed" in query
    assert "no such table: trakcs" in decks["Error"]


def test_a_secret_connect_argument_is_not_shown(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_FSEC_DB_ISO", SECRET_VALUE)
    task = SQLAlchemyTask(
        "sa.secret",
        query_template=BY_COMPOSER,
        task_config=SQLAlchemyConfig(
            uri=f"sqlite:///{db}", secret_connect_args={"isolation_level": Secret(group="db", key="iso")}
        ),
        inputs=kwtypes(composer=str),
        enable_deck=True,
    )
    _, pages = run_with_page(lambda: task(composer="Ada Berg"))
    page = pages[0][1]
    assert "<tr><th>Rows</th><td>8</td></tr>" in panels(page)["Query"]
    assert SECRET_VALUE not in page
    assert "isolation_level" not in panels(page)["Query"]


# --- flyweight-execute --------------------------------------------------------------------------------


def test_flyweight_execute_writes_the_page_beside_outputs_pb(db: Path, tmp_path: Path) -> None:
    root = tmp_path / "run"
    root.mkdir()
    outcome = run_in_container(root, by_composer(db, enable_deck=True), {"composer": "Ada Berg"})
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.files() == ["deck.html", "outputs.pb"]
    outputs = literals_pb2.LiteralMap.FromString((outcome.out / "outputs.pb").read_bytes())
    assert "results" in outputs.literals
    page = (outcome.out / "deck.html").read_text(encoding="utf-8")
    assert tabs(page) == ["Timeline", "Query", "Task", "Input", "Output"]
    query = panels(page)["Query"]
    assert "{{.inputs.composer}}" in query
    assert "<tr><th>Rows</th><td>8</td></tr>" in query


def test_flyweight_execute_writes_no_page_without_decks(db: Path, tmp_path: Path) -> None:
    root = tmp_path / "run"
    root.mkdir()
    outcome = run_in_container(root, by_composer(db), {"composer": "Ada Berg"})
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.files() == ["outputs.pb"]


def test_flyweight_execute_writes_the_page_of_a_statement_without_a_result(db: Path, tmp_path: Path) -> None:
    root = tmp_path / "run"
    root.mkdir()
    outcome = run_in_container(root, insert_genre(db, enable_deck=True), {"id": 9003, "name": "Dub"})
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.files() == ["deck.html", "outputs.pb"]
    query = panels((outcome.out / "deck.html").read_text(encoding="utf-8"))["Query"]
    assert "<tr><th>Rows affected</th><td>1</td></tr>" in query


# --- PostgreSQL ---------------------------------------------------------------------------------------


@pytest.fixture
def people(postgres: Server, psycopg: Any) -> Iterator[str]:
    """A fresh table of three people on the shared server; yields its name (dropped afterwards)."""
    table = f"fw_deck_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres.dsn(), autocommit=True) as con:
        con.execute(f"create table {table} (id int primary key, name text not null)")
        con.cursor().executemany(
            f"insert into {table} values (%s, %s)", [(1, "Ada"), (2, "O'Brien"), (3, "Ada")]
        )
    yield table
    with psycopg.connect(postgres.dsn(), autocommit=True) as con:
        con.execute(f"drop table {table}")


def test_postgres_through_flyweight_execute_shows_rows_and_no_password(
    postgres: Server, people: str, tmp_path: Path
) -> None:
    task = SQLAlchemyTask(
        "pg.deck",
        query_template=f"select id, name from {people} where name = {{{{.inputs.name}}}} order by id",
        task_config=SQLAlchemyConfig(
            uri=postgres.uri_without_password(),
            connect_args={"connect_timeout": 10},
            secret_connect_args={"password": Secret(group="pg", key="password")},
        ),
        inputs=kwtypes(name=str),
        output_schema_type=FlyteSchema[kwtypes(id=int, name=str)],
        enable_deck=True,
    )
    outcome = run_in_container(tmp_path, task, {"name": "Ada"}, env={"_FSEC_PG_PASSWORD": postgres.password})
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.files() == ["deck.html", "outputs.pb"]
    page = (outcome.out / "deck.html").read_text(encoding="utf-8")
    assert tabs(page) == ["Timeline", "Query", "Task", "Input", "Output"]
    query = panels(page)["Query"]
    assert "<tr><td><code>name</code></td><td><code>&#x27;Ada&#x27;</code></td></tr>" in query
    assert "<tr><th>Rows</th><td>2</td></tr>" in query
    assert "<th>id (int64)</th><th>name (string)</th>" in query
    assert postgres.password not in page
    assert html.escape(postgres.password) not in page


def test_postgres_failure_through_flyweight_execute_shows_no_password(
    postgres: Server, people: str, tmp_path: Path
) -> None:
    task = SQLAlchemyTask(
        "pg.deck_typo",
        query_template=f"select id, nmae from {people} where name = {{{{.inputs.name}}}}",
        task_config=SQLAlchemyConfig(
            uri=postgres.uri_without_password(),
            secret_connect_args={"password": Secret(group="pg", key="password")},
        ),
        inputs=kwtypes(name=str),
        enable_deck=True,
    )
    outcome = run_in_container(tmp_path, task, {"name": "Ada"}, env={"_FSEC_PG_PASSWORD": postgres.password})
    assert outcome.files() == ["deck.html", "error.pb"]
    error = errors_pb2.ErrorDocument.FromString((outcome.out / "error.pb").read_bytes()).error
    assert "nmae" in error.message
    page = (outcome.out / "deck.html").read_text(encoding="utf-8")
    assert "<tr><th>Status</th><td>failed</td></tr>" in panels(page)["Query"]
    assert "Error" in tabs(page)
    assert postgres.password not in page
