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

__all__ = ["ContainerParts", "ResourceSpec"]


class ResourceSpec(NamedTuple):
    """A task's resource requests and limits."""

    requests: Resources
    limits: Resources


class _ContainerTask(Protocol):
    """What :class:`ContainerParts` needs from the task it is mixed into."""

    _resources: ResourceSpec

    @property
    def container_image(self) -> str | None: ...

    @property
    def environment(self) -> dict[str, str]: ...

    def get_command(self, settings: SerializationSettings) -> list[str]: ...

    def get_image(self, settings: SerializationSettings) -> str: ...


class ContainerParts:
    """``get_image``, ``get_container`` and ``get_config`` of a task with a container of its own."""

    def get_image(self: _ContainerTask, settings: SerializationSettings) -> str:
        """The container image for ``settings`` (templated names resolved against its image config)."""
        return resolve_image(self.container_image, settings.image_config)

    def get_container(self: _ContainerTask, settings: SerializationSettings) -> _idl.Container:
        """The container: image, arguments, resources, and the settings' environment under the task's."""
        return container(
            image=self.get_image(settings),
            args=self.get_command(settings),
            requests=self._resources.requests,
            limits=self._resources.limits,
            env=merge_env(settings.env, self.environment),
        )

    def get_config(self, settings: SerializationSettings) -> dict[str, str]:
        """No ``config`` entries of its own (subclasses may add some)."""
        return {}
