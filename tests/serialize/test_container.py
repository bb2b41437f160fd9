"""The template's ``Container``: all of the command in ``args``, resources in wire order as strings, and
the environment merged settings-first with the task winning."""

from __future__ import annotations

from typing import Any

import pytest
from flyteidl.core import tasks_pb2
from tests.tasks.sample_tasks import SampleTask

from flyweight import Image, ImageConfig, Resources, SerializationSettings
from flyweight._serialize import container, merge_env
from flyweight.errors import TaskDefinitionError

R = tasks_pb2.Resources
REAL = SerializationSettings(project="p", domain="d", version="v")


def entries(message: Any) -> list[tuple[str, str]]:
    return [(R.ResourceName.Name(e.name), e.value) for e in message]


def test_resources_in_wire_order_requests_then_limits() -> None:
    c = container(
        image="img",
        args=["a"],
        requests=Resources(mem="1Gi", cpu="1", ephemeral_storage="200Mi"),
        limits=Resources(gpu="1", mem="2Gi", cpu="2"),
        env={},
    )
    assert entries(c.resources.requests) == [("EPHEMERAL_STORAGE", "200Mi"), ("CPU", "1"), ("MEMORY", "1Gi")]
    assert entries(c.resources.limits) == [("CPU", "2"), ("GPU", "1"), ("MEMORY", "2Gi")]


def test_numbers_serialize_as_strings() -> None:
    """flytekit crashes on these (reference §16.7)."""
    c = container(
        image="img", args=[], requests=Resources(cpu=1, mem=1024), limits=Resources(cpu=0.5, gpu=2), env={}
    )
    assert entries(c.resources.requests) == [("CPU", "1"), ("MEMORY", "1024")]
    assert entries(c.resources.limits) == [("CPU", "0.5"), ("GPU", "2")]
    assert c.SerializeToString()


def test_numeric_resources_serialize_through_a_task() -> None:
    pb = SampleTask("c.num", requests=Resources(cpu=1, mem=1024)).serialize_to_model(REAL)
    assert entries(pb.container.resources.requests) == [("CPU", "1"), ("MEMORY", "1024")]
    assert len(pb.container.resources.limits) == 0


def test_resources_are_present_even_when_empty() -> None:
    c = container(image="img", args=[], requests=None, limits=Resources(), env={})
    assert c.HasField("resources")
    assert len(c.resources.requests) == 0
    pb = SampleTask("c.empty").serialize_to_model(REAL)
    assert pb.container.HasField("resources")
    assert pb.container.resources == R()


def test_a_request_limit_pair_is_refused() -> None:
    pair = Resources(cpu=("1", "2"))
    with pytest.raises(TaskDefinitionError, match=r"not a \(request, limit\) pair"):
        container(image="img", args=[], requests=pair, limits=None, env={})
    with pytest.raises(TaskDefinitionError, match="pass requests= and limits= separately"):
        SampleTask("c.pair", limits=pair).serialize_to_model(REAL)


def test_command_is_empty_and_args_carry_everything() -> None:
    pb = SampleTask("c.args").serialize_to_model(REAL)
    assert list(pb.container.command) == []
    assert list(pb.container.args) == [
        "flyweight-execute",
        "--inputs",
        "{{.input}}",
        "--output-prefix",
        "{{.outputPrefix}}",
        "--raw-output-data-prefix",
        "{{.rawOutputDataPrefix}}",
        "--resolver",
        "flyweight.extend.default_task_template_resolver",
        "--",
        "{{.taskTemplatePath}}",
        "tests.tasks.sample_tasks.CallbackExecutor",
    ]
    assert len(pb.container.config) == 0
    assert not pb.container.HasField("data_config")


@pytest.mark.parametrize(
    ("settings_env", "task_env", "expected"),
    [
        (None, None, []),
        (None, {"A": "1"}, [("A", "1")]),
        ({"S": "s"}, None, [("S", "s")]),
        (
            {"S": "s", "SHARED": "settings"},
            {"T": "t", "SHARED": "task"},
            [("S", "s"), ("SHARED", "task"), ("T", "t")],
        ),
        ({"B": "1", "A": "2"}, {"D": "3", "C": "4"}, [("B", "1"), ("A", "2"), ("D", "3"), ("C", "4")]),
    ],
)
def test_env_merge_order_and_task_wins(
    settings_env: dict[str, str] | None, task_env: dict[str, str] | None, expected: list[tuple[str, str]]
) -> None:
    assert list(merge_env(settings_env, task_env).items()) == expected
    settings = SerializationSettings(project="p", domain="d", version="v", env=settings_env)
    pb = SampleTask("c.env", environment=task_env).serialize_to_model(settings)
    assert [(kv.key, kv.value) for kv in pb.container.env] == expected


def test_merge_env_does_not_change_its_arguments() -> None:
    s, t = {"A": "1"}, {"A": "2"}
    merge_env(s, t)
    assert s == {"A": "1"}
    assert t == {"A": "2"}


def test_image_is_resolved_against_the_settings() -> None:
    img = Image(name="default", fqn="registry.example/base", tag="7")
    spark = Image(name="spark", fqn="registry.example/spark", tag="3.5")
    settings = SerializationSettings(
        project="p", domain="d", version="v", image_config=ImageConfig(default_image=img, images=[img, spark])
    )
    templated = SampleTask("c.img", container_image="{{.image.spark.fqn}}:{{.image.spark.version}}")
    assert templated.serialize_to_model(settings).container.image == "registry.example/spark:3.5"
    assert SampleTask("c.none", container_image=None).serialize_to_model(settings).container.image == (
        "registry.example/base:7"
    )
    assert (
        SampleTask("c.fixed", container_image="x/y:1").serialize_to_model(settings).container.image == "x/y:1"
    )
