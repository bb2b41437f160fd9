"""``get_serializable``: flytekit's registration entry point, for tasks, workflows and launch plans.

A task's registration form wraps the template its own ``serialize_to_model`` makes (ADR 0004). A
workflow or a launch plan builds its form with :meth:`RegistrationSource.registration_spec`, which walks
what it uses and calls back into ``get_serializable`` for each dependency (ADR 0010). ``entity_mapping``
collects every entity met on the way, dependencies before the entities that use them — the order in
which they must be registered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeAlias, TypeVar, overload, runtime_checkable

from flyweight._serialize._container import with_fast_execute
from flyweight._serialize._template import Documented, task_spec
from flyweight._settings import SerializationSettings

if TYPE_CHECKING:
    from flyweight._idl import Identifier, LaunchPlan, TaskSpec, TaskTemplate, WorkflowSpec

__all__ = [
    "EntityMapping",
    "ReferenceSource",
    "ReferenceSpec",
    "ReferenceTemplate",
    "RegistrationForm",
    "RegistrationSource",
    "TemplateSource",
    "get_serializable",
]

RegistrationForm: TypeAlias = "TaskSpec | WorkflowSpec | LaunchPlan"
"""A registration message: a task's ``TaskSpec``, a workflow's ``WorkflowSpec``, a launch plan's admin
``LaunchPlan``."""

EntityMapping: TypeAlias = "dict[object, RegistrationForm]"
"""Entity → its registration form, in registration order (the keys are the tasks, workflows and launch
plans themselves)."""

_F_co = TypeVar("_F_co", covariant=True)


@runtime_checkable
class RegistrationSource(Protocol[_F_co]):
    """An entity that builds its own registration form (workflows and launch plans).

    Checked with ``isinstance`` by :func:`get_serializable`: flytekit's entry point takes any entity, and
    this layer sits below the classes that implement it.
    """

    def registration_spec(
        self, entity_mapping: EntityMapping, settings: SerializationSettings, options: object = None
    ) -> _F_co:
        """The ``flyteidl.admin`` message registering this entity; dependencies go into
        ``entity_mapping`` (through ``get_serializable``) first."""
        ...


class TemplateSource(Protocol):
    """A task, as registration reads it: its template and its documentation."""

    def serialize_to_model(self, settings: SerializationSettings) -> TaskTemplate: ...

    @property
    def docs(self) -> Documented | None: ...


@runtime_checkable
class ReferenceSource(Protocol):
    """A reference entity: a task, workflow or launch plan registered elsewhere, named by its identifier."""

    @property
    def reference_id(self) -> Identifier: ...


class ReferenceTemplate(NamedTuple):
    """flytekit's ``ReferenceTemplate``: the identifier a reference names and its resource type."""

    id: Identifier
    resource_type: int


class ReferenceSpec(NamedTuple):
    """What ``get_serializable`` gives for a reference entity (flytekit's ``ReferenceSpec``): not a
    registration message, and not recorded in the entity mapping, since nothing is registered for it."""

    template: ReferenceTemplate


_F = TypeVar("_F", "WorkflowSpec", "LaunchPlan")


@overload
def get_serializable(
    entity_mapping: EntityMapping | None,
    settings: SerializationSettings,
    entity: ReferenceSource,
    options: object = None,
) -> ReferenceSpec: ...


@overload
def get_serializable(
    entity_mapping: EntityMapping | None,
    settings: SerializationSettings,
    entity: TemplateSource,
    options: object = None,
) -> TaskSpec: ...


@overload
def get_serializable(
    entity_mapping: EntityMapping | None,
    settings: SerializationSettings,
    entity: RegistrationSource[_F],
    options: object = None,
) -> _F: ...


def get_serializable(
    entity_mapping: EntityMapping | None,
    settings: SerializationSettings,
    entity: TemplateSource | RegistrationSource[WorkflowSpec | LaunchPlan] | ReferenceSource,
    options: object = None,
) -> RegistrationForm | ReferenceSpec:
    """The registration form of ``entity``: a ``TaskSpec`` for a task, a ``WorkflowSpec`` for a workflow
    (with its sub-workflows), an admin ``LaunchPlan`` for a launch plan.

    Args:
        entity_mapping: a dict (flytekit passes an ``OrderedDict``) that receives entity → form for
            ``entity`` and everything it uses, dependencies first; an entity already in it is not
            serialized again. Anything else (``None``) means "do not record".
        settings: project, domain, version, images and environment of the registration.
        entity: a task, a workflow or a launch plan (or a reference to one: its :class:`ReferenceSpec`,
            which is not recorded in ``entity_mapping``).
        options: accepted for flytekit's signature; flyweight has no options yet.
    """
    if isinstance(entity, ReferenceSource):  # registered elsewhere: named, never registered
        ref = entity.reference_id
        return ReferenceSpec(ReferenceTemplate(ref, ref.resource_type))
    mapping: EntityMapping = entity_mapping if isinstance(entity_mapping, dict) else {}
    done = mapping.get(entity)
    if done is not None:
        return done
    spec: RegistrationForm
    if isinstance(entity, RegistrationSource):
        spec = entity.registration_spec(mapping, settings, options)
    else:
        template = entity.serialize_to_model(settings)
        if _fast(settings) and _runs_user_code(entity):
            with_fast_execute(template, settings)
        spec = task_spec(template, entity.docs)
    mapping[entity] = spec
    return spec


def _fast(settings: SerializationSettings) -> bool:
    return bool(getattr(settings.fast_serialization_settings, "enabled", False))


def _runs_user_code(entity: object) -> bool:
    """Whether the task's container runs the user's code (as flytekit: ``PythonAutoContainerTask`` —
    function, shell and dynamic tasks — and map tasks), so fast registration prefixes its command; a
    plugin task on a prebuilt image and a raw ``ContainerTask`` do not. The task classes say so with
    ``FAST_REGISTERS`` (this layer sits below them)."""
    return bool(getattr(type(entity), "FAST_REGISTERS", False))
