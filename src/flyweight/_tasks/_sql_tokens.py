"""SQL text cut into tokens the way SQLite cuts it, with ``{{.inputs.name}}`` placeholders as tokens.

Both the template's whitespace normalisation and the placeholder binding of
:mod:`flyweight._tasks._sql_query` need to know what is code, what is a string literal, a quoted name
or a comment; a regular expression over the whole text cannot tell (flytekit's cannot: it rewrites
whitespace inside literals and interpolates inside them blindly).

Rules followed (SQLite's): ``'...'`` is a string literal with ``''`` as an escaped quote, ``x'..'`` a
blob; ``"..."`` (``""`` escape), backticks and ``[...]`` are quoted names; ``--`` runs to the end of
the line and ``/* */`` to its end (or the end of the text); ``?``, ``:name``, ``@name`` and ``$name``
are SQLite's own parameters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

__all__ = [
    "BAD",
    "BLOB",
    "COMMENT",
    "LINE_COMMENT",
    "PARAM",
    "PH",
    "PLACEHOLDER",
    "PUNCT",
    "QNAME",
    "STRING",
    "WORD",
    "WS",
    "Token",
    "sanitize_query",
    "tokens",
]

PLACEHOLDER = re.compile(r"\{\{\s*\.inputs\.(\w+)\s*\}\}", re.IGNORECASE)
"""``{{.inputs.name}}`` (spaces inside the braces allowed; ``inputs`` in any case)."""

WS, COMMENT, LINE_COMMENT, STRING, BLOB, QNAME, PH, BAD, PARAM, WORD, PUNCT = range(11)
"""Token kinds. ``BAD``: an unterminated literal or name (to the end of the text), or ``{{`` that is
not a placeholder."""


class Token(NamedTuple):
    """One token: its kind, its exact text, where it starts in the query, and (for ``PH``) the input
    name; for ``BAD`` what is wrong."""

    kind: int
    text: str
    start: int
    name: str = ""

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _is_name_char(c: str) -> bool:
    return c.isalnum() or c in "_$" or (ord(c) > 127 and not c.isspace())


def _close_quote(q: str, i: int, quote: str) -> int:
    """Index just past the quoted token starting at ``i`` (a doubled quote is an escape); -1 if open."""
    j = i + 1
    while True:
        k = q.find(quote, j)
        if k < 0:
            return -1
        if quote != "]" and q.startswith(quote * 2, k):
            j = k + 2
            continue
        return k + 1


def _run(q: str, i: int) -> int:
    j = i + 1
    while j < len(q) and _is_name_char(q[j]):
        j += 1
    return j


def tokens(q: str) -> Iterator[Token]:
    """SQLite's tokens of ``q``, whitespace and comments included, so their texts add up to ``q``.

    Example:
        >>> [t.text for t in tokens("select 'a b' -- c")]
        ['select', ' ', "'a b'", ' ', '-- c']
    """
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace():
            j = i + 1
            while j < n and q[j].isspace():
                j += 1
            yield Token(WS, q[i:j], i)
        elif q.startswith("--", i):
            j = q.find("\n", i)
            j = n if j < 0 else j
            yield Token(LINE_COMMENT, q[i:j], i)
        elif q.startswith("/*", i):
            j = q.find("*/", i + 2)
            j = n if j < 0 else j + 2
            yield Token(COMMENT, q[i:j], i)
        elif c in "'\"`[":
            j = _close_quote(q, i, "]" if c == "[" else c)
            if j < 0:
                what = "string literal" if c == "'" else "quoted name"
                yield Token(BAD, q[i:], i, f"an unterminated {what}")
                return
            kind = STRING if c == "'" else QNAME
            if c == "'" and i > 0 and q[i - 1] in "xX" and (i < 2 or not _is_name_char(q[i - 2])):
                kind = BLOB
            yield Token(kind, q[i:j], i)
        elif q.startswith("{{", i):
            m = PLACEHOLDER.match(q, i)
            if m:
                j = m.end()
                yield Token(PH, m.group(0), i, m.group(1))
            else:
                k = q.find("}}", i + 2)
                j = n if k < 0 else k + 2
                yield Token(BAD, q[i:j], i, "a malformed placeholder")
        elif c == "?" or (c in ":@$" and i + 1 < n and _is_name_char(q[i + 1])):
            j = _run(q, i)
            yield Token(PARAM, q[i:j], i)
        elif _is_name_char(c):
            j = _run(q, i)
            yield Token(WORD, q[i:j], i)
        else:
            j = i + 1
            yield Token(PUNCT, c, i)
        i = j


_WHITESPACE = re.compile(r"\s+")


def sanitize_query(query: str) -> str:
    """``query`` on one line, as flytekit stores it, except inside string literals and quoted names.

    Whitespace runs become one space and the ends are stripped; the end of a ``--`` comment stays a
    newline (joining the next line into the comment would comment it out). Text that does not
    tokenize (from an unterminated literal on) is kept as it is.

    Example:
        >>> sanitize_query("select *\\n   from tracks\\n where Name = 'a   b'\\n")
        "select * from tracks where Name = 'a   b'"
    """
    out: list[str] = []
    after_line_comment = False
    for tok in tokens(query):
        if tok.kind == WS:
            out.append("\n" if after_line_comment else " ")
        elif tok.kind in (STRING, BLOB, QNAME) or (tok.kind == BAD and tok.text[:1] in "'\"`["):
            out.append(tok.text)
        else:
            out.append(_WHITESPACE.sub(" ", tok.text))
        after_line_comment = tok.kind == LINE_COMMENT
    return "".join(out).strip()
