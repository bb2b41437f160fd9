"""``deck.html`` from ``flyweight-execute``: written under the output prefix for function and plugin tasks
with decks on (after ``outputs.pb`` or ``error.pb``), never with decks off, and never at the cost of the
outcome."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import literals_pb2
from tests.entrypoint import deck_tasks
from tests.entrypoint.test_execute import Attempt, prepare

from flyweight._entrypoint._run import ContainerDeck
from flyweight._storage import FileAccess
from flyweight.types import TypeEngine


def _tabs(html: str) -> list[str]:
    return re.findall(r'<li role="tab"[^>]*data-deck="([^"]*)"', html)


def _attempt(tmp_path: Path, task: Any, **inputs: Any) -> Attempt:
    types = {k: v for k, v in task.python_interface.inputs.items() if k in inputs}
    lm: literals_pb2.LiteralMap = TypeEngine.dict_to_literal_map(None, inputs, types)
    return prepare(tmp_path, task, lm)


def test_a_function_task_writes_its_page_next_to_its_outputs(tmp_path: Path) -> None:
    result = _attempt(tmp_path, deck_tasks.shown, x=1).run()
    assert result.returncode == 0, result.stderr
    assert result.files() == ["deck.html", "outputs.pb"]
    page = (result.out / "deck.html").read_text(encoding="utf-8")
    assert _tabs(page) == ["Timeline", "default", "mine", "Source Code", "Dependencies", "Input", "Output"]
    assert "<p>made by the task</p>" in page


def test_decks_off_write_no_page(tmp_path: Path) -> None:
    result = _attempt(tmp_path, deck_tasks.hidden, x=1).run()
    assert result.files() == ["outputs.pb"], result.stderr


def test_a_failing_task_writes_its_error_and_its_page(tmp_path: Path) -> None:
    result = _attempt(tmp_path, deck_tasks.fails, x=3).run()
    assert result.returncode == 0, result.stderr
    assert result.files() == ["deck.html", "error.pb"]
    page = (result.out / "deck.html").read_text(encoding="utf-8")
    assert "Error" in _tabs(page) and "no good: 3" in page


def test_a_broken_renderer_leaves_the_outputs_alone(tmp_path: Path) -> None:
    result = _attempt(tmp_path, deck_tasks.broken_renderer, x=9).run()
    assert result.files() == ["deck.html", "outputs.pb"], result.stderr
    lm = literals_pb2.LiteralMap.FromString((result.out / "outputs.pb").read_bytes())
    assert lm.literals["o0"].scalar.primitive.integer == 9
    assert "this renderer is broken" in (result.out / "deck.html").read_text(encoding="utf-8")


def test_a_plugin_task_writes_a_page_from_its_template_alone(tmp_path: Path) -> None:
    result = _attempt(tmp_path, deck_tasks.plugin_with_decks, x=2, label="a").run()
    assert result.files() == ["deck.html", "outputs.pb"], result.stderr
    page = (result.out / "deck.html").read_text(encoding="utf-8")
    assert _tabs(page) == ["Timeline", "Executor", "Task", "Input", "Output"]
    for secret in ("hunter2-in-custom", "pw-in-url", "key-in-args"):
        assert secret not in page


def test_a_plugin_task_with_decks_off_writes_no_page(tmp_path: Path) -> None:
    result = _attempt(tmp_path, deck_tasks.plugin_without_decks, x=2, label="a").run()
    assert result.files() == ["outputs.pb"], result.stderr


def test_a_page_that_cannot_be_written_is_reported_and_nothing_else(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the prefix should be")
    said: list[str] = []
    deck = ContainerDeck(FileAccess(), str(blocker), said.append)
    deck("t", "<p>page</p>", True)
    assert said == []  # the final page waits for the outcome
    deck.flush()
    assert len(said) == 1 and "the deck page could not be written" in said[0]
    deck.flush()  # written (or not) once
    assert len(said) == 1


def test_a_published_page_is_written_at_once(tmp_path: Path) -> None:
    said: list[str] = []
    deck = ContainerDeck(FileAccess(), str(tmp_path / "out"), said.append)
    deck("t", "<p>half way</p>", False)
    assert (tmp_path / "out" / "deck.html").read_text() == "<p>half way</p>"
    deck("t", "<p>done</p>", True)
    assert (tmp_path / "out" / "deck.html").read_text() == "<p>half way</p>"
    deck.flush()
    assert (tmp_path / "out" / "deck.html").read_text() == "<p>done</p>"
    assert said == []


@pytest.mark.usefixtures("s3_bucket")
def test_on_s3_the_page_is_served_as_html(s3_bucket: str) -> None:
    import boto3

    FileAccess().write_bytes(f"{s3_bucket}/prefix/deck.html", b"<p>page</p>")
    client = boto3.client("s3")
    bucket = s3_bucket.removeprefix("s3://")
    head = client.head_object(Bucket=bucket, Key="prefix/deck.html")
    assert head["ContentType"] == "text/html"
