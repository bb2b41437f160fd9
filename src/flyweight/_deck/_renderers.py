"""Renderers: values → HTML for decks (flytekit 1.16.14's ``flytekit.deck.renderer``).

Each imports its library when it renders, never before: pandas for :class:`TopFrameRenderer`, pyarrow for
:class:`ArrowRenderer`, markdown-it for :class:`MarkdownRenderer`, Pygments for :class:`SourceCodeRenderer`
(the last two come with ``rich``, a dependency). What they produce loads nothing from the network.
"""

from __future__ import annotations

import functools
import html as _html
import os
import sys
from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "DEFAULT_MAX_COLS",
    "DEFAULT_MAX_ROWS",
    "ArrowRenderer",
    "MarkdownRenderer",
    "PythonDependencyRenderer",
    "Renderable",
    "SourceCodeRenderer",
    "TopFrameRenderer",
    "html_table",
]

DEFAULT_MAX_ROWS = 10
DEFAULT_MAX_COLS = 100


@runtime_checkable
class Renderable(Protocol):
    """Anything with ``to_html(value) -> str``: a renderer (also in ``Annotated[T, renderer]``)."""

    def to_html(self, python_value: Any) -> str: ...


def _expect(renderer: str, what: str, value: object) -> TypeError:
    return TypeError(f"{renderer}.to_html expects {what}, got {type(value).__name__}")


def html_table(header: Sequence[str], rows: Iterable[Sequence[object]], css_class: str = "fw-table") -> str:
    """An HTML table of ``rows`` under ``header``, every cell escaped (``None`` shown as an empty cell)."""
    head = "".join(f"<th>{_html.escape(str(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{'' if c is None else _html.escape(str(c))}</td>" for c in row) + "</tr>"
        for row in rows
    )
    return f'<table class="{css_class}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


class TopFrameRenderer:
    """A pandas DataFrame as an HTML table of its first ``max_rows`` rows and ``max_cols`` columns."""

    def __init__(self, max_rows: int = DEFAULT_MAX_ROWS, max_cols: int = DEFAULT_MAX_COLS) -> None:
        self._max_rows = max_rows
        self._max_cols = max_cols

    def to_html(self, df: Any) -> str:
        import pandas

        if not isinstance(df, pandas.DataFrame):
            raise _expect("TopFrameRenderer", "a pandas.DataFrame", df)
        return str(df.to_html(max_rows=self._max_rows, max_cols=self._max_cols))


class ArrowRenderer:
    """A pyarrow Table: its schema and first ``max_rows`` rows as an HTML table.

    flytekit's returns ``table.to_string()`` as bare text, which a browser runs together into one line.
    """

    def __init__(self, max_rows: int = DEFAULT_MAX_ROWS) -> None:
        self._max_rows = max_rows

    def to_html(self, df: Any) -> str:
        import pyarrow

        if not isinstance(df, pyarrow.Table):
            raise _expect("ArrowRenderer", "a pyarrow.Table", df)
        head = df.slice(0, self._max_rows).to_pylist()
        names = list(df.column_names)
        table = html_table(
            [f"{n} ({t})" for n, t in zip(names, df.schema.types, strict=True)],
            ([row.get(n) for n in names] for row in head),
        )
        more = df.num_rows - len(head)
        tail = f"<p>… {more} more row{'s' if more != 1 else ''}</p>" if more > 0 else ""
        return f"<p>{df.num_rows} rows, {df.num_columns} columns</p>{table}{tail}"


class MarkdownRenderer:
    """Markdown text → HTML (CommonMark, by markdown-it, as flytekit's)."""

    def to_html(self, text: str) -> str:
        if not isinstance(text, str):
            raise _expect("MarkdownRenderer", "Markdown text (a str)", text)
        from markdown_it import MarkdownIt

        return str(MarkdownIt().render(text))


class SourceCodeRenderer:
    """Python source → highlighted HTML with its style sheet (Pygments' ``colorful`` style, as flytekit's)."""

    def __init__(self, title: str = "Source Code") -> None:
        self._title = title

    def to_html(self, source_code: str) -> str:
        if not isinstance(source_code, str):
            raise _expect("SourceCodeRenderer", "source code (a str)", source_code)
        from pygments import highlight
        from pygments.formatters.html import HtmlFormatter
        from pygments.lexers.python import PythonLexer

        formatter = HtmlFormatter(style="colorful")
        css = formatter.get_style_defs(".highlight").replace("#fff0f0", "#ffffff")
        return f"<style>{css}</style>{highlight(source_code, PythonLexer(), formatter)}"


_COPY_SCRIPT = (
    "<script>function fwCopyRequirements(b){var t=b.parentNode.querySelector('.fw-requirements').textContent;"
    "if(navigator.clipboard){navigator.clipboard.writeText(t).catch(function(){});}}</script>"
)


@functools.cache
def installed_distributions() -> list[tuple[str, str]]:
    """``(name, version)`` of each distribution on ``sys.path`` (the first of a name wins, as for imports),
    read from the names of the ``.dist-info`` and ``.egg-info`` directories: no metadata file is parsed,
    so this takes milliseconds where ``importlib.metadata`` takes a large part of a second."""
    found: dict[str, tuple[str, str]] = {}
    for entry in sys.path:
        try:
            names = [e.name for e in os.scandir(entry or ".") if e.is_dir()]
        except OSError:
            continue
        for dirname in names:
            stem, dot, suffix = dirname.rpartition(".")
            if not dot or suffix not in ("dist-info", "egg-info"):
                continue
            name, _, version = stem.partition("-")
            version = version.split("-", 1)[0]
            key = name.lower().replace("_", "-").replace(".", "-")
            if name and key not in found:
                found[key] = (name.replace("_", "-"), version or "?")
    return sorted(found.values(), key=lambda nv: nv[0].lower())


class PythonDependencyRenderer:
    """The Python distributions installed where the task runs, with a button copying them as
    ``requirements.txt``.

    flytekit's runs ``pip list`` and ``pip freeze`` (two subprocesses, about a second); this reads the
    names of the installed distributions' metadata directories, once per process.
    """

    def __init__(self, title: str = "Dependencies") -> None:
        self._title = title

    def to_html(self) -> str:
        ordered = installed_distributions()
        requirements = "\n".join(f"{n}=={v}" for n, v in ordered)
        return (
            '<div class="fw-dependencies">'
            '<button type="button" onclick="fwCopyRequirements(this)">Copy as requirements.txt</button>'
            f"<h3>Python dependencies ({len(ordered)})</h3>"
            f"{html_table(['Name', 'Version'], ordered)}"
            f'<pre class="fw-requirements" hidden>{_html.escape(requirements)}</pre>'
            f"{_COPY_SCRIPT}</div>"
        )
