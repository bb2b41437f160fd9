"""Customized container task templates against flytekit 1.16.14 (the oracle), byte for byte.

The same task is declared in both SDKs (same executor class, interface, ``custom``, metadata,
resources, environment, secrets, docs) and serialized with equivalent settings: flytekit through
its registration path (``get_serializable``), flyweight through ``serialize_to_model``. After the
identity map (launcher, resolver path, runtime version, and the output-order ``config`` entry a
multi-output flyweight task adds), the deterministic bytes must be equal, ``interface`` included.

flytekit comes from the ``flytekit`` fixture (``tests/conftest.py``): without it these tests are
skipped, unless ``FLYWEIGHT_REQUIRE_ORACLE=1``, in which case they fail.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import OrderedDict
from typing import Any, Optional

import pytest
from flyteidl.admin import task_pb2 as admin_task_pb2
from flyteidl.core import tasks_pb2
from tests.tasks.oracle_plugins import (
    FlyweightPluginTask,
    GreetExecutor,
    ListExecutor,
    NoopExecutor,
    Point,
    ScaleExecutor,
    flytekit_plugin_task_class,
)

import flyweight
from flyweight._serialize import OUTPUT_ORDER_KEY, get_serializable
from flyweight._version import __version__

pytestmark = [pytest.mark.oracle, pytest.mark.usefixtures("flytekit")]

FLYTEKIT_RESOLVER = "flytekit.core.python_customized_container_task.default_task_template_resolver"


class Oracle:
    def __init__(self) -> None:
        import flytekit
        from flytekit.configuration import Image, ImageConfig, SerializationSettings
        from flytekit.core.interface import Interface
        from flytekit.tools.translator import get_serializable as fk_get_serializable

        self.fk = flytekit
        self.Interface = Interface
        self.get_serializable = fk_get_serializable
        self.Task = flytekit_plugin_task_class()
        self.Image = Image
        self.ImageConfig = ImageConfig
        self.SerializationSettings = SerializationSettings


@pytest.fixture(scope="module")
def oracle(flytekit: Any) -> Oracle:
    return Oracle()


@dataclasses.dataclass
class Case:
    """One task, described once and built in both SDKs."""

    id: str
    executor: type
    inputs: dict[str, Any]
    outputs: dict[str, Any]
    custom: dict[str, Any]
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)
    requests: dict[str, Any] | None = None
    limits: dict[str, Any] | None = None
    environment: dict[str, str] | None = None
    settings_env: dict[str, str] | None = None
    secrets: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    docs: tuple[str, str] | None = None
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)


CASES = [
    Case("ints", ScaleExecutor, {"n": int}, {"o": int}, {"factor": 2}),
    Case(
        "str-retries-timeout",
        GreetExecutor,
        {"name": str},
        {"greeting": str},
        {"greeting": "hello", "nested": {"k": [1, 2.5, None, True]}},
        metadata={"retries": 3, "timeout": datetime.timedelta(minutes=5), "interruptible": False},
    ),
    Case(
        "containers-cache-resources",
        ListExecutor,
        {"xs": list[int], "weights": dict[str, float]},
        {"total": int},
        {"factor": 3},
        metadata={
            "cache": True,
            "cache_version": "1.0",
            "cache_serialize": True,
            "cache_ignore_input_vars": ("xs",),
        },
        requests={"cpu": "1", "mem": "1Gi", "ephemeral_storage": "200Mi"},
        limits={"cpu": "2", "mem": "2Gi", "gpu": "1"},
    ),
    Case(
        "optional-dataclass-multi-output",
        ScaleExecutor,
        {"n": Optional[int], "point": Point, "limit": int},
        {"count": int, "label": str, "ratio": float},
        {"factor": 1, "mode": "fast"},
        metadata={"interruptible": True, "timeout": 90},
    ),
    Case(
        "env-secrets-deck-labels",
        NoopExecutor,
        {},
        {},
        {},
        metadata={
            "labels": {"team": "data"},
            "annotations": {"note": "x"},
            "pod_template_name": "pod-a",
            "deprecated": "use v2",
            "is_eager": False,
        },
        environment={"TASK_ENV": "t", "SHARED": "task"},
        settings_env={"SETTINGS_ENV": "s", "SHARED": "settings"},
        secrets=[{"group": "db", "key": "pw"}, {"group": "api", "key": "token", "group_version": "2"}],
        extra={"enable_deck": True},
    ),
    Case(
        "docs-task-type",
        ScaleExecutor,
        {"n": int},
        {"o": int},
        {"factor": 4},
        docs=("short text", "a longer description"),
        extra={"task_type": "my-plugin", "task_type_version": 2},
    ),
]


def build_flytekit(oracle: Oracle, case: Case) -> Any:
    fk = oracle.fk
    from flytekit.models.documentation import Description, Documentation

    kwargs: dict[str, Any] = dict(case.extra)
    kwargs["interface"] = oracle.Interface(inputs=case.inputs, outputs=case.outputs)
    if case.metadata:
        kwargs["metadata"] = fk.TaskMetadata(**case.metadata)
    if case.requests:
        kwargs["requests"] = fk.Resources(**case.requests)
    if case.limits:
        kwargs["limits"] = fk.Resources(**case.limits)
    if case.environment:
        kwargs["environment"] = case.environment
    if case.secrets:
        kwargs["secret_requests"] = [fk.Secret(**s) for s in case.secrets]
    if case.docs:
        kwargs["docs"] = Documentation(
            short_description=case.docs[0], long_description=Description(value=case.docs[1])
        )
    return oracle.Task(f"oracle.{case.id}", case.custom, case.executor, **kwargs)


def build_flyweight(case: Case) -> FlyweightPluginTask:
    kwargs: dict[str, Any] = dict(case.extra)
    kwargs["interface"] = flyweight.Interface(inputs=case.inputs, outputs=case.outputs)
    if case.metadata:
        kwargs["metadata"] = flyweight.TaskMetadata(**case.metadata)
    if case.requests:
        kwargs["requests"] = flyweight.Resources(**case.requests)
    if case.limits:
        kwargs["limits"] = flyweight.Resources(**case.limits)
    if case.environment:
        kwargs["environment"] = case.environment
    if case.secrets:
        kwargs["secret_requests"] = [flyweight.Secret(**s) for s in case.secrets]
    if case.docs:
        kwargs["docs"] = flyweight.Documentation(
            short_description=case.docs[0], long_description=flyweight.Description(value=case.docs[1])
        )
    return FlyweightPluginTask(f"oracle.{case.id}", case.custom, case.executor, **kwargs)


def settings_pair(oracle: Oracle, env: dict[str, str] | None) -> tuple[Any, flyweight.SerializationSettings]:
    fk_image = oracle.Image(name="default", fqn="test", tag="tag")
    fk_settings = oracle.SerializationSettings(
        project="proj",
        domain="dev",
        version="v1",
        env=env,
        image_config=oracle.ImageConfig(default_image=fk_image, images=[fk_image]),
    )
    image = flyweight.Image(name="default", fqn="test", tag="tag")
    settings = flyweight.SerializationSettings(
        project="proj",
        domain="dev",
        version="v1",
        env=env,
        image_config=flyweight.ImageConfig(default_image=image, images=[image]),
    )
    return fk_settings, settings


def identity_map(tpl: tasks_pb2.TaskTemplate, outputs: list[str]) -> tasks_pb2.TaskTemplate:
    """flytekit's template → what flyweight must produce for the same task."""
    out = tasks_pb2.TaskTemplate()
    out.CopyFrom(tpl)
    args = out.container.args
    assert args[0] == "pyflyte-execute"
    args[0] = "flyweight-execute"
    assert args[8] == FLYTEKIT_RESOLVER
    args[8] = "flyweight.extend.default_task_template_resolver"
    assert out.metadata.runtime.version == oracle_version()
    out.metadata.runtime.version = __version__
    if len(outputs) >= 2:
        out.config[OUTPUT_ORDER_KEY] = ",".join(outputs)
    return out


def oracle_version() -> str:
    import flytekit

    return str(flytekit.__version__)


def text_diff(a: Any, b: Any) -> str:
    import difflib

    return "\n".join(
        difflib.unified_diff(str(a).splitlines(), str(b).splitlines(), "flytekit", "flyweight", lineterm="")
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_template_bytes_equal_flytekits(oracle: Oracle, case: Case) -> None:
    fk_settings, settings = settings_pair(oracle, case.settings_env)
    fk_spec = oracle.get_serializable(OrderedDict(), fk_settings, build_flytekit(oracle, case)).to_flyte_idl()
    expected = identity_map(fk_spec.template, list(case.outputs))
    got = build_flyweight(case).serialize_to_model(settings)
    assert got.interface == expected.interface, text_diff(expected.interface, got.interface)
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
        text_diff(expected, got)
    )


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_registration_spec_bytes_equal_flytekits(oracle: Oracle, case: Case) -> None:
    fk_settings, settings = settings_pair(oracle, case.settings_env)
    fk_spec = oracle.get_serializable(OrderedDict(), fk_settings, build_flytekit(oracle, case)).to_flyte_idl()
    expected = admin_task_pb2.TaskSpec()
    expected.CopyFrom(fk_spec)
    expected.template.CopyFrom(identity_map(fk_spec.template, list(case.outputs)))
    got = get_serializable(OrderedDict(), settings, build_flyweight(case))
    assert got.HasField("description") == (case.docs is not None)
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
        text_diff(expected, got)
    )


# -- local calls: same executor, same answers where flytekit is right ----------------------------------

LOCAL = [
    ("int", ScaleExecutor, {"n": int}, {"o": int}, {"factor": 3}, {"n": 4}),
    ("str", GreetExecutor, {"name": str}, {"o": str}, {"greeting": "hi"}, {"name": "bob"}),
    ("list-in", ListExecutor, {"xs": list[int]}, {"o": int}, {"factor": 2}, {"xs": [1, 2, 3]}),
    ("optional-none", ScaleExecutor, {"n": Optional[int]}, {"o": int}, {"factor": 3}, {"n": 5}),
]


@pytest.mark.parametrize(
    ("executor", "inputs", "outputs", "custom", "call"),
    [c[1:] for c in LOCAL],
    ids=[c[0] for c in LOCAL],
)
def test_local_calls_give_flytekits_results(
    oracle: Oracle,
    executor: type,
    inputs: dict[str, Any],
    outputs: dict[str, Any],
    custom: dict[str, Any],
    call: dict[str, Any],
) -> None:
    fk_task = oracle.Task(
        "oracle.local", custom, executor, interface=oracle.Interface(inputs=inputs, outputs=outputs)
    )
    ours = FlyweightPluginTask(
        "oracle.local", custom, executor, interface=flyweight.Interface(inputs=inputs, outputs=outputs)
    )
    expected = fk_task(**call)
    got = ours(**call)
    assert got == expected
    assert type(got) is type(expected)


def test_a_task_without_outputs_returns_none_in_both(oracle: Oracle) -> None:
    fk_task = oracle.Task("oracle.void", {}, NoopExecutor, interface=oracle.Interface())
    ours = FlyweightPluginTask("oracle.void", {}, NoopExecutor, interface=flyweight.Interface())
    assert fk_task() is None
    assert ours() is None
