"""The "Query" deck of SQLite3 tasks with ``enable_deck=True``: what it shows (the query as written, the
bound inputs, the row count, the schema and first rows), that every value in it is escaped, that a
failing query still gets it (and an Error deck), that tasks without decks build none, and that
``flyweight-execute`` writes the page beside ``outputs.pb``."""

from __future__ import annotations

import html
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import errors_pb2, literals_pb2
from tests.plugins.sqlite3.sqlite3_support import MUSIC_DB, expected_rows, frame, run_in_container

from flyweight import kwtypes
from flyweight._deck import deliver_to
from flyweight.errors import TaskExecutionError
from flyweight.plugins import _query_deck
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task
from flyweight.types import FlyteSchema

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FIRST_TRACKS = "select TrackId, Name from tracks where TrackId <= {{.inputs.n}} order by TrackId"


# --- reading a page -----------------------------------------------------------------------------------


def tabs(page: str) -> list[str]:
    """The page's tab names, in order (the ``data-deck`` of each ``<li>``)."""
    return re.findall(r'<li [^>]*data-deck="([^"]*)"', page)


def panels(page: str) -> dict[str, str]:
    """Tab name → the HTML of its panel."""
    container = page.split('<div id="flyte-frame-container">', 1)[1].rsplit("</div>\n<script>", 1)[0]
    parts = re.split(r'<div role="tabpanel" data-deck="([^"]*)" aria-labelledby="deck-tab-\d+">', container)
    return {parts[i]: parts[i + 1].removesuffix("</div>") for i in range(1, len(parts), 2)}


def run_with_page(call: Callable[[], Any]) -> tuple[Any, list[tuple[str, str, bool]]]:
    """``call()``'s result and the deck pages delivered while it ran (``(task, html, final)``)."""
    pages: list[tuple[str, str, bool]] = []
    with deliver_to(lambda task_name, html, final: pages.append((task_name, html, final))):
        result = call()
    return result, pages


def fails_with_page(call: Callable[[], Any], error: type[BaseException]) -> tuple[str, str]:
    """The one page delivered while ``call()`` failed with ``error``, and the error's message."""
    pages: list[tuple[str, str, bool]] = []
    with (
        deliver_to(lambda task_name, html, final: pages.append((task_name, html, final))),
        pytest.raises(error) as info,
    ):
        call()
    assert len(pages) == 1
    assert pages[0][2] is True
    return pages[0][1], str(info.value)


class Spy:
    """Stands in for the shared deck functions: records every call."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, *args: Any, **kwargs: Any) -> str:
        self.calls.append((args, kwargs))
        return ""


def spy_on_deck(monkeypatch: pytest.MonkeyPatch) -> Spy:
    spy = Spy()
    monkeypatch.setattr(_query_deck, "add_query_deck", spy)
    monkeypatch.setattr(_query_deck, "query_html", spy)
    return spy


# --- the SQLite3 tasks --------------------------------------------------------------------------------


def first_tracks(uri: str = str(MUSIC_DB), **kwargs: Any) -> SQLite3Task:
    return SQLite3Task(
        "sqlite3.first_tracks",
        query_template=FIRST_TRACKS,
        inputs=kwtypes(n=int),
        output_schema_type=FlyteSchema[kwtypes(TrackId=int, Name=str)],
        task_config=SQLite3Config(uri=uri),
        **kwargs,
    )


@pytest.fixture
def hostile_db(tmp_path: Path) -> Path:
    """A copy of the music database with a track named ``HOSTILE``."""
    db = Path(shutil.copyfile(MUSIC_DB, tmp_path / "hostile.db"))
    with sqlite3.connect(db) as con:
        con.execute("update tracks set Name = ? where TrackId = 3", [HOSTILE])
    return db


def test_the_page_has_a_query_tab_with_the_query_its_inputs_rows_and_schema() -> None:
    task = first_tracks(enable_deck=True)
    result, pages = run_with_page(lambda: task(n=25))
    want = expected_rows(FIRST_TRACKS.replace("{{.inputs.n}}", "?"), [25])
    assert len(frame(result)) == len(want) == 25
    assert len(pages) == 1
    name, page, final = pages[0]
    assert (name, final) == ("first_tracks", True)  # the page is named by the task's last dotted part
    assert tabs(page) == ["Timeline", "Query", "Task", "Input", "Output"]
    query = panels(page)["Query"]
    assert (
        '<pre class="fw-sql">select TrackId, Name from tracks where TrackId &lt;= {{.inputs.n}} '
        "order by TrackId</pre>" in query
    )
    assert "<tr><td><code>n</code></td><td><code>25</code></td></tr>" in query
    assert "<tr><th>Status</th><td>succeeded</td></tr>" in query
    assert "<tr><th>Rows</th><td>25</td></tr>" in query
    seconds = re.search(r"<tr><th>Time to execute and fetch \(s\)</th><td>(\d+\.\d{6})</td></tr>", query)
    assert seconds is not None and float(seconds.group(1)) >= 0
    assert "<th>TrackId (int64)</th><th>Name (string)</th>" in query
    assert "25 rows, 2 columns" in query
    shown = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td></tr>", query)
    assert shown == [(str(t), html.escape(n)) for t, n in want.head(10).itertuples(index=False)]
    assert "… 15 more rows" in query
    assert "fw-error" not in query


def test_a_quoted_placeholder_used_twice_is_one_parameter() -> None:
    task = SQLite3Task(
        "sqlite3.twice",
        query_template="select TrackId from tracks where Composer = '{{.inputs.c}}' or Name = '{{.inputs.c}}'"
        " order by TrackId",
        inputs=kwtypes(c=str),
        task_config=SQLite3Config(uri=str(MUSIC_DB)),
        enable_deck=True,
    )
    _, pages = run_with_page(lambda: task(c="Ada Berg"))
    query = panels(pages[0][1])["Query"]
    assert query.count("<td><code>c</code></td>") == 1
    assert "<tr><td><code>c</code></td><td><code>&#x27;Ada Berg&#x27;</code></td></tr>" in query
    assert "<tr><th>Rows</th><td>8</td></tr>" in query


def test_a_long_value_is_shown_short() -> None:
    task = SQLite3Task(
        "sqlite3.long",
        query_template="select TrackId from tracks where Name = {{.inputs.name}}",
        inputs=kwtypes(name=str),
        task_config=SQLite3Config(uri=str(MUSIC_DB)),
        enable_deck=True,
    )
    _, pages = run_with_page(lambda: task(name="x" * 500))
    query = panels(pages[0][1])["Query"]
    assert "x" * 500 not in query
    assert "&#x27;" + "x" * 78 + "…" in query
    assert "<tr><th>Rows</th><td>0</td></tr>" in query


def test_a_hostile_value_is_shown_only_escaped(hostile_db: Path) -> None:
    task = SQLite3Task(
        "sqlite3.hostile",
        query_template="select TrackId, Name from tracks where Name = {{.inputs.name}}",
        inputs=kwtypes(name=str),
        task_config=SQLite3Config(uri=str(hostile_db)),
        enable_deck=True,
    )
    result, pages = run_with_page(lambda: task(name=HOSTILE))
    assert frame(result).to_dict("records") == [{"TrackId": 3, "Name": HOSTILE}]
    page = pages[0][1]
    assert HOSTILE not in page
    query = panels(page)["Query"]
    assert f"<td><code>&#x27;{ESCAPED}&#x27;</code></td>" in query  # the parameter
    assert f"<tr><td>3</td><td>{ESCAPED}</td></tr>" in query  # the row
    assert "<tr><th>Rows</th><td>1</td></tr>" in query


def test_without_decks_no_page_is_delivered_and_no_deck_built(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_deck(monkeypatch)
    task = first_tracks()
    result, pages = run_with_page(lambda: task(n=3))
    assert len(frame(result)) == 3
    assert pages == []
    assert spy.calls == []
    # The spy does see the deck of a task with decks on (so its silence above means something).
    run_with_page(lambda: first_tracks(enable_deck=True)(n=3))
    assert len(spy.calls) == 1


def test_without_decks_a_failing_query_builds_no_deck(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = spy_on_deck(monkeypatch)
    task = first_tracks(str(MUSIC_DB).replace("music.db", "gone.db"))
    pages: list[Any] = []
    with deliver_to(lambda *a: pages.append(a)), pytest.raises(TaskExecutionError):
        task(n=3)
    assert (pages, spy.calls) == ([], [])


def test_a_failing_query_still_gets_its_query_deck_and_an_error_deck() -> None:
    task = SQLite3Task(
        "sqlite3.typo",
        query_template="select TrackId from trakcs where Composer = '{{.inputs.c}}'",
        inputs=kwtypes(c=str),
        task_config=SQLite3Config(uri=str(MUSIC_DB)),
        enable_deck=True,
    )
    page, message = fails_with_page(lambda: task(c="Ada Berg"), TaskExecutionError)
    assert "no such table: trakcs" in message
    assert tabs(page) == ["Timeline", "Query", "Task", "Input", "Error"]
    decks = panels(page)
    query = decks["Query"]
    assert "select TrackId from trakcs where Composer = &#x27;{{.inputs.c}}&#x27;" in query
    assert "<td><code>c</code></td>" in query
    assert "<tr><th>Status</th><td>failed</td></tr>" in query
    assert "The query failed" in query
    assert "<th>Rows</th>" not in query
    assert "no such table: trakcs" in decks["Error"]


def test_a_missing_database_is_a_failed_query_deck(tmp_path: Path) -> None:
    task = first_tracks(str(tmp_path / "gone.db"), enable_deck=True)
    page, message = fails_with_page(lambda: task(n=3), TaskExecutionError)
    assert "there is no database file" in message
    assert "<tr><th>Status</th><td>failed</td></tr>" in panels(page)["Query"]
    assert "Error" in tabs(page)


# --- flyweight-execute --------------------------------------------------------------------------------


def test_flyweight_execute_writes_the_page_beside_outputs_pb(tmp_path: Path) -> None:
    outcome = run_in_container(tmp_path, first_tracks(enable_deck=True), {"n": 12})
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.files() == ["deck.html", "outputs.pb"]
    outputs = literals_pb2.LiteralMap.FromString((outcome.out / "outputs.pb").read_bytes())
    assert "results" in outputs.literals
    page = (outcome.out / "deck.html").read_text(encoding="utf-8")
    assert tabs(page) == ["Timeline", "Query", "Task", "Input", "Output"]
    query = panels(page)["Query"]
    assert "{{.inputs.n}}" in query
    assert "<tr><td><code>n</code></td><td><code>12</code></td></tr>" in query
    assert "<tr><th>Rows</th><td>12</td></tr>" in query
    assert "<th>TrackId (int64)</th><th>Name (string)</th>" in query


def test_flyweight_execute_writes_no_page_without_decks(tmp_path: Path) -> None:
    outcome = run_in_container(tmp_path, first_tracks(), {"n": 12})
    assert outcome.returncode == 0, outcome.stderr
    assert outcome.files() == ["outputs.pb"]


def test_flyweight_execute_writes_the_page_of_a_failing_query_beside_error_pb(tmp_path: Path) -> None:
    task = SQLite3Task(
        "sqlite3.first_tracks",
        query_template=FIRST_TRACKS.replace("tracks", "trakcs", 1),
        inputs=kwtypes(n=int),
        task_config=SQLite3Config(uri=str(MUSIC_DB)),
        enable_deck=True,
    )
    outcome = run_in_container(tmp_path, task, {"n": 12})
    assert outcome.files() == ["deck.html", "error.pb"]
    error = errors_pb2.ErrorDocument.FromString((outcome.out / "error.pb").read_bytes()).error
    assert "no such table: trakcs" in error.message
    page = (outcome.out / "deck.html").read_text(encoding="utf-8")
    assert "Error" in tabs(page)
    assert "<tr><th>Status</th><td>failed</td></tr>" in panels(page)["Query"]
