"""The deck API (flytekit.deck's ``Deck``, ``TimeLineDeck``, ``timeit``) and the context's deck fields."""

from __future__ import annotations

import datetime
import logging

import pytest

import flyweight
from flyweight import FlyteContextManager, current_context, task
from flyweight._deck import deliver_to
from flyweight.deck import Deck, TimeLineDeck, timeit


def test_a_deck_made_in_a_task_joins_that_tasks_page() -> None:
    pages: list[tuple[str, str, bool]] = []

    @task(enable_deck=True)
    def t(a: int) -> int:
        Deck("charts", "<p>one</p>").append("<p>two</p>")
        return a

    with deliver_to(lambda name, html, final: pages.append((name, html, final))):
        assert t(a=1) == 1
    [(name, html, final)] = pages
    assert name == "t" and final
    assert '<li role="tab" tabindex="0" data-deck="charts"' in html
    assert "<p>one</p>\n<p>two</p>" in html


def test_decks_of_one_call_do_not_leak_into_the_next() -> None:
    pages: list[str] = []

    @task(enable_deck=True)
    def t(n: int) -> int:
        Deck(f"call {n}", "x")
        return n

    with deliver_to(lambda name, html, final: pages.append(html)):
        t(n=1)
        t(n=2)
    assert 'data-deck="call 1"' in pages[0] and 'data-deck="call 2"' not in pages[0]
    assert 'data-deck="call 2"' in pages[1] and 'data-deck="call 1"' not in pages[1]


def test_default_deck_is_one_deck_however_often_it_is_asked_for() -> None:
    pages: list[str] = []

    @task(enable_deck=True, deck_fields=())
    def t() -> None:
        current_context().default_deck.append("<i>first</i>")
        current_context().default_deck.append("<i>second</i>")

    with deliver_to(lambda name, html, final: pages.append(html)):
        t()
    assert pages[0].count('data-deck="default"') == 2  # one tab, one pane
    assert "<i>first</i>" in pages[0] and "<i>second</i>" in pages[0]


def test_with_decks_off_nothing_is_delivered_and_decks_still_work() -> None:
    pages: list[str] = []

    @task
    def t() -> bool:
        Deck("ignored", "x")
        return current_context().enable_deck

    with deliver_to(lambda name, html, final: pages.append(html)):
        assert t() is False
    assert pages == []


def test_timeit_records_into_the_timeline_deck_of_the_running_task() -> None:
    pages: list[str] = []

    @timeit("decorated part")
    def work() -> int:
        return 1

    @task(enable_deck=True, deck_fields=("Timeline",))
    def t() -> int:
        with timeit("block part"):
            pass
        return work()

    with deliver_to(lambda name, html, final: pages.append(html)):
        t()
    html = pages[0]
    parts = ("block part", "decorated part", "Execute user level code", "Translate inputs to Python values")
    for part in parts:
        assert part in html


def test_timeline_deck_parts_and_html() -> None:
    deck = TimeLineDeck("Timeline", auto_add_to_deck=False)
    assert deck.html == ""
    now = datetime.datetime.now(datetime.timezone.utc)
    deck.append_time_info(
        {
            "Name": "<load>",
            "Start": now,
            "Finish": now + datetime.timedelta(seconds=1),
            "WallTime": 1.0,
            "ProcessTime": 0.5,
        }
    )
    assert "&lt;load&gt;" in deck.html and "<load>" not in deck.html
    assert "1.000000" in deck.html and "0.500000" in deck.html
    with pytest.raises(TypeError, match="expects a dict"):
        deck.append_time_info(["not", "a", "dict"])  # type: ignore[arg-type]


def test_timeline_deck_is_shown_only_when_asked_for() -> None:
    pages: list[str] = []

    @task(enable_deck=True, deck_fields=("Input",))
    def t() -> None:
        with timeit("a part"):
            pass

    with deliver_to(lambda name, html, final: pages.append(html)):
        t()
    assert 'data-deck="Timeline"' not in pages[0]


@pytest.mark.parametrize("bad", [None, 3, b"<p>"])
def test_append_takes_only_text(bad: object) -> None:
    deck = Deck("d", auto_add_to_deck=False)
    with pytest.raises(TypeError, match="expects HTML as a str"):
        deck.append(bad)  # type: ignore[arg-type]


def test_a_deck_needs_a_text_name_and_html() -> None:
    with pytest.raises(TypeError, match="expects a str"):
        Deck(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="render the value first"):
        Deck("d", html=[1, 2])  # type: ignore[arg-type]


def test_publish_writes_the_page_while_the_task_runs() -> None:
    pages: list[tuple[bool, str]] = []

    @task(enable_deck=True, deck_fields=())
    def t() -> None:
        Deck("progress", "half way")
        Deck.publish()
        Deck("progress", "done")

    with deliver_to(lambda name, html, final: pages.append((final, html))):
        t()
    assert [final for final, _ in pages] == [False, True]
    assert "half way" in pages[0][1] and "done" not in pages[0][1]
    assert "done" in pages[1][1]


def test_publish_with_decks_off_warns_as_flytekit(caplog: pytest.LogCaptureFixture) -> None:
    @task
    def t() -> None:
        Deck.publish()

    with caplog.at_level(logging.WARNING, logger="flyweight"):
        t()
    assert "decks are off" in caplog.text


def test_a_local_call_without_a_sink_writes_a_temporary_page_and_logs_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    @task(enable_deck=True, deck_fields=())
    def shown() -> None:
        Deck("x", "<b>local</b>")

    with caplog.at_level(logging.INFO, logger="flyweight"):
        shown()
    [line] = [r.getMessage() for r in caplog.records if "creates flyte deck html" in r.getMessage()]
    path = line.split("file://", 1)[1]
    with open(path, encoding="utf-8") as f:
        assert "<b>local</b>" in f.read()


def test_builder_with_enable_deck_and_get_deck() -> None:
    ctx = FlyteContextManager.current_context()
    params = ctx.user_space_params.new_builder().with_enable_deck(True).build()
    assert params.enable_deck is True
    assert params.new_builder().with_enable_deck(False).build().enable_deck is False
    assert "<!doctype html>" in ctx.get_deck()


def test_the_top_level_name_is_the_deck_class() -> None:
    assert flyweight.Deck is Deck
