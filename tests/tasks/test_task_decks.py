"""Deck pages of tasks run locally: which decks, flytekit's names and order, what they show, and that a
deck never decides a task's outcome."""

from __future__ import annotations

import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from tests.entrypoint import deck_tasks

from flyweight import task
from flyweight._deck import deliver_to


def _tabs(html: str) -> list[str]:
    return re.findall(r'<li role="tab"[^>]*data-deck="([^"]*)"', html)


def _page_of(call: Callable[[], Any]) -> str:
    pages: list[str] = []
    with deliver_to(lambda name, html, final: pages.append(html) if final else None):
        call()
    [page] = pages
    return page


def _fk_deck_names(flytekit: ModuleType, kwargs: dict[str, Any]) -> list[str]:
    ctx = flytekit.FlyteContextManager.current_context()
    ctx.user_space_params._decks.clear()

    @flytekit.task(**kwargs)
    def t(a: int) -> int:
        return a

    t(a=1)
    names = [d.name for d in ctx.user_space_params.decks]
    ctx.user_space_params._decks.clear()
    return names


FIELD_CASES = [
    {"enable_deck": True},
    {"enable_deck": True, "deck_fields": ("Input", "Output")},
    {"enable_deck": True, "deck_fields": ("Timeline",)},
    {"enable_deck": True, "deck_fields": ("Source Code", "Output")},
    {"enable_deck": True, "deck_fields": ()},
    {"enable_deck": True, "deck_fields": ("Dependencies", "Input")},
]


@pytest.mark.parametrize("kwargs", FIELD_CASES)
def test_the_decks_a_function_task_gets_are_flytekits(flytekit: ModuleType, kwargs: dict[str, Any]) -> None:
    expected = _fk_deck_names(flytekit, kwargs)

    @task(**kwargs)
    def t(a: int) -> int:
        return a

    assert _tabs(_page_of(lambda: t(a=1))) == expected


def test_a_page_shows_inputs_outputs_and_the_tasks_decks_escaped() -> None:
    page = _page_of(lambda: deck_tasks.shown(x=41))
    assert _tabs(page) == ["Timeline", "default", "mine", "Source Code", "Dependencies", "Input", "Output"]
    assert "<h1>Counting</h1>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "<code>x</code></td><td><code>int</code></td><td>41</td>" in page
    assert "<td>42</td>" in page
    assert "def shown(x: int" in re.sub(r"<[^>]+>", "", page).replace("&quot;", '"')


def test_an_annotated_renderer_shows_the_output() -> None:
    page = _page_of(lambda: deck_tasks.starred(x=3))
    assert _tabs(page) == ["Output"]
    assert "<b>***</b>" in page


def test_a_failing_renderer_is_shown_in_its_deck_and_the_task_succeeds() -> None:
    pages: list[str] = []
    with deliver_to(lambda name, html, final: pages.append(html)):
        assert deck_tasks.broken_renderer(x=7) == 7
    assert "cannot render: RuntimeError: this renderer is broken" in pages[0]


def test_a_failing_task_still_writes_its_page_with_the_error() -> None:
    pages: list[str] = []
    sink = lambda name, html, final: pages.append(html)  # noqa: E731
    with deliver_to(sink), pytest.raises(ValueError, match="no good: 5"):
        deck_tasks.fails(x=5)
    [page] = pages
    assert "Error" in _tabs(page) and "before" in _tabs(page) and "Output" not in _tabs(page)
    assert "no good: 5" in page


def test_a_sink_that_fails_does_not_fail_the_task(caplog: pytest.LogCaptureFixture) -> None:
    def broken(name: str, html: str, final: bool) -> None:
        raise OSError("the disk is full")

    with deliver_to(broken):
        assert deck_tasks.shown(x=1) == 2
    assert "deck page could not be written" in caplog.text and "the disk is full" in caplog.text


def test_decks_off_deliver_nothing() -> None:
    pages: list[str] = []
    with deliver_to(lambda name, html, final: pages.append(html)):
        assert deck_tasks.hidden(x=1) == 2
        assert deck_tasks.plugin_without_decks(x=2, label="a") == 6
    assert pages == []


def test_a_plugin_task_gets_the_template_inputs_outputs_and_its_executors_decks() -> None:
    page = _page_of(lambda: deck_tasks.plugin_with_decks(x=2, label="<l>"))
    assert _tabs(page) == ["Timeline", "Executor", "Task", "Input", "Output"]
    assert "<p>factor 3</p>" in page
    assert "decks.plugin_on" in page and "registry.example/deck-plugin:1" in page
    assert "db/pass" in page  # the secret's name, never its value
    for secret in ("hunter2-in-custom", "pw-in-url", "key-in-args"):
        assert secret not in page
    assert "postgresql://reader:••••••@db.example/music" in page
    assert "&quot;timeout&quot;: 5" in page
    assert "&lt;l&gt;" in page and "<td>6</td>" in page
