"""Tasks and workflows with ``accelerator``, ``shared_memory`` and ``pod_template``, written once and loaded
with flyweight or with flytekit (``test_task_pod_options.py``).

``task``, ``workflow``, ``Resources``, ``PodTemplate``, ``acc`` (the accelerators module) and ``k8s`` (pod
spec builders: Kubernetes model objects for flytekit, plain dicts or model objects for flyweight) are put
into the module by the loader before it runs.
"""

from __future__ import annotations

from typing import Any

task: Any = globals()["task"]
workflow: Any = globals()["workflow"]
Resources: Any = globals()["Resources"]
PodTemplate: Any = globals()["PodTemplate"]
acc: Any = globals()["acc"]
k8s: Any = globals()["k8s"]

TASK_OPTIONS: dict[str, dict[str, Any]] = {
    "t4": {"accelerator": acc.T4},
    "custom_gpu": {"accelerator": acc.GPUAccelerator("nvidia-tesla-v100"), "limits": Resources(gpu="1")},
    "a100": {"accelerator": acc.A100},
    "a100_partition": {"accelerator": acc.A100.partition_1g_5gb},
    "a100_unpartitioned": {"accelerator": acc.A100.unpartitioned},
    "a100_80gb": {"accelerator": acc.A100_80GB.partition_7g_80gb},
    "tpu_slice": {"accelerator": acc.V5P.slice_2x2x1},
    "shm_true": {"shared_memory": True},
    "shm_size": {"shared_memory": "2Gi", "requests": Resources(mem="4Gi")},
    "accel_and_shm": {"accelerator": acc.L4, "shared_memory": True},
    "pod_default": {"pod_template": PodTemplate(labels={"team": "ml"}, annotations={"note": "x"})},
    "pod_spec": {
        "pod_template": PodTemplate(pod_spec=k8s.full_spec(), labels={"a": "b"}),
        "requests": Resources(cpu="1", mem="1Gi"),
        "limits": Resources(cpu="2", mem="2Gi", gpu="1"),
        "environment": {"TASK_ENV": "1"},
    },
    "pod_custom_primary": {
        "pod_template": PodTemplate(pod_spec=k8s.sidecar_only(), primary_container_name="main"),
    },
    "pod_template_name": {"pod_template_name": "gpu-template"},
    "everything": {
        "pod_template": PodTemplate(pod_spec=k8s.full_spec(), annotations={"x": "y"}),
        "pod_template_name": "base",
        "accelerator": acc.A100.partition_2g_10gb,
        "shared_memory": "1Gi",
        "container_image": "{{.image.trainer.fqn}}:{{.image.trainer.version}}",
    },
}


def fn(a: int) -> int:
    return a


@task
def plain(a: int) -> int:
    return a


@workflow
def wf_accelerator(a: int) -> int:
    return plain(a=a).with_overrides(accelerator=acc.A100.partition_3g_20gb)


@workflow
def wf_shared_memory_and_accelerator(a: int) -> int:
    return plain(a=a).with_overrides(accelerator=acc.T4, shared_memory="512Mi")


@workflow
def wf_pod_template(a: int) -> int:
    return plain(a=a).with_overrides(
        pod_template=PodTemplate(pod_spec=k8s.full_spec(), labels={"l": "1"}, annotations={"an": "2"}),
        requests=Resources(cpu="1"),
    )


@workflow
def wf_pod_template_default(a: int) -> int:
    return plain(a=a).with_overrides(pod_template=PodTemplate(primary_container_name="other"))


@workflow
def wf_reset(a: int) -> int:  # the second call resets the accelerator, keeps the pod template
    return (
        plain(a=a)
        .with_overrides(accelerator=acc.T4, pod_template=PodTemplate(labels={"k": "v"}))
        .with_overrides(shared_memory=True)
    )


WORKFLOWS = [
    "wf_accelerator",
    "wf_pod_template",
    "wf_pod_template_default",
    "wf_reset",
    "wf_shared_memory_and_accelerator",
]
