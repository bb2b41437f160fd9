"""The deck page: one tab per deck name, escaped names, nothing loaded from the network."""

from __future__ import annotations

import re

from flyweight._deck._page import render_page
from flyweight.deck import Deck


def _tabs(html: str) -> list[str]:
    return re.findall(r'<li role="tab"[^>]*data-deck="([^"]*)"', html)


def test_tabs_follow_the_decks_and_same_names_share_a_tab() -> None:
    decks = [
        Deck("a", "<p>1</p>", auto_add_to_deck=False),
        Deck("b", "<p>2</p>", auto_add_to_deck=False),
        Deck("a", "<p>3</p>", auto_add_to_deck=False),
    ]
    html = render_page(decks, "mod.task")
    assert _tabs(html) == ["a", "b"]
    assert "<p>1</p>\n<p>3</p>" in html
    assert "<title>mod.task</title>" in html


def test_names_are_escaped_and_empty_decks_say_so() -> None:
    html = render_page([Deck('<img src=x onerror="x">', "", auto_add_to_deck=False)])
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;x&quot;&gt;" in html
    assert "(empty)" in html


def test_the_page_loads_nothing() -> None:
    html = render_page([Deck("a", "x", auto_add_to_deck=False)])
    assert not re.search(r"https?://", html)
    assert "<link" not in html and " src=" not in html
    assert html.startswith("<!doctype html>")


def test_a_page_without_decks_is_still_a_page() -> None:
    html = render_page([])
    assert _tabs(html) == []
    assert "</html>" in html
