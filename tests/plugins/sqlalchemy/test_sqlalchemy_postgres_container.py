"""SQLAlchemy tasks against a real PostgreSQL (``tools/postgres.py``) as a Flyte container runs them: the
real ``flyweight-execute`` (``run_in_container``), a template flytekit's own plugin serialized, and
``flyweight run`` on a workflow file. Rows equal a parameterized psycopg query's; secrets come from the
environment or from files; failures write ``error.pb`` of the right kind without input, password or
secret values; a server stopped mid-query is a recoverable failure, locally and in the container.

Every table is made here under a unique name and dropped afterwards; the mid-query stops use their own
throwaway servers, never the shared one."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import subprocess
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest
from flyteidl.core import errors_pb2, execution_pb2, tasks_pb2
from tests.oracle import require
from tests.plugins.sqlalchemy.test_sqlalchemy_oracle import FLYTEKIT_EXECUTOR
from tests.plugins.sqlite3.sqlite3_support import (
    BIN,
    REPO,
    Outcome,
    assert_same_rows,
    frame,
    run_in_container,
)
from tools.postgres import Server, free_port, running

from flyweight import kwtypes
from flyweight.errors import RecoverableError
from flyweight.extend import Secret
from flyweight.plugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyTask

require("sqlalchemy", why="the SQLAlchemy plugin")
psycopg = require("psycopg", why="the PostgreSQL driver")

USER = execution_pb2.ExecutionError.USER
RECOVERABLE = errors_pb2.ContainerError.RECOVERABLE
NON_RECOVERABLE = errors_pb2.ContainerError.NON_RECOVERABLE

MARK = "Hypatia-7f3e"  # a value that must never show in logs
ROWS = [(1, "Ada"), (2, "O'Brien"), (3, "Grace"), (4, MARK)]
PG_SECRET = Secret(group="pg", key="password")
SLEEP = "select pg_sleep(30) as x"
WAIT_SECONDS = 20  # bound of every wait for the server's side (a query becoming active)
QUOTED, BARE = "name = '{{.inputs.name}}'", "name = {{.inputs.name}}"


def _connect(s: Server) -> Any:
    return psycopg.connect(s.dsn(), autocommit=True)


def _query(s: Server, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
    """What PostgreSQL answers with the values bound by psycopg (the reference for every result)."""
    with _connect(s) as con:
        cur = con.execute(sql, params)
        return pd.DataFrame(cur.fetchall(), columns=[d.name for d in cur.description])


def _rows(s: Server, table: str) -> list[tuple[Any, ...]]:
    with _connect(s) as con:
        return [tuple(r) for r in con.execute(f"select * from {table} order by id").fetchall()]


@pytest.fixture
def people(postgres: Server) -> Iterator[str]:
    """A fresh table ``(id int primary key, name text not null)`` holding ROWS; yields its name."""
    table = f"fw_people_{uuid.uuid4().hex[:12]}"
    with _connect(postgres) as con:
        con.execute(f"create table {table} (id int primary key, name text not null)")
        con.cursor().executemany(f"insert into {table} values (%s, %s)", ROWS)
    yield table
    with _connect(postgres) as con:
        con.execute(f"drop table {table}")


def _select(uri: str, table: str, where: str = QUOTED, **cfg: Any) -> SQLAlchemyTask:
    return SQLAlchemyTask(
        "pgc.select",
        query_template=f"select id, name from {table} where {where} order by id",
        task_config=SQLAlchemyConfig(uri=uri, **cfg),
        inputs=kwtypes(name=str),
    )


def _by_name(s: Server, table: str, name: str) -> pd.DataFrame:
    return _query(s, f"select id, name from {table} where name = %s order by id", [name])


def _run(tmp_path: Path, tag: str, task: Any, inputs: Mapping[str, Any], **env: str) -> Outcome:
    """``run_in_container`` in a directory of its own (several runs per test)."""
    root = tmp_path / tag
    root.mkdir()
    return run_in_container(root, task, inputs, env=env)


def _leaks(root: Path, *values: str, skip: Path | None = None) -> list[str]:
    """The files under ``root`` (but ``skip``) holding one of ``values``."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and (skip is None or not path.is_relative_to(skip)):
            data = path.read_bytes()
            found += [f"{path}: {v!r}" for v in values if v.encode() in data]
    return found


# --- rows, secrets ------------------------------------------------------------------------------------


def test_rows_land_in_outputs_pb_as_parquet(postgres: Server, people: str, tmp_path: Path) -> None:
    outcome = run_in_container(tmp_path, _select(postgres.uri(), people), {"name": MARK})
    sd = outcome.outputs().literals["results"].scalar.structured_dataset
    assert sd.metadata.structured_dataset_type.format == "parquet"
    want = _by_name(postgres, people, MARK)
    assert len(want) == 1
    assert_same_rows(outcome.results(), want)
    assert MARK not in outcome.stdout + outcome.stderr


@pytest.mark.parametrize("source", ["env", "file"])
def test_the_password_comes_from_a_secret(postgres: Server, people: str, tmp_path: Path, source: str) -> None:
    secrets = tmp_path / "secrets"
    if source == "env":
        env = {"_FSEC_PG_PASSWORD": postgres.password}
    else:  # flytekit's file layout: <FLYTE_SECRETS_DEFAULT_DIR>/<group>/<key>
        (secrets / "pg").mkdir(parents=True)
        (secrets / "pg" / "password").write_text(postgres.password + "\n")
        env = {"FLYTE_SECRETS_DEFAULT_DIR": str(secrets)}
    task = _select(postgres.uri_without_password(), people, secret_connect_args={"password": PG_SECRET})
    outcome = _run(tmp_path, "run", task, {"name": "O'Brien"}, **env)
    assert_same_rows(outcome.results(), _by_name(postgres, people, "O'Brien"))
    assert postgres.password not in outcome.stdout + outcome.stderr
    assert _leaks(tmp_path, postgres.password, skip=secrets) == []  # template, inputs, outputs, raw data


def test_a_missing_secret_names_the_connect_argument(postgres: Server, people: str, tmp_path: Path) -> None:
    task = _select(postgres.uri_without_password(), people, secret_connect_args={"password": PG_SECRET})
    empty = tmp_path / "no-secrets"
    empty.mkdir()
    err = _run(tmp_path, "run", task, {"name": MARK}, FLYTE_SECRETS_DEFAULT_DIR=str(empty)).error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "connect argument 'password'" in err.message
    assert "group='pg', key='password'" in err.message
    assert MARK not in err.message


# --- transactions -------------------------------------------------------------------------------------


def _writer(s: Server, table: str, query: str) -> SQLAlchemyTask:
    return SQLAlchemyTask(
        "pgc.write",
        query_template=query.format(table=table),
        task_config=SQLAlchemyConfig(uri=s.uri()),
        inputs=kwtypes(id=int, name=str),
        output_schema_type=None,
    )


def test_a_statement_without_output_commits(postgres: Server, people: str, tmp_path: Path) -> None:
    payload = f"x'); DELETE FROM {people}; --"
    task = _writer(
        postgres, people, "insert into {table} values ({{{{.inputs.id}}}}, '{{{{.inputs.name}}}}')"
    )
    outcome = _run(tmp_path, "run", task, {"id": 5, "name": payload})
    assert outcome.returncode == 0, outcome.stderr
    assert "error.pb" not in outcome.files()
    assert _rows(postgres, people) == [*ROWS, (5, payload)]


def test_a_statement_failing_midway_rolls_back(postgres: Server, people: str, tmp_path: Path) -> None:
    query = "insert into {table} select {{{{.inputs.id}}}}, ({{{{.inputs.name}}}}) union all select 1, 'dup'"
    err = _run(tmp_path, "run", _writer(postgres, people, query), {"id": 5, "name": MARK}).error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "UniqueViolation" in err.message
    assert f"insert into {people} select" in err.message  # the query template
    assert MARK not in err.message
    assert _rows(postgres, people) == ROWS  # the row inserted before the violation is rolled back


# --- injection ----------------------------------------------------------------------------------------

PAYLOADS = ["' OR '1'='1", "1; DROP TABLE {table}", "x'); DELETE FROM {table}; --", "O'Brien"]


@pytest.mark.parametrize("payload", PAYLOADS, ids=["or", "drop", "delete", "obrien"])
@pytest.mark.parametrize("where", [QUOTED, BARE], ids=["quoted", "bare"])
def test_injection_payloads_are_values(
    postgres: Server, people: str, tmp_path: Path, payload: str, where: str
) -> None:
    value = payload.format(table=people)
    outcome = run_in_container(tmp_path, _select(postgres.uri(), people, where), {"name": value})
    assert_same_rows(outcome.results(), _by_name(postgres, people, value))
    assert _rows(postgres, people) == ROWS


# --- failures -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["uri", "secret"])
def test_a_wrong_password_is_recoverable_and_never_shown(
    postgres: Server, people: str, tmp_path: Path, via: str
) -> None:
    wrong = "not-the-pw-9c1d"
    if via == "uri":
        task, env = _select(postgres.uri(password=wrong), people), {}
    else:
        cfg = {"secret_connect_args": {"password": PG_SECRET}}
        task, env = _select(postgres.uri_without_password(), people, **cfg), {"_FSEC_PG_PASSWORD": wrong}
    outcome = _run(tmp_path, "run", task, {"name": MARK}, **env)
    err = outcome.error()
    assert (err.origin, err.kind) == (USER, RECOVERABLE)
    assert "password authentication failed" in err.message
    for text in (err.message, outcome.stdout, outcome.stderr):
        assert wrong not in text
        assert postgres.password not in text
        assert MARK not in text


def test_an_unreachable_host_is_recoverable(postgres: Server, tmp_path: Path) -> None:
    task = SQLAlchemyTask(
        "pgc.down",
        query_template="select 1 as id where {{.inputs.name}} <> ''",
        task_config=SQLAlchemyConfig(
            uri=f"postgresql+psycopg://{postgres.user}@127.0.0.1:{free_port()}/postgres",
            connect_args={"connect_timeout": 5},
            secret_connect_args={"password": PG_SECRET},
        ),
        inputs=kwtypes(name=str),
    )
    outcome = _run(tmp_path, "run", task, {"name": MARK}, _FSEC_PG_PASSWORD=postgres.password)
    err = outcome.error()
    assert (err.origin, err.kind) == (USER, RECOVERABLE)
    assert "cannot connect to the database" in err.message
    assert postgres.password not in err.message + outcome.stdout + outcome.stderr
    assert MARK not in err.message


def test_a_syntax_error_is_not_recoverable_and_names_the_query(
    postgres: Server, people: str, tmp_path: Path
) -> None:
    task = _select(postgres.uri(), people, where="name = {{.inputs.name}} and and true")
    err = run_in_container(tmp_path, task, {"name": MARK}).error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "SyntaxError" in err.message
    assert task.query_template in err.message
    assert MARK not in err.message


# --- the server stops mid-query -----------------------------------------------------------------------


@pytest.fixture
def doomed(postgres: Server) -> Iterator[Server]:
    """A throwaway server of its own, for a test to stop (``postgres`` only enforces the skip rule)."""
    with running() as server:
        yield server


def _sleeper(s: Server) -> SQLAlchemyTask:
    return SQLAlchemyTask("pgc.sleep", query_template=SLEEP, task_config=SQLAlchemyConfig(uri=s.uri()))


def _await_active(s: Server, running_task: concurrent.futures.Future[Any]) -> None:
    """Wait (at most WAIT_SECONDS) until the server runs SLEEP; fail early when the task ended first."""
    deadline = time.monotonic() + WAIT_SECONDS
    sql = "select count(*) from pg_stat_activity where state = 'active' and query = %s"
    while time.monotonic() < deadline:
        assert not running_task.done(), f"the task ended before its query ran: {running_task.result()!r}"
        with _connect(s) as con:
            if con.execute(sql, [SLEEP]).fetchone()[0]:
                return
        time.sleep(0.05)
    pytest.fail(f"the query did not become active within {WAIT_SECONDS} s")


STOP_MODES = ["fast", "immediate"]  # backends terminated with a message / the connection just drops


@pytest.mark.parametrize("mode", STOP_MODES)
def test_a_server_stopped_mid_query_is_recoverable_in_a_local_call(doomed: Server, mode: str) -> None:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        call = pool.submit(_sleeper(doomed))
        _await_active(doomed, call)
        doomed.stop(mode)
        with pytest.raises(RecoverableError) as info:
            call.result(timeout=60)
    assert "the connection to the database failed" in str(info.value)
    assert doomed.password not in str(info.value)


@pytest.mark.parametrize("mode", STOP_MODES)
def test_a_server_stopped_mid_query_is_recoverable_in_the_container(
    doomed: Server, tmp_path: Path, mode: str
) -> None:
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        run = pool.submit(run_in_container, tmp_path, _sleeper(doomed), {})
        _await_active(doomed, run)
        doomed.stop(mode)
        outcome = run.result(timeout=60)
    err = outcome.error()  # error.pb alone: no outputs.pb
    assert (err.origin, err.kind) == (USER, RECOVERABLE)
    assert SLEEP in err.message
    assert doomed.password not in err.message + outcome.stdout + outcome.stderr


# --- a template flytekit's plugin serialized ----------------------------------------------------------


@dataclasses.dataclass
class Registered:
    """A template serialized by flytekit, in the shape ``run_in_container`` takes: only ``pyflyte-execute``
    becomes ``flyweight-execute`` (the image's entrypoint); the resolver and executor stay flytekit's."""

    template: tasks_pb2.TaskTemplate
    inputs: dict[str, type]

    def serialize_to_model(self, settings: Any) -> tasks_pb2.TaskTemplate:
        pb = tasks_pb2.TaskTemplate()
        pb.CopyFrom(self.template)
        assert pb.container.args[0] == "pyflyte-execute"
        pb.container.args[0] = "flyweight-execute"
        return pb

    @property
    def python_interface(self) -> SimpleNamespace:
        return SimpleNamespace(inputs=self.inputs)


def _flytekit_template(flytekit: Any, task: Any) -> tasks_pb2.TaskTemplate:
    from flytekit.configuration import Image, ImageConfig, SerializationSettings
    from flytekit.tools.translator import get_serializable

    img = Image(name="default", fqn="img", tag="1")
    settings = SerializationSettings(
        project="p", domain="d", version="v", image_config=ImageConfig(default_image=img, images=[img])
    )
    return get_serializable(OrderedDict(), settings, task).template.to_flyte_idl()


@pytest.mark.oracle
def test_a_template_flytekit_serialized_runs_under_flyweight_execute(
    flytekit: Any, postgres: Server, people: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin = require("flytekitplugins.sqlalchemy.task", why="the oracle of the SQLAlchemy plugin")
    from flytekit.models.security import Secret as FkSecret

    theirs = plugin.SQLAlchemyTask(
        "pgc.registered",
        query_template=f"select id, name from {people} where name = '{{{{.inputs.name}}}}' order by id",
        task_config=plugin.SQLAlchemyConfig(
            uri=postgres.uri_without_password(),
            secret_connect_args={"password": FkSecret(group="pg", key="password")},
        ),
        inputs=flytekit.kwtypes(name=str),
    )
    template = _flytekit_template(flytekit, theirs)
    assert template.container.args[-1] == FLYTEKIT_EXECUTOR
    env = {"_FSEC_PG_PASSWORD": postgres.password}
    outcome = run_in_container(tmp_path, Registered(template, {"name": str}), {"name": MARK}, env=env)
    want = _by_name(postgres, people, MARK)
    assert len(want) == 1
    assert_same_rows(outcome.results(), want)
    monkeypatch.setenv("_FSEC_PG_PASSWORD", postgres.password)
    assert_same_rows(outcome.results(), frame(theirs(name=MARK)))  # flytekit's own local run


# --- flyweight run ------------------------------------------------------------------------------------


def test_flyweight_run_runs_a_workflow_against_postgres(
    postgres: Server, people: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_", "AWS_"))}
    env.update(
        FLYWEIGHT_TEST_PG_URI=postgres.uri(),
        FLYWEIGHT_TEST_PG_TABLE=people,
        FLYWEIGHT_CACHE_DIR=str(tmp_path / "cache"),
        PYTHONPATH=str(REPO),
    )
    argv = [str(BIN / "flyweight"), "run", "tests/plugins/sqlalchemy/pg_workflow.py", "roster"]
    done = subprocess.run(
        [*argv, "--min-id", "2", "--skip", "O'Brien", "--blob-dir", str(tmp_path / "blobs")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    want = _query(
        postgres, f"select id, name from {people} where id >= %s and name <> %s order by id", [2, "O'Brien"]
    )
    assert len(want) == 2
    listing = ",".join(f"{i}:{n}" for i, n in want.itertuples(index=False))
    assert done.stdout.splitlines()[-1] == f"o0 = {listing}"
    assert postgres.password not in done.stdout + done.stderr
