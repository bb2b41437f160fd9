"""SQLite3 tasks against flytekit 1.16.14 (the oracle): the same templates byte for byte (after the
identity map), and the same rows for queries written for flytekit, run on the sample database.

flytekit comes from the ``flytekit`` fixture (``tests/conftest.py``): without it these tests are
skipped, unless ``FLYWEIGHT_REQUIRE_ORACLE=1``, in which case they fail.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from collections import OrderedDict
from typing import Any

import pandas as pd
import pytest
from flyteidl.core import literals_pb2, tasks_pb2
from tests.plugins.sqlite3.sqlite3_support import MUSIC_DB, assert_same_rows, expected_rows, frame

from flyweight import Image, ImageConfig, SerializationSettings, kwtypes
from flyweight._version import __version__
from flyweight.extend import DefaultImages
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task
from flyweight.types import FlyteSchema, TypeEngine

pytestmark = pytest.mark.oracle

FLYTEKIT_RESOLVER = "flytekit.core.python_customized_container_task.default_task_template_resolver"
FLYTEKIT_EXECUTOR = "flytekit.extras.sqlite3.task.SQLite3TaskExecutor"


@pytest.fixture(scope="module")
def fk(flytekit: Any) -> Any:
    """flytekit's pieces, as a namespace."""
    from flytekit.configuration import (
        DefaultImages as FkDefaultImages,
        Image as FkImage,
        ImageConfig as FkImageConfig,
        SerializationSettings as FkSettings,
    )
    from flytekit.extras.sqlite3.task import SQLite3Config as FkConfig, SQLite3Task as FkTask
    from flytekit.tools.translator import get_serializable
    from flytekit.types.schema import FlyteSchema as FkSchema

    class NS:
        pass

    ns = NS()
    ns.kwtypes = flytekit.kwtypes  # type: ignore[attr-defined]
    ns.Task, ns.Config, ns.Schema = FkTask, FkConfig, FkSchema  # type: ignore[attr-defined]
    ns.get_serializable = get_serializable  # type: ignore[attr-defined]
    ns.default_image = FkDefaultImages.default_image()  # type: ignore[attr-defined]
    img = FkImage(name="default", fqn="img", tag="1")
    ns.settings = FkSettings(  # type: ignore[attr-defined]
        project="p",
        domain="d",
        version="v",
        env=None,
        image_config=FkImageConfig(default_image=img, images=[img]),
    )
    return ns


OUR_SETTINGS = SerializationSettings(
    project="p",
    domain="d",
    version="v",
    env=None,
    image_config=ImageConfig(default_image=Image(name="default", fqn="img", tag="1")),
)

# (name, query, inputs, output columns or None for plain FlyteSchema, compressed)
CASES: list[tuple[str, str, dict[str, type], dict[str, type] | None, bool]] = [
    (
        "doc",
        "select TrackId, Name from tracks limit {{.inputs.limit}}",
        {"limit": int},
        {"TrackId": int, "Name": str},
        True,
    ),
    ("bare", "\n  select *\n  from tracks\n", {}, None, False),
    (
        "many-types",
        "select * from tracks where Milliseconds > {{.inputs.ms}} and UnitPrice < {{.inputs.price}} "
        "and Composer = '{{.inputs.composer}}' and {{.inputs.flag}}",
        {"ms": int, "price": float, "composer": str, "flag": bool},
        {"TrackId": int, "UnitPrice": float, "Name": str, "Explicit": bool, "Added": datetime.datetime},
        False,
    ),
]  # fmt: skip


def _schema(module_schema: Any, kw: Any, columns: dict[str, type] | None) -> Any:
    return module_schema[kw(**columns)] if columns else None


def identity_map(theirs: tasks_pb2.TaskTemplate, fk: Any) -> tasks_pb2.TaskTemplate:
    out = tasks_pb2.TaskTemplate()
    out.CopyFrom(theirs)
    args = out.container.args
    assert (args[0], args[8], args[-1]) == ("pyflyte-execute", FLYTEKIT_RESOLVER, FLYTEKIT_EXECUTOR)
    args[0], args[8] = "flyweight-execute", "flyweight.extend.default_task_template_resolver"
    args[-1] = "flyweight.plugins.sqlite3.SQLite3TaskExecutor"
    out.metadata.runtime.version = __version__
    assert out.container.image == fk.default_image
    out.container.image = DefaultImages.default_image()
    return out


@pytest.mark.parametrize(
    ("name", "query", "inputs", "columns", "compressed"), CASES, ids=[c[0] for c in CASES]
)
def test_templates_equal_flytekits(
    fk: Any, name: str, query: str, inputs: dict[str, type], columns: dict[str, type] | None, compressed: bool
) -> None:
    theirs = fk.Task(
        f"sqlite3.{name}",
        query_template=query,
        inputs=fk.kwtypes(**inputs),
        output_schema_type=_schema(fk.Schema, fk.kwtypes, columns),
        task_config=fk.Config(uri="music.zip" if compressed else str(MUSIC_DB), compressed=compressed),
    )
    ours = SQLite3Task(
        f"sqlite3.{name}",
        query_template=query,
        inputs=kwtypes(**inputs),
        output_schema_type=_schema(FlyteSchema, kwtypes, columns),
        task_config=SQLite3Config(uri="music.zip" if compressed else str(MUSIC_DB), compressed=compressed),
    )
    expected = identity_map(
        fk.get_serializable(OrderedDict(), fk.settings, theirs).template.to_flyte_idl(), fk
    )
    assert ours.serialize_to_model(OUR_SETTINGS).SerializeToString(
        deterministic=True
    ) == expected.SerializeToString(deterministic=True)
    assert ours.output_columns == theirs.output_columns


def test_templates_differ_only_in_whitespace_inside_literals(fk: Any) -> None:
    query = "select *\n from tracks where Name = 'Two  Spaces'"
    theirs = fk.Task("sqlite3.ws", query_template=query, task_config=fk.Config(uri="db"))
    ours = SQLite3Task("sqlite3.ws", query_template=query, task_config=SQLite3Config(uri="db"))
    assert theirs.query_template == "select * from tracks where Name = 'Two Spaces'"
    assert ours.query_template == "select * from tracks where Name = 'Two  Spaces'"


# Queries in the style of flytekit's docs and examples: quoted string placeholders, bare numbers.
PORTED = [
    ("select * from tracks limit {{.inputs.limit}}", {"limit": int}, {"limit": 7}),
    (
        "select TrackId, Name from tracks where Composer = '{{.inputs.composer}}' order by TrackId "
        "limit {{.inputs.limit}}",
        {"composer": str, "limit": int},
        {"composer": "Ada Berg", "limit": 5},
    ),
    (
        "select a.Title, count(*) as n from tracks t join albums a on a.AlbumId = t.AlbumId "
        "where t.Milliseconds > {{.inputs.ms}} group by a.Title order by n desc, a.Title limit 5",
        {"ms": int},
        {"ms": 300000},
    ),
    (
        "select Name, UnitPrice from tracks where UnitPrice > {{.inputs.price}} "
        "and Name like '{{.inputs.prefix}}%' order by TrackId",
        {"price": float, "prefix": str},
        {"price": 1.0, "prefix": "Gold"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("query", "inputs", "values"), PORTED, ids=[f"q{i}" for i in range(len(PORTED))])
def test_queries_written_for_flytekit_give_the_same_rows(
    fk: Any, query: str, inputs: dict[str, type], values: dict[str, Any]
) -> None:
    theirs = fk.Task(
        "sqlite3.port",
        query_template=query,
        inputs=fk.kwtypes(**inputs),
        task_config=fk.Config(uri=str(MUSIC_DB)),
    )
    ours = SQLite3Task(
        "sqlite3.port",
        query_template=query,
        inputs=kwtypes(**inputs),
        task_config=SQLite3Config(uri=str(MUSIC_DB)),
    )
    want = frame(theirs(**values))
    assert len(want) > 0
    got = frame(ours(**values))
    assert list(got.columns) == list(want.columns)
    assert_same_rows(got, want)
    assert_same_rows(got, expected_rows(theirs.get_query(**values)))


# A user module written for flytekit, in the style of flytekit's SQLite3 docs. Porting changes only imports.
FLYTEKIT_MODULE = '''
from flytekit import kwtypes
from flytekit.extras.sqlite3.task import SQLite3Config, SQLite3Task
from flytekit.types.schema import FlyteSchema

sql_task = SQLite3Task(
    "ported.sql_task",
    query_template="""
        select TrackId, Name from tracks
        where Composer = '{{.inputs.composer}}' and Milliseconds > {{ .inputs.min_ms }}
        order by TrackId
        limit {{.inputs.limit}}
    """,
    inputs=kwtypes(composer=str, min_ms=int, limit=int),
    output_schema_type=FlyteSchema[kwtypes(TrackId=int, Name=str)],
    task_config=SQLite3Config(uri=DB_URI),
)
'''
PORTED_IMPORTS = {
    "from flytekit import kwtypes": "from flyweight import kwtypes",
    "from flytekit.extras.sqlite3.task import": "from flyweight.plugins.sqlite3 import",
    "from flytekit.types.schema import FlyteSchema": "from flyweight.types import FlyteSchema",
}


def test_a_flytekit_module_ports_by_changing_its_imports(fk: Any) -> None:
    ported = FLYTEKIT_MODULE
    for old, new in PORTED_IMPORTS.items():
        ported = ported.replace(old, new)
    changed = [a for a, b in zip(FLYTEKIT_MODULE.splitlines(), ported.splitlines(), strict=True) if a != b]
    assert len(changed) == 3 and all(line.startswith("from ") for line in changed)
    theirs: dict[str, Any] = {"DB_URI": str(MUSIC_DB)}
    ours: dict[str, Any] = {"DB_URI": str(MUSIC_DB)}
    exec(compile(FLYTEKIT_MODULE, "flytekit_module", "exec"), theirs)
    exec(compile(ported, "ported_module", "exec"), ours)
    honest = {"composer": "Ada Berg", "min_ms": 100000, "limit": 3}
    assert_same_rows(frame(ours["sql_task"](**honest)), frame(theirs["sql_task"](**honest)))
    assert len(frame(ours["sql_task"](**honest))) == 3
    attack = {"composer": "x' OR '1'='1", "min_ms": 0, "limit": 3}
    assert len(frame(theirs["sql_task"](**attack))) == 3  # flytekit runs the injected OR
    assert frame(ours["sql_task"](**attack)).empty  # flyweight binds it: no composer is called that


def test_a_template_registered_with_flytekit_runs_under_flyweight_execute(fk: Any, tmp_path: Any) -> None:
    """flytekit's template names flytekit's resolver and executor; flyweight-execute maps both."""
    theirs = fk.Task(
        "sqlite3.registered",
        query_template="select TrackId, Name from tracks where Composer = '{{.inputs.composer}}' "
        "order by TrackId",
        inputs=fk.kwtypes(composer=str),
        task_config=fk.Config(uri=str(MUSIC_DB)),
    )
    pb = fk.get_serializable(OrderedDict(), fk.settings, theirs).template.to_flyte_idl()
    (tmp_path / "task.pb").write_bytes(pb.SerializeToString())
    inputs = TypeEngine.dict_to_literal_map(None, {"composer": "Ada Berg"}, {"composer": str})
    (tmp_path / "inputs.pb").write_bytes(inputs.SerializeToString())
    fills = {
        "{{.input}}": str(tmp_path / "inputs.pb"),
        "{{.outputPrefix}}": str(tmp_path / "out"),
        "{{.rawOutputDataPrefix}}": str(tmp_path / "raw"),
        "{{.taskTemplatePath}}": str(tmp_path / "task.pb"),
    }
    args = [fills.get(a, a) for a in pb.container.args]
    assert args[0] == "pyflyte-execute" and args[-1] == FLYTEKIT_EXECUTOR
    exe = os.path.join(os.path.dirname(sys.executable), "flyweight-execute")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_"))}
    done = subprocess.run([exe, *args[1:]], capture_output=True, text=True, env=env, check=False, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert sorted(os.listdir(tmp_path / "out")) == ["outputs.pb"], done.stderr[-2000:]
    outputs = literals_pb2.LiteralMap.FromString((tmp_path / "out" / "outputs.pb").read_bytes())
    got = TypeEngine.to_python_value(None, outputs.literals["results"], pd.DataFrame)
    want = expected_rows("select TrackId, Name from tracks where Composer = ? order by TrackId", ["Ada Berg"])
    assert_same_rows(got.reset_index(drop=True), want)
