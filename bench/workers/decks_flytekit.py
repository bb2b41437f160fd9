"""The decks benchmark's tasks written against flytekit (twin of ``decks_flyweight.py``).

Same three ``add`` tasks, flytekit's ``@task``; runs only under ``bench/.venv-flytekit``. The
container process imports this module by name (``decks_flytekit``).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from flytekit import task
from flytekit.deck import DeckField

TIMELINE_FIELDS = (DeckField.TIMELINE, DeckField.INPUT, DeckField.OUTPUT)


@task
def add(a: int, b: int) -> int:
    return a + b


@task(enable_deck=True)
def add_deck(a: int, b: int) -> int:
    return a + b


@task(enable_deck=True, deck_fields=TIMELINE_FIELDS)
def add_timeline(a: int, b: int) -> int:
    return a + b


TASKS = {"off": add, "on": add_deck, "timeline": add_timeline}


def template_bytes(which: Any = None) -> bytes:
    """``which``'s (default ``add``'s) TaskTemplate as registration would produce it."""
    import cases  # not at the top: the container process imports this module
    from flytekit.configuration import Image, ImageConfig, SerializationSettings
    from flytekit.tools.translator import get_serializable

    settings = cases.serialization_settings(SerializationSettings, ImageConfig, Image)
    entity = get_serializable(OrderedDict(), settings, which or add)
    return entity.template.to_flyte_idl().SerializeToString()
