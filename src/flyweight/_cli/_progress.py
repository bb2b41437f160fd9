"""The progress of ``flyweight run``: the engine's node events as plain lines, or a live table with rich.

Plain mode (stdout is not a terminal: logs, CI, tests) prints one line per event::

    n0  double      running    attempt 1
    n0  double      succeeded  attempt 1  0.01s
    n1  report      cancelled  — the run was interrupted

The live mode (a terminal) keeps one row per node — id, task, state, attempt, duration (running nodes
count up) — redrawn in place by rich, imported only then. Events arrive serialized by the engine's lock.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.live import Live
    from rich.table import Table

    from flyweight._runtime import EventValue

__all__ = ["LiveProgress", "PlainProgress", "Progress", "make_progress"]

_STYLES = {
    "pending": "dim",
    "running": "cyan",
    "cached": "blue",
    "retried": "yellow",
    "succeeded": "green",
    "failed": "bold red",
    "cancelled": "magenta",
}


@dataclasses.dataclass
class _Row:
    entity: str
    state: str = "pending"
    attempt: int | None = None
    duration: float | None = None
    started: float | None = None
    error: str | None = None


def _seconds(duration: float | None) -> str:
    return "" if duration is None else f"{duration:.2f}s"


class Progress:
    """Receives ``on_event(node_id, state, info)`` and keeps a row per node."""

    def __init__(self) -> None:
        self.rows: dict[str, _Row] = {}

    def __call__(self, node_id: str, state: str, info: Mapping[str, EventValue]) -> None:
        row = self.rows.setdefault(node_id, _Row(str(info.get("entity", "?"))))
        row.state = state
        if "attempt" in info:
            row.attempt = int(info["attempt"])
        if state == "running":
            row.started = time.monotonic()
            row.duration = None
        if "duration" in info:
            row.duration = float(info["duration"])
        if "error" in info:
            row.error = str(info["error"])
        elif "reason" in info:  # cancelled: why the node did not finish
            row.error = str(info["reason"])
        self.changed(node_id, row)

    def changed(self, node_id: str, row: _Row) -> None:
        """Show the change of one row."""

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class PlainProgress(Progress):
    """One line per event, for logs and pipes."""

    def changed(self, node_id: str, row: _Row) -> None:
        if row.state == "pending":
            return
        parts = [f"{node_id:<6}", f"{row.entity:<30}", f"{row.state:<9}"]
        if row.attempt is not None and row.state != "cached":
            parts.append(f"attempt {row.attempt}")
        if row.duration is not None and row.state != "running":
            parts.append(_seconds(row.duration))
        if row.state in ("retried", "failed", "cancelled") and row.error:
            parts.append("— " + row.error.strip().splitlines()[-1][:200])
        click.echo("  ".join(parts).rstrip())


class LiveProgress(Progress):
    """A table redrawn in place (rich's ``Live``), one row per node."""

    def __init__(self) -> None:
        super().__init__()
        self._live: Live | None = None

    def _table(self) -> Table:
        from rich.markup import escape
        from rich.table import Table

        table = Table(box=None, pad_edge=False)
        for column in ("node", "task", "state", "attempt", "duration"):
            table.add_column(column, justify="right" if column in ("attempt", "duration") else "left")
        now = time.monotonic()
        for node_id, row in list(self.rows.items()):
            duration = row.duration
            if row.state == "running" and row.started is not None:
                duration = now - row.started
            table.add_row(
                escape(node_id),
                escape(row.entity),  # names are text, not rich markup
                f"[{_STYLES.get(row.state, '')}]{row.state}[/]",
                "" if row.attempt is None else str(row.attempt),
                _seconds(duration),
            )
        return table

    def __enter__(self) -> Progress:
        from rich.live import Live

        self._live = Live(get_renderable=self._table, refresh_per_second=8)
        self._live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.refresh()
            self._live.stop()
            self._live = None

    def changed(self, node_id: str, row: _Row) -> None:
        if self._live is not None:
            self._live.refresh()


def make_progress(live: bool) -> Progress:
    """The live table when ``live`` (a terminal), else plain lines."""
    return LiveProgress() if live else PlainProgress()
