"""``PythonCustomizedContainerTask``: a plugin task whose code is in a prebuilt image, not the user's.

The task puts everything its executor needs into the template (``get_custom``) and points the
container at a prebuilt image; in the container, ``flyweight-execute`` loads the template and the
executor named in the arguments and runs them. Called locally, the task serializes itself with
placeholder settings, parses those bytes back and runs the executor on them, exactly as a container
would. That template is cached with a snapshot of the task's attributes (``flyweight._tasks._snapshot``)
and made again when the task has changed, including inside an object it holds (its metadata, its
environment, a dict or dataclass of configuration).
"""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar, TypeVar

from flyweight import _idl
from flyweight._settings import (
    Resources,
    Secret,
    SecurityContext,
    SerializationSettings,
    placeholder_settings,
)
from flyweight._settings._image_spec import ImageSpec, plugin_source_root_for
from flyweight._tasks._config import config_to_custom
from flyweight._tasks._container_parts import ContainerParts, ResourceSpec, fast_registration
from flyweight._tasks._plan import TaskPlan
from flyweight._tasks._resolver import TaskResolverMixin, default_task_template_resolver
from flyweight._tasks._shim import ExecutableTemplateShimTask, ShimTaskExecutor
from flyweight._tasks._snapshot import StateSnapshot
from flyweight._tasks._task import PythonTask
from flyweight._tasks._template_view import TaskTemplate
from flyweight.errors import TaskDefinitionError

__all__ = ["PythonCustomizedContainerTask", "ResourceSpec"]

TC = TypeVar("TC")


class PythonCustomizedContainerTask(ExecutableTemplateShimTask, ContainerParts, PythonTask[TC]):
    """Base class of plugin tasks that run a prebuilt image with a :class:`ShimTaskExecutor`.

    Subclass it, put what the executor needs into ``get_custom`` (or pass a dataclass ``task_config``
    and let the default ``get_custom`` store its fields), and pass the executor class.

    Args:
        name: unique task name.
        task_config: plugin configuration; a dataclass is stored in ``custom`` field by field.
        container_image: the prebuilt image; may use ``{{.image.<name>.fqn}}`` /
            ``{{.image.<name>.version}}``, or an :class:`ImageSpec`; None or "" means the settings'
            default image.
        executor_type: the :class:`ShimTaskExecutor` subclass that runs the task.
        task_resolver: how the container loads the task (default: the template resolver).
        task_type: Flyte task type string.
        requests: resource requests (strings or numbers).
        limits: resource limits (strings or numbers).
        environment: environment variables of the container.
        secret_requests: secrets the task needs (they reach ``security_context``).
        **kwargs: ``interface``, ``metadata``, ``docs``, ``enable_deck``, ``deck_fields``,
            ``disable_deck``, ``task_type_version``; anything else is a ``TypeError``.

    Example:
        >>> from flyweight.extend import PythonCustomizedContainerTask, ShimTaskExecutor
        >>> from flyweight import Interface, kwtypes
        >>> class Doubler(ShimTaskExecutor):
        ...     def execute_from_model(self, tt, **kwargs):
        ...         return kwargs["x"] * int(tt.custom["factor"])
        >>> class DoubleTask(PythonCustomizedContainerTask):
        ...     def get_custom(self, settings):
        ...         return {"factor": 2}
        >>> iface = Interface(kwtypes(x=int), kwtypes(y=int))
        >>> t = DoubleTask("double", None, "img:1", Doubler, interface=iface)
        >>> t(x=21)
        42
    """

    SERIALIZE_SETTINGS: ClassVar[SerializationSettings] = placeholder_settings()

    def __init__(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
        self,
        name: str,
        task_config: TC,
        container_image: str | ImageSpec | None,
        executor_type: type[ShimTaskExecutor[Any]],
        task_resolver: TaskResolverMixin | None = None,
        task_type: str = "python-task",
        requests: Resources | None = None,
        limits: Resources | None = None,
        environment: dict[str, str] | None = None,
        secret_requests: list[Secret] | None = None,
        **kwargs: object,
    ) -> None:
        security_ctx = None
        for s in secret_requests or []:
            if not isinstance(s, Secret):
                raise TaskDefinitionError(
                    f"Secret {s!r} should be of type flyweight.Secret, received {type(s)}"
                )
        if secret_requests:
            security_ctx = SecurityContext(secrets=list(secret_requests))
        if container_image is not None and not isinstance(container_image, (str, ImageSpec)):
            raise TaskDefinitionError(
                "container_image must be an image name string or a flyweight.ImageSpec, got "
                f"{type(container_image).__name__}"
            )
        for what, value in (("requests", requests), ("limits", limits)):
            if value is not None and not isinstance(value, Resources):
                raise TaskDefinitionError(f"{what} must be a flyweight.Resources, got {type(value).__name__}")
        if not isinstance(executor_type, type):
            raise TaskDefinitionError(f"executor_type must be a class, got {executor_type!r}")
        super().__init__(
            None,
            executor_type,
            task_type=task_type,
            name=name,
            task_config=task_config,
            security_ctx=security_ctx,
            **kwargs,
        )
        self._resources = ResourceSpec(requests=requests or Resources(), limits=limits or Resources())
        self._environment = dict(environment or {})
        self._container_image = container_image
        self._task_resolver = task_resolver or default_task_template_resolver

    @property
    def name(self) -> str:
        return self._name

    @property
    def resources(self) -> ResourceSpec:
        return self._resources

    @property
    def task_resolver(self) -> TaskResolverMixin:
        return self._task_resolver

    @property
    def container_image(self) -> str | ImageSpec | None:
        return self._container_image

    def _image_spec_for(self, spec: ImageSpec, settings: SerializationSettings) -> ImageSpec:
        """As flytekit's plugin tasks: without fast registration the settings' source root replaces the
        spec's (on a copy)."""
        return plugin_source_root_for(
            spec, source_root=settings.source_root, fast_registration=fast_registration(settings)
        )

    def _image_env(self) -> dict[str, str]:
        """None: flytekit's plugin tasks do not pass an image spec's ``runtime_packages`` on."""
        return {}

    def get_command(self, settings: SerializationSettings) -> list[str]:
        """The container arguments (flyweight-execute's, pyflyte-execute compatible)."""
        return [
            "flyweight-execute",
            "--inputs",
            "{{.input}}",
            "--output-prefix",
            "{{.outputPrefix}}",
            "--raw-output-data-prefix",
            "{{.rawOutputDataPrefix}}",
            "--resolver",
            self.task_resolver.location,
            "--",
            *self.task_resolver.loader_args(settings, self),
        ]

    def get_custom(self, settings: SerializationSettings) -> dict[str, Any]:
        """By default, the fields of a dataclass ``task_config`` (None gives nothing); override it for
        any other configuration."""
        cfg = self.task_config
        if cfg is None:
            return {}
        if dataclasses.is_dataclass(cfg) and not isinstance(cfg, type):
            return config_to_custom(cfg)
        raise TaskDefinitionError(
            f"{type(self).__name__} must override get_custom(settings) to store its "
            f"{type(cfg).__name__} task_config in the template (or use a dataclass task_config)"
        )

    def _execution_plan(self) -> TaskPlan[_idl.TaskTemplate]:
        """The plan of the template a local call runs, made again when the task has changed."""
        local: _LocalTemplate | None = self.__dict__.get("_local_template")
        if local is None or not local.snapshot.matches(self.__dict__):
            local = self._make_local_template()
        return local.plan

    def _make_local_template(self) -> _LocalTemplate:
        data = self.serialize_to_model(self.SERIALIZE_SETTINGS).SerializeToString()
        pb = _idl.TaskTemplate.FromString(data)
        local = _LocalTemplate(TaskPlan.from_template(pb, list(self.python_interface.inputs)))
        self._interface_plan()  # made now, so a first call does not add it to the state after the snapshot
        self._local_template = local  # before the snapshot, which then holds it (compared by identity)
        local.snapshot = StateSnapshot(self.__dict__, by_identity=_BY_IDENTITY)
        return local

    @property
    def task_template(self) -> TaskTemplate:
        """The template a local call runs: this task serialized with placeholder settings, read back
        from its bytes. It is made again when the task has changed: an attribute assigned, or a change
        inside a dict, list or dataclass it holds (see ``flyweight._tasks._snapshot``)."""
        view = self._execution_plan().view()
        assert view is not None  # a template plan always has one
        return view


# Attributes compared by identity: caches derived from the others, and helpers whose inside is not data.
_BY_IDENTITY = frozenset(
    {
        "_local_template",
        "_interface_plan_cache",
        "_typed_interface",
        "_executor",
        "_task_resolver",
        "_python_interface",
    }
)


class _LocalTemplate:
    """The plan of a local call's template, and the snapshot of the task it was made from."""

    __slots__ = ("plan", "snapshot")

    def __init__(self, plan: TaskPlan[_idl.TaskTemplate]) -> None:
        self.plan = plan
        self.snapshot = StateSnapshot({})
