"""Where a task's deck page goes: a sink chosen by whoever runs the task.

``flyweight-execute`` writes ``deck.html`` under the output metadata prefix (after ``outputs.pb``); a local
run that writes a report keeps each node's page beside the report; any other local call writes it into a
fresh temporary directory and logs the path, as flytekit does. The sink is a context variable, set around
the task by the runner (:func:`deliver_to`); :func:`sink_for_task` picks it when the task starts.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from flyweight._deck._model import DECK_FILE_NAME

__all__ = ["DeckSink", "LocalDeckFile", "deliver_to", "sink_for_task", "write_text_atomically"]

logger = logging.getLogger("flyweight")

DeckSink = Callable[[str, str, bool], None]
"""``sink(task_name, page_html, final)``: ``final`` is False for ``Deck.publish()`` while the task runs,
True for the page written when it ends."""

_SINK: contextvars.ContextVar[DeckSink | None] = contextvars.ContextVar("flyweight_deck_sink", default=None)


@contextlib.contextmanager
def deliver_to(sink: DeckSink | None) -> Iterator[None]:
    """Send the deck pages of tasks run in this block to ``sink``."""
    token = _SINK.set(sink)
    try:
        yield
    finally:
        _SINK.reset(token)


def sink_for_task() -> DeckSink:
    """The sink of a task starting now: the runner's, else a fresh :class:`LocalDeckFile`."""
    return _SINK.get() or LocalDeckFile()


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory, so a reader never sees
    part of a page."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".deck-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class LocalDeckFile:
    """A local call's page: ``deck.html`` in a directory made on the first write (flytekit's local rule).

    ``directory`` may be given (a report's node directory); the path is logged when the page is final.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory
        self.path: Path | None = None

    def __call__(self, task_name: str, html: str, final: bool) -> None:
        if self.path is None:
            import tempfile

            directory = self._directory or Path(tempfile.mkdtemp(prefix="flyweight-deck-"))
            self.path = directory / DECK_FILE_NAME
        write_text_atomically(self.path, html)
        if final:
            logger.info("%s task creates flyte deck html to file://%s", task_name, self.path)
