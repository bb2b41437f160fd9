"""SQLite3 tasks through the real ``flyweight-execute``, as a Flyte container runs them: ``outputs.pb``
holds a parquet structured dataset; failures write ``error.pb`` with the right origin and never the
input values."""

from __future__ import annotations

import contextlib
import shutil
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from flyteidl.core import errors_pb2, execution_pb2
from tests.plugins.sqlite3.sqlite3_support import (
    MUSIC_DB,
    assert_same_rows,
    expected_rows,
    frame,
    make_archive,
    run_in_container,
)

from flyweight import TaskMetadata, kwtypes, workflow
from flyweight._runtime import RETRIED, run_workflow
from flyweight.errors import TaskExecutionError
from flyweight.extend import FileAccessProvider
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task, SQLite3TaskExecutor
from flyweight.types import FlyteSchema

USER = execution_pb2.ExecutionError.USER
SYSTEM = execution_pb2.ExecutionError.SYSTEM
RECOVERABLE = errors_pb2.ContainerError.RECOVERABLE
NON_RECOVERABLE = errors_pb2.ContainerError.NON_RECOVERABLE


def by_composer(uri: str, compressed: bool = False, query: str | None = None) -> SQLite3Task:
    return SQLite3Task(
        "sqlite3.by_composer",
        query_template=query
        or "select TrackId, Name from tracks where Composer = '{{.inputs.composer}}' order by TrackId",
        inputs=kwtypes(composer=str),
        output_schema_type=FlyteSchema[kwtypes(TrackId=int, Name=str)],
        task_config=SQLite3Config(uri=uri, compressed=compressed),
    )


def test_rows_land_in_outputs_pb_as_a_parquet_structured_dataset(tmp_path: Path) -> None:
    outcome = run_in_container(tmp_path, by_composer(str(MUSIC_DB)), {"composer": "Ada Berg"})
    lit = outcome.outputs().literals["results"]
    sd = lit.scalar.structured_dataset
    assert sd.metadata.structured_dataset_type.format == "parquet"
    assert sd.uri.startswith(str(tmp_path / "raw"))
    want = expected_rows("select TrackId, Name from tracks where Composer = ? order by TrackId", ["Ada Berg"])
    assert len(want) == 8
    assert_same_rows(outcome.results(), want)
    assert outcome.stdout == ""  # nothing printed (flytekit prints the interpolated query, values and all)


def test_an_archive(tmp_path: Path) -> None:
    archive = make_archive("bztar", {"music.db": MUSIC_DB}, tmp_path / "music.tar.bz2")
    outcome = run_in_container(tmp_path, by_composer(str(archive), compressed=True), {"composer": "Ada Berg"})
    assert len(outcome.results()) == 8


def test_injection_is_data_in_the_container_too(tmp_path: Path) -> None:
    outcome = run_in_container(tmp_path, by_composer(str(MUSIC_DB)), {"composer": "' OR '1'='1"})
    assert outcome.results().empty


def test_a_query_error_is_user_error_with_sqlites_message_and_the_query_but_no_value(tmp_path: Path) -> None:
    query = "select TrackId, Name from trakcs where Composer = '{{.inputs.composer}}'"
    outcome = run_in_container(
        tmp_path, by_composer(str(MUSIC_DB), query=query), {"composer": "s3cr3t-composer"}
    )
    err = outcome.error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "no such table: trakcs" in err.message
    assert query in err.message
    assert "s3cr3t-composer" not in err.message
    assert "s3cr3t-composer" not in outcome.stderr + outcome.stdout


def test_a_missing_database_is_a_user_error(tmp_path: Path) -> None:
    outcome = run_in_container(tmp_path, by_composer(str(tmp_path / "gone.db")), {"composer": "x"})
    err = outcome.error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "there is no database file at" in err.message


def test_an_archive_with_two_files_is_a_user_error(tmp_path: Path) -> None:
    archive = make_archive("zip", {"a.db": MUSIC_DB, "b.db": MUSIC_DB}, tmp_path / "two.zip")
    outcome = run_in_container(tmp_path, by_composer(str(archive), compressed=True), {"composer": "x"})
    err = outcome.error()
    assert err.origin == USER
    assert "holds 2: 'a.db', 'b.db'" in err.message


def test_a_uri_with_an_unknown_protocol_is_a_user_error_not_retried(tmp_path: Path) -> None:
    outcome = run_in_container(tmp_path, by_composer("nosuchprotocol://bucket/music.db"), {"composer": "x"})
    err = outcome.error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "SQLite3Config.uri 'nosuchprotocol://bucket/music.db' cannot be read here" in err.message


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_store_is_a_recoverable_system_error(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    env = {
        "FLYTE_AWS_ENDPOINT": endpoint,
        "AWS_ENDPOINT_URL": endpoint,
        "FLYTE_AWS_ACCESS_KEY_ID": "k",
        "FLYTE_AWS_SECRET_ACCESS_KEY": "s",
        "AWS_DEFAULT_REGION": "us-east-1",
        "FLYTE_AWS_RETRIES": "0",
    }
    outcome = run_in_container(tmp_path, by_composer("s3://nowhere/music.db"), {"composer": "x"}, env)
    err = outcome.error()
    assert (err.origin, err.kind) == (SYSTEM, RECOVERABLE)


def test_s3(s3_bucket: str, s3_env: dict[str, str], tmp_path: Path) -> None:
    FileAccessProvider().put_data(str(MUSIC_DB), f"{s3_bucket}/music.db")
    outcome = run_in_container(
        tmp_path, by_composer(f"{s3_bucket}/music.db"), {"composer": "Ada Berg"}, s3_env
    )
    assert len(outcome.results()) == 8


@contextlib.contextmanager
def locked_copy(tmp_path: Path) -> Iterator[tuple[Path, sqlite3.Connection]]:
    """A copy of the music database with another connection holding an exclusive lock on it."""
    db = tmp_path / "locked.db"
    shutil.copy(MUSIC_DB, db)
    writer = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        writer.execute("UPDATE tracks SET Name = Name || '' WHERE TrackId = 1")
        yield db, writer
    finally:
        if writer.in_transaction:
            writer.execute("ROLLBACK")
        writer.close()


def test_a_locked_database_is_transient_a_recoverable_user_error(tmp_path: Path) -> None:
    with locked_copy(tmp_path) as (db, _):
        outcome = run_in_container(tmp_path, by_composer(str(db)), {"composer": "Ada Berg"})
    err = outcome.error()
    assert (err.origin, err.kind) == (USER, RECOVERABLE)
    assert "locked by another connection (SQLITE_BUSY" in err.message
    assert "retrying may succeed" in err.message


def test_a_locked_database_is_retried_by_the_local_engine_and_then_succeeds(tmp_path: Path) -> None:
    events: list[str] = []
    with locked_copy(tmp_path) as (db, writer):
        task = SQLite3Task(
            "sqlite3.locked",
            query_template="select count(*) as n from tracks",
            output_schema_type=FlyteSchema[kwtypes(n=int)],
            task_config=SQLite3Config(uri=str(db)),
            metadata=TaskMetadata(retries=1),
        )

        @workflow
        def count() -> FlyteSchema[kwtypes(n=int)]:  # type: ignore[valid-type]
            return task()

        def on_event(node: str, state: str, info: dict[str, object]) -> None:
            events.append(state)
            if state == RETRIED:  # the first attempt met the lock: let the retry through
                writer.execute("ROLLBACK")

        result = run_workflow(count, on_event=on_event)
    assert events.count(RETRIED) == 1
    assert frame(result).iloc[0, 0] == expected_rows("select count(*) from tracks").iloc[0, 0]


@pytest.mark.parametrize("locked", [True, False], ids=["locked", "no-such-table"])
def test_the_executor_declares_only_lock_errors_transient(tmp_path: Path, locked: bool) -> None:
    executor = SQLite3TaskExecutor()
    with contextlib.ExitStack() as stack:
        db = stack.enter_context(locked_copy(tmp_path))[0] if locked else MUSIC_DB
        reader = stack.enter_context(contextlib.closing(sqlite3.connect(db, timeout=0)))
        statement = "select * from tracks" if locked else "select * from no_such_table"
        with pytest.raises(sqlite3.Error) as e:
            reader.execute(statement).fetchall()
    assert executor.is_transient(e.value) is locked
    wrapped = TaskExecutionError("wrapped")
    wrapped.__cause__ = e.value
    assert executor.is_transient(wrapped) is locked
    assert not executor.is_transient(ValueError("database is locked"))
