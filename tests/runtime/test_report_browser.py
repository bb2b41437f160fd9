"""The run report and deck pages in a real browser (headless Chromium, ``browser_page``): a small real run
(a retried node, a deck link) and a failed one, a synthetic run of 10,000 nodes, the deck pages of a
function task and of a plugin task, and a report full of hostile strings. Each page must render with no
console error, no page error and no request, and show what it should.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import pytest
from tests.browser import PageOpener, PageView
from tests.runtime.test_report import big_data, sample_data
from tests.runtime.test_report_record import decked, failing, flaky, inc, report_data

from flyweight import kwtypes, run_workflow, workflow
from flyweight._deck import deliver_to
from flyweight._runtime._report import write_report
from flyweight.errors import WorkflowExecutionError
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task
from flyweight.types import FlyteSchema

RENDERED = "body[data-rendered='1']"
SECTIONS = ("summary", "graph", "timeline", "nodes")
MUSIC_DB = Path(__file__).resolve().parents[2] / "examples" / "data" / "music.db"
WAIT_MS = 30_000  # every wait on a page element is bounded by this


@workflow
def browsed(x: int, counter: str) -> int:
    return decked(x=flaky(x=inc(x=x), counter=counter))


def row_ids(view: PageView) -> list[str]:
    return view.page.eval_on_selector_all(
        "#node-table tbody tr td:first-child code", "cells => cells.map(c => c.textContent)"
    )


def open_detail(view: PageView, node_id: str) -> str:
    """Click the table row of ``node_id``; returns the text of the details panel it opens."""
    page = view.page
    page.locator(
        "#node-table tbody tr", has=page.locator("td:first-child code", has_text=node_id)
    ).first.click()
    detail = page.locator("#node-detail")
    detail.wait_for(state="visible", timeout=WAIT_MS)
    assert page.locator("#detail-body h3").inner_text() == node_id
    return detail.inner_text()


def file_of(url: str) -> Path:
    parsed = urlparse(url)
    assert parsed.scheme == "file", url
    return Path(unquote(parsed.path))


# --- a small real run -----------------------------------------------------------------------------


@pytest.fixture
def small_run(tmp_path: Path) -> Path:
    report = tmp_path / "r.html"
    assert run_workflow(browsed, {"x": 1, "counter": str(tmp_path / "count")}, report=report) == 21
    return report


def test_a_real_runs_report_renders_and_shows_each_node(browser_page: PageOpener, small_run: Path) -> None:
    view = browser_page(small_run, wait_for=RENDERED)
    view.assert_clean()
    view.assert_not_blank()
    page = view.page
    body = page.locator("body")
    assert body.get_attribute("data-rendered") == "1"
    assert body.get_attribute("data-node-count") == "3"
    assert body.get_attribute("data-status") == "succeeded"
    assert body.get_attribute("data-attempt-count") == "4"  # n1 ran twice
    for section in SECTIONS:
        assert page.locator(f"#{section}").is_visible(), section
    assert page.locator("#graph canvas").count() == 1 and page.locator("#timeline canvas").count() == 1
    assert page.locator("#node-detail").is_hidden()
    assert row_ids(view) == ["n0", "n1", "n2"]
    summary = page.locator("#summary").inner_text()
    assert "test_report_browser.browsed" in summary and "succeeded" in summary
    assert "int 21" in summary  # the run's output

    detail = open_detail(view, "n1")
    assert "int 2" in detail and "int 20" in detail  # its input x and output
    assert "attempt 1" in detail and "attempt 2" in detail
    assert "RecoverableError: first attempt of 2" in detail  # the retried attempt's error
    page.locator("#detail-close").click()
    page.locator("#node-detail").wait_for(state="hidden", timeout=WAIT_MS)
    view.assert_clean()


def test_the_deck_link_points_at_the_deck_page(browser_page: PageOpener, small_run: Path) -> None:
    view = browser_page(small_run, wait_for=RENDERED)
    page = view.page
    row = page.locator("#node-table tbody tr", has=page.locator("td:first-child code", has_text="n2"))
    link = row.locator("a")
    assert link.count() == 1
    assert link.get_attribute("href") == "r_decks/n2/1/deck.html"
    target = small_run.parent / link.get_attribute("href")
    assert target.is_file() and target == small_run.parent / report_data(small_run)["decks"]["n2"]["1"]
    assert file_of(link.evaluate("a => a.href")) == target.resolve()  # as the browser resolves it
    assert link.get_attribute("target") == "_blank"
    detail = open_detail(view, "n2")
    assert "int 20" in detail and "int 21" in detail
    in_detail = page.locator("#detail-body a")
    assert in_detail.count() == 1 and in_detail.get_attribute("href") == "r_decks/n2/1/deck.html"
    view.assert_clean()  # nothing was loaded: a link is not a load


def test_a_failed_runs_report_shows_the_error_in_full(browser_page: PageOpener, tmp_path: Path) -> None:
    report = tmp_path / "failed.html"
    with pytest.raises(WorkflowExecutionError):
        run_workflow(failing, {"x": 1}, report=report)
    view = browser_page(report, wait_for=RENDERED)
    view.assert_clean()
    view.assert_not_blank()
    page = view.page
    assert page.locator("body").get_attribute("data-status") == "failed"
    assert row_ids(view) == ["n0", "n1", "n2"]
    summary_error = page.locator("#summary pre.error").inner_text()
    assert summary_error == report_data(report)["run"]["error"]
    assert "no good: 2\nsecond line of the error\nthird line" in summary_error
    detail = open_detail(view, "n1")
    assert "failed" in detail and "int 2" in detail
    error = page.locator("#detail-body pre.error").inner_text()
    assert "ValueError: no good: 2\nsecond line of the error\nthird line" in error
    assert "cancelled" in open_detail(view, "n2")


# --- a large synthetic run ------------------------------------------------------------------------


def test_ten_thousand_nodes_render_page_and_filter(browser_page: PageOpener, tmp_path: Path) -> None:
    data = big_data(10_000)
    assert len(data["nodes"]) == 10_000 and len(data["events"]) == 30_000
    report = tmp_path / "big.html"
    write_report(report, data)
    view = browser_page(report, wait_for=RENDERED, timeout_s=120)
    view.assert_clean()
    view.assert_not_blank()
    page = view.page
    body = page.locator("body")
    assert body.get_attribute("data-rendered") == "1"
    assert body.get_attribute("data-node-count") == "10000"
    assert body.get_attribute("data-attempt-count") == "10000"
    for section in SECTIONS:
        assert page.locator(f"#{section}").is_visible(), section
    ids = row_ids(view)
    assert 0 < len(ids) <= 200
    assert ids[0] == "n0"
    assert "of 10000" in page.locator("#page-info").inner_text()
    page.locator("#page-next").click()
    page.wait_for_function(
        "() => document.querySelector('#node-table tbody tr code').textContent !== 'n0'", timeout=WAIT_MS
    )
    assert 0 < len(row_ids(view)) <= 200 and row_ids(view)[0] == f"n{len(ids)}"

    page.locator("#node-filter").fill("n9876")
    page.wait_for_function(
        "() => document.querySelectorAll('#node-table tbody tr').length === 1", timeout=WAIT_MS
    )
    assert row_ids(view) == ["n9876"]
    detail = open_detail(view, "n9876")
    assert "n9776" in detail  # its upstream
    page.locator("#node-filter").fill("no-such-node")
    page.wait_for_function(
        "() => document.querySelector('#node-table tbody').textContent.includes('no nodes match')",
        timeout=WAIT_MS,
    )
    view.assert_clean()


# --- deck pages -----------------------------------------------------------------------------------


def check_tabs(view: PageView, expected: set[str]) -> list[str]:
    """The page's tabs are ``expected`` (returned in their order); the first pane shows; clicking "Input"
    shows its pane only."""
    page = view.page
    names = page.eval_on_selector_all("#flyte-frame-tabs li", "tabs => tabs.map(t => t.dataset.deck)")
    assert set(names) == expected and len(names) == len(expected)
    assert page.locator("#flyte-frame-container > div").count() == len(names)
    first = page.locator(f"#flyte-frame-container > div[data-deck='{names[0]}']")
    assert first.is_visible()
    page.locator("#flyte-frame-tabs li[data-deck='Input']").click()
    pane = page.locator("#flyte-frame-container > div[data-deck='Input']")
    pane.wait_for(state="visible", timeout=WAIT_MS)
    assert first.is_hidden()
    visible = [
        n for n in names if page.locator(f"#flyte-frame-container > div[data-deck='{n}']").is_visible()
    ]
    assert visible == ["Input"]
    assert page.locator("#flyte-frame-tabs li[data-deck='Input']").get_attribute("aria-selected") == "true"
    return names


def test_a_function_tasks_deck_page(browser_page: PageOpener, small_run: Path) -> None:
    deck = small_run.parent / report_data(small_run)["decks"]["n2"]["1"]
    view = browser_page(deck, wait_for=RENDERED)
    view.assert_clean()  # the Dependencies deck's copy button and its inline script included
    view.assert_not_blank()
    check_tabs(view, {"Source Code", "Dependencies", "Timeline", "Input", "Output"})
    assert "20" in view.page.locator("#flyte-frame-container > div[data-deck='Input']").inner_text()
    page = view.page
    page.locator("#flyte-frame-tabs li[data-deck='Dependencies']").click()
    button = page.locator("#flyte-frame-container > div[data-deck='Dependencies'] button")
    button.wait_for(state="visible", timeout=WAIT_MS)
    assert "requirements.txt" in button.inner_text()
    button.click()  # copying may be refused headless; it must not throw
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    view.assert_clean()


def test_a_plugin_tasks_deck_page(browser_page: PageOpener, tmp_path: Path) -> None:
    task = SQLite3Task(
        "report_browser.first_tracks",
        query_template="select TrackId, Name from tracks where TrackId <= {{.inputs.n}} order by TrackId",
        inputs=kwtypes(n=int),
        output_schema_type=FlyteSchema[kwtypes(TrackId=int, Name=str)],
        task_config=SQLite3Config(uri=str(MUSIC_DB)),
        enable_deck=True,
    )
    deck = tmp_path / "sql" / "deck.html"
    deck.parent.mkdir()
    finals: list[str] = []

    def sink(name: str, html: str, final: bool) -> None:
        deck.write_text(html, encoding="utf-8")
        if final:
            finals.append(name)

    with deliver_to(sink):
        task(n=5)
    assert finals == ["first_tracks"]
    view = browser_page(deck, wait_for=RENDERED)
    view.assert_clean()
    view.assert_not_blank()
    assert check_tabs(view, {"Timeline", "Query", "Task", "Input", "Output"})[0] == "Timeline"
    query = view.page.locator("#flyte-frame-container > div[data-deck='Query']")
    view.page.locator("#flyte-frame-tabs li[data-deck='Query']").click()
    query.wait_for(state="visible", timeout=WAIT_MS)
    assert "select TrackId, Name from tracks" in query.inner_text()
    view.assert_clean()


# --- hostile strings ------------------------------------------------------------------------------

IMG = "<img src=x onerror=alert(1)>"
END = "</script><script>alert(2)</script>"


def hostile_data() -> dict[str, Any]:
    data = copy.deepcopy(sample_data())
    run = data["run"]
    run["name"] = END
    run["workflow"] = IMG
    run["error"] = f"{END}\n{IMG}\nthe end"
    run["inputs"] = {IMG: END}
    run["outputs"] = {END: IMG}
    for node in data["nodes"]:
        node["entity"] = f"{IMG}{node['entity']}{END}"
    data["nodes"][2]["id"] = IMG  # an id; its upstream and events still name the old one
    for event in data["events"]:
        if "error" in event[3]:
            event[3]["error"] = f"{IMG}\n{END}\n{event[3]['error']}"
        event[3]["worker"] = IMG
    data["io"]["n0-n0"] = {"inputs": {IMG: END}, "outputs": {END: IMG}}
    data["decks"] = {"n0-n0": {"1": "javascript:alert(3)", "2": "../" + IMG}, "n3": {"1": END}}
    return data


def test_hostile_strings_stay_text(browser_page: PageOpener, tmp_path: Path) -> None:
    report = tmp_path / "hostile.html"
    write_report(report, hostile_data())
    view = browser_page(report, wait_for=RENDERED)
    page = view.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.reload(wait_until="load", timeout=WAIT_MS)  # again, now that a dialog would be seen
    page.wait_for_selector(RENDERED, state="visible", timeout=WAIT_MS)
    for node_id in ("n0-n0", "n3", IMG):
        detail = open_detail(view, node_id)
        assert IMG in detail or END in detail  # shown, as text
    page.locator("#node-filter").fill("music.b</")  # the entity of the node whose id is IMG
    page.wait_for_function(
        "() => document.querySelectorAll('#node-table tbody tr').length === 1", timeout=WAIT_MS
    )
    assert row_ids(view) == [IMG]
    box = page.locator("#timeline .vp-scroll").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40)  # a timeline tooltip
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert dialogs == []
    assert page.evaluate("() => document.querySelectorAll('img').length") == 0
    assert page.evaluate("() => document.scripts.length") == 2
    assert page.title() == f"flyweight run {END} \u2014 {IMG}"
    assert END in page.locator("#summary pre.error").inner_text()
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    assert not [h for h in hrefs if not h.startswith(("file:", report.as_uri()))]  # no javascript: URL
    view.assert_clean()
