"""What every task that runs in a container of its own puts into its template's container.

Function tasks (``PythonAutoContainerTask``) and plugin tasks (``PythonCustomizedContainerTask``)
differ in their container arguments (``get_command``) and nothing else here: the image is resolved the
same way, the container carries the same resources and environment, and neither has ``config`` of its
own. :class:`ContainerParts` holds that once; each class lists it before ``PythonTask`` in its bases.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

from flyweight import _idl
from flyweight._serialize import container, merge_env
from flyweight._settings import Resources, SerializationSettings, resolve_image
from flyweight._settings._image_spec import RUNTIME_PACKAGES_ENV_VAR, ImageSpec, copy_handling_for

__all__ = ["ContainerParts", "ResourceSpec", "fast_registration", "spec_for_settings"]


def fast_registration(settings: SerializationSettings) -> bool:
    """Whether ``settings`` fast-register the code (flytekit's ``fast_serialization_settings.enabled``)."""
    return bool(getattr(settings.fast_serialization_settings, "enabled", False))


def spec_for_settings(spec: ImageSpec, settings: SerializationSettings) -> ImageSpec:
    """The image spec a task's container names under ``settings``: without fast registration the code is
    copied into the image from the settings' source root (flytekit's ``update_image_spec_copy_handling``,
    on a copy: the task's spec is not changed)."""
    return copy_handling_for(
        spec, source_root=settings.source_root, fast_registration=fast_registration(settings)
    )


class ResourceSpec(NamedTuple):
    """A task's resource requests and limits."""

    requests: Resources
    limits: Resources


class _ContainerTask(Protocol):
    """What :class:`ContainerParts` needs from the task it is mixed into."""

    _resources: ResourceSpec

    @property
    def container_image(self) -> str | ImageSpec | None: ...

    @property
    def environment(self) -> dict[str, str]: ...

    def get_command(self, settings: SerializationSettings) -> list[str]: ...

    def get_image(self, settings: SerializationSettings) -> str: ...

    def _image_spec_for(self, spec: ImageSpec, settings: SerializationSettings) -> ImageSpec: ...

    def _image_env(self) -> dict[str, str]: ...


class ContainerParts:
    """``get_image``, ``get_container`` and ``get_config`` of a task with a container of its own."""

    def get_image(self: _ContainerTask, settings: SerializationSettings) -> str:
        """The container image for ``settings`` (templated names resolved against its image config; an
        :class:`ImageSpec` named by its ``image_name()``, nothing built)."""
        image = self.container_image
        if isinstance(image, ImageSpec):
            image = self._image_spec_for(image, settings)
        return resolve_image(image, settings.image_config)

    def _image_spec_for(self, spec: ImageSpec, settings: SerializationSettings) -> ImageSpec:
        """The image spec the container names under ``settings`` (:func:`spec_for_settings`)."""
        return spec_for_settings(spec, settings)

    def _image_env(self: _ContainerTask) -> dict[str, str]:
        """Environment the image spec adds: its ``runtime_packages``, installed when the task starts."""
        image = self.container_image
        if isinstance(image, ImageSpec) and image.runtime_packages:
            return {RUNTIME_PACKAGES_ENV_VAR: " ".join(image.runtime_packages)}
        return {}

    def get_container(self: _ContainerTask, settings: SerializationSettings) -> _idl.Container:
        """The container: image, arguments, resources, and the settings' environment under the task's
        (then an image spec's ``runtime_packages``, as flytekit)."""
        return container(
            image=self.get_image(settings),
            args=self.get_command(settings),
            requests=self._resources.requests,
            limits=self._resources.limits,
            env=merge_env(merge_env(settings.env, self.environment), self._image_env()),
        )

    def get_config(self, settings: SerializationSettings) -> dict[str, str]:
        """No ``config`` entries of its own (subclasses may add some)."""
        return {}
