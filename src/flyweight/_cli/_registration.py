"""The registration files of a set of entities: ``<index>_<name>_<kind>.pb``, in registration order.

This is the layout ``pyflyte package`` and ``pyflyte serialize`` write and ``flytectl register files``
reads: every task (``TaskSpec``, kind 1), workflow (``WorkflowSpec``, kind 2) and launch plan (admin
``LaunchPlan``, kind 3), dependencies before their users, each workflow followed by its default launch
plan; the index is zero-padded to the width the count needs, so the names sort in registration order.
Messages are written with deterministic protobuf serialization, so the same source gives the same bytes.
"""

from __future__ import annotations

import math
from collections import OrderedDict

from flyweight._cli._load import Entity
from flyweight._idl import TaskSpec, WorkflowSpec
from flyweight._serialize import EntityMapping, RegistrationForm, get_serializable
from flyweight._settings import SerializationSettings
from flyweight._workflows import LaunchPlan, WorkflowBase

__all__ = ["registration_files", "registration_forms"]


def registration_forms(entities: list[Entity], settings: SerializationSettings) -> list[RegistrationForm]:
    """The registration messages of ``entities`` and everything they use, in flytekit's order."""
    mapping: EntityMapping = OrderedDict()
    for entity in entities:
        get_serializable(mapping, settings, entity)
        if isinstance(entity, WorkflowBase):
            get_serializable(mapping, settings, LaunchPlan.get_default_launch_plan(None, entity))
    return list(mapping.values())


def _width(count: int) -> int:
    """Digits of the index prefix, computed as flytekit computes them (``ceil(log10(count))``)."""
    return 0 if count == 0 else math.ceil(math.log(count, 10))


def registration_files(forms: list[RegistrationForm]) -> list[tuple[str, bytes]]:
    """``(file name, bytes)`` of each registration message, in order."""
    width = _width(len(forms))
    out: list[tuple[str, bytes]] = []
    for i, form in enumerate(forms):
        if isinstance(form, TaskSpec):
            name, kind = form.template.id.name, 1
        elif isinstance(form, WorkflowSpec):
            name, kind = form.template.id.name, 2
        else:
            name, kind = form.id.name, 3
        out.append((f"{str(i).zfill(width)}_{name}_{kind}.pb", form.SerializeToString(deterministic=True)))
    return out
