"""``SQLite3Task``: flytekit's constructor and template, checks at definition, and local runs (which go
through the serialized template, as in a container)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from tests.plugins.sqlite3.sqlite3_support import (
    MUSIC_DB,
    SETTINGS,
    assert_same_rows,
    expected_rows,
    frame,
    sha256,
)

from flyweight import kwtypes
from flyweight.errors import TaskDefinitionError, TaskExecutionError, raised_by_user_code
from flyweight.extend import DefaultImages, ExecutableTemplateShimTask, PythonCustomizedContainerTask
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task, SQLite3TaskExecutor
from flyweight.types import FlyteSchema, TypeEngine

TRACKS = FlyteSchema[kwtypes(TrackId=int, Name=str)]


TRACKS_QUERY = "select TrackId, Name from tracks where TrackId <= {{.inputs.limit}} order by TrackId"


def tracks_task(**kwargs: object) -> SQLite3Task:
    return SQLite3Task(
        "sqlite3.tracks",
        query_template=TRACKS_QUERY,
        inputs=kwtypes(limit=int),
        output_schema_type=TRACKS,
        task_config=SQLite3Config(uri=str(MUSIC_DB)),
        **kwargs,  # type: ignore[arg-type]
    )


# --- definition --------------------------------------------------------------------------------


def test_template_carries_flytekits_custom_and_the_public_executor_path() -> None:
    t = tracks_task()
    pb = t.serialize_to_model(SETTINGS)
    assert pb.type == "sqlite"
    assert dict(pb.custom) == {
        "query_template": TRACKS_QUERY,
        "uri": str(MUSIC_DB),
        "compressed": False,
    }
    assert list(pb.container.args[-2:]) == [
        "{{.taskTemplatePath}}",
        "flyweight.plugins.sqlite3.SQLite3TaskExecutor",
    ]
    assert pb.container.image == DefaultImages.default_image()
    assert [c.name for c in pb.interface.outputs.variables["results"].type.schema.columns] == [
        "TrackId",
        "Name",
    ]


def test_it_is_a_customized_container_task_and_a_sql_task() -> None:
    from flyweight.extend import SQLTask

    t = tracks_task()
    assert isinstance(t, PythonCustomizedContainerTask)
    assert isinstance(t, SQLTask)
    assert t.executor_type is SQLite3TaskExecutor


def test_container_image_can_be_chosen() -> None:
    t = tracks_task(container_image="ghcr.io/acme/sqlite:1")
    assert t.serialize_to_model(SETTINGS).container.image == "ghcr.io/acme/sqlite:1"


def test_output_columns() -> None:
    assert tracks_task().output_columns == ["TrackId", "Name"]
    bare = SQLite3Task("bare", "select 1 as one", task_config=SQLite3Config(uri="db"))
    assert bare.output_columns is None
    assert bare.python_interface.outputs == {"results": FlyteSchema}


@pytest.mark.parametrize("config", [None, SQLite3Config(uri=None), SQLite3Config(uri="")])  # type: ignore[arg-type]
def test_the_database_is_required(config: SQLite3Config | None) -> None:
    with pytest.raises(
        TaskDefinitionError, match=r"the database is required: pass task_config=SQLite3Config"
    ) as info:
        SQLite3Task("q", "select 1", task_config=config)
    assert isinstance(info.value, ValueError)  # flytekit raised ValueError("SQLite DB uri is required.")


@pytest.mark.parametrize(
    ("query", "inputs", "message"),
    [
        ("select * from tracks where TrackId = {{.inputs.id}}", {}, r"\{\{\.inputs\.id\}\} names no input"),
        ("select * from tracks", {"limit": int}, r"never uses the input\(s\) limit"),
        ("select * from {{.inputs.table}}", {"table": str}, r"needs a name \(after FROM\)"),
        ("select * from tracks order by {{.inputs.col}}", {"col": str}, r"whole ORDER BY"),
        ("select * from tracks; drop table tracks", {}, r"a second statement"),
    ],
)
def test_query_mistakes_fail_at_definition(query: str, inputs: dict[str, type], message: str) -> None:
    with pytest.raises(TaskDefinitionError, match=message) as info:
        SQLite3Task("sqlite3.bad", query, inputs=inputs, task_config=SQLite3Config(uri=str(MUSIC_DB)))
    assert str(info.value).startswith("task 'sqlite3.bad': ")


# --- local runs ----------------------------------------------------------------------------------


def test_local_call_returns_the_rows() -> None:
    result = tracks_task()(limit=3)
    assert isinstance(result, TRACKS)
    want = expected_rows("select TrackId, Name from tracks where TrackId <= 3 order by TrackId")
    assert_same_rows(frame(result), want)
    assert list(frame(result)["Name"]) == ["Don't Stop", "100% Pure", "Two  Spaces"]


def test_declared_columns_pick_and_order_the_result() -> None:
    t = SQLite3Task(
        "sqlite3.reordered",
        query_template="select Name, Milliseconds, TrackId from tracks where TrackId < 3",
        output_schema_type=TRACKS,
        task_config=SQLite3Config(uri=str(MUSIC_DB)),
    )
    assert list(frame(t()).columns) == ["TrackId", "Name"]


def test_a_declared_column_the_query_does_not_return_is_a_user_error() -> None:
    t = SQLite3Task(
        "sqlite3.missing_column",
        query_template="select Name from tracks",
        output_schema_type=TRACKS,
        task_config=SQLite3Config(uri=str(MUSIC_DB)),
    )
    with pytest.raises(TaskExecutionError, match=r"returned the columns \['Name'\].*missing: \['TrackId'\]"):
        t()


def test_without_declared_columns_the_result_has_the_querys_columns() -> None:
    query = (
        "select g.Name as Genre, count(*) as Tracks from tracks t join genres g using (GenreId) "
        "group by g.Name order by g.Name"
    )
    t = SQLite3Task("sqlite3.any", query_template=query, task_config=SQLite3Config(uri=str(MUSIC_DB)))
    want = expected_rows(query)
    assert_same_rows(frame(t()), want)


def test_a_query_sqlite_rejects_is_a_user_error_with_its_message_and_the_query_but_no_value() -> None:
    t = SQLite3Task(
        "sqlite3.typo",
        query_template="select Nmae from tracks where TrackId = {{.inputs.id}} and Name = '{{.inputs.name}}'",
        inputs=kwtypes(id=int, name=str),
        task_config=SQLite3Config(uri=str(MUSIC_DB)),
    )
    with pytest.raises(TaskExecutionError) as info:
        t(id=424242, name="secret-value-xyz")
    message = str(info.value)
    assert "SQLite rejected the query: no such column: Nmae" in message
    assert "select Nmae from tracks where TrackId = {{.inputs.id}} and Name = '{{.inputs.name}}'" in message
    chain = [info.value, info.value.__cause__]
    assert not [e for e in chain if "424242" in str(e) or "secret-value-xyz" in str(e)]
    assert raised_by_user_code(info.value)


def test_a_statement_without_result_columns_is_refused_and_the_database_is_untouched() -> None:
    before = sha256(MUSIC_DB)
    t = SQLite3Task("sqlite3.delete", "delete from tracks", task_config=SQLite3Config(uri=str(MUSIC_DB)))
    with pytest.raises(TaskExecutionError, match="opens its database read-only"):
        t()
    assert sha256(MUSIC_DB) == before  # a local database is opened read-only


def test_an_empty_result_keeps_its_columns() -> None:
    df = frame(tracks_task()(limit=0))
    assert df.empty
    assert list(df.columns) == ["TrackId", "Name"]


def test_local_calls_run_the_serialized_template_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The executor sees only the template: change what the task writes into it, and the call follows."""
    t = tracks_task()
    original = SQLite3Task.get_custom

    def custom(self: SQLite3Task, settings: object) -> dict[str, object]:
        data = original(self, settings)  # type: ignore[arg-type]
        data["query_template"] = "select TrackId, Name from tracks where TrackId = {{.inputs.limit}}"
        return data

    monkeypatch.setattr(SQLite3Task, "get_custom", custom)  # before the first call serializes it
    assert list(frame(t(limit=5))["TrackId"]) == [5]


def test_a_container_style_shim_runs_the_registered_template(tmp_path: Path) -> None:
    pb = tracks_task().serialize_to_model(SETTINGS)
    shim = ExecutableTemplateShimTask(pb, SQLite3TaskExecutor)
    inputs = TypeEngine.dict_to_literal_map(None, {"limit": 2}, {"limit": int})
    out = shim.dispatch_execute(None, inputs)
    got = TypeEngine.to_python_value(None, out.literals["results"], pd.DataFrame)
    assert list(got["TrackId"]) == [1, 2]
    assert (
        out.literals["results"].scalar.structured_dataset.metadata.structured_dataset_type.format == "parquet"
    )


def test_the_executor_can_be_called_directly_with_a_template() -> None:
    tt = tracks_task().task_template
    table = SQLite3TaskExecutor().execute_from_model(tt, limit=1)
    assert isinstance(table, pa.Table)  # pandas is not needed to produce the output
    assert table.to_pylist() == [{"TrackId": 1, "Name": "Don't Stop"}]


def test_a_column_mixing_types_is_a_clear_user_error(tmp_path: Path) -> None:
    db = tmp_path / "mixed.db"
    with contextlib.closing(sqlite3.connect(db)) as con:
        con.execute("create table t (v)")
        con.executemany("insert into t values (?)", [(1,), ("one",)])
        con.commit()
    t = SQLite3Task("sqlite3.mixed", "select v from t", task_config=SQLite3Config(uri=str(db)))
    with pytest.raises(TaskExecutionError, match=r"column 'v' holds values of several types \(int, str\)"):
        t()


def test_the_read_sql_query_dtypes_are_kept(tmp_path: Path) -> None:
    """Ints, ints with NULLs, reals, text, blobs and all-NULL columns read as pandas reads them."""
    db = tmp_path / "types.db"
    rows = [(1, 1, 1.5, "a", b"x", None), (2, None, 2.5, None, None, None)]
    with contextlib.closing(sqlite3.connect(db)) as con:
        con.execute("create table t (i integer, n integer, r real, s text, b blob, z)")
        con.executemany("insert into t values (?, ?, ?, ?, ?, ?)", rows)
        con.commit()
        want = pd.read_sql_query("select * from t", con)
    t = SQLite3Task("sqlite3.types", "select * from t", task_config=SQLite3Config(uri=str(db)))
    got = frame(t())
    assert list(got.dtypes) == list(want.dtypes)
    assert got.astype(object).where(got.notna(), None).values.tolist() == (
        want.astype(object).where(want.notna(), None).values.tolist()
    )


def test_defining_and_serializing_imports_no_pandas() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task\n"
        "t = SQLite3Task('x', 'select 1 as a', task_config=SQLite3Config(uri='db'))\n"
        "t.serialize_to_model(t.SERIALIZE_SETTINGS)\n"
        "print(sorted(m for m in ('pandas', 'pyarrow', 'fsspec', 'flytekit') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_a_template_without_the_query_is_a_template_error() -> None:
    from flyweight.errors import TemplateError

    pb = tracks_task().serialize_to_model(SETTINGS)
    del pb.custom["uri"]
    shim = ExecutableTemplateShimTask(pb, SQLite3TaskExecutor)
    inputs = TypeEngine.dict_to_literal_map(None, {"limit": 2}, {"limit": int})
    with pytest.raises(TemplateError, match=r"has no 'uri'; has: \['compressed', 'query_template'\]") as info:
        shim.dispatch_execute(None, inputs)
    assert not raised_by_user_code(info.value)  # a malformed template is reported as SYSTEM
