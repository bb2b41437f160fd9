"""Templates against flytekit 1.16.14's goldens, after the identity map and nothing else.

The identity map: the launcher ``pyflyte-execute`` → ``flyweight-execute``, flytekit's resolver →
flyweight's, flytekit's executor path → ``flyweight.plugins.sqlite3.SQLite3TaskExecutor``, the runtime
version → flyweight's, the default image → flyweight's. Everything else, ``interface`` (with its
``schema`` output type) included, must be byte-identical.

The goldens are ``tests/golden/templates/*.pb``, made by ``tools/goldens.py`` (``make goldens``).
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from pathlib import Path

import pytest
from flyteidl.admin import task_pb2 as admin_task_pb2
from flyteidl.core import tasks_pb2

from flyweight import Image, ImageConfig, Resources, Secret, SerializationSettings, TaskMetadata, kwtypes
from flyweight._settings import default_image
from flyweight._version import __version__
from flyweight.extend import PythonCustomizedContainerTask, get_serializable
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task
from flyweight.types import FlyteSchema

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "templates"
CHINOOK = "https://www.sqlitetutorial.net/wp-content/uploads/2018/03/chinook.zip"
FLYTEKIT_IMAGE = "cr.flyte.org/flyteorg/flytekit:py3.11-1.16.14"

_img = Image(name="default", fqn="test", tag="tag")
TEST_SETTINGS = SerializationSettings(
    project="project",
    domain="domain",
    version="version",
    env=None,
    image_config=ImageConfig(default_image=_img, images=[_img]),
)
TEST_SETTINGS_WITH_ENV = SerializationSettings(
    project="project",
    domain="domain",
    version="version",
    env={"SETTINGS_ENV": "from-settings", "SHARED": "settings-value"},
    image_config=ImageConfig(default_image=_img, images=[_img]),
)


def doc_task() -> SQLite3Task:
    return SQLite3Task(
        "test",
        query_template="select TrackId, Name from tracks limit {{.inputs.limit}}",
        inputs=kwtypes(limit=int),
        output_schema_type=FlyteSchema[kwtypes(TrackId=int, Name=str)],
        task_config=SQLite3Config(uri=CHINOOK, compressed=True),
    )


def bare_task() -> SQLite3Task:
    return SQLite3Task(
        "sqlite.bare",
        query_template="""
            select *
            from tracks
        """,
        task_config=SQLite3Config(uri=CHINOOK),
    )


def rich_task() -> SQLite3Task:
    return SQLite3Task(
        "sqlite.rich",
        query_template="select * from tracks where AlbumId = {{ .inputs.album }} limit {{.inputs.limit}}",
        inputs=kwtypes(album=int, limit=int),
        task_config=SQLite3Config(uri=CHINOOK, compressed=True),
        container_image="{{.image.default.fqn}}:{{.image.default.version}}",
        requests=Resources(cpu="1", mem="1Gi", ephemeral_storage="200Mi"),
        limits=Resources(cpu="2", mem="2Gi", gpu="1"),
        environment={"USER_ENV": "from-task", "SHARED": "task-value"},
        secret_requests=[Secret(group="db-group", key="db-key")],
        metadata=TaskMetadata(
            retries=3,
            timeout=datetime.timedelta(minutes=5),
            cache=True,
            cache_version="1.0",
            cache_serialize=True,
            interruptible=True,
            deprecated="use something else",
            labels={"team": "data"},
            annotations={"note": "x"},
        ),
        enable_deck=True,
    )


def identity_map(tpl: tasks_pb2.TaskTemplate) -> tasks_pb2.TaskTemplate:
    """flytekit's golden → what flyweight must produce."""
    out = tasks_pb2.TaskTemplate()
    out.CopyFrom(tpl)
    args = out.container.args
    assert args[0] == "pyflyte-execute"
    args[0] = "flyweight-execute"
    assert args[8] == "flytekit.core.python_customized_container_task.default_task_template_resolver"
    args[8] = "flyweight.extend.default_task_template_resolver"
    assert args[-1] == "flytekit.extras.sqlite3.task.SQLite3TaskExecutor"
    args[-1] = "flyweight.plugins.sqlite3.SQLite3TaskExecutor"
    assert out.metadata.runtime.version == "1.16.14"
    out.metadata.runtime.version = __version__
    if out.container.image == FLYTEKIT_IMAGE:
        out.container.image = default_image()
    return out


def load(stem: str) -> tasks_pb2.TaskTemplate:
    return tasks_pb2.TaskTemplate.FromString((GOLDEN / f"{stem}.pb").read_bytes())


def ours(tpl: tasks_pb2.TaskTemplate) -> bytes:
    return tpl.SerializeToString(deterministic=True)


CASES = [
    ("sqlite3_doc_get_serializable_template", doc_task, TEST_SETTINGS),
    ("sqlite3_bare_get_serializable_template", bare_task, TEST_SETTINGS),
    ("sqlite3_rich_get_serializable_template", rich_task, TEST_SETTINGS_WITH_ENV),
]


@pytest.mark.parametrize(("stem", "make", "settings"), CASES, ids=[c[0] for c in CASES])
def test_template_equals_registration_golden(
    stem: str, make: object, settings: SerializationSettings
) -> None:
    task = make()  # type: ignore[operator]
    expected = identity_map(load(stem)).SerializeToString(deterministic=True)
    assert ours(task.serialize_to_model(settings)) == expected


@pytest.mark.parametrize(("stem", "make", "settings"), CASES, ids=[c[0] for c in CASES])
def test_registration_form_wraps_the_same_template(
    stem: str, make: object, settings: SerializationSettings
) -> None:
    task = make()  # type: ignore[operator]
    spec = get_serializable(OrderedDict(), settings, task)
    assert isinstance(spec, admin_task_pb2.TaskSpec)
    assert not spec.HasField("description")
    assert ours(spec.template) == ours(task.serialize_to_model(settings))


def test_taskspec_golden() -> None:
    golden = admin_task_pb2.TaskSpec.FromString(
        (GOLDEN / "sqlite3_doc_get_serializable_taskspec.pb").read_bytes()
    )
    spec = get_serializable(OrderedDict(), TEST_SETTINGS, doc_task())
    expected = admin_task_pb2.TaskSpec(template=identity_map(golden.template))
    assert spec.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True)


def test_flytekit_second_path_differs_only_where_it_drops_secrets_and_deck() -> None:
    """flytekit's ``serialize_to_model`` golden lacks security_context and reports no deck; ours keeps both,
    and serializing never changes the task (flytekit's registration path mutates generates_deck)."""
    task = rich_task()
    mine = tasks_pb2.TaskTemplate.FromString(ours(task.serialize_to_model(TEST_SETTINGS_WITH_ENV)))
    assert task.metadata.generates_deck is False
    golden = identity_map(load("sqlite3_rich_serialize_to_model_test_settings_env"))
    assert not golden.HasField("security_context")
    assert golden.metadata.generates_deck.value is False
    mine.ClearField("security_context")
    mine.metadata.generates_deck.value = False
    assert mine.SerializeToString(deterministic=True) == golden.SerializeToString(deterministic=True)


@pytest.mark.parametrize(
    ("stem", "make", "settings"),
    [
        ("sqlite3_doc_serialize_to_model_test_settings", doc_task, TEST_SETTINGS),
        ("sqlite3_bare_serialize_to_model_test_settings", bare_task, TEST_SETTINGS),
        (
            "sqlite3_doc_serialize_to_model_placeholder_settings",
            doc_task,
            PythonCustomizedContainerTask.SERIALIZE_SETTINGS,
        ),
    ],
)
def test_tasks_without_secrets_or_deck_match_flytekits_other_path_too(
    stem: str, make: object, settings: SerializationSettings
) -> None:
    task = make()  # type: ignore[operator]
    expected = identity_map(load(stem)).SerializeToString(deterministic=True)
    assert ours(task.serialize_to_model(settings)) == expected


def test_serializing_is_deterministic() -> None:
    a = rich_task().serialize_to_model(TEST_SETTINGS_WITH_ENV).SerializeToString(deterministic=True)
    b = rich_task().serialize_to_model(TEST_SETTINGS_WITH_ENV).SerializeToString(deterministic=True)
    assert a == b
