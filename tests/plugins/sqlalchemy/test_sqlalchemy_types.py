"""Column types on a real PostgreSQL: what a SQLAlchemy task's table reads back as, through the container
entrypoint (parquet), against what flytekit's executor hands on (``pandas.read_sql_query`` on the same
rows, stored and read back by flytekit's type engine), for every common PostgreSQL type, with and without
NULLs, and across fetch batches."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tests.oracle import require
from tests.plugins.sqlite3.sqlite3_support import frame, run_in_container
from tools.postgres import Server

from flyweight.plugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyTask

sqlalchemy = require("sqlalchemy", why="the SQLAlchemy plugin")

# name -> (PostgreSQL type, a literal value)
COLUMNS = {
    "i": ("int", "1"),
    "b": ("bigint", "10000000000"),
    "s": ("smallint", "3"),
    "d": ("double precision", "1.5"),
    "r": ("real", "2.5"),
    "n": ("numeric(10,2)", "12.34"),
    "t": ("text", "'a'"),
    "v": ("varchar(5)", "'x'"),
    "ok": ("boolean", "true"),
    "day": ("date", "'2024-01-02'"),
    "ts": ("timestamp", "'2024-01-02 03:04:05.123456'"),
    "tz": ("timestamptz", "'2024-01-02 03:04:05+02'"),
    "tm": ("time", "'03:04:05'"),
    "iv": ("interval", "'1 day 2 hours 3 microseconds'"),
    "by": ("bytea", "'\\x0102'"),
    "j": ("jsonb", "'{\"a\": 1}'"),
    "arr": ("int[]", "'{1,2}'"),
}
# Parquet stores these, read back, as pandas gives them; jsonb and arrays come back as Arrow structs and
# lists, UUIDs as text (compared by value below).
EXACT = [c for c in COLUMNS if c not in {"j", "arr"}]


@pytest.fixture(scope="module")
def db(postgres: Server) -> Iterator[Server]:
    engine = sqlalchemy.create_engine(postgres.uri())
    columns = ", ".join(f"{name} {kind}" for name, (kind, _) in COLUMNS.items())
    values = ", ".join(literal for _, literal in COLUMNS.values())
    with engine.begin() as con:
        con.exec_driver_sql(f"create table typed (k int, {columns}, u uuid)")
        con.exec_driver_sql(f"insert into typed values (1, {values}, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')")
        con.exec_driver_sql("insert into typed (k) values (2)")  # every column NULL
    yield postgres
    with engine.begin() as con:
        con.exec_driver_sql("drop table typed")
    engine.dispose()


def _read_sql(server: Server, sql: str) -> pd.DataFrame:
    engine = sqlalchemy.create_engine(server.uri())
    try:
        with engine.connect() as con:
            return pd.read_sql_query(sqlalchemy.text(sql), con)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def read_back(flytekit: Any) -> Callable[[pd.DataFrame], pd.DataFrame]:
    """A DataFrame as flytekit stores it (parquet) and reads it back: what its plugin's consumers get."""
    from flytekit.core.context_manager import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine

    def through_flytekit(df: pd.DataFrame) -> pd.DataFrame:
        ctx = FlyteContextManager.current_context()
        lit = TypeEngine.to_literal(ctx, df, pd.DataFrame, TypeEngine.to_literal_type(pd.DataFrame))
        return TypeEngine.to_python_value(ctx, lit, pd.DataFrame).reset_index(drop=True)

    return through_flytekit


def _through_container(tmp_path: Path, server: Server, sql: str) -> pd.DataFrame:
    task = SQLAlchemyTask("pg.typed", query_template=sql, task_config=SQLAlchemyConfig(uri=server.uri()))
    outcome = run_in_container(tmp_path, task, {})
    assert outcome.returncode == 0, outcome.stderr
    return outcome.results()


@pytest.mark.parametrize(
    "where", ["k = 1", "k in (1, 2)", "k = 2"], ids=["values", "with-nulls", "only-nulls"]
)
def test_columns_read_back_as_under_flytekit(
    tmp_path: Path, db: Server, read_back: Callable[[pd.DataFrame], pd.DataFrame], where: str
) -> None:
    sql = f"select {', '.join(EXACT)} from typed where {where} order by k"
    got, want = _through_container(tmp_path, db, sql), read_back(_read_sql(db, sql))
    assert {c: str(got[c].dtype) for c in EXACT} == {c: str(want[c].dtype) for c in EXACT}
    pd.testing.assert_frame_equal(got, want)


def test_json_arrays_and_uuids_keep_their_values(tmp_path: Path, db: Server) -> None:
    got = _through_container(tmp_path, db, "select j, arr, u from typed where k = 1")
    want = _read_sql(db, "select j, arr, u from typed where k = 1")
    assert got["j"][0] == want["j"][0] == {"a": 1}
    assert list(got["arr"][0]) == list(want["arr"][0]) == [1, 2]
    assert got["u"][0] == str(want["u"][0])  # UUIDs are their text: parquet cannot hold UUID objects


def test_batches_that_start_with_nulls_join_into_one_column(
    db: Server, read_back: Callable[[pd.DataFrame], pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    sql = (
        "select g as id, case when g > 3 then g * 1.5 end as x, case when g > 3 then 'v' || g end as name, "
        "case when g > 3 then timestamp '2024-01-01' + g * interval '1 hour' end as at "
        "from generate_series(1, 7) g order by g"
    )
    task = SQLAlchemyTask("pg.batches", query_template=sql, task_config=SQLAlchemyConfig(uri=db.uri()))
    monkeypatch.setattr("flyweight.plugins.sqlalchemy._executor.BATCH_ROWS", 2)
    pd.testing.assert_frame_equal(frame(task()), read_back(_read_sql(db, sql)))
