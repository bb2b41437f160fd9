"""The ``Container`` of a task template: image, arguments, resources, environment.

All of the command goes into ``args`` (``command`` stays empty), as flytekit writes it. Resource
entries come in the wire order EPHEMERAL_STORAGE, CPU, GPU, MEMORY, requests then limits, and numbers
are written as strings (flytekit crashes on ``Resources(cpu=1)``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from flyweight._idl import Container, DataLoadingConfig, ExtendedResources, K8sPod, KeyValuePair, Resources
from flyweight._serialize._struct import dict_to_struct
from flyweight._settings import ImageConfig, Resources as ResourceValues, SerializationSettings, resolve_image

if TYPE_CHECKING:  # only tasks that use them load these (a container attempt mostly does not)
    from flyweight._idl import TaskTemplate
    from flyweight._settings._accelerators import BaseAccelerator
    from flyweight._settings._pod_template import PodTemplate

__all__ = [
    "FAST_EXECUTE",
    "container",
    "extended_resources",
    "fast_execute_prefix",
    "k8s_pod",
    "merge_env",
    "pod_spec",
    "primary_container",
    "with_fast_execute",
]

FAST_EXECUTE = "flyweight-fast-execute"  # flytekit's pyflyte-fast-execute
REMOTE_PACKAGE_PATH = "{{ .remote_package_path }}"  # Flyte fills it with the uploaded code tarball
DEST_DIR = "{{ .dest_dir }}"
SHARED_MEMORY_MOUNT_NAME = "flyte-shared-memory"
SHARED_MEMORY_MOUNT_PATH = "/dev/shm"

_NAMES = {
    "CPU": Resources.CPU,
    "GPU": Resources.GPU,
    "MEMORY": Resources.MEMORY,
    "EPHEMERAL_STORAGE": Resources.EPHEMERAL_STORAGE,
}


def merge_env(settings_env: Mapping[str, str] | None, task_env: Mapping[str, str] | None) -> dict[str, str]:
    """Settings' environment first, then the task's (the task wins on a shared name); either may be None."""
    return {**(settings_env or {}), **(task_env or {})}


def container(
    *,
    image: str,
    args: Sequence[str],
    requests: ResourceValues | None,
    limits: ResourceValues | None,
    env: Mapping[str, str],
    command: Sequence[str] = (),
    data_config: DataLoadingConfig | None = None,
) -> Container:
    """A ``Container`` message; ``resources`` is always present, even when empty.

    ``command`` and ``data_config`` are for raw containers (``ContainerTask``): the user's program,
    and where Flyte's copilot puts the inputs and finds the outputs.
    """
    out = Container(image=image, command=list(command), args=list(args))
    if data_config is not None:
        out.data_config.CopyFrom(data_config)
    out.resources.SetInParent()
    for values, entries in ((requests, out.resources.requests), (limits, out.resources.limits)):
        if values is None:
            continue
        for name, value in values.entries():
            entries.add(name=_NAMES[name], value=value)
    out.env.extend(KeyValuePair(key=k, value=v) for k, v in env.items())
    return out


def extended_resources(
    accelerator: BaseAccelerator | None, shared_memory: bool | str | None
) -> ExtendedResources | None:
    """``ExtendedResources`` as flytekit's ``construct_extended_resources`` writes them: the GPU
    accelerator (device, then a partition or ``unpartitioned``), the shared memory (``True``: as large as
    the memory, no ``size_limit``); None when neither is given."""
    out = ExtendedResources()
    if accelerator is not None:
        device, partition, unpartitioned = accelerator.gpu_accelerator_fields()
        out.gpu_accelerator.device = device
        if unpartitioned:
            out.gpu_accelerator.unpartitioned = True
        elif partition is not None:
            out.gpu_accelerator.partition_size = partition
    if shared_memory is True or isinstance(shared_memory, str):
        memory = out.shared_memory
        memory.mount_name = SHARED_MEMORY_MOUNT_NAME
        memory.mount_path = SHARED_MEMORY_MOUNT_PATH
        if isinstance(shared_memory, str):
            memory.size_limit = shared_memory
    return out if out.ListFields() else None


def pod_spec(template: PodTemplate, primary: Container, image_config: ImageConfig) -> dict[str, Any]:
    """The pod spec (Kubernetes JSON form) of ``template`` with the primary container filled in, as
    flytekit's ``_serialize_pod_spec``: the primary container (added when missing) takes the task's image
    (unless it names one), arguments (``command`` empty), resources (when the task has any) and
    environment (the task's first); every other container's image is resolved."""
    from flyweight._settings._pod_template import sanitize_pod_spec

    spec = sanitize_pod_spec(template.pod_spec)
    containers = list(spec.get("containers") or [])
    name = template.primary_container_name
    if not any(c.get("name") == name for c in containers):
        containers.append({"name": name})
    limits = {_resource_name(e.name): e.value for e in primary.resources.limits}
    requests = {_resource_name(e.name): e.value for e in primary.resources.requests}
    final = []
    for original in containers:
        c = dict(original)
        image = c.get("image")
        if c.get("name") == name:
            c["image"] = primary.image if image is None else resolve_image(image, image_config)
            c["command"] = list(primary.command)
            c["args"] = list(primary.args)
            if limits or requests:
                c["resources"] = {"limits": limits, "requests": requests}
            c["env"] = [{"name": kv.key, "value": kv.value} for kv in primary.env] + list(c.get("env") or [])
        elif image is not None:
            c["image"] = resolve_image(image, image_config)
        final.append(c)
    spec["containers"] = final
    return dict(spec)


def k8s_pod(
    spec: Mapping[str, Any],
    template: PodTemplate,
    *,
    primary_container_name: bool,
    data_config: DataLoadingConfig | None = None,
) -> K8sPod:
    """The ``K8sPod`` of a pod spec: labels and annotations (always written), the spec; the primary
    container's name only when ``primary_container_name`` (node overrides; a task template puts it in
    ``config``); a raw container's ``data_config`` when given."""
    out = K8sPod()
    if data_config is not None:
        out.data_config.CopyFrom(data_config)
    out.metadata.SetInParent()
    out.metadata.labels.update(template.labels or {})
    out.metadata.annotations.update(template.annotations or {})
    if spec or primary_container_name:
        out.pod_spec.CopyFrom(dict_to_struct(spec, "pod_spec"))
    if primary_container_name:
        out.primary_container_name = template.primary_container_name
    return out


def primary_container(pod: K8sPod, name: str) -> Any | None:
    """The fields (a protobuf ``Struct``'s ``fields``) of the container named ``name`` in ``pod``'s spec, or
    None: the container a task with a pod template runs in (its ``primary_container_name``)."""
    containers = pod.pod_spec.fields.get("containers") if pod.HasField("pod_spec") else None
    for c in containers.list_value.values if containers is not None else []:
        fields = c.struct_value.fields
        if "name" in fields and fields["name"].string_value == name:
            return fields
    return None


def _resource_name(value: int) -> str:
    return str(Resources.ResourceName.Name(value)).lower().replace("_", "-")


def fast_execute_prefix(settings: SerializationSettings) -> list[str]:
    """The arguments a fast-registered task's command is prefixed with, as flytekit's
    ``get_command_prefix_for_fast_execute`` writes them: the code's location (Flyte's
    ``{{ .remote_package_path }}`` unless the settings name one) and where it is unpacked."""
    fast = settings.fast_serialization_settings
    location = getattr(fast, "distribution_location", None) or REMOTE_PACKAGE_PATH
    dest = getattr(fast, "destination_dir", None) or DEST_DIR
    return [FAST_EXECUTE, "--additional-distribution", location, "--dest-dir", dest, "--"]


def with_fast_execute(template: TaskTemplate, settings: SerializationSettings) -> None:
    """Prefix ``template``'s command with :func:`fast_execute_prefix`: the container's arguments, or
    those of the pod's primary container (named by ``config["primary_container_name"]``)."""
    prefix = fast_execute_prefix(settings)
    if template.HasField("container"):
        args = list(template.container.args)
        del template.container.args[:]
        template.container.args.extend(prefix + args)
    elif template.HasField("k8s_pod"):
        name = template.config.get("primary_container_name") or template.k8s_pod.primary_container_name
        fields = primary_container(template.k8s_pod, name)
        if fields is not None:
            values = fields["args"].list_value.values
            args = [v.string_value for v in values]
            del values[:]
            for arg in prefix + args:
                values.add().string_value = arg
