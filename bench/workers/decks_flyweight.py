"""The decks benchmark's tasks written against flyweight (twin of ``decks_flytekit.py``).

``add(a, b) -> int`` three times: without decks, with ``enable_deck=True`` and the default
``deck_fields`` (Source Code, Dependencies, Timeline, Input, Output), and with decks on but only
Timeline, Input and Output. flyweight only: ``greet_deck``, the plugin task ``greet`` of
``plugins_flyweight.py`` with ``enable_deck=True`` (flytekit renders no page for plugin tasks).
``deck_call.py`` calls them locally; ``serialize_template.py --module decks --task NAME`` writes a
template for the container process, which imports this module by name (``decks_flyweight``).
"""

from __future__ import annotations

from typing import Any

from plugins_flyweight import IMAGE, Greet, GreetTask

from flyweight import Interface, kwtypes, task

TIMELINE_FIELDS = ("Timeline", "Input", "Output")


@task
def add(a: int, b: int) -> int:
    return a + b


@task(enable_deck=True)
def add_deck(a: int, b: int) -> int:
    return a + b


@task(enable_deck=True, deck_fields=TIMELINE_FIELDS)
def add_timeline(a: int, b: int) -> int:
    return a + b


greet_deck = GreetTask(
    "bench.greet_deck",
    None,
    IMAGE,
    Greet,
    interface=Interface(inputs=kwtypes(x=int, s=str), outputs=kwtypes(o=int, t=str)),
    enable_deck=True,
)

TASKS = {"off": add, "on": add_deck, "timeline": add_timeline}


def template_bytes(which: Any = None) -> bytes:
    """``which``'s (default ``add``'s) TaskTemplate as registration would produce it."""
    import cases  # not at the top: the container process imports this module

    from flyweight import Image, ImageConfig, SerializationSettings
    from flyweight.extend import get_serializable

    settings = cases.serialization_settings(SerializationSettings, ImageConfig, Image)
    return get_serializable({}, settings, which or add).template.SerializeToString()
