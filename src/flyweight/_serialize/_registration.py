"""``get_serializable``: flytekit's registration entry point, for tasks, workflows and launch plans.

A task's registration form wraps the template its own ``serialize_to_model`` makes (ADR 0004). A
workflow or a launch plan builds its form with :meth:`RegistrationSource.registration_spec`, which walks
what it uses and calls back into ``get_serializable`` for each dependency (ADR 0010). ``entity_mapping``
collects every entity met on the way, dependencies before the entities that use them — the order in
which they must be registered.
"""

from __future__ import annotations

from typing import Any, Protocol

from flyweight._serialize._template import task_spec
from flyweight._settings import SerializationSettings

__all__ = ["RegistrationSource", "get_serializable"]


class RegistrationSource(Protocol):
    """An entity that builds its own registration form (workflows and launch plans)."""

    def registration_spec(
        self, entity_mapping: Any, settings: SerializationSettings, options: Any = None
    ) -> Any:
        """The ``flyteidl.admin`` message registering this entity; dependencies go into
        ``entity_mapping`` (through ``get_serializable``) first."""
        ...


def get_serializable(
    entity_mapping: Any, settings: SerializationSettings, entity: Any, options: Any = None
) -> Any:
    """The registration form of ``entity``: a ``TaskSpec`` for a task, a ``WorkflowSpec`` for a workflow
    (with its sub-workflows), an admin ``LaunchPlan`` for a launch plan.

    Args:
        entity_mapping: a dict (flytekit passes an ``OrderedDict``) that receives entity → form for
            ``entity`` and everything it uses, dependencies first; an entity already in it is not
            serialized again. Anything else (``None``) means "do not record".
        settings: project, domain, version, images and environment of the registration.
        entity: a task, a workflow or a launch plan.
        options: accepted for flytekit's signature; flyweight has no options yet.
    """
    mapping: dict[Any, Any] = entity_mapping if isinstance(entity_mapping, dict) else {}
    done = mapping.get(entity)
    if done is not None:
        return done
    build = getattr(entity, "registration_spec", None)
    if build is not None:
        spec = build(mapping, settings, options)
    else:
        spec = task_spec(entity.serialize_to_model(settings), getattr(entity, "docs", None))
    mapping[entity] = spec
    return spec
