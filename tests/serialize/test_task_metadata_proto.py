"""``TaskMetadata`` on the wire (field presence as flytekit writes it), the registration form, secrets."""

from __future__ import annotations

import datetime
from collections import OrderedDict

import pytest
from flyteidl.admin import task_pb2 as admin_task_pb2
from flyteidl.core import literals_pb2, security_pb2, tasks_pb2
from google.protobuf import wrappers_pb2
from tests.tasks.sample_tasks import SampleTask

from flyweight import Description, Documentation, Resources, Secret, SerializationSettings, TaskMetadata
from flyweight._serialize import get_serializable, security_context, task_metadata
from flyweight._settings import SecurityContext
from flyweight._version import __version__

REAL = SerializationSettings(project="p", domain="d", version="v")


def runtime() -> tasks_pb2.RuntimeMetadata:
    return tasks_pb2.RuntimeMetadata(
        type=tasks_pb2.RuntimeMetadata.FLYTE_SDK, version=__version__, flavor="python"
    )


def test_defaults_keep_retries_deck_and_k8s_metadata_present() -> None:
    pb = task_metadata(TaskMetadata(), generates_deck=False)
    assert pb.HasField("retries")
    assert pb.retries.retries == 0
    assert pb.HasField("generates_deck")
    assert pb.generates_deck.value is False
    assert pb.HasField("metadata")
    assert pb.WhichOneof("interruptible_value") is None
    assert not pb.HasField("timeout")
    expected = tasks_pb2.TaskMetadata(
        runtime=runtime(),
        retries=literals_pb2.RetryStrategy(),
        generates_deck=wrappers_pb2.BoolValue(),
        metadata=tasks_pb2.K8sObjectMetadata(),
    )
    assert pb.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True)


@pytest.mark.parametrize("value", [True, False])
def test_interruptible_is_present_when_set(value: bool) -> None:
    pb = task_metadata(TaskMetadata(interruptible=value), generates_deck=False)
    assert pb.WhichOneof("interruptible_value") == "interruptible"
    assert pb.interruptible is value


@pytest.mark.parametrize(
    ("timeout", "seconds"),
    [(None, None), (0, None), (datetime.timedelta(0), None), (30, 30), (datetime.timedelta(minutes=2), 120)],
)
def test_timeout_is_present_only_when_truthy(timeout: object, seconds: int | None) -> None:
    pb = task_metadata(TaskMetadata(timeout=timeout), generates_deck=False)  # type: ignore[arg-type]
    if seconds is None:
        assert not pb.HasField("timeout")
    else:
        assert pb.timeout.ToTimedelta() == datetime.timedelta(seconds=seconds)


def test_every_field_reaches_its_wire_field() -> None:
    meta = TaskMetadata(
        cache=True,
        cache_serialize=True,
        cache_version="1.0",
        cache_ignore_input_vars=("a", "b"),
        interruptible=True,
        deprecated="use v2",
        retries=3,
        timeout=datetime.timedelta(minutes=5),
        pod_template_name="pod",
        is_eager=True,
        labels={"team": "data"},
        annotations={"note": "x"},
    )
    pb = task_metadata(meta, generates_deck=True)
    expected = tasks_pb2.TaskMetadata(
        discoverable=True,
        runtime=runtime(),
        retries=literals_pb2.RetryStrategy(retries=3),
        interruptible=True,
        discovery_version="1.0",
        deprecated_error_message="use v2",
        cache_serializable=True,
        pod_template_name="pod",
        cache_ignore_input_vars=["a", "b"],
        is_eager=True,
        generates_deck=wrappers_pb2.BoolValue(value=True),
        metadata=tasks_pb2.K8sObjectMetadata(labels={"team": "data"}, annotations={"note": "x"}),
    )
    expected.timeout.FromTimedelta(datetime.timedelta(minutes=5))
    assert pb.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True)


def test_generates_deck_comes_from_metadata_or_enable_deck() -> None:
    assert SampleTask("m.plain").serialize_to_model(REAL).metadata.generates_deck.value is False
    assert (
        SampleTask("m.deck", enable_deck=True).serialize_to_model(REAL).metadata.generates_deck.value is True
    )
    flagged = SampleTask("m.flag", metadata=TaskMetadata(generates_deck=True))
    assert flagged.serialize_to_model(REAL).metadata.generates_deck.value is True


def test_serializing_does_not_change_the_tasks_metadata() -> None:
    t = SampleTask("m.same", enable_deck=True)
    before = TaskMetadata(**vars(t.metadata))
    get_serializable(OrderedDict(), REAL, t)
    t.serialize_to_model(REAL)
    assert t.metadata == before


# -- registration form ----------------------------------------------------------------------------------


def test_get_serializable_records_into_the_mapping() -> None:
    t = SampleTask("m.reg")
    mapping: OrderedDict[object, object] = OrderedDict()
    spec = get_serializable(mapping, REAL, t)
    assert isinstance(spec, admin_task_pb2.TaskSpec)
    assert list(mapping) == [t]
    assert mapping[t] is spec
    assert spec.template == t.serialize_to_model(REAL)
    assert not spec.HasField("description")
    plain: dict[object, object] = {}
    get_serializable(plain, REAL, t)
    assert list(plain) == [t]
    assert isinstance(get_serializable(None, REAL, t), admin_task_pb2.TaskSpec)


def test_docs_become_the_description() -> None:
    docs = Documentation(short_description="short", long_description=Description(value="long text"))
    spec = get_serializable(OrderedDict(), REAL, SampleTask("m.docs", docs=docs))
    assert spec.description.short_description == "short"
    assert spec.description.long_description.value == "long text"
    assert spec.description.long_description.format == 3  # reST, flytekit's default


def test_a_description_uri_wins_over_a_value_as_in_flytekit() -> None:
    docs = Documentation(long_description=Description(value="text", uri="https://docs.example/t"))
    long = get_serializable(OrderedDict(), REAL, SampleTask("m.uri", docs=docs)).description.long_description
    assert long.WhichOneof("content") == "uri"
    assert long.uri == "https://docs.example/t"


def test_numeric_resources_serialize_for_registration() -> None:
    """flytekit crashes on ``Resources(cpu=1, mem=1024)`` (reference §16.7)."""
    spec = get_serializable(OrderedDict(), REAL, SampleTask("m.res", requests=Resources(cpu=1, mem=1024)))
    requests = spec.template.container.resources.requests
    assert [(e.name, e.value) for e in requests] == [
        (tasks_pb2.Resources.CPU, "1"),
        (tasks_pb2.Resources.MEMORY, "1024"),
    ]
    assert spec.SerializeToString()


# -- secrets --------------------------------------------------------------------------------------------


def test_security_context_from_secrets() -> None:
    secrets = [
        Secret(group="db", key="pw"),
        Secret(
            group="api",
            key="token",
            group_version="2",
            mount_requirement=Secret.MountType.ENV_VAR,
            env_var="API_TOKEN",
        ),
    ]
    pb = security_context(SecurityContext(secrets=secrets))
    assert pb == security_pb2.SecurityContext(
        secrets=[
            security_pb2.Secret(group="db", key="pw"),
            security_pb2.Secret(
                group="api",
                key="token",
                group_version="2",
                mount_requirement=security_pb2.Secret.ENV_VAR,
                env_var="API_TOKEN",
            ),
        ]
    )


def test_no_secrets_no_security_context() -> None:
    assert security_context(None) is None
    assert security_context(SecurityContext(secrets=[])) is None
    assert not SampleTask("m.nosec").serialize_to_model(REAL).HasField("security_context")


def test_secret_requests_reach_the_template_on_both_paths() -> None:
    """flytekit's ``serialize_to_model`` drops them (reference §16.2)."""
    t = SampleTask("m.sec", secret_requests=[Secret(group="db", key="pw")])
    expected = security_pb2.SecurityContext(secrets=[security_pb2.Secret(group="db", key="pw")])
    assert t.serialize_to_model(REAL).security_context == expected
    assert get_serializable(OrderedDict(), REAL, t).template.security_context == expected


def test_task_type_version_reaches_the_template() -> None:
    assert SampleTask("m.ver", task_type_version=2).serialize_to_model(REAL).task_type_version == 2
