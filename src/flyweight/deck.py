"""Decks (flytekit.deck's names): HTML reports a task writes beside its outputs, shown by Flyte's console.

Turn them on with ``@task(enable_deck=True)`` (and ``deck_fields``); add your own with ``Deck(name, html)``
or ``current_context().default_deck.append(html)``; time parts of a task into its timeline with
``timeit``; show an output your way with ``Annotated[T, renderer]``. Pages load nothing from the network.

Example:
    >>> from flyweight.deck import Deck, MarkdownRenderer
    >>> Deck("summary", MarkdownRenderer().to_html("**3** outliers"), auto_add_to_deck=False).html
    '<p><strong>3</strong> outliers</p>\n'
"""

from __future__ import annotations

from flyweight._deck import Deck, TimeLineDeck, timeit
from flyweight._deck._renderers import (
    ArrowRenderer,
    MarkdownRenderer,
    PythonDependencyRenderer,
    Renderable,
    SourceCodeRenderer,
    TopFrameRenderer,
)
from flyweight._tasks._metadata import DeckField

__all__ = [
    "ArrowRenderer",
    "Deck",
    "DeckField",
    "MarkdownRenderer",
    "PythonDependencyRenderer",
    "Renderable",
    "SourceCodeRenderer",
    "TimeLineDeck",
    "TopFrameRenderer",
    "timeit",
]
