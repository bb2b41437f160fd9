"""Flyte Decks: the HTML reports a task writes beside its outputs (private; public in ``flyweight.deck``).

Decks sit below the execution context: ``flyweight._context`` imports the deck model, never the other way
round. The model finds the running task's decks through one function the context installs
(:func:`flyweight._deck._model.bind_context`), so a ``Deck(...)`` made in task code joins that task's page.
Only the standard library is imported here; renderers import pandas, pyarrow, markdown-it and Pygments
when they are used.
"""

from flyweight._deck._model import DECK_FILE_NAME, Deck, DeckParams, TimeLineDeck, bind_context, timeit
from flyweight._deck._sink import DeckSink, LocalDeckFile, deliver_to, sink_for_task

__all__ = [
    "DECK_FILE_NAME",
    "Deck",
    "DeckParams",
    "DeckSink",
    "LocalDeckFile",
    "TimeLineDeck",
    "bind_context",
    "deliver_to",
    "sink_for_task",
    "timeit",
]
