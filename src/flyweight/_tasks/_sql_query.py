"""SQL query templates read the way SQLite reads SQL: placeholders become bound parameters.

A query template names task inputs with ``{{.inputs.name}}``. flytekit splices ``str(value)`` into
the SQL text, so an input such as ``1; DROP TABLE tracks`` or ``' OR '1'='1`` becomes SQL. Here the
template is cut into SQLite's tokens once (string literals ``'...'`` with ``''`` escapes, quoted
names ``"..."``, ``[...]`` and backticks, ``--`` and ``/* */`` comments) and every placeholder becomes
a ``?`` parameter, so a value is always data:

- a bare placeholder (``limit {{.inputs.limit}}``) binds the value itself (an int stays an int);
- a quoted placeholder that is the whole literal (``'{{.inputs.name}}'``) binds the text flytekit
  would have put between the quotes, so queries written for flytekit port unchanged and return the
  same rows;
- a placeholder inside a longer literal (``'%{{.inputs.q}}%'``) becomes a concatenation,
  ``('%' || ? || '%')``, with the same text as the literal had;
- a placeholder where SQL needs a *name* (after ``FROM``/``JOIN``/``INTO``/``AS`` …, a whole
  ``ORDER BY`` term, a whole select-list item of a ``str`` input, a function name, inside a quoted
  name) cannot be a parameter and is refused when the task is defined, naming the placeholder;
- placeholders inside comments are checked (they must name inputs) but stay comment text.

Every input must appear in the query (flytekit fails each run otherwise; here the definition fails).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from flyweight._tasks._sql_tokens import (
    BAD,
    BLOB,
    COMMENT,
    LINE_COMMENT,
    PARAM,
    PH,
    PLACEHOLDER,
    PUNCT,
    QNAME,
    STRING,
    WORD,
    WS,
    Token,
    tokens,
)
from flyweight.errors import TaskDefinitionError, TypeTransformerFailedError

__all__ = ["ParameterizedQuery", "Slot", "SqlValue", "parameterize", "placeholder_names"]

SqlValue = typing.Union[int, float, str, bytes, None]
"""A value SQLite binds as it is."""

# flytekit's own pattern: its dots are unescaped, so it also takes ``{{ inputs.x }}`` and worse.
_FLYTEKIT_PATTERN = re.compile(r"{{\s*.inputs.(\w+)\s*}}", re.IGNORECASE)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A placeholder right after one of these words stands where SQL needs a name.
_NAME_AFTER = _words(
    "FROM JOIN INTO UPDATE TABLE INDEX VIEW TRIGGER AS PRAGMA COLLATE COLUMN TO EXISTS INDEXED"
)
# Words after which a placeholder is still an operand of an expression, not a whole item.
_OPERATOR_WORDS = _words("AND OR NOT IS IN LIKE GLOB MATCH REGEXP BETWEEN ESCAPE ISNULL NOTNULL COLLATE")
# The clause a word starts: what a placeholder after a comma in it is part of.
_CLAUSE = {
    "SELECT": "SELECT",
    "FROM": "FROM",
    "JOIN": "FROM",
    "SET": "SET",
    **dict.fromkeys(_words("WHERE ON HAVING LIMIT OFFSET VALUES RETURNING"), "EXPR"),
    **dict.fromkeys(_words("UNION EXCEPT INTERSECT"), ""),
}


class Slot(NamedTuple):
    """One ``?`` of a parameterized query: the input it takes and whether it stood inside quotes."""

    name: str
    quoted: bool


@dataclasses.dataclass(frozen=True)
class ParameterizedQuery:
    """A query template turned into SQL with ``?`` parameters (qmark style, as ``sqlite3`` takes them).

    Attributes:
        template: the query template it was made from.
        sql: the SQL text; every placeholder is a ``?`` (or a ``||`` concatenation inside a literal).
        slots: what each ``?`` takes, in order.
        names: every input the template mentions (comments included), in order of first mention.
    """

    template: str
    sql: str
    slots: tuple[Slot, ...]
    names: tuple[str, ...]
    pieces: tuple[str, ...] = ()

    def render(self, marker: Callable[[int], str], text: Callable[[str], str] = str) -> str:
        """The SQL for a driver whose parameters are not ``?``: the ``i``-th parameter written as
        ``marker(i)``, and every piece of SQL text between parameters passed through ``text`` (to escape
        what the driver's parameter syntax would misread, such as ``:`` for SQLAlchemy's ``text()``).

        Example:
            >>> pq = parameterize("select * from t where a = {{.inputs.a}} and b like '%{{.inputs.b}}'", "ab")
            >>> pq.render(lambda i: f":p{i}")
            "select * from t where a = :p0 and b like ('%' || :p1)"
        """
        pieces = self.pieces or (self.sql,)
        out = [text(pieces[0])]
        for i, piece in enumerate(pieces[1:]):
            out.append(marker(i))
            out.append(text(piece))
        return "".join(out)

    def parameters(self, values: Mapping[str, object], owner: str = "query") -> list[SqlValue]:
        """The values to bind, one per ``?``, converted to what SQLite stores.

        A bare placeholder binds ``None``, ``int`` (``bool`` as 0/1), ``float``, ``str`` and ``bytes``
        as they are, enums by value, dates and times and decimals as their text. A quoted
        placeholder binds the text that flytekit would have spliced between the quotes.

        Raises:
            TypeTransformerFailedError: a value is missing or cannot be bound (a list, a dict …).
        """
        out: list[SqlValue] = []
        for slot in self.slots:
            if slot.name not in values:
                raise TypeTransformerFailedError(
                    f"{owner}: the query uses {{{{.inputs.{slot.name}}}}} but no value came for it "
                    f"(values came for: {', '.join(sorted(values)) or 'nothing'})"
                )
            out.append(_bindable(values[slot.name], slot.quoted, owner, slot.name))
        return out


def _bindable(value: object, quoted: bool, owner: str, name: str) -> SqlValue:
    if isinstance(value, enum.Enum):
        value = value.value
    if quoted:
        return str(value)
    if value is None or isinstance(value, int | float | str | bytes):
        return int(value) if isinstance(value, bool) else value
    if isinstance(value, datetime.date | datetime.time | decimal.Decimal):
        return str(value)
    raise TypeTransformerFailedError(
        f"{owner}: input {name!r} is a {type(value).__name__}, which SQLite cannot bind as a parameter; "
        "it binds int, float, str, bytes, bool, None, enums, dates and times"
    )


def placeholder_names(query: str) -> list[str]:
    """Input names of the ``{{.inputs.name}}`` placeholders in ``query``, in order of first mention."""
    seen: dict[str, None] = {}
    for m in PLACEHOLDER.finditer(query):
        seen.setdefault(m.group(1), None)
    return list(seen)


def _snippet(q: str, start: int, end: int) -> str:
    left = max(0, start - 60)
    right = min(len(q), end + 60)
    return ("…" if left else "") + q[left:right] + ("…" if right < len(q) else "")


class _Fail:
    def __init__(self, query: str, owner: str) -> None:
        self.query = query
        self.owner = owner

    def __call__(self, tok: Token, what: str, fix: str = "") -> TaskDefinitionError:
        where = _snippet(self.query, tok.start, tok.end)
        tail = f"; {fix}" if fix else ""
        return TaskDefinitionError(f"{self.owner}: {what}{tail} (query at: {where})")


def parameterize(
    query: str,
    inputs: Mapping[str, Any] | Iterable[str],
    owner: str = "query",
) -> ParameterizedQuery:
    """Turn a query template into SQL with bound parameters, checking every placeholder.

    Args:
        query: the (sanitized) query template.
        inputs: the task's inputs: names, or name → Python type. With types, a whole select-list item
            made of a ``str`` input is refused too (flytekit would splice it in as a column).
        owner: who the query belongs to, for messages (``"task 'x'"``).

    Raises:
        TaskDefinitionError: a placeholder names no input, stands where SQL needs a name, is
            malformed or is inside a quoted name; an input is never used; the text has its own
            parameters (``?``, ``:x``), an unterminated literal, or more than one statement.

    Example:
        >>> pq = parameterize("select * from t where a = {{.inputs.a}} and b = '{{.inputs.b}}'", ["a", "b"])
        >>> pq.sql
        'select * from t where a = ? and b = ?'
        >>> pq.parameters({"a": 1, "b": 2})
        [1, '2']
    """
    declared: Mapping[str, Any] = inputs if isinstance(inputs, Mapping) else dict.fromkeys(inputs)
    fail = _Fail(query, owner)
    toks = list(tokens(query))
    sig = [t for t in toks if t.kind not in (WS, COMMENT, LINE_COMMENT)]
    checks = _PositionCheck(sig, declared, fail)
    sql: list[str | None] = []  # None: a parameter
    slots: list[Slot] = []
    mentioned: dict[str, None] = {}

    def mention(name: str, tok: Token) -> None:
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise fail(
                tok,
                f"the placeholder {{{{.inputs.{name}}}}} names no input of the task (inputs: {known})",
                f"declare it in inputs=kwtypes({name}=...) or fix its name",
            )
        mentioned.setdefault(name, None)

    for tok in toks:
        if tok.kind == BAD:
            if tok.text.startswith("{{"):
                raise fail(tok, f"{tok.text!r} is not a placeholder", "write {{.inputs.<name>}}")
            raise fail(tok, f"{tok.name} starts", "close it")
        if tok.kind == PARAM:
            raise fail(
                tok,
                f"the query has its own parameter {tok.text!r}",
                "refer to task inputs as {{.inputs.<name>}}; they are bound as parameters",
            )
        if tok.kind in (COMMENT, LINE_COMMENT):
            for m in PLACEHOLDER.finditer(tok.text):
                mention(m.group(1), tok)
            sql.append(tok.text)
        elif tok.kind == PH:
            mention(tok.name, tok)
            checks.check(tok)
            slots.append(Slot(tok.name, False))
            sql.append(None)
        elif tok.kind in (QNAME, BLOB):
            inside = PLACEHOLDER.search(tok.text) or _FLYTEKIT_PATTERN.search(tok.text)
            if inside:
                kind = "a quoted name" if tok.kind == QNAME else "a blob literal"
                raise fail(
                    tok,
                    f"{inside.group(0)} is inside {kind}, which cannot be a parameter",
                    "for a text value write '{{.inputs.<name>}}' in single quotes; names cannot be inputs",
                )
            sql.append(tok.text)
        elif tok.kind == STRING:
            sql.extend(_string(tok, slots, mention, fail))
        else:
            sql.append(tok.text)
    unused = [n for n in declared if n not in mentioned]
    if unused:
        raise TaskDefinitionError(
            f"{owner}: the query never uses the input(s) {', '.join(unused)} (query: {query}); "
            "refer to each as {{.inputs.<name>}} or remove it from inputs"
        )
    pieces: list[str] = [""]
    for part in sql:
        if part is None:
            pieces.append("")
        else:
            pieces[-1] += part
    return ParameterizedQuery(query, "?".join(pieces), tuple(slots), tuple(mentioned), tuple(pieces))


def _string(
    tok: Token, slots: list[Slot], mention: Callable[[str, Token], None], fail: _Fail
) -> list[str | None]:
    """The literal's SQL: its text, or a concatenation of its pieces and parameters (None)."""
    body = tok.text[1:-1]
    for m in _FLYTEKIT_PATTERN.finditer(body):
        if not PLACEHOLDER.fullmatch(m.group(0)):
            raise fail(tok, f"{m.group(0)!r} is not a placeholder", "write {{.inputs.<name>}}")
    found = list(PLACEHOLDER.finditer(body))
    if not found:
        return [tok.text]
    parts: list[str | None] = []
    at = 0
    for m in found:
        mention(m.group(1), tok)
        if m.start() > at:
            parts.append(f"'{body[at : m.start()]}'")
        parts.append(None)
        slots.append(Slot(m.group(1), True))
        at = m.end()
    if at < len(body):
        parts.append(f"'{body[at:]}'")
    if len(parts) == 1:
        return parts
    out: list[str | None] = ["("]
    for i, part in enumerate(parts):
        if i:
            out.append(" || ")
        out.append(part)
    out.append(")")
    return out


class _PositionCheck:
    """Where each placeholder stands among the significant tokens, and whether a value can go there."""

    def __init__(self, sig: list[Token], declared: Mapping[str, Any], fail: _Fail) -> None:
        self.sig = sig
        self.types = declared
        self.fail = fail
        self.clause_at: dict[int, str] = {}
        self.index: dict[int, int] = {}
        stack = [""]
        prev_word = ""
        statements = 0
        for i, t in enumerate(sig):
            self.index[t.start] = i
            self.clause_at[t.start] = stack[-1]
            if t.kind == PUNCT and t.text == "(":
                stack.append("")
            elif t.kind == PUNCT and t.text == ")" and len(stack) > 1:
                stack.pop()
            elif t.kind == PUNCT and t.text == ";":
                stack = [""]
                statements += 1
            elif t.kind == WORD:
                word = t.text.upper()
                if word == "BY" and prev_word in ("ORDER", "GROUP", "PARTITION"):
                    stack[-1] = "BY"
                elif word in _CLAUSE:
                    stack[-1] = _CLAUSE[word]
                prev_word = word
            if statements and t.text != ";":
                raise fail(t, "a second statement starts", "a task runs one SQL statement")

    def check(self, tok: Token) -> None:
        i = self.index[tok.start]
        prev = self.sig[i - 1] if i > 0 else None
        nxt = self.sig[i + 1] if i + 1 < len(self.sig) else None
        ph = tok.text
        for other in (prev, nxt):
            if other is not None and other.kind in (WORD, QNAME, STRING, BLOB, PH) and _touches(tok, other):
                raise self.fail(
                    tok,
                    f"{ph} is joined to {other.text!r} without a space",
                    "a parameter is a whole value; build text with || and write names in full",
                )
        clause = self.clause_at.get(tok.start, "")
        name_reason = _needs_name(prev, nxt, clause)
        if name_reason:
            raise self.fail(
                tok,
                f"{ph} stands where SQL needs a name ({name_reason}); SQLite binds values only, "
                "never table, column, alias or type names",
                "write the name in the query (choose between fixed queries in the workflow if it varies)",
            )
        whole = _ends_item(nxt)
        if clause == "BY" and whole and _starts_item(prev, ("BY",)):
            raise self.fail(
                tok,
                f"{ph} is a whole ORDER BY / GROUP BY term; a parameter there is a constant, so nothing "
                "would be sorted or grouped (flytekit spliced in a column name or position)",
                "write the column in the query",
            )
        if (
            clause == "SELECT"
            and whole
            and _starts_item(prev, ("SELECT", "DISTINCT", "ALL"))
            and _is_text(self.types.get(tok.name))
        ):
            raise self.fail(
                tok,
                f"{ph} is a whole select-list item of a str input; flytekit spliced it in as a column or "
                "expression, a parameter selects the text itself",
                "name the columns in the query, or write ({{.inputs.<name>}}) to select the value",
            )


def _needs_name(prev: Token | None, nxt: Token | None, clause: str) -> str:
    """Why a placeholder between ``prev`` and ``nxt`` in ``clause`` stands for a name ("" if it does not)."""
    if prev is not None and prev.kind == WORD and prev.text.upper() in _NAME_AFTER:
        return f"after {prev.text.upper()}"
    if prev is not None and prev.kind == PUNCT and prev.text == ".":
        return "after a '.'"
    if nxt is not None and nxt.kind == PUNCT and nxt.text in ".(":
        return "before a '.'" if nxt.text == "." else "a function name"
    if clause == "FROM" and prev is not None and prev.text == ",":
        return "in the FROM list"
    if clause == "SET" and _starts_item(prev, ("SET",)) and nxt is not None and nxt.text == "=":
        return "a column assigned by SET"
    return ""


def _is_text(tp: Any) -> bool:
    """``str``, ``Optional[str]`` or ``Annotated[str, ...]``."""
    if tp is str:
        return True
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _is_text(typing.get_args(tp)[0])
    if origin is typing.Union or isinstance(tp, types.UnionType):
        return [a for a in typing.get_args(tp) if a is not type(None)] == [str]
    return False


def _touches(tok: Token, other: Token) -> bool:
    return other.end == tok.start if other.start < tok.start else tok.end == other.start


def _starts_item(prev: Token | None, words: tuple[str, ...]) -> bool:
    if prev is None:
        return False
    if prev.kind == PUNCT and prev.text == ",":
        return True
    return prev.kind == WORD and prev.text.upper() in words


def _ends_item(nxt: Token | None) -> bool:
    if nxt is None:
        return True
    if nxt.kind == PUNCT:
        return nxt.text in ",);"
    if nxt.kind == WORD:
        return nxt.text.upper() not in _OPERATOR_WORDS
    return False
