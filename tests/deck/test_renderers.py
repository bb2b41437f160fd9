"""Renderers: flytekit's HTML where flytekit's is right (Markdown, source code, DataFrames), and pages that
load nothing from the network."""

from __future__ import annotations

import re
import sys
from types import ModuleType

import pytest
from tests.oracle import require

from flyweight.deck import (
    ArrowRenderer,
    MarkdownRenderer,
    PythonDependencyRenderer,
    Renderable,
    SourceCodeRenderer,
    TopFrameRenderer,
)

MARKDOWN = [
    "# Title\n\nSome *text* and `code`.",
    "#Hello Flyte\n##Hello Flyte\n###Hello Flyte",
    "- a\n- b\n\n1. one\n2. two",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "<b>raw html</b> & ampersand",
    "",
    "你好 Flyte",
]

SOURCES = [
    "def f(x: int) -> int:\n    return x + 1\n",
    "@task\ndef g() -> str:\n    '''doc'''\n    return \"<html>\"\n",
    "",
]

_URL = re.compile(r"https?://")


@pytest.mark.parametrize("text", MARKDOWN)
def test_markdown_is_flytekits(flytekit: ModuleType, text: str) -> None:
    from flytekit.deck.renderer import MarkdownRenderer as FkMarkdown

    assert MarkdownRenderer().to_html(text) == FkMarkdown().to_html(text)


@pytest.mark.parametrize("source", SOURCES)
def test_source_code_is_flytekits(flytekit: ModuleType, source: str) -> None:
    from flytekit.deck.renderer import SourceCodeRenderer as FkSource

    assert SourceCodeRenderer().to_html(source) == FkSource().to_html(source)


@pytest.mark.parametrize(
    ("rows", "max_rows", "max_cols"), [(3, 10, 100), (50, 10, 100), (5, 2, 1), (0, 10, 100)]
)
def test_top_frame_is_flytekits(flytekit: ModuleType, rows: int, max_rows: int, max_cols: int) -> None:
    pd = require("pandas")
    from flytekit.deck.renderer import TopFrameRenderer as FkTop

    df = pd.DataFrame({"name": [f"<n{i}>" for i in range(rows)], "age": list(range(rows))})
    assert TopFrameRenderer(max_rows, max_cols).to_html(df) == FkTop(max_rows, max_cols).to_html(df)


def test_arrow_shows_schema_and_first_rows_escaped() -> None:
    pa = require("pyarrow")
    table = pa.table({"id": list(range(25)), "name": [f"<b>{i}</b>" for i in range(25)]})
    html = ArrowRenderer().to_html(table)
    assert "25 rows, 2 columns" in html
    assert "id (int64)" in html and "name (string)" in html
    assert "&lt;b&gt;9&lt;/b&gt;" in html and "&lt;b&gt;10&lt;/b&gt;" not in html
    assert "15 more rows" in html
    assert "<b>" not in html


def test_renderers_refuse_the_wrong_value_clearly() -> None:
    with pytest.raises(TypeError, match=r"TopFrameRenderer.to_html expects a pandas.DataFrame, got list"):
        TopFrameRenderer().to_html([1, 2])
    with pytest.raises(TypeError, match=r"ArrowRenderer.to_html expects a pyarrow.Table, got dict"):
        ArrowRenderer().to_html({"a": 1})
    with pytest.raises(TypeError, match=r"MarkdownRenderer.to_html expects Markdown text"):
        MarkdownRenderer().to_html(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"SourceCodeRenderer.to_html expects source code"):
        SourceCodeRenderer().to_html(None)  # type: ignore[arg-type]


def test_dependencies_list_what_is_installed() -> None:
    html = PythonDependencyRenderer().to_html()
    assert "<td>flyweight</td>" in html
    assert re.search(r"flyweight==\d", html)
    assert "Copy as requirements.txt" in html
    assert not _URL.search(html)


def test_each_renderer_is_renderable() -> None:
    for r in (TopFrameRenderer(), ArrowRenderer(), MarkdownRenderer(), SourceCodeRenderer()):
        assert isinstance(r, Renderable)


def test_importing_the_deck_module_loads_no_optional_library() -> None:
    import subprocess

    code = (
        "import sys, flyweight.deck\n"
        "heavy = [m for m in ('pandas', 'pyarrow', 'markdown_it', 'pygments') if m in sys.modules]\n"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
