"""``PythonAutoContainerTask``: a task whose own Python code runs in the container.

Function tasks (and plugins built on them) run the user's code, so the container image holds that code
and the container arguments tell ``flyweight-execute`` how to find the task again: a resolver and its
loader arguments (``-- task-module M task-name N`` for the default resolver). This module owns those
arguments, the image, resources, environment and secrets of such tasks; the template itself is made by
the one serializer (``Task.serialize_to_model``).
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from flyweight import _idl
from flyweight._serialize._container import extended_resources, k8s_pod, pod_spec
from flyweight._settings import Resources, Secret, SecurityContext, SerializationSettings
from flyweight._settings._image_spec import ImageSpec
from flyweight._tasks._checks import str_dict
from flyweight._tasks._container_parts import ContainerParts, ResourceSpec
from flyweight._tasks._function_resolver import default_task_resolver
from flyweight._tasks._metadata import TaskMetadata
from flyweight._tasks._resolver import TaskResolverMixin
from flyweight._tasks._task import PythonTask
from flyweight.errors import TaskDefinitionError

if TYPE_CHECKING:  # loaded only by tasks that use them (see check_accelerator, check_pod_template)
    from flyweight._settings._accelerators import BaseAccelerator
    from flyweight._settings._pod_template import PodTemplate

__all__ = ["PythonAutoContainerTask", "split_resources"]

T = TypeVar("T")

PRIMARY_CONTAINER_NAME_FIELD = "primary_container_name"


def check_accelerator(where: str, accelerator: object) -> BaseAccelerator | None:
    """``accelerator`` if it is one (or None); anything else is refused with ``where`` in the message."""
    if accelerator is None:
        return None
    from flyweight._settings._accelerators import BaseAccelerator

    if isinstance(accelerator, BaseAccelerator):
        return accelerator
    raise TaskDefinitionError(
        f"{where}accelerator must be an accelerator of flyweight.accelerators (T4, A100.partition_1g_5gb, "
        f"GPUAccelerator('nvidia-tesla-v100')), got {type(accelerator).__name__} {accelerator!r}"
    )


def check_shared_memory(where: str, shared_memory: object) -> bool | str | None:
    """``shared_memory``: True (as large as the memory), a Kubernetes quantity such as ``'1Gi'``, or
    None/False (none); anything else is refused."""
    if shared_memory is None or shared_memory is False or shared_memory is True:
        return shared_memory
    if isinstance(shared_memory, str) and _QUANTITY.fullmatch(shared_memory):
        return shared_memory
    raise TaskDefinitionError(
        f"{where}shared_memory must be True (as large as the memory) or a size such as '1Gi', got "
        f"{shared_memory!r}"
    )


def check_pod_template(where: str, pod_template: object) -> PodTemplate | None:
    """``pod_template`` if it is a ``flyweight.PodTemplate`` (or None); anything else is refused."""
    if pod_template is None:
        return None
    from flyweight._settings._pod_template import PodTemplate

    if isinstance(pod_template, PodTemplate):
        return pod_template
    raise TaskDefinitionError(
        f"{where}pod_template must be a flyweight.PodTemplate(pod_spec={{...}}, primary_container_name=..., "
        f"labels=..., annotations=...), got {type(pod_template).__name__}"
    )


def split_resources(resources: Resources) -> ResourceSpec:
    """Requests and limits from one ``Resources``: a ``(request, limit)`` pair sets both, a single value
    sets the request only (flytekit's rule)."""
    requests: dict[str, Any] = {}
    limits: dict[str, Any] = {}
    for field in dataclasses.fields(resources):
        value = getattr(resources, field.name)
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            requests[field.name], limits[field.name] = value
        else:
            requests[field.name] = value
    return ResourceSpec(requests=Resources(**requests), limits=Resources(**limits))


# A Kubernetes quantity (k8s.io/apimachinery resource.Quantity), without a sign: Kubernetes refuses
# anything else when it starts the pod, long after registration.
_QUANTITY = re.compile(r"(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][-+]?\d+)?")


def _check_quantities(what: str, resources: Resources) -> None:
    for field in dataclasses.fields(resources):
        value = getattr(resources, field.name)
        for i, item in enumerate(value if isinstance(value, (list, tuple)) else [value]):
            where = f"{what}={type(resources).__name__}({field.name}={value!r})"
            where += f" [{i}]" if isinstance(value, (list, tuple)) else ""
            if isinstance(item, (int, float)) and not isinstance(item, bool) and item < 0:
                raise TaskDefinitionError(f"{where}: a quantity cannot be negative; pass 0 or more")
            if isinstance(item, str) and item and not _QUANTITY.fullmatch(item):
                bytes_unit = re.fullmatch(r"(\d+)([KMGTPE])B", item, re.IGNORECASE)
                hint = ""
                if bytes_unit:
                    n, unit = bytes_unit[1], bytes_unit[2].upper()
                    decimal = "k" if unit == "K" else unit
                    hint = f"; Kubernetes spells it {n + decimal!r} (decimal) or {n + unit + 'i'!r} (binary)"
                raise TaskDefinitionError(
                    f"{where}: {item!r} is not a Kubernetes quantity{hint}; write a number with an optional "
                    "unit: '500m', '2', '1.5', '512Mi', '2Gi', '1G'"
                )


def _check_metadata(metadata: object) -> TaskMetadata:
    if metadata is None:
        return TaskMetadata()
    if not isinstance(metadata, TaskMetadata):
        raise TaskDefinitionError(
            f"metadata must be a flyweight.TaskMetadata, got {type(metadata).__name__}; write "
            "metadata=TaskMetadata(retries=2)"
        )
    timeout = metadata.timeout
    if isinstance(timeout, datetime.timedelta) and timeout < datetime.timedelta(0):
        raise TaskDefinitionError(
            f"timeout of {timeout.total_seconds():g} seconds is negative; pass the longest a run may "
            "take (timedelta(minutes=5) or seconds), or 0 for no limit"
        )
    return metadata


def _check_secrets(secret_requests: list[Secret] | None) -> SecurityContext | None:
    if secret_requests is not None and (
        isinstance(secret_requests, (Secret, str, Mapping)) or not isinstance(secret_requests, Iterable)
    ):
        raise TaskDefinitionError(
            f"secret_requests must be a list of flyweight.Secret, got {type(secret_requests).__name__} "
            f"{secret_requests!r}; write secret_requests=[Secret(group='db', key='password')]"
        )
    for s in secret_requests or []:
        if not isinstance(s, Secret):
            raise TaskDefinitionError(
                f"secret_requests: {s!r} should be a flyweight.Secret(group=..., key=...), "
                f"got {type(s).__name__}"
            )
    return SecurityContext(secrets=list(secret_requests)) if secret_requests else None


def _resource_spec(
    requests: Resources | None, limits: Resources | None, resources: Resources | None
) -> ResourceSpec:
    for what, value in (("requests", requests), ("limits", limits), ("resources", resources)):
        if value is not None and not isinstance(value, Resources):
            raise TaskDefinitionError(f"{what} must be a flyweight.Resources, got {type(value).__name__}")
        if value is not None:
            _check_quantities(what, value)
    if resources is not None:
        if requests is not None or limits is not None:
            raise TaskDefinitionError(
                "resources= cannot be combined with requests= or limits=; give resources= alone, with "
                "(request, limit) pairs where they differ: Resources(cpu=('1', '2'), mem='1Gi')"
            )
        return split_resources(resources)
    return ResourceSpec(requests=requests or Resources(), limits=limits or Resources())


class PythonAutoContainerTask(ContainerParts, PythonTask[T]):
    """Base of tasks whose Python code runs in the container (function tasks and their plugins).

    Args:
        name: unique task name.
        task_config: plugin configuration (None for plain function tasks).
        task_type: Flyte task type string.
        container_image: the image; may use ``{{.image.<name>.fqn}}`` / ``{{.image.<name>.version}}``;
            an :class:`ImageSpec` names the image built from it (nothing is built); None means the
            settings' default image.
        requests: resource requests.
        limits: resource limits.
        environment: environment variables of the container.
        task_resolver: how the container finds the task (default: by module and name).
        secret_requests: secrets the task needs (they reach ``security_context``).
        pod_template: the pod to run in (``flyweight.PodTemplate``): the template then has ``k8s_pod``
            (with the primary container filled in) instead of ``container``; no effect on local runs.
        pod_template_name: name of a PodTemplate on the cluster (sets ``metadata.pod_template_name``).
        accelerator: the accelerator to run on (``flyweight.accelerators``); no effect on local runs.
        shared_memory: True (a ``/dev/shm`` as large as the memory) or its size (``'1Gi'``); no effect
            on local runs.
        resources: requests and limits in one: a ``(request, limit)`` pair sets both, one value the
            request only; not together with ``requests``/``limits``.
        **kwargs: ``metadata``, ``interface``, ``docs``, ``labels``, ``annotations``, ``enable_deck``,
            ``deck_fields``, ``disable_deck``, ``task_type_version``; anything else is a ``TypeError``.
    """

    FAST_REGISTERS: ClassVar[bool] = True
    """Its container runs the user's code: fast registration prefixes its command with
    ``flyweight-fast-execute`` (``get_serializable``)."""

    def __init__(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
        self,
        name: str,
        task_config: T | None,
        task_type: str = "python-task",
        container_image: str | ImageSpec | None = None,
        requests: Resources | None = None,
        limits: Resources | None = None,
        environment: dict[str, str] | None = None,
        task_resolver: TaskResolverMixin | None = None,
        secret_requests: list[Secret] | None = None,
        pod_template: object = None,
        pod_template_name: str | None = None,
        accelerator: object = None,
        shared_memory: object = None,
        resources: Resources | None = None,
        **kwargs: Any,
    ) -> None:
        self._pod_template = check_pod_template("", pod_template)
        self._accelerator = check_accelerator("", accelerator)
        self._shared_memory = check_shared_memory("", shared_memory)
        if container_image is not None and not isinstance(container_image, (str, ImageSpec)):
            raise TaskDefinitionError(
                "container_image must be an image name string or a flyweight.ImageSpec, got "
                f"{type(container_image).__name__}"
            )
        metadata = _check_metadata(kwargs.pop("metadata", None))
        changes: dict[str, Any] = {}
        if pod_template_name is not None:
            if not isinstance(pod_template_name, str):
                raise TaskDefinitionError(
                    f"pod_template_name must be the name of a PodTemplate (a str), got "
                    f"{type(pod_template_name).__name__} {pod_template_name!r}"
                )
            changes["pod_template_name"] = pod_template_name
        for field in ("labels", "annotations"):
            value = kwargs.pop(field, None)
            if value is not None:
                changes[field] = str_dict(field, value)
        if environment is not None:
            environment = str_dict("environment", environment)
        if changes:
            metadata = dataclasses.replace(metadata, **changes)
        self._resources = _resource_spec(requests, limits, resources)
        self._container_image = container_image
        super().__init__(
            task_type=task_type,
            name=name,
            task_config=task_config,
            security_ctx=_check_secrets(secret_requests),
            environment=environment,
            metadata=metadata,
            **kwargs,
        )
        self._task_resolver: TaskResolverMixin = task_resolver or default_task_resolver
        self._get_command_fn: Callable[[SerializationSettings], list[str]] = self.get_default_command

    @property
    def task_resolver(self) -> TaskResolverMixin:
        """How the container finds this task again."""
        return self._task_resolver

    @property
    def container_image(self) -> str | ImageSpec | None:
        return self._container_image

    @property
    def resources(self) -> ResourceSpec:
        return self._resources

    @property
    def pod_template(self) -> PodTemplate | None:
        """The task's pod template, or None."""
        return self._pod_template

    @property
    def accelerator(self) -> BaseAccelerator | None:
        """The task's accelerator, or None."""
        return self._accelerator

    @property
    def shared_memory(self) -> bool | str | None:
        """The task's shared memory: True, a size, or None."""
        return self._shared_memory

    def primary_container(self, settings: SerializationSettings) -> _idl.Container:
        """The task's container, pod template or not (the primary container of a pod template)."""
        return ContainerParts.get_container(self, settings)

    def get_container(self, settings: SerializationSettings) -> _idl.Container | None:  # type: ignore[override]
        """The container, or None with a pod template (the container is then inside ``k8s_pod``)."""
        return None if self._pod_template is not None else self.primary_container(settings)

    def get_k8s_pod(self, settings: SerializationSettings) -> _idl.K8sPod | None:
        """The pod of the pod template, with the primary container filled in (None without one)."""
        if self._pod_template is None:
            return None
        spec = pod_spec(self._pod_template, self.primary_container(settings), settings.image_config)
        return k8s_pod(spec, self._pod_template, primary_container_name=False)

    def get_config(self, settings: SerializationSettings) -> dict[str, str]:
        """With a pod template, the name of its primary container (flytekit's ``primary_container_name``)."""
        if self._pod_template is None:
            return {}
        return {PRIMARY_CONTAINER_NAME_FIELD: self._pod_template.primary_container_name}

    def get_extended_resources(self, settings: SerializationSettings) -> _idl.ExtendedResources | None:
        """The accelerator and shared memory, or None."""
        return extended_resources(self._accelerator, self._shared_memory)

    def get_default_command(self, settings: SerializationSettings) -> list[str]:
        """The container arguments: ``flyweight-execute``'s, pyflyte-execute compatible, with the
        checkpoint placeholders flytekit writes for these tasks."""
        return [
            "flyweight-execute",
            "--inputs",
            "{{.input}}",
            "--output-prefix",
            "{{.outputPrefix}}",
            "--raw-output-data-prefix",
            "{{.rawOutputDataPrefix}}",
            "--checkpoint-path",
            "{{.checkpointOutputPrefix}}",
            "--prev-checkpoint",
            "{{.prevCheckpointPrefix}}",
            "--resolver",
            self.task_resolver.location,
            "--",
            *self.task_resolver.loader_args(settings, self),
        ]

    def set_resolver(self, resolver: TaskResolverMixin) -> None:
        """Use another resolver (one that can find this task in the container)."""
        self._task_resolver = resolver

    def set_command_fn(
        self, get_command_fn: Callable[[SerializationSettings], list[str]] | None = None
    ) -> None:
        """Replace how the container arguments are made (None restores the default)."""
        self._get_command_fn = get_command_fn or self.get_default_command

    def reset_command_fn(self) -> None:
        """Go back to the default container arguments."""
        self._get_command_fn = self.get_default_command

    def get_command(self, settings: SerializationSettings) -> list[str]:
        """The container arguments for ``settings``."""
        return self._get_command_fn(settings)
