"""SQLAlchemy tasks against flytekitplugins-sqlalchemy 1.16.14 (the oracle): the same templates byte for
byte (after the identity map), and the same rows on the same SQLite file (SQLite through SQLAlchemy: no
server is needed; PostgreSQL comes in a later slice)."""

from __future__ import annotations

import shutil
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import tasks_pb2
from tests.oracle import require
from tests.plugins.sqlite3.sqlite3_support import MUSIC_DB, assert_same_rows, expected_rows, frame
from tests.plugins.sqlite3.test_sqlite3_oracle import OUR_SETTINGS  # the settings both oracle tests use

from flyweight import kwtypes
from flyweight._version import __version__
from flyweight.extend import Secret
from flyweight.plugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyDefaultImages, SQLAlchemyTask
from flyweight.types import FlyteSchema

pytestmark = pytest.mark.oracle

FLYTEKIT_RESOLVER = "flytekit.core.python_customized_container_task.default_task_template_resolver"
FLYTEKIT_EXECUTOR = "flytekitplugins.sqlalchemy.task.SQLAlchemyTaskExecutor"


@pytest.fixture(scope="module")
def fk(flytekit: Any) -> Any:
    require("sqlalchemy", why="flytekit's SQLAlchemy plugin")
    plugin = require("flytekitplugins.sqlalchemy.task", why="the oracle of the SQLAlchemy plugin")
    from flytekit.configuration import (
        Image as FkImage,
        ImageConfig as FkImageConfig,
        SerializationSettings as FkSettings,
    )
    from flytekit.models.security import Secret as FkSecret
    from flytekit.tools.translator import get_serializable
    from flytekit.types.schema import FlyteSchema as FkSchema

    class NS:
        pass

    ns: Any = NS()
    ns.kwtypes = flytekit.kwtypes
    ns.Task, ns.Config, ns.Schema, ns.Secret = (
        plugin.SQLAlchemyTask,
        plugin.SQLAlchemyConfig,
        FkSchema,
        FkSecret,
    )
    ns.get_serializable = get_serializable
    ns.default_image = plugin.SQLAlchemyDefaultImages.default_image()
    img = FkImage(name="default", fqn="img", tag="1")
    ns.settings = FkSettings(
        project="p",
        domain="d",
        version="v",
        env=None,
        image_config=FkImageConfig(default_image=img, images=[img]),
    )
    return ns


URI = f"sqlite:///{MUSIC_DB}"
# (name, query, inputs, output: "default" | None | columns, connect_args, secret args)
Case = tuple[str, str, dict[str, type], Any, dict[str, Any] | None, dict[str, tuple[str, str]] | None]
CASES: list[Case] = [
    ("bare", "\n  select *\n  from tracks\n", {}, "default", None, None),
    ("columns", "select TrackId, Name from tracks limit {{.inputs.limit}}", {"limit": int},
     {"TrackId": int, "Name": str}, {"timeout": 5}, None),
    ("no-output", "update tracks set Name = '{{.inputs.name}}' where TrackId = {{.inputs.id}}",
     {"name": str, "id": int}, None, None, None),
    ("secrets", "select * from tracks where Composer = '{{.inputs.c}}'", {"c": str}, "default",
     {"timeout": 1.5}, {"password": ("db", "pw"), "user": ("db", "user")}),
]  # fmt: skip


def identity_map(theirs: tasks_pb2.TaskTemplate, fk: Any) -> tasks_pb2.TaskTemplate:
    out = tasks_pb2.TaskTemplate()
    out.CopyFrom(theirs)
    args = out.container.args
    assert (args[0], args[8], args[-1]) == ("pyflyte-execute", FLYTEKIT_RESOLVER, FLYTEKIT_EXECUTOR)
    args[0], args[8] = "flyweight-execute", "flyweight.extend.default_task_template_resolver"
    args[-1] = "flyweight.plugins.sqlalchemy.SQLAlchemyTaskExecutor"
    out.metadata.runtime.version = __version__
    assert out.container.image == fk.default_image
    out.container.image = SQLAlchemyDefaultImages.default_image()
    return out


def _output(schema: Any, kw: Any, spec: Any) -> dict[str, Any]:
    if spec == "default":
        return {}
    if spec is None:
        return {"output_schema_type": None}
    return {"output_schema_type": schema[kw(**spec)]}


@pytest.mark.parametrize(
    ("name", "query", "inputs", "output", "args", "secrets"), CASES, ids=[c[0] for c in CASES]
)
def test_templates_equal_flytekits(
    fk: Any, name: str, query: str, inputs: dict[str, type], output: Any, args: Any, secrets: Any
) -> None:
    fk_secrets = {k: fk.Secret(group=g, key=s) for k, (g, s) in (secrets or {}).items()} or None
    # flytekit does not request the secrets its connect args read: they are given explicitly here, as
    # flyweight adds them by itself.
    extra = {"secret_requests": list(fk_secrets.values())} if fk_secrets else {}
    theirs = fk.Task(
        f"sa.{name}",
        query_template=query,
        task_config=fk.Config(uri=URI, connect_args=args, secret_connect_args=fk_secrets),
        inputs=fk.kwtypes(**inputs),
        **_output(fk.Schema, fk.kwtypes, output),
        **extra,
    )
    ours = SQLAlchemyTask(
        f"sa.{name}",
        query_template=query,
        task_config=SQLAlchemyConfig(
            uri=URI,
            connect_args=args,
            secret_connect_args={k: Secret(group=g, key=s) for k, (g, s) in secrets.items()}
            if secrets
            else None,
        ),
        inputs=kwtypes(**inputs),
        **_output(FlyteSchema, kwtypes, output),
    )
    expected = identity_map(
        fk.get_serializable(OrderedDict(), fk.settings, theirs).template.to_flyte_idl(), fk
    )
    got = ours.serialize_to_model(OUR_SETTINGS)
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True)
    if output is not None:
        assert ours.output_columns == theirs.output_columns


PORTED = [
    ("select * from tracks limit {{.inputs.limit}}", {"limit": int}, {"limit": 7}),
    (
        "select TrackId, Name from tracks where Composer = '{{.inputs.composer}}' order by TrackId "
        "limit {{.inputs.limit}}",
        {"composer": str, "limit": int},
        {"composer": "Ada Berg", "limit": 5},
    ),
    (
        "select Name, UnitPrice from tracks where UnitPrice > {{.inputs.price}} "
        "and Name like '{{.inputs.prefix}}%' order by TrackId",
        {"price": float, "prefix": str},
        {"price": 1.0, "prefix": "Gold"},
    ),
]


@pytest.mark.parametrize(("query", "inputs", "values"), PORTED, ids=[f"q{i}" for i in range(len(PORTED))])
def test_queries_written_for_flytekit_give_the_same_rows(
    fk: Any, query: str, inputs: dict[str, type], values: dict[str, Any]
) -> None:
    theirs = fk.Task(
        "sa.port", query_template=query, task_config=fk.Config(uri=URI), inputs=fk.kwtypes(**inputs)
    )
    ours = SQLAlchemyTask(
        "sa.port", query_template=query, task_config=SQLAlchemyConfig(uri=URI), inputs=kwtypes(**inputs)
    )
    want = frame(theirs(**values))
    assert len(want) > 0
    got = frame(ours(**values))
    assert list(got.columns) == list(want.columns)
    assert_same_rows(got, want)
    assert_same_rows(got, expected_rows(theirs.get_query(**values)))


def test_a_statement_without_output_changes_the_database_as_flytekits_does(fk: Any, tmp_path: Path) -> None:
    query = "update tracks set Name = '{{.inputs.name}}' where TrackId = {{.inputs.id}}"
    dbs = [shutil.copyfile(MUSIC_DB, tmp_path / f"{who}.db") for who in ("theirs", "ours")]
    theirs = fk.Task(
        "sa.up", query_template=query, task_config=fk.Config(uri=f"sqlite:///{dbs[0]}"),
        inputs=fk.kwtypes(name=str, id=int), output_schema_type=None,
    )  # fmt: skip
    ours = SQLAlchemyTask(
        "sa.up", query_template=query, task_config=SQLAlchemyConfig(uri=f"sqlite:///{dbs[1]}"),
        inputs=kwtypes(name=str, id=int), output_schema_type=None,
    )  # fmt: skip
    assert theirs(name="Renamed", id=3) is None
    assert ours(name="Renamed", id=3) is None
    sql = "select TrackId, Name from tracks order by TrackId"
    assert_same_rows(expected_rows(sql, db=dbs[1]), expected_rows(sql, db=dbs[0]))
    assert expected_rows("select Name from tracks where TrackId = 3", db=dbs[1])["Name"][0] == "Renamed"
