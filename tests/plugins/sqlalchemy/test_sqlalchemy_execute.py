"""SQLAlchemy tasks through the real ``flyweight-execute``, as a Flyte container runs them (SQLite through
SQLAlchemy): rows land in ``outputs.pb``, secrets come from the environment, and failures write
``error.pb`` with the right kind and without input or secret values."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from flyteidl.core import errors_pb2, execution_pb2
from tests.oracle import require
from tests.plugins.sqlite3.sqlite3_support import MUSIC_DB, assert_same_rows, expected_rows, run_in_container

from flyweight import kwtypes
from flyweight.extend import Secret
from flyweight.plugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyTask
from flyweight.types import FlyteSchema

require("sqlalchemy", why="the SQLAlchemy plugin")

USER = execution_pb2.ExecutionError.USER
RECOVERABLE = errors_pb2.ContainerError.RECOVERABLE
NON_RECOVERABLE = errors_pb2.ContainerError.NON_RECOVERABLE


def by_composer(uri: str, query: str | None = None, **cfg: object) -> SQLAlchemyTask:
    return SQLAlchemyTask(
        "sa.by_composer",
        query_template=query
        or "select TrackId, Name from tracks where Composer = '{{.inputs.composer}}' order by TrackId",
        task_config=SQLAlchemyConfig(uri=uri, **cfg),  # type: ignore[arg-type]
        inputs=kwtypes(composer=str),
        output_schema_type=FlyteSchema[kwtypes(TrackId=int, Name=str)],
    )


def test_rows_land_in_outputs_pb_with_a_secret_from_the_environment(tmp_path: Path) -> None:
    task = by_composer(
        f"sqlite:///{MUSIC_DB}", secret_connect_args={"isolation_level": Secret(group="db", key="iso")}
    )
    outcome = run_in_container(tmp_path, task, {"composer": "Ada Berg"}, env={"_FSEC_DB_ISO": "DEFERRED"})
    sd = outcome.outputs().literals["results"].scalar.structured_dataset
    assert sd.metadata.structured_dataset_type.format == "parquet"
    want = expected_rows("select TrackId, Name from tracks where Composer = ? order by TrackId", ["Ada Berg"])
    assert_same_rows(outcome.results(), want)
    assert "Ada Berg" not in outcome.stdout + outcome.stderr


def test_injection_and_a_write_in_the_container(tmp_path: Path) -> None:
    db = Path(shutil.copyfile(MUSIC_DB, tmp_path / "w.db"))
    task = SQLAlchemyTask(
        "sa.write",
        query_template="insert into genres (GenreId, Name) values (777, '{{.inputs.name}}')",
        task_config=SQLAlchemyConfig(uri=f"sqlite:///{db}"),
        inputs=kwtypes(name=str),
        output_schema_type=None,
    )
    outcome = run_in_container(tmp_path, task, {"name": "x'); DROP TABLE tracks; --"})
    assert outcome.returncode == 0, outcome.stderr
    with sqlite3.connect(db) as con:
        assert con.execute("select Name from genres where GenreId = 777").fetchall() == [
            ("x'); DROP TABLE tracks; --",)
        ]
        assert con.execute("select count(*) from tracks").fetchone()[0] > 0


def test_a_missing_table_is_a_non_recoverable_user_error_without_values(tmp_path: Path) -> None:
    query = "select TrackId, Name from trakcs where Composer = '{{.inputs.composer}}'"
    outcome = run_in_container(
        tmp_path, by_composer(f"sqlite:///{MUSIC_DB}", query), {"composer": "s3cr3t-c"}
    )
    err = outcome.error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "no such table: trakcs" in err.message
    assert query in err.message
    assert "s3cr3t-c" not in err.message


def test_an_unreachable_database_is_recoverable_and_hides_the_secret(tmp_path: Path) -> None:
    task = by_composer(
        f"sqlite:///{tmp_path}/missing/dir/x.db",
        secret_connect_args={"isolation_level": Secret(group="db", key="iso")},
    )
    outcome = run_in_container(tmp_path, task, {"composer": "s3cr3t-c"}, env={"_FSEC_DB_ISO": "EXCLUSIVE"})
    err = outcome.error()
    assert (err.origin, err.kind) == (USER, RECOVERABLE)
    assert "unable to open database file" in err.message
    assert "s3cr3t-c" not in err.message
    assert "EXCLUSIVE" not in err.message


def test_a_missing_secret_is_a_user_error_naming_the_argument(tmp_path: Path) -> None:
    task = by_composer(
        f"sqlite:///{MUSIC_DB}", secret_connect_args={"timeout": Secret(group="db", key="absent")}
    )
    err = run_in_container(tmp_path, task, {"composer": "x"}).error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "connect argument 'timeout'" in err.message
