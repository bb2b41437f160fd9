"""Plain settings data that tasks and launch plans are defined and serialized with: images, resources,
secrets, serialization settings, and launch plans' schedules, notifications, concurrency policies and
options.

It is a leaf: it imports only the standard library, :mod:`flyweight.errors` and
:mod:`flyweight._version`, never protobuf or flyteidl. So a task can be declared, and its
configuration checked, without loading the protobuf runtime, and the serializer (a higher layer)
turns these objects into Flyte's messages. The names match flytekit's (``Image``, ``ImageConfig``,
``Resources``, ``Secret``, ``SecurityContext``, ``SerializationSettings``), so code written against
flytekit ports by changing its imports.

A task setting that fails validation raises :class:`flyweight.errors.TaskDefinitionError`; a
launch-plan setting (schedule, notification, concurrency policy, options) raises
:class:`flyweight.errors.WorkflowCompileError`.

Example:
    >>> from flyweight._settings import ImageConfig, resolve_image
    >>> cfg = ImageConfig.from_images("ghcr.io/org/app:v1")
    >>> resolve_image("{{.image.default.fqn}}:v2", cfg)
    'ghcr.io/org/app:v2'
"""

from __future__ import annotations

from flyweight._settings._images import DefaultImages, Image, ImageConfig, PythonVersion, default_image
from flyweight._settings._resolve import resolve_image
from flyweight._settings._resources import Resources
from flyweight._settings._security import Secret, SecurityContext
from flyweight._settings._serialization import (
    FastSerializationSettings,
    SerializationSettings,
    placeholder_settings,
)

__all__ = [
    "DefaultImages",
    "FastSerializationSettings",
    "Image",
    "ImageConfig",
    "PythonVersion",
    "Resources",
    "Secret",
    "SecurityContext",
    "SerializationSettings",
    "default_image",
    "placeholder_settings",
    "resolve_image",
]
