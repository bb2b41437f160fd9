"""What a task function's docstring says: a summary, a long text, and words about each input and output.

Flyte shows these: the summary and long description go into the registration form
(``TaskSpec.description``), and each interface variable's ``description`` is the docstring's text for
that input or output (its own name when the docstring says nothing about it). flytekit reads docstrings
written in any of four styles (reST ``:param x:``, Google ``Args:``, numpydoc ``Parameters`` with a
dashed underline, epydoc ``@param x:``), parses the text in each style and keeps the reading that found
the most fields, the earlier style on a tie. This module reads docstrings the same way, so the same
function gives the same descriptions, byte for byte, in both SDKs. A style that cannot make sense of a
docstring is skipped; when none can, the docstring still gives its summary, and no variable descriptions.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
from collections.abc import Callable, Iterator

__all__ = ["Docstring", "parse_docstring"]

PARAM = "param"
RETURNS = "returns"
OTHER = "other"

# (kind, name, description): one field the docstring declares. Only params and returns are used, but
# every field counts when the styles are compared.
_Field = tuple[str, "str | None", "str | None"]

_PARAM_KEYS = frozenset({"param", "parameter", "arg", "argument", "attribute", "key", "keyword"})
_RAISES_KEYS = frozenset({"raises", "raise", "except", "exception"})
_RETURNS_KEYS = frozenset({"return", "returns", "yield", "yields"})


# Patterns are compiled on first use: most processes that import tasks never read a docstring.
_rx = functools.cache(re.compile)


class _Unreadable(Exception):
    """The docstring is not written in the style being tried."""


@dataclasses.dataclass(frozen=True)
class Docstring:
    """The parts of a docstring a task's interface and documentation use.

    Attributes:
        short_description: the first line, or None.
        long_description: the text between the first line and the first field section, or None.
        input_descriptions: parameter name → its description (None when the docstring names it without
            saying anything).
        output_descriptions: returned value name (None for an unnamed one) → its description.
    """

    short_description: str | None = None
    long_description: str | None = None
    input_descriptions: dict[str, str | None] = dataclasses.field(default_factory=dict)
    output_descriptions: dict[str | None, str | None] = dataclasses.field(default_factory=dict)


def parse_docstring(text: str | None) -> Docstring:
    """Read ``text`` in the style that finds the most fields (ties go to reST, Google, numpydoc, epydoc).

    Example:
        >>> d = parse_docstring('''Add one.
        ...
        ...     Args:
        ...         x: the number
        ...     Returns:
        ...         x plus one
        ...     ''')
        >>> d.short_description, d.input_descriptions, d.output_descriptions
        ('Add one.', {'x': 'the number'}, {None: 'x plus one'})
    """
    if not text:
        return Docstring()
    best: tuple[str | None, str | None, list[_Field]] | None = None
    for style in (_rest, _google, _numpydoc, _epydoc):
        try:
            found = style(inspect.cleandoc(text))
        except _Unreadable:
            continue
        if best is None or len(found[2]) > len(best[2]):
            best = found
    if best is None:  # no style reads it: keep the summary, as the descriptions need no fields
        short, long = _summary(inspect.cleandoc(text))
        return Docstring(short, long)
    short, long, fields = best
    inputs = {name: desc for kind, name, desc in fields if kind == PARAM and name is not None}
    outputs = {name: desc for kind, name, desc in fields if kind == RETURNS}
    return Docstring(short, long, inputs, outputs)


def _summary(desc_chunk: str) -> tuple[str | None, str | None]:
    first, _, rest = desc_chunk.partition("\n")
    return first or None, rest.strip() or None


def _split(text: str, start: re.Match[str] | None) -> tuple[str | None, str | None, str]:
    """Summary, long description, and the text from the first field on."""
    if start is None:
        return (*_summary(text), "")
    return (*_summary(text[: start.start()]), text[start.start() :])


def _join_continuation(desc: str) -> str:
    """A field's text: its first line as written, later lines with their common indent removed."""
    if "\n" in desc:
        first, rest = desc.split("\n", 1)
        return first + "\n" + inspect.cleandoc(rest)
    return desc


def _clean(text: str) -> str | None:
    return text.strip() or None


# -- reST: ":param x: text", ":returns: text" -----------------------------------------------------------

_REST_FIELD = r"(^:.*?)(?=^:|\Z)"


def _rest(text: str) -> tuple[str | None, str | None, list[_Field]]:
    short, long, meta = _split(text, re.search("^:", text, re.M))
    fields: list[_Field] = []
    rtypes: list[str | None] = []
    for m in _rx(_REST_FIELD, re.S | re.M).finditer(meta):
        chunk = m.group(0)
        if not chunk:
            continue
        head, sep, body = chunk.lstrip(":").partition(":")
        if not sep:
            raise _Unreadable
        args = head.split()
        desc = _join_continuation(body.strip())
        if len(args) == 2 and args[0] == "type":
            continue
        if len(args) in (1, 2) and args[0] == "rtype":
            name = None if len(args) == 1 else args[1]
            if name not in rtypes:
                rtypes.append(name)
            continue
        if not args:
            raise _Unreadable
        key = args[0]
        if key in _PARAM_KEYS:
            if len(args) not in (2, 3):
                raise _Unreadable
            fields.append((PARAM, args[-1], desc))
        elif key in _RETURNS_KEYS:
            if len(args) > 2:
                raise _Unreadable
            fields.append((RETURNS, None, desc))
        elif key in _RAISES_KEYS and len(args) > 2:
            raise _Unreadable
        else:
            fields.append((OTHER, None, desc))
    if rtypes and not any(kind == RETURNS for kind, _, _ in fields):
        fields.extend((RETURNS, name, None) for name in rtypes)
    return short, long, fields


# -- Google: "Args:" / "Returns:" sections of indented entries ------------------------------------------

# title → (key, how entries are read: "many" for one entry per line, "one" for one block, "either")
_GOOGLE_SECTIONS = {
    "Arguments": (PARAM, "many"),
    "Args": (PARAM, "many"),
    "Parameters": (PARAM, "many"),
    "Params": (PARAM, "many"),
    "Raises": (OTHER, "many"),
    "Exceptions": (OTHER, "many"),
    "Except": (OTHER, "many"),
    "Attributes": (PARAM, "many"),
    "Example": (OTHER, "one"),
    "Examples": (OTHER, "one"),
    "Returns": (RETURNS, "either"),
    "Yields": (RETURNS, "either"),
}
_GOOGLE_TITLE = "^(" + "|".join(f"({t})" for t in _GOOGLE_SECTIONS) + "):[ \t\r\f\v]*$"
_GOOGLE_TYPED_ARG = r"\s*(.+?)\s*\(\s*(.*[^\s]+)\s*\)"
_GOOGLE_MANY = r"(\s*[^:\s]+:)|([^:]*\]:.*)"


def _google(text: str) -> tuple[str | None, str | None, list[_Field]]:
    short, long, meta = _split(text, _rx(_GOOGLE_TITLE, re.M).search(text))
    titles = list(_rx(_GOOGLE_TITLE, re.M).finditer(meta))
    chunks: dict[str, str] = {}
    for i, m in enumerate(titles):
        end = titles[i + 1].start() if i + 1 < len(titles) else len(meta)
        body = meta[m.end() : end]
        unindented = re.search(r"\n\S", body)  # text back at the margin ends the section
        if unindented is not None:
            body = body[: unindented.start()]
        chunks[m.group(1)] = body.strip("\n")
    fields: list[_Field] = []
    for title, chunk in chunks.items():
        kind, entries = _GOOGLE_SECTIONS[title]
        if entries != "many":
            fields.append(_google_entry(inspect.cleandoc(chunk), kind, entries))
            continue
        indent = re.match(r"\s*", chunk).group()  # type: ignore[union-attr]  # always matches
        starts = list(re.finditer("^" + indent + r"(?=\S)", chunk, re.M))
        if not starts:
            raise _Unreadable
        for i, m in enumerate(starts):
            end = starts[i + 1].start() if i + 1 < len(starts) else len(chunk)
            fields.append(_google_entry(chunk[m.end() : end].strip("\n"), kind, entries))
    return short, long, fields


def _google_entry(text: str, kind: str, entries: str) -> _Field:
    if entries == "one" or (entries == "either" and not _rx(_GOOGLE_MANY).match(text)):
        return (kind, None, text)
    before, sep, desc = text.partition(":")
    if not sep:
        raise _Unreadable
    if before and "\n" in before:
        first, rest = before.split("\n", 1)
        before = first + inspect.cleandoc(rest)
    if desc:
        desc = _join_continuation(desc[1:] if desc[0] == " " else desc).strip("\n")
    if kind == PARAM:
        typed = _rx(_GOOGLE_TYPED_ARG).match(before)
        return (PARAM, typed.group(1) if typed else before, desc)
    return (kind, None, desc)


# -- numpydoc: "Parameters" underlined with dashes, "name : type" entries ------------------------------

# title → key; params, returns and the sections read as key/value entries
_NUMPY_SECTIONS = {
    "Parameters": PARAM,
    "Params": PARAM,
    "Arguments": PARAM,
    "Args": PARAM,
    "Other Parameters": PARAM,
    "Other Params": PARAM,
    "Other Arguments": PARAM,
    "Other Args": PARAM,
    "Receives": PARAM,
    "Receive": PARAM,
    "Raises": "kv",
    "Raise": "kv",
    "Warns": "kv",
    "Warn": "kv",
    "Attributes": PARAM,
    "Attribute": PARAM,
    "Returns": RETURNS,
    "Return": RETURNS,
    "Yields": RETURNS,
    "Yield": RETURNS,
    "Examples": "examples",
    "Example": "examples",
    "Warnings": OTHER,
    "Warning": OTHER,
    "See Also": OTHER,
    "Related": OTHER,
    "Notes": OTHER,
    "Note": OTHER,
    "References": OTHER,
    "Reference": OTHER,
    "deprecated": "deprecated",
}
_NUMPY_TITLE = "|".join(
    rf"^\.\.\s*({t})\s*::" if key == "deprecated" else rf"^({t})\s*?\n{'-' * len(t)}\s*$"
    for t, key in _NUMPY_SECTIONS.items()
)
_NUMPY_KEY = r"^[^\s].*$"
_NUMPY_PARAM = r"^(?P<name>.*?)(?:\s*:\s*(?P<type>.*?))?$"
_NUMPY_RETURN = r"^(?:(?P<name>.*?)\s*:\s*)?(?P<type>.*?)$"


def _numpydoc(text: str) -> tuple[str | None, str | None, list[_Field]]:
    short, long, meta = _split(text, _rx(_NUMPY_TITLE, re.M).search(text))
    titles = list(_rx(_NUMPY_TITLE, re.M).finditer(meta))
    fields: list[_Field] = []
    for i, m in enumerate(titles):
        title = next(g for g in m.groups() if g is not None)
        end = titles[i + 1].start() if i + 1 < len(titles) else len(meta)
        fields.extend(_numpy_section(_NUMPY_SECTIONS[title], meta[m.end() : end]))
    return short, long, fields


def _numpy_section(key: str, body: str) -> Iterator[_Field]:
    if key in (OTHER, "deprecated"):
        yield (OTHER, None, _clean(body))
    elif key == "examples":
        yield from ((OTHER, None, None) for _ in _example_groups(body))
    else:
        keys = list(_rx(_NUMPY_KEY, re.M).finditer(body))
        for i, m in enumerate(keys):
            end = keys[i + 1].start() if i + 1 < len(keys) else len(body)
            desc = _clean(inspect.cleandoc(body[m.end() : end]))
            if key == PARAM:
                named = _rx(_NUMPY_PARAM).match(m.group())
                yield (PARAM, named.group("name") if named else None, desc)
            elif key == RETURNS:
                named = _rx(_NUMPY_RETURN).match(m.group())
                yield (RETURNS, named.group("name") if named else None, desc)
            else:
                yield (OTHER, None, desc)


def _example_groups(body: str) -> Iterator[None]:
    """One item per run of ``>>>`` lines and the text that follows it."""
    import textwrap

    lines = textwrap.dedent(body).strip().splitlines()
    i = 0
    while i < len(lines):
        while i < len(lines) and lines[i].startswith(">>>"):
            i += 1
        while i < len(lines) and not lines[i].startswith(">>>"):
            i += 1
        yield None


# -- epydoc: "@param x: text", "@return: text" ---------------------------------------------------------

_EPY_FIELD = r"(^@.*?)(?=^@|\Z)"
_EPY_PARAM = r"(param|keyword|type)(\s+[_A-z][_A-z0-9]*\??):"
_EPY_ATTRIBUTE = r"(ivar|cvar|var)(\s+[_A-z][_A-z0-9]*\??):"
_EPY_RAISE = r"(raise)(\s+[_A-z][_A-z0-9]*\??)?:"
_EPY_RETURN = r"(return|rtype|yield|ytype):"
_EPY_OTHER = r"([_A-z][_A-z0-9]+)((\s+[_A-z][_A-z0-9]*\??)*):"
_EPY_RESERVED = frozenset(
    {"param", "ivar", "cvar", "var", "keyword", "type", "return", "rtype", "yield", "ytype"}
)


def _epydoc(text: str) -> tuple[str | None, str | None, list[_Field]]:
    short, long, meta = _split(text, re.search("^@", text, re.M))
    stream: list[tuple[str, str, str | None, str]] = []  # (base, key, name, description)
    for m in _rx(_EPY_FIELD, re.S | re.M).finditer(meta):
        chunk = m.group(0)
        if not chunk:
            continue
        found = _epy_match(chunk)
        if found is None:
            raise _Unreadable
        base, hit = found
        key = hit.group(1)
        name: str | None = None
        if base in (PARAM, "attribute") or (base == "raise" and hit.group(2) is not None):
            name = hit.group(2).strip()
        elif base == "meta" and key in _EPY_RESERVED:
            raise _Unreadable
        stream.append((base, key, name, _join_continuation(chunk[hit.end() :].strip())))
    described: dict[str, dict[str, object]] = {}
    for base, key, name, desc in stream:
        if base not in (PARAM, "attribute", "return"):
            continue
        info = described.setdefault(name or "return", {})
        info["type" if "type" in key else "description"] = desc
        if base == "return":
            generator = key in ("ytype", "yield")
            if info.setdefault("generator", generator) != generator:
                raise _Unreadable
    done: set[str] = set()
    fields: list[_Field] = []
    for base, _, name, desc in stream:
        if base in (PARAM, "attribute"):
            assert name is not None
            if name not in done:
                done.add(name)
                fields.append((PARAM, name, _as_text(described[name].get("description"))))
        elif base == "return":
            if "return" not in done:
                done.add("return")
                fields.append((RETURNS, None, _as_text(described["return"].get("description"))))
        else:
            fields.append((OTHER, None, desc))
    return short, long, fields


def _as_text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _epy_match(chunk: str) -> tuple[str, re.Match[str]] | None:
    tries: tuple[tuple[str, Callable[[str], re.Match[str] | None]], ...] = (
        (PARAM, _rx(_EPY_PARAM).search),
        ("attribute", _rx(_EPY_ATTRIBUTE).search),
        ("raise", _rx(_EPY_RAISE).search),
        ("return", _rx(_EPY_RETURN).search),
        ("meta", _rx(_EPY_OTHER).search),
    )
    for base, search in tries:
        hit = search(chunk)
        if hit is not None:
            return base, hit
    return None
