"""Map tasks over tasks with a pod template: serialized byte for byte as flytekit 1.16.14 does, run locally.

flytekit's map template of such a task has no ``container``: it is the task's ``k8s_pod`` (labels,
annotations, the pod spec with the primary container filled in) whose primary container runs
``pyflyte-map-execute``, ``config["primary_container_name"]`` and the task's ``metadata`` (so its
``pod_template_name``). flyweight writes the same bytes but the program and resolvers in the primary
container's ``args`` (the identity map below). flytekit needs the ``kubernetes`` package for a
``PodTemplate``; the oracle runs with the stand-in of ``tests/tasks/fake_kubernetes.py``, flyweight with
plain dicts.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flyteidl.admin import task_pb2
from flyteidl.core import tasks_pb2
from tests.serialize.test_workflow_oracle import (
    assert_same_workflow_spec,
    diff,
    get_fk_serializable,
    registration_identity_map,
    settings_pair,
)
from tests.tasks import fake_kubernetes
from tests.workflows.sdk_switch import load_source

from flyweight import PodTemplate, Resources, map_task, task, workflow
from flyweight._runtime import run_workflow
from flyweight._serialize import get_serializable, struct_to_dict
from flyweight._tasks._map import ArrayNodeMapTask
from flyweight._version import __version__
from flyweight.errors import TaskDefinitionError, WorkflowExecutionError

SOURCE = Path(__file__).with_name("map_pod_template_source.py")
MODULE = "tests.workflows.map_pod_template_source"
SHAPES = ["chained", "no_outputs", "partial_primary", "plain", "ratio", "template_and_name", "template_name"]
PROGRAM_AT, RESOLVER_AT, INNER_RESOLVER_AT = 0, 12, 17


class ModelSpecs:
    """Pod specs as Kubernetes model objects (flytekit's form)."""

    def __init__(self, models: Any) -> None:
        self.m = models

    def full_spec(self) -> Any:
        m = self.m
        return m.V1PodSpec(
            containers=[
                m.V1Container(name="primary", env=[m.V1EnvVar(name="POD_ENV", value="p")]),
                m.V1Container(name="sidecar", image="busybox:1", command=["sleep", "10"]),
            ],
            node_selector={"gpu": "yes"},
            tolerations=[m.V1Toleration(key="k", operator="Exists", effect="NoSchedule")],
        )

    def sidecar_only(self) -> Any:
        return self.m.V1PodSpec(containers=[self.m.V1Container(name="sidecar", image="busybox:1")])


class DictSpecs:
    """The same pod specs as plain dicts (Kubernetes JSON form)."""

    def full_spec(self) -> dict[str, Any]:
        return {
            "containers": [
                {"name": "primary", "env": [{"name": "POD_ENV", "value": "p"}]},
                {"name": "sidecar", "image": "busybox:1", "command": ["sleep", "10"]},
            ],
            "nodeSelector": {"gpu": "yes"},
            "tolerations": [{"effect": "NoSchedule", "key": "k", "operator": "Exists"}],
        }

    def sidecar_only(self) -> dict[str, Any]:
        return {"containers": [{"name": "sidecar", "image": "busybox:1"}]}


def load(sdk: dict[str, Any]) -> ModuleType:
    return load_source(SOURCE, MODULE, sdk)


@pytest.fixture(scope="module")
def models() -> Iterator[Any]:
    with pytest.MonkeyPatch.context() as mp:
        yield fake_kubernetes.install(mp)


@pytest.fixture(scope="module")
def theirs(flytekit: Any, models: Any) -> ModuleType:
    names = ("task", "workflow", "map_task", "Resources", "PodTemplate")
    return load({**{n: getattr(flytekit, n) for n in names}, "k8s": ModelSpecs(models)})


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:
    names = {"task": task, "workflow": workflow, "map_task": map_task, "Resources": Resources}
    return load({**names, "PodTemplate": PodTemplate, "k8s": DictSpecs()})


def primary_args(tpl: tasks_pb2.TaskTemplate) -> Any:
    """The arguments of the container that runs the task: ``container.args``, or the pod's primary
    container's ``args`` (a protobuf ``ListValue``) with a pod template."""
    if tpl.HasField("container"):
        return tpl.container.args
    name = tpl.config["primary_container_name"]
    for c in tpl.k8s_pod.pod_spec.fields["containers"].list_value.values:
        if c.struct_value.fields["name"].string_value == name:
            return c.struct_value.fields["args"].list_value
    raise AssertionError(f"no primary container {name!r}")


def _get(args: Any, i: int) -> str:
    return args[i] if isinstance(args[i], str) else args.values[i].string_value


def _set(args: Any, i: int, value: str) -> None:
    if isinstance(args[i], str):
        args[i] = value
    else:
        args.values[i].string_value = value


def identity_map(message: Any) -> Any:
    """flytekit's registration message → what flyweight writes: a map template's program and resolvers in
    the container (or the pod's primary container) mapped, and the runtime version; anything else as
    ``registration_identity_map`` maps it."""
    import flytekit

    if not isinstance(message, task_pb2.TaskSpec) or not message.template.id.name.endswith("-arraynode"):
        return registration_identity_map(message)
    tpl = message.template
    args = primary_args(tpl)
    for at, theirs, ours in (
        (PROGRAM_AT, "pyflyte-map-execute", "flyweight-execute"),
        (
            RESOLVER_AT,
            "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver",
            "flyweight.extend.map_task_resolver",
        ),
        (
            INNER_RESOLVER_AT,
            "flytekit.core.python_auto_container.default_task_resolver",
            "flyweight.extend.default_task_resolver",
        ),
    ):
        assert _get(args, at) == theirs, (at, _get(args, at))
        _set(args, at, ours)
    assert tpl.metadata.runtime.version == flytekit.__version__
    tpl.metadata.runtime.version = __version__
    return message


def as_message(value: Any) -> Any:
    return value.to_flyte_idl() if hasattr(value, "to_flyte_idl") else value


# -- serialization, byte for byte ---------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_workflow_spec_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    assert_same_workflow_spec(getattr(theirs, shape), getattr(ours, shape))


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_everything_registered_equals_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    """The map templates (``k8s_pod`` rather than ``container``), the other tasks and the workflow, in
    flytekit's order, after the identity map (flytekit also records nodes, which are not registrable)."""
    from flytekit.core.node import Node as FkNode

    fk_settings, settings = settings_pair()
    fk_mapping: OrderedDict[Any, Any] = OrderedDict()
    get_fk_serializable(fk_mapping, fk_settings, getattr(theirs, shape))
    mapping: OrderedDict[Any, Any] = OrderedDict()
    get_serializable(mapping, settings, getattr(ours, shape))
    expected = [
        (k.name, identity_map(as_message(v))) for k, v in fk_mapping.items() if not isinstance(k, FkNode)
    ]
    got = [(k.name, v) for k, v in mapping.items()]
    assert [name for name, _ in got] == [name for name, _ in expected]
    assert any(isinstance(k, ArrayNodeMapTask) for k in mapping)
    for (name, message), (_, wanted) in zip(got, expected, strict=True):
        assert message.SerializeToString(deterministic=True) == wanted.SerializeToString(
            deterministic=True
        ), f"{name}:\n{diff(wanted, message)}"


def test_the_map_template_is_the_pod_with_the_map_arguments(ours: ModuleType) -> None:
    tpl = map_task(ours.pod_square).serialize_to_model(settings_pair()[1])
    assert not tpl.HasField("container")
    assert dict(tpl.config) == {"primary_container_name": "primary"}
    assert dict(tpl.k8s_pod.metadata.labels) == {"team": "ml"}
    assert dict(tpl.k8s_pod.metadata.annotations) == {"note": "x"}
    assert not tpl.k8s_pod.primary_container_name  # in config, as for the task's own template
    primary, sidecar = struct_to_dict(tpl.k8s_pod.pod_spec)["containers"]
    args = primary["args"]
    assert args[0] == "flyweight-execute"
    assert args[args.index("--resolver") :] == [
        "--resolver",
        "flyweight.extend.map_task_resolver",
        "--",
        "vars",
        "",
        "resolver",
        "flyweight.extend.default_task_resolver",
        "task-module",
        MODULE,
        "task-name",
        "pod_square",
    ]
    assert primary["image"] == "test:tag" and primary["command"] == []
    assert primary["resources"] == {
        "limits": {"cpu": "2", "memory": "2Gi"},
        "requests": {"cpu": "1", "memory": "1Gi"},
    }
    assert sidecar["name"] == "sidecar" and "args" not in sidecar
    own = ours.pod_square.serialize_to_model(settings_pair()[1])
    assert struct_to_dict(own.k8s_pod.pod_spec)["containers"][1] == sidecar  # the rest is the task's
    custom = map_task(ours.custom_primary).serialize_to_model(settings_pair()[1])
    assert [c["name"] for c in struct_to_dict(custom.k8s_pod.pod_spec)["containers"]] == ["sidecar", "main"]
    assert dict(custom.config) == {"primary_container_name": "main"}


def test_a_pod_template_name_reaches_the_map_template(ours: ModuleType) -> None:
    settings = settings_pair()[1]
    named = map_task(ours.named).serialize_to_model(settings)
    assert named.metadata.pod_template_name == "gpu-template"
    assert named.HasField("container") and not named.HasField("k8s_pod")
    both = map_task(ours.both).serialize_to_model(settings)
    assert both.metadata.pod_template_name == "base"
    assert both.HasField("k8s_pod") and not both.HasField("container")


# -- local runs, compared with flytekit's ----------------------------------------------------------------

RUNS: list[tuple[str, dict[str, Any]]] = [
    ("plain", {"xs": [1, 2, 3]}),
    ("plain", {"xs": []}),
    ("partial_primary", {"xs": [1, 2, 3]}),
    ("ratio", {"xs": [1, -2, 3], "ys": [1, 1, 1]}),
    ("template_name", {"xs": [4, 5]}),
    ("template_and_name", {"xs": [1, 3]}),
    ("no_outputs", {"xs": [1, 2]}),
    ("chained", {"xs": [2, 3]}),
]


@pytest.mark.oracle
@pytest.mark.parametrize(("shape", "inputs"), RUNS)
def test_local_run_equals_flytekits(
    theirs: ModuleType, ours: ModuleType, shape: str, inputs: dict[str, Any]
) -> None:
    expected = getattr(theirs, shape)(**inputs)
    assert run_workflow(getattr(ours, shape), inputs) == expected
    assert run_workflow(getattr(ours, shape), inputs, workers=1) == expected
    assert getattr(ours, shape)(**inputs) == expected


def test_a_direct_call_runs_the_elements(ours: ModuleType) -> None:
    assert map_task(ours.pod_square)(x=[2, 3]) == [4, 9]


def test_a_failing_element_names_its_index(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError, match=r"element 1: ValueError: negative input -2"):
        run_workflow(ours.ratio, {"xs": [1, -2, -3], "ys": [0, 0, 0]})


def test_elements_run_through_flyweight_execute_from_the_pods_primary_container() -> None:
    """``isolated=True``: each element runs the primary container's arguments (and environment) of the
    map template, as a pod of the ArrayNode would."""
    from tests.entrypoint import map_tasks

    @workflow
    def wf(xs: list[int]) -> list[int]:
        return map_task(map_tasks.pod_offset)(x=xs)  # type: ignore[no-any-return]

    assert run_workflow(wf, {"xs": [1, 2, 3]}, isolated=True) == [101, 102, 103]  # POD_OFFSET=100 read
    assert run_workflow(wf, {"xs": [1, 2, 3]}) == [1, 2, 3]  # in-process: the pod's environment is not set


def test_a_pod_without_its_primary_container_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.entrypoint import map_tasks

    task_ = map_tasks.pod_offset
    own = task_.get_k8s_pod

    def renamed(settings: Any) -> Any:
        pod = own(settings)
        for c in pod.pod_spec.fields["containers"].list_value.values:
            c.struct_value.fields["name"].string_value = "other"
        return pod

    monkeypatch.setattr(task_, "get_k8s_pod", renamed)
    with pytest.raises(TaskDefinitionError, match="its pod template has no primary container 'main'"):
        map_task(task_).serialize_to_model(settings_pair()[1])
