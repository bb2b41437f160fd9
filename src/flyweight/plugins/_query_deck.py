"""The "Query" deck of the database plugins: what a query task ran, with what, and what came back.

Both SQL plugins (``flyweight.plugins.sqlite3`` and ``flyweight.plugins.sqlalchemy``) show the same deck,
so it is built here once. It is private to the plugins package and, like the plugins, built only on
``flyweight.extend`` (and the standard library): a plugin may import this module, never another plugin.

An executor calls :func:`decks_on` first and builds nothing when it is False, so a task without decks pays
for nothing but that check. The deck shows the query template as written (never the driver's SQL), the
inputs bound as parameters with their values shortened, and the outcome: the row count, the time spent
executing and fetching, the result's schema and first rows; for a statement without a result set, the
rows it affected; for a failure, only that it failed (flyweight's own "Error" deck shows the error). It
never shows the database's URL, connect arguments or secrets: those are not passed in. Every value is
escaped.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from flyweight.extend import ArrowRenderer, Deck, FlyteContextManager

if TYPE_CHECKING:
    import pyarrow

__all__ = [
    "DECK_NAME",
    "FIRST_ROWS",
    "add_query_deck",
    "bound_inputs",
    "decks_on",
    "query_html",
    "short_value",
]

DECK_NAME = "Query"
FIRST_ROWS = 10
"""Rows of the result shown in the deck."""

_SHORT = 80
"""Characters of a parameter's value shown (a value is an input: it may be a long text)."""

_logger = logging.getLogger("flyweight")


def decks_on() -> bool:
    """Whether the running task writes a deck page (only then is the deck built)."""
    return bool(FlyteContextManager.current_context().user_space_params.enable_deck)


def bound_inputs(names: Iterable[str], values: Mapping[str, object]) -> dict[str, object]:
    """Input name → value for the inputs bound as parameters (``names``: one per parameter, a name
    that is bound twice is shown once), in the order the query binds them first."""
    return {name: values.get(name) for name in dict.fromkeys(names)}


def short_value(value: object) -> str:
    """``repr(value)``, cut to ``_SHORT`` characters (ending in ``…`` when cut)."""
    text = repr(value)
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


def add_query_deck(
    template: str,
    parameters: Mapping[str, object],
    *,
    seconds: float | None = None,
    table: pyarrow.Table | None = None,
    rowcount: int | None = None,
    failed: bool = False,
) -> None:
    """Add the "Query" deck to the running task's page (see :func:`query_html`).

    The deck is a view of the task: if it cannot be rendered, it says so (and the log does), and the task
    goes on as it would without it.
    """
    try:
        body = query_html(
            template, parameters, seconds=seconds, table=table, rowcount=rowcount, failed=failed
        )
    except Exception as e:
        _logger.warning("deck %r could not be rendered: %s: %s", DECK_NAME, type(e).__name__, e)
        body = (
            '<div class="fw-error">This deck could not be rendered: '
            f"{html.escape(f'{type(e).__name__}: {e}')}</div>"
        )
    Deck(DECK_NAME, body)


def query_html(
    template: str,
    parameters: Mapping[str, object],
    *,
    seconds: float | None = None,
    table: pyarrow.Table | None = None,
    rowcount: int | None = None,
    failed: bool = False,
) -> str:
    """The deck's HTML.

    Args:
        template: the query template, as the task's author wrote it.
        parameters: input name → value, for the inputs bound as SQL parameters.
        seconds: the time spent executing the statement and fetching its rows.
        table: the result (None: the statement has no result set, or it failed).
        rowcount: the rows a statement without a result set affected, as the driver counts them (a
            negative count, DB-API's "unknown", is not shown).
        failed: the query (or the task around it) failed.
    """
    parts = [f'<h3>Query</h3><pre class="fw-sql">{html.escape(template)}</pre>', "<h3>Parameters</h3>"]
    if parameters:
        rows = "".join(
            f"<tr><td><code>{html.escape(name)}</code></td><td><code>{html.escape(short_value(value))}</code></td></tr>"
            for name, value in parameters.items()
        )
        parts.append(
            '<table class="fw-parameters"><thead><tr><th>Name</th><th>Value</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>"
        )
    else:
        parts.append('<p class="fw-empty">(none: the query binds no input)</p>')
    facts: list[tuple[str, str]] = [("Status", "failed" if failed else "succeeded")]
    if table is not None:
        facts.append(("Rows", str(table.num_rows)))
    elif not failed:
        facts.append(("Result", "no result set"))
        if rowcount is not None and rowcount >= 0:
            facts.append(("Rows affected", str(rowcount)))
    if seconds is not None:
        facts.append(("Time to execute and fetch (s)", f"{seconds:.6f}"))
    cells = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts)
    parts.append(f'<h3>Outcome</h3><table class="fw-query-outcome">{cells}</table>')
    if failed:
        parts.append('<p class="fw-error">The query failed; the error is in the Error deck.</p>')
    elif table is not None:
        parts.append(f"<h3>Result</h3>{ArrowRenderer(max_rows=FIRST_ROWS).to_html(table)}")
    else:
        parts.append('<p class="fw-empty">The statement returns no result set.</p>')
    return "\n".join(parts)
