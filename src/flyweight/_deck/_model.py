"""``Deck``, ``TimeLineDeck`` and ``timeit``: flytekit 1.16.14's deck API, in plain data.

A deck is a named piece of HTML. Made in task code (``Deck("charts", html)``), it joins the running task's
page; the page becomes ``deck.html`` when the task ends (``flyweight._tasks._decks`` decides which decks a
task gets). The running task's decks are found through ``flyweight._context.current_context``, looked up
when that module is loaded (:func:`current_params`): this module imports nothing of flyweight's context,
so the context can import it.
"""

from __future__ import annotations

import datetime
import functools
import logging
import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, TypeVar

__all__ = ["DECK_FILE_NAME", "Deck", "DeckParams", "TimeLineDeck", "bind_context", "current_params", "timeit"]

DECK_FILE_NAME = "deck.html"
"""The file Flyte's console shows, under the task's output metadata prefix."""

TIMELINE = "Timeline"  # DeckField.TIMELINE's value: the timeline deck's name
DEFAULT = "default"  # the default deck's name, as flytekit's

logger = logging.getLogger("flyweight")

F = TypeVar("F", bound=Callable[..., Any])


class DeckParams(Protocol):
    """What a deck needs of the running task's parameters (``ExecutionParameters``)."""

    @property
    def decks(self) -> list[Deck]: ...

    @property
    def enable_deck(self) -> bool: ...

    @property
    def timeline_deck(self) -> TimeLineDeck: ...

    def publish_decks(self) -> None: ...


_current: Callable[[], DeckParams] | None = None


def bind_context(current: Callable[[], DeckParams] | None) -> None:
    """Install how the running task's parameters are found (default, None: ``flyweight._context``'s
    ``current_context``, when that module is loaded); for embedding and tests."""
    global _current
    _current = current


def current_params() -> DeckParams:
    """The running task's parameters (outside a task: the process-wide default ones).

    The context module is looked up, not imported: it imports this module's package, and is loaded
    whenever a task runs. Before it is loaded, no task runs: decks go to a detached list."""
    if _current is not None:
        return _current()
    context = sys.modules.get("flyweight._context")
    if context is None:
        return _DETACHED
    params: DeckParams = context.current_context()
    return params


class _Detached:
    """Where decks made before flyweight's context exists go (no task can be running then)."""

    def __init__(self) -> None:
        self.decks: list[Deck] = []
        self.enable_deck = False
        self._timeline: TimeLineDeck | None = None

    @property
    def timeline_deck(self) -> TimeLineDeck:
        if self._timeline is None:
            self._timeline = TimeLineDeck(auto_add_to_deck=False)
        return self._timeline

    def publish_decks(self) -> None:  # decks are off outside a task: Deck.publish() only warns
        pass


class Deck:
    """A named piece of HTML in the running task's deck page (a tab of ``deck.html``).

    Args:
        name: the tab's title.
        html: the HTML to start with (a renderer's ``to_html`` output, or your own markup).
        auto_add_to_deck: add the deck to the running task's page (False: a deck you render yourself).

    Example:
        >>> from flyweight import Deck
        >>> from flyweight.deck import MarkdownRenderer
        >>> d = Deck("notes", MarkdownRenderer().to_html("# Findings"), auto_add_to_deck=False)
        >>> d.append("<p>2 outliers</p>").name
        'notes'
    """

    def __init__(self, name: str, html: str | None = "", auto_add_to_deck: bool = True) -> None:
        if not isinstance(name, str):
            raise TypeError(f"Deck(name=...) expects a str, got {type(name).__name__} {name!r}")
        if html is not None and not isinstance(html, str):
            raise TypeError(
                f"Deck({name!r}, html=...) expects HTML as a str, got {type(html).__name__}; "
                "render the value first, e.g. TopFrameRenderer().to_html(df)"
            )
        self._name = name
        self._html = html or ""
        if auto_add_to_deck:
            current_params().decks.append(self)

    def append(self, html: str) -> Deck:
        """Add ``html`` after what the deck holds (on a new line); returns the deck."""
        if not isinstance(html, str):
            raise TypeError(
                f"Deck {self._name!r}: append() expects HTML as a str, got {type(html).__name__}; "
                "render the value first, e.g. MarkdownRenderer().to_html(text)"
            )
        self._html = self._html + "\n" + html
        return self

    @property
    def name(self) -> str:
        return self._name

    @property
    def html(self) -> str:
        return self._html

    @staticmethod
    def publish() -> None:
        """Write the running task's deck page now (it is written again when the task ends), so a long task
        shows its progress; with decks off, a warning and nothing else, as flytekit's."""
        params = current_params()
        if not params.enable_deck:
            logger.warning(
                "Deck.publish(): decks are off for this task (enable_deck=False), so no deck is written"
            )
            return
        params.publish_decks()

    def __repr__(self) -> str:
        return f"Deck(name={self._name!r}, html={len(self._html)} chars)"


class TimeLineDeck(Deck):
    """The timeline of a task: how long each part of it took (``timeit`` adds the parts).

    Its HTML is made when read, from every part recorded by then (a table of wall and process times, with
    a bar per part on one time axis).
    """

    def __init__(self, name: str = TIMELINE, html: str | None = "", auto_add_to_deck: bool = True) -> None:
        super().__init__(name, html, auto_add_to_deck)
        self.time_info: list[dict[str, Any]] = []

    def append_time_info(self, info: dict[str, Any]) -> None:
        """Record one part: ``Name``, ``Start`` and ``Finish`` (datetimes), ``WallTime`` and ``ProcessTime``
        (seconds)."""
        if not isinstance(info, dict):
            raise TypeError(f"append_time_info expects a dict, got {type(info).__name__}")
        self.time_info.append(info)

    @property
    def html(self) -> str:
        if not self.time_info:
            return self._html
        return timeline_html(self.time_info) + self._html


def _seconds(value: object) -> float:
    return float(value) if isinstance(value, (int, float)) else 0.0


def timeline_html(parts: list[dict[str, Any]]) -> str:
    """A table of ``parts`` (``TimeLineDeck.time_info``) with a bar per part on one time axis."""
    import html as _html

    starts = [p.get("Start") for p in parts]
    origin = min((s for s in starts if isinstance(s, datetime.datetime)), default=None)
    spans: list[tuple[float, float]] = []
    for p in parts:
        start, wall = p.get("Start"), _seconds(p.get("WallTime"))
        offset = (start - origin).total_seconds() if isinstance(start, datetime.datetime) and origin else 0.0
        spans.append((max(offset, 0.0), max(wall, 0.0)))
    total = max((o + w for o, w in spans), default=0.0) or 1.0
    rows = []
    for p, (offset, wall) in zip(parts, spans, strict=True):
        left, width = 100 * offset / total, max(100 * wall / total, 0.3)
        rows.append(
            "<tr>"
            f"<td>{_html.escape(str(p.get('Name', '')))}</td>"
            f'<td class="num">{_seconds(p.get("WallTime")):.6f}</td>'
            f'<td class="num">{_seconds(p.get("ProcessTime")):.6f}</td>'
            f'<td class="bar"><span style="margin-left:{left:.2f}%;width:{width:.2f}%"></span></td>'
            "</tr>"
        )
    return (
        '<table class="fw-timeline"><thead><tr><th>Name</th><th>Wall time (s)</th><th>Process time (s)</th>'
        f"<th>0 to {total:.6f} s</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        '<p class="fw-note">Wall time is elapsed time; process time is CPU time of this process. '
        "Parts shorter than a millisecond are drawn as thin marks.</p>"
    )


class timeit:
    """Time a block or a function into the running task's timeline deck, as flytekit's ``timeit``.

    Example:
        >>> from flyweight.deck import timeit
        >>> with timeit("load the table"):
        ...     rows = list(range(10))
    """

    def __init__(self, name: str = "") -> None:
        self._name = name
        self.start_time: datetime.datetime | None = None
        self._wall = 0.0
        self._cpu = 0.0

    def __call__(self, func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with type(self)(self._name):
                return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    def __enter__(self) -> timeit:
        self.start_time = datetime.datetime.now(datetime.timezone.utc)
        self._wall = time.perf_counter()
        self._cpu = time.process_time()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        wall = time.perf_counter() - self._wall
        cpu = time.process_time() - self._cpu
        current_params().timeline_deck.append_time_info(
            {
                "Name": self._name,
                "Start": self.start_time,
                "Finish": datetime.datetime.now(datetime.timezone.utc),
                "WallTime": wall,
                "ProcessTime": cpu,
            }
        )
        self._log(wall)

    def _log(self, wall: float) -> None:
        logger.info("%s. [Time: %.6fs]", self._name, wall)


class quiet_timeit(timeit):
    """A :class:`timeit` that does not log: the parts of a task flyweight times itself."""

    def _log(self, wall: float) -> None:
        pass


_DETACHED = _Detached()
