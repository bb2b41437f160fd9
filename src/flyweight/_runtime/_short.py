"""Literals in short form, for a run's report: ``int 3``, ``str 'abc'``, ``list (1,000 items) [1, 2, …]``.

Read from the literal itself (no Python value is made, no file is downloaded), and bounded: a value of any
size gives at most a line or two.
"""

from __future__ import annotations

from flyweight import _idl
from flyweight.types._ir._describe import describe_literal

__all__ = ["short_literal", "short_map"]

_TEXT = 80  # characters of a string shown
_ITEMS = 5  # items of a collection shown
_LIMIT = 300  # characters of any short form


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _primitive(p: _idl.Primitive) -> str:
    kind = p.WhichOneof("value")
    if kind == "integer":
        return f"int {p.integer}"
    if kind == "float_value":
        return f"float {p.float_value!r}"
    if kind == "string_value":
        return f"str {_cut(p.string_value, _TEXT)!r}"
    if kind == "boolean":
        return f"bool {p.boolean}"
    if kind == "datetime":
        return f"datetime {p.datetime.ToJsonString()}"
    if kind == "duration":
        return f"timedelta {p.duration.ToTimedelta()}"
    return "primitive (empty)"


def _scalar(s: _idl.Scalar) -> str:
    kind = s.WhichOneof("value")
    if kind == "primitive":
        return _primitive(s.primitive)
    if kind == "none_type":
        return "None"
    if kind == "blob":
        what = "directory" if s.blob.metadata.type.dimensionality == 1 else "file"
        return f"{what} {s.blob.uri}"
    if kind == "structured_dataset":
        fmt = s.structured_dataset.metadata.structured_dataset_type.format or "parquet"
        return f"dataset {s.structured_dataset.uri} ({fmt})"
    if kind == "binary":
        return f"binary {s.binary.tag or 'bytes'} ({len(s.binary.value):,} bytes)"
    if kind == "generic":
        from google.protobuf.json_format import MessageToJson

        return "json " + _cut(MessageToJson(s.generic, indent=None), _TEXT)
    if kind == "union":
        return short_literal(s.union.value)
    if kind == "error":
        return f"error {_cut(s.error.message, _TEXT)!r}"
    if kind == "schema":
        return f"schema {s.schema.uri}"
    return kind or "scalar (empty)"


def short_literal(lit: _idl.Literal) -> str:
    """``lit`` in a few words (at most a few hundred characters); never raises (a value protobuf cannot
    print, such as a datetime out of its range, is described as error messages describe it)."""
    try:
        return _short(lit)
    except Exception:
        return describe_literal(lit)


def _short(lit: _idl.Literal) -> str:
    kind = lit.WhichOneof("value")
    if kind == "scalar":
        text = _scalar(lit.scalar)
    elif kind == "collection":
        items = lit.collection.literals
        shown = ", ".join(short_literal(i) for i in items[:_ITEMS])
        more = ", …" if len(items) > _ITEMS else ""
        text = f"list ({len(items):,} item{'s' if len(items) != 1 else ''}) [{shown}{more}]"
    elif kind == "map":
        entries = lit.map.literals
        keys = sorted(entries)[:_ITEMS]
        shown = ", ".join(f"{k!r}: {short_literal(entries[k])}" for k in keys)
        more = ", …" if len(entries) > _ITEMS else ""
        text = f"dict ({len(entries):,} key{'s' if len(entries) != 1 else ''}) {{{shown}{more}}}"
    elif kind == "offloaded_metadata":
        text = f"offloaded {lit.offloaded_metadata.uri} ({lit.offloaded_metadata.size_bytes:,} bytes)"
    else:
        text = "(empty literal)"
    return _cut(text, _LIMIT)


def short_map(lm: _idl.LiteralMap) -> dict[str, str]:
    """Each literal of ``lm`` in short form, by name (in name order)."""
    return {k: short_literal(lm.literals[k]) for k in sorted(lm.literals)}
