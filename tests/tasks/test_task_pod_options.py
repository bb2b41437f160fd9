"""``accelerator``, ``shared_memory``, ``pod_template`` and ``pod_template_name`` on tasks and in
``with_overrides``: the TaskTemplate and WorkflowSpec bytes flytekit 1.16.14 writes for the same source
(``pod_options_source.py``), and bad input.

flytekit needs the ``kubernetes`` package for a ``PodTemplate``; it is not installed, so the oracle runs
with the stand-in of ``fake_kubernetes.py``. flyweight gets plain dicts (Kubernetes JSON form), and in one
test the same model objects.
"""

from __future__ import annotations

import importlib.util
import sys
from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flyteidl.admin import task_pb2 as admin_task_pb2, workflow_pb2
from flyteidl.core import tasks_pb2
from tests.tasks import fake_kubernetes
from tests.tasks.test_function_task_oracle import settings_pair, text_diff

import flyweight
from flyweight import PodTemplate, Resources, accelerators as acc, task, workflow
from flyweight._serialize import get_serializable, struct_to_dict
from flyweight.errors import TaskDefinitionError, WorkflowCompileError

SOURCE = Path(__file__).with_name("pod_options_source.py")
MODULE = "tests.tasks.pod_options_source"
TASKS = [
    "a100",
    "a100_80gb",
    "a100_partition",
    "a100_unpartitioned",
    "accel_and_shm",
    "custom_gpu",
    "everything",
    "pod_custom_primary",
    "pod_default",
    "pod_spec",
    "pod_template_name",
    "shm_size",
    "shm_true",
    "t4",
    "tpu_slice",
]
WORKFLOWS = [
    "wf_accelerator",
    "wf_pod_template",
    "wf_pod_template_default",
    "wf_reset",
    "wf_shared_memory_and_accelerator",
]
TRAINER = "{{.image.trainer.fqn}}:{{.image.trainer.version}}"


class ModelSpecs:
    """Pod specs as Kubernetes model objects (flytekit's form)."""

    def __init__(self, models: Any) -> None:
        self.m = models

    def full_spec(self) -> Any:
        m = self.m
        return m.V1PodSpec(
            containers=[
                m.V1Container(name="primary", env=[m.V1EnvVar(name="POD_ENV", value="p")]),
                m.V1Container(name="sidecar", image=TRAINER, command=["sleep", "10"]),
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
                {"name": "sidecar", "image": TRAINER, "command": ["sleep", "10"]},
            ],
            "nodeSelector": {"gpu": "yes"},
            "tolerations": [{"effect": "NoSchedule", "key": "k", "operator": "Exists"}],
        }

    def sidecar_only(self) -> dict[str, Any]:
        return {"containers": [{"name": "sidecar", "image": "busybox:1"}]}


def load(sdk: dict[str, Any], name: str = MODULE) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SOURCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    module.__dict__.update(sdk)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def models() -> Any:
    with pytest.MonkeyPatch.context() as mp:
        yield fake_kubernetes.install(mp)


@pytest.fixture(scope="module")
def theirs(flytekit: Any, models: Any) -> ModuleType:
    from flytekit.extras import accelerators as fk_acc

    names = {"task": flytekit.task, "workflow": flytekit.workflow, "Resources": flytekit.Resources}
    return load({**names, "PodTemplate": flytekit.PodTemplate, "acc": fk_acc, "k8s": ModelSpecs(models)})


def ours_with(specs: Any, name: str = MODULE) -> ModuleType:
    sdk = {"task": task, "workflow": workflow, "Resources": Resources, "PodTemplate": PodTemplate}
    return load({**sdk, "acc": acc, "k8s": specs}, name)


@pytest.fixture(scope="module")
def ours() -> ModuleType:
    return ours_with(DictSpecs())


# -- normalizing: the container arguments name each SDK's launcher and resolver ------------------------


def _pod_args(spec: Any) -> None:
    if "containers" not in spec.fields:
        return
    for c in spec.fields["containers"].list_value.values:
        if "args" in c.struct_value.fields:
            c.struct_value.fields["args"].list_value.Clear()


def normalized_template(tpl: tasks_pb2.TaskTemplate) -> tasks_pb2.TaskTemplate:
    out = tasks_pb2.TaskTemplate()
    out.CopyFrom(tpl)
    out.id.name = "fn"
    del out.container.args[:]
    out.metadata.runtime.Clear()
    _pod_args(out.k8s_pod.pod_spec)
    return out


def normalized_spec(spec: workflow_pb2.WorkflowSpec) -> workflow_pb2.WorkflowSpec:
    out = workflow_pb2.WorkflowSpec()
    out.CopyFrom(spec)
    for node in out.template.nodes:
        _pod_args(node.task_node.overrides.pod_template.pod_spec)
    return out


def fk_template(theirs: ModuleType, name: str) -> tasks_pb2.TaskTemplate:
    import flytekit
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    made = flytekit.task(**theirs.TASK_OPTIONS[name])(theirs.fn)
    spec = fk_get_serializable(OrderedDict(), settings_pair()[0], made).to_flyte_idl()
    assert isinstance(spec, admin_task_pb2.TaskSpec)
    return spec.template


def our_template(ours: ModuleType, name: str) -> tasks_pb2.TaskTemplate:
    raw = ours.__dict__.setdefault("raw_fn", ours.fn)
    made = task(**ours.TASK_OPTIONS[name])(raw)
    ours.fn = made  # bound in its module, as a container would find it
    return made.serialize_to_model(settings_pair()[1])


# -- templates, byte for byte --------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("name", TASKS)
def test_template_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, name: str) -> None:
    expected = normalized_template(fk_template(theirs, name))
    got = normalized_template(our_template(ours, name))
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
        text_diff(expected, got)
    )


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["pod_spec", "pod_custom_primary", "everything"])
def test_kubernetes_model_objects_serialize_like_dicts(theirs: ModuleType, models: Any, name: str) -> None:
    with_objects = ours_with(ModelSpecs(models), MODULE + "_objects")
    expected = normalized_template(fk_template(theirs, name))
    got = normalized_template(our_template(with_objects, name))
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
        text_diff(expected, got)
    )


def test_the_options_reach_the_template(ours: ModuleType) -> None:
    """Without the oracle: the fields each option writes."""
    t4 = our_template(ours, "t4")
    assert t4.extended_resources.gpu_accelerator.device == "nvidia-tesla-t4"
    assert t4.HasField("container") and not t4.HasField("k8s_pod")
    part = our_template(ours, "a100_partition").extended_resources.gpu_accelerator
    assert (part.device, part.partition_size) == ("nvidia-tesla-a100", "1g.5gb")
    assert our_template(ours, "a100_unpartitioned").extended_resources.gpu_accelerator.unpartitioned
    shm = our_template(ours, "shm_size").extended_resources.shared_memory
    assert (shm.mount_name, shm.mount_path, shm.size_limit) == ("flyte-shared-memory", "/dev/shm", "2Gi")
    pod = our_template(ours, "pod_spec")
    assert not pod.HasField("container")
    assert dict(pod.config) == {"primary_container_name": "primary"}
    assert dict(pod.k8s_pod.metadata.labels) == {"a": "b"}
    spec = struct_to_dict(pod.k8s_pod.pod_spec)
    primary, sidecar = spec["containers"]
    assert primary["image"] == "test:tag" and primary["args"][0] == "flyweight-execute"
    assert primary["resources"] == {
        "limits": {"cpu": "2", "gpu": "1", "memory": "2Gi"},
        "requests": {"cpu": "1", "memory": "1Gi"},
    }
    assert primary["env"] == [{"name": "TASK_ENV", "value": "1"}, {"name": "POD_ENV", "value": "p"}]
    assert sidecar["image"] == "ghcr.io/acme/trainer:t1"
    assert our_template(ours, "pod_template_name").metadata.pod_template_name == "gpu-template"
    custom = struct_to_dict(our_template(ours, "pod_custom_primary").k8s_pod.pod_spec)
    assert [c["name"] for c in custom["containers"]] == ["sidecar", "main"]


# -- workflow nodes, byte for byte -----------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflow_spec_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, name: str) -> None:
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    fk_settings, settings = settings_pair()
    expected = normalized_spec(
        fk_get_serializable(OrderedDict(), fk_settings, getattr(theirs, name)).to_flyte_idl()
    )
    got = normalized_spec(get_serializable(OrderedDict(), settings, getattr(ours, name)))
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
        text_diff(expected, got)
    )


def test_overrides_reach_the_node(ours: ModuleType) -> None:
    _, settings = settings_pair()
    (node,) = get_serializable(OrderedDict(), settings, ours.wf_pod_template).template.nodes
    pod = node.task_node.overrides.pod_template
    assert pod.primary_container_name == "primary"
    assert dict(pod.metadata.labels) == {"l": "1"}
    primary = struct_to_dict(pod.pod_spec)["containers"][0]
    assert primary["image"] == "test:tag"
    assert "resources" not in primary  # the task's resources (none), not the node's requests
    assert node.task_node.overrides.resources.requests[0].value == "1"
    (node,) = get_serializable(OrderedDict(), settings, ours.wf_reset).template.nodes
    o = node.task_node.overrides
    assert not o.extended_resources.HasField("gpu_accelerator")
    assert o.extended_resources.HasField("shared_memory")
    assert dict(o.pod_template.metadata.labels) == {"k": "v"}
    (node,) = get_serializable(OrderedDict(), settings, ours.wf_accelerator).template.nodes
    assert node.task_node.overrides.extended_resources.gpu_accelerator.partition_size == "3g.20gb"


def test_local_runs_ignore_the_options(ours: ModuleType) -> None:
    made = task(**ours.TASK_OPTIONS["everything"])(ours.__dict__.setdefault("raw_fn", ours.fn))
    assert made.accelerator is not None and made.pod_template is not None
    assert made(a=3) == 3
    assert ours.wf_reset(a=4) == 4
    assert ours.wf_pod_template(a=5) == 5


# -- bad input ----------------------------------------------------------------------------------------------


def test_an_unknown_accelerator_is_refused() -> None:
    with pytest.raises(TaskDefinitionError, match="accelerator must be an accelerator"):
        task(accelerator="nvidia-tesla-t4")(_fn)
    with pytest.raises(ValueError, match="device name"):
        acc.GPUAccelerator("")
    with pytest.raises(ValueError, match="partition size"):
        acc.A100.partitioned("")


def test_a_bad_shared_memory_is_refused() -> None:
    for bad in ("2 GB", "lots", 3, ""):
        with pytest.raises(TaskDefinitionError, match="shared_memory must be True"):
            task(shared_memory=bad)(_fn)


def test_a_bad_pod_template_is_refused() -> None:
    with pytest.raises(TaskDefinitionError, match="pod_template must be a flyweight.PodTemplate"):
        task(pod_template={"containers": []})(_fn)
    with pytest.raises(ValueError, match="primary container name"):
        PodTemplate(primary_container_name="")
    with pytest.raises(ValueError, match="must be a list of containers"):
        PodTemplate(pod_spec={"containers": [{"image": "x"}]})
    with pytest.raises(ValueError, match="pod_spec must be a dict"):
        PodTemplate(pod_spec=["x"])
    with pytest.raises(ValueError, match="labels must be a dict"):
        PodTemplate(labels={"a": 1})  # type: ignore[dict-item]


def test_bad_overrides_are_refused(ours: ModuleType) -> None:
    def body(**overrides: Any) -> Any:
        def wf(a: int) -> int:
            return ours.plain(a=a).with_overrides(**overrides)  # type: ignore[no-any-return]

        return wf

    with pytest.raises(WorkflowCompileError, match="accelerator must be an accelerator"):
        get_serializable(OrderedDict(), settings_pair()[1], workflow(body(accelerator="t4")))
    with pytest.raises(WorkflowCompileError, match="pod_template must be a flyweight.PodTemplate"):
        get_serializable(OrderedDict(), settings_pair()[1], workflow(body(pod_template={"containers": []})))


def _fn(a: int) -> int:
    return a


def test_public_names() -> None:
    assert flyweight.PodTemplate is PodTemplate
    assert acc.A100.partition_1g_5gb.partition_size == "1g.5gb"
    assert acc.A100.partition_size is None and acc.A100.unpartitioned.partition_size is None
