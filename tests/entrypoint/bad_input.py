"""Hypothesis strategies for bad input to ``flyweight-execute``: damaged bytes and messages, odd literals.

Three families, used by ``test_bad_input_corpus.py`` and ``corpus_attempts.py``:

* ``mutated_bytes(data)``: the bytes of a real file with a few edits: bit flips, truncation, inserted,
  deleted, overwritten or repeated spans (a repeated span is a protobuf merge, not garbage).
* ``mutated_message(msg)``: a copy of a real message with a few field-level edits found by walking
  its descriptor: a field cleared, set to an odd value of its type, set where it was unset (which
  switches a oneof), a map entry removed, renamed or emptied, a list element removed or repeated.
* ``literals()`` and ``literal_types()``: flyteidl ``Literal`` / ``LiteralType`` messages of every
  kind: all primitives (timestamps and durations out of range included), none, blobs with odd URIs,
  msgpack and other binaries, generic structs, errors, schemas, structured datasets, offloaded
  literals, and collections, maps and unions of these.

The literal strategies are built once and cached: building a recursive strategy costs more than drawing
from it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import msgpack
from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import duration_pb2, struct_pb2, timestamp_pb2
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from hypothesis import strategies as st

__all__ = [
    "INT64",
    "ODD_STRINGS",
    "ODD_URIS",
    "literal_types",
    "literals",
    "mutated_bytes",
    "mutated_message",
    "odd_names",
    "scalar_literals",
]

INT64 = st.integers(-(2**63), 2**63 - 1)

# Strings that mean something somewhere: placeholders, paths, separators, protocol prefixes.
ODD_STRINGS: tuple[str, ...] = (
    "",
    " ",
    "0",
    "-1",
    "nan",
    "true",
    "None",
    "red",
    "msgpack",
    "{{.input}}",
    "{{.outputPrefix}}",
    "--",
    "--help",
    "..",
    "a/../../b",
    "a.b.c",
    "x" * 300,
    "ünïcødé ✓",
    "line\nbreak",
    "tab\there",
    "nul\x00byte",
    "select 1",
    "http://127.0.0.1:9/x",
    "file:///nonexistent/x",
)

# Blob and dataset URIs a producer could write by mistake. Remote ones are never fetched by the
# corpus tasks (files are read lazily), so they cost no network.
ODD_URIS: tuple[str, ...] = (
    "",
    "/",
    ".",
    "..",
    "relative/path.txt",
    "/nonexistent/file.txt",
    "/dev/null",
    "file://",
    "file:///nonexistent/file.txt",
    "file://host/share/file.txt",
    "s3://",
    "s3://bucket",
    "s3://bucket/key with space",
    "gs://bucket/k",
    "http://127.0.0.1:9/x",
    "nosuchprotocol://x/y",
    "memory://corpus/x",
    "~/x",
    "C:\\data\\x.csv",
    "nul\x00byte",
    "line\nbreak",
    "%2e%2e/%2e%2e",
    "{{.rawOutputDataPrefix}}",
    "ünïcødé/ƒile",
    "x" * 2000,
)


def odd_names(good: Sequence[str]) -> st.SearchStrategy[str]:
    """Input names: the real ones, near misses and arbitrary text."""
    return _odd_names(tuple(good))


@functools.cache
def _odd_names(good: tuple[str, ...]) -> st.SearchStrategy[str]:
    near = [f"{n} " for n in good] + [n.upper() for n in good] + [f"{n}2" for n in good]
    return st.one_of(st.sampled_from([*good, *near, "", "inputs", "o0"]), st.text(max_size=8))


# --- bytes ---------------------------------------------------------------------------------------

_TRICKY_CHUNKS = (
    b"\x00",
    b"\xff",
    b"\x80",
    b"\xff" * 10,  # a varint that never ends
    b"\x0a\xff\xff\xff\xff\x0f",  # field 1, length-delimited, ~4 GiB long
    b"\x0a\x7f",  # field 1, length 127 (past the end)
    b"\x08\x01",  # field 1 as a varint
    b"\x0b",  # a start-group tag
    b"\x0c",  # an end-group tag with no start
    b"\x07",  # wire type 7 (invalid)
)


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes, max_edits: int = 3) -> bytes:
    """``data`` with one to ``max_edits`` byte-level edits."""
    buf = bytearray(data)
    for _ in range(draw(st.integers(1, max_edits))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "overwrite", "repeat", "set"]))
        n = len(buf)
        if op == "truncate":
            del buf[draw(st.integers(0, max(n - 1, 0))) :]
            continue
        if op == "insert":
            at = draw(st.integers(0, n))
            chunk = draw(st.one_of(st.sampled_from(_TRICKY_CHUNKS), st.binary(min_size=1, max_size=8)))
            buf[at:at] = chunk
            continue
        if n == 0:
            continue
        at = draw(st.integers(0, n - 1))
        if op == "flip":
            buf[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "delete":
            del buf[at : at + draw(st.integers(1, 16))]
        elif op == "overwrite":
            chunk = draw(st.binary(min_size=1, max_size=8))
            buf[at : at + len(chunk)] = chunk
        elif op == "repeat":
            span = bytes(buf[at : at + draw(st.integers(1, 64))])
            to = draw(st.integers(0, n))
            buf[to:to] = span
        else:
            buf[at] = draw(st.sampled_from([0x00, 0x01, 0x7F, 0x80, 0xFF]))
    return bytes(buf)


# --- messages ------------------------------------------------------------------------------------

_INT_RANGES = {
    FieldDescriptor.CPPTYPE_INT32: (-(2**31), 2**31 - 1),
    FieldDescriptor.CPPTYPE_INT64: (-(2**63), 2**63 - 1),
    FieldDescriptor.CPPTYPE_UINT32: (0, 2**32 - 1),
    FieldDescriptor.CPPTYPE_UINT64: (0, 2**64 - 1),
    FieldDescriptor.CPPTYPE_ENUM: (-(2**31), 2**31 - 1),
}


def _values_for(fd: FieldDescriptor) -> st.SearchStrategy[Any]:
    """Odd but storable values of a scalar field's type."""
    cpp = fd.cpp_type
    if cpp in _INT_RANGES:
        lo, hi = _INT_RANGES[cpp]
        edges = [v for v in (0, 1, -1, 2, lo, hi, 10**9) if lo <= v <= hi]
        return st.one_of(st.sampled_from(edges), st.integers(lo, hi))
    if cpp == FieldDescriptor.CPPTYPE_DOUBLE:
        return st.one_of(
            st.sampled_from([0.0, -0.0, math.nan, math.inf, -math.inf, 1e308, 5e-324]), st.floats()
        )
    if cpp == FieldDescriptor.CPPTYPE_FLOAT:
        return st.floats(width=32)
    if cpp == FieldDescriptor.CPPTYPE_BOOL:
        return st.booleans()
    if fd.type == FieldDescriptor.TYPE_BYTES:
        return st.binary(max_size=16)
    return st.one_of(st.sampled_from(ODD_STRINGS), st.text(max_size=12))


def _is_map(fd: FieldDescriptor) -> bool:
    mt = fd.message_type
    return mt is not None and mt.GetOptions().map_entry


def _is_repeated(fd: FieldDescriptor) -> bool:
    flag = getattr(fd, "is_repeated", None)  # protobuf 6+; older releases only have `label`
    if flag is not None:
        return bool(flag)
    return bool(fd.label == FieldDescriptor.LABEL_REPEATED)


def _is_message(fd: FieldDescriptor) -> bool:
    return fd.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE


# A place in a message tree: (parent message, field, key), where key is None for the field itself,
# an index into a repeated field or a key of a map field.
Slot = tuple[Message, FieldDescriptor, Any]


def slots(msg: Message) -> list[Slot]:
    """Every field of every message present in ``msg`` (set or not), and every element and entry."""
    out: list[Slot] = []
    for fd in msg.DESCRIPTOR.fields:
        out.append((msg, fd, None))
        value = getattr(msg, fd.name)
        if _is_map(fd):
            value_is_message = _is_message(fd.message_type.fields_by_name["value"])
            for key in list(value):
                out.append((msg, fd, key))
                if value_is_message:
                    out.extend(slots(value[key]))
        elif _is_repeated(fd):
            for i in range(len(value)):
                out.append((msg, fd, i))
                if _is_message(fd):
                    out.extend(slots(value[i]))
        elif _is_message(fd) and msg.HasField(fd.name):
            out.extend(slots(value))
    return out


def _mutate_field(draw: st.DrawFn, msg: Message, fd: FieldDescriptor) -> None:
    container = getattr(msg, fd.name)
    op = draw(
        st.sampled_from(["clear", "add"] if (_is_repeated(fd) or _is_message(fd)) else ["clear", "set"])
    )
    if op == "clear":
        msg.ClearField(fd.name)
    elif _is_map(fd):
        key_fd = fd.message_type.fields_by_name["key"]
        value_fd = fd.message_type.fields_by_name["value"]
        key = draw(_values_for(key_fd))
        if _is_message(value_fd):
            container[key].SetInParent()
        else:
            container[key] = draw(_values_for(value_fd))
    elif _is_repeated(fd):
        if _is_message(fd):
            container.add()
        else:
            container.append(draw(_values_for(fd)))
    elif _is_message(fd):
        msg.ClearField(fd.name)
        container = getattr(msg, fd.name)
        container.SetInParent()  # present but empty (and, in a oneof, the chosen member)
    else:
        setattr(msg, fd.name, draw(_values_for(fd)))


def _mutate_element(draw: st.DrawFn, msg: Message, fd: FieldDescriptor, key: Any) -> None:
    container = getattr(msg, fd.name)
    op = draw(st.sampled_from(["remove", "repeat", "replace"]))
    if _is_map(fd):
        value_fd = fd.message_type.fields_by_name["value"]
        if op == "remove":
            del container[key]
        elif op == "repeat":  # the same value under another key (a rename when the old one goes)
            new_key = draw(_values_for(fd.message_type.fields_by_name["key"]))
            if new_key != key:
                if _is_message(value_fd):
                    container[new_key].CopyFrom(container[key])
                else:
                    container[new_key] = container[key]
                if draw(st.booleans()):
                    del container[key]
        elif _is_message(value_fd):
            container[key].Clear()
        else:
            container[key] = draw(_values_for(value_fd))
        return
    if op == "remove":
        del container[key]
    elif op == "repeat":
        if _is_message(fd):
            container.add().CopyFrom(container[key])
        else:
            container.append(container[key])
    elif _is_message(fd):
        container[key].Clear()
    else:
        container[key] = draw(_values_for(fd))


@st.composite
def mutated_message(draw: st.DrawFn, original: Message, max_edits: int = 3) -> Message:
    """A copy of ``original`` with one to ``max_edits`` field-level edits."""
    msg = type(original)()
    msg.CopyFrom(original)
    for _ in range(draw(st.integers(1, max_edits))):
        parent, fd, key = draw(st.sampled_from(slots(msg)))
        try:
            if key is None:
                _mutate_field(draw, parent, fd)
            else:
                _mutate_element(draw, parent, fd, key)
        except (ValueError, TypeError):
            continue  # a value this runtime refuses to store (a closed enum, an odd map key type)
    return msg


# --- literal types -------------------------------------------------------------------------------

_TAGS = ("", "int", "str", "float", "bool", "none", "Typed List", "Python Dict", "FlyteFile", "?")


def _simple_type(value: int) -> types_pb2.LiteralType:
    lt = types_pb2.LiteralType()
    lt.simple = value  # type: ignore[assignment]  # unknown enum values are legal on the wire
    return lt


def _tagged(lt: types_pb2.LiteralType, tag: str) -> types_pb2.LiteralType:
    if tag:
        lt.structure.tag = tag
    return lt


def _wrap_type(kind: str, inner: Any) -> types_pb2.LiteralType:
    lt = types_pb2.LiteralType()
    if kind == "collection":
        lt.collection_type.CopyFrom(inner)
    elif kind == "map":
        lt.map_value_type.CopyFrom(inner)
    else:
        lt.union_type.variants.extend(inner)
    return lt


@functools.cache
def literal_types() -> st.SearchStrategy[types_pb2.LiteralType]:
    """Literal types: every simple type (and unknown ones), blobs, enums, schemas, datasets, nested."""
    leaves = st.one_of(
        st.integers(0, 9).map(_simple_type),
        st.integers(10, 2**31 - 1).map(_simple_type),
        st.builds(
            lambda fmt, dim: types_pb2.LiteralType(blob=types_pb2.BlobType(format=fmt, dimensionality=dim)),
            st.sampled_from(["", "csv", "PythonPickle", "parquet"]),
            st.sampled_from([0, 1, 7]),
        ),
        st.lists(st.sampled_from(["red", "green", "", "RED"]), max_size=3).map(
            lambda vs: types_pb2.LiteralType(enum_type=types_pb2.EnumType(values=vs))
        ),
        st.sampled_from(["", "parquet", "csv"]).map(
            lambda f: types_pb2.LiteralType(structured_dataset_type=types_pb2.StructuredDatasetType(format=f))
        ),
        st.just(types_pb2.LiteralType(schema=types_pb2.SchemaType())),
        st.just(types_pb2.LiteralType()),  # no type at all
    )
    nested = st.recursive(
        leaves,
        lambda children: st.one_of(
            st.builds(_wrap_type, st.sampled_from(["collection", "map"]), children),
            st.builds(_wrap_type, st.just("union"), st.lists(children, max_size=3)),
        ),
        max_leaves=4,
    )
    return st.builds(_tagged, nested, st.sampled_from(_TAGS))


# --- literals ------------------------------------------------------------------------------------


def _scalar(**fields: Any) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(**fields))


def _primitive(**fields: Any) -> literals_pb2.Literal:
    return _scalar(primitive=literals_pb2.Primitive(**fields))


# Timestamps and durations: valid ones, and ones whose seconds or nanos no datetime can hold.
_SECONDS = st.one_of(st.integers(-62135596800, 253402300799), INT64)
_NANOS = st.one_of(st.integers(0, 999_999_999), st.integers(-(2**31), 2**31 - 1))

_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.floats(), st.text(max_size=6), st.integers(-(2**70), 2**70)),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=6,
)


def _struct(value: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    try:
        s.update(value)
    except (ValueError, TypeError):  # an int past a double's range
        s.update({"dropped": True})
    return s


def _binary(value: bytes, tag: str) -> literals_pb2.Literal:
    return _scalar(binary=literals_pb2.Binary(value=value, tag=tag))


def _packed(value: Any) -> bytes:
    try:
        return msgpack.packb(value)
    except (OverflowError, ValueError, TypeError):  # an int past 64 bits
        return msgpack.packb(str(value))


def _blob(fmt: str, dim: int, uri: str) -> literals_pb2.Literal:
    meta = literals_pb2.BlobMetadata(type=types_pb2.BlobType(format=fmt, dimensionality=dim))  # type: ignore[arg-type]
    return _scalar(blob=literals_pb2.Blob(metadata=meta, uri=uri))


def _dataset(uri: str, fmt: str) -> literals_pb2.Literal:
    meta = literals_pb2.StructuredDatasetMetadata(
        structured_dataset_type=types_pb2.StructuredDatasetType(format=fmt)
    )
    return _scalar(structured_dataset=literals_pb2.StructuredDataset(uri=uri, metadata=meta))


def _offloaded(uri: str, size: int, lt: types_pb2.LiteralType) -> literals_pb2.Literal:
    return literals_pb2.Literal(
        offloaded_metadata=literals_pb2.LiteralOffloadedMetadata(uri=uri, size_bytes=size, inferred_type=lt)
    )


_TEXT = st.one_of(st.sampled_from(ODD_STRINGS), st.text(max_size=12))
_URI = st.one_of(st.sampled_from(ODD_URIS), st.text(max_size=12))


@functools.cache
def scalar_literals() -> st.SearchStrategy[literals_pb2.Literal]:
    """One literal of each scalar kind (and offloaded literals, which stand in for any value)."""
    return st.one_of(
        INT64.map(lambda v: _primitive(integer=v)),
        st.floats().map(lambda v: _primitive(float_value=v)),
        _TEXT.map(lambda v: _primitive(string_value=v)),
        st.booleans().map(lambda v: _primitive(boolean=v)),
        st.builds(
            lambda s, n: _primitive(datetime=timestamp_pb2.Timestamp(seconds=s, nanos=n)), _SECONDS, _NANOS
        ),
        st.builds(
            lambda s, n: _primitive(duration=duration_pb2.Duration(seconds=s, nanos=n)), _SECONDS, _NANOS
        ),
        st.just(_scalar(none_type=literals_pb2.Void())),
        st.just(literals_pb2.Literal()),  # nothing set at all
        st.builds(_blob, st.sampled_from(["", "csv", "PythonPickle"]), st.sampled_from([0, 1, 5]), _URI),
        st.builds(
            _binary,
            st.one_of(_JSON.map(_packed), st.binary(max_size=16)),
            st.sampled_from(["msgpack", "", "json"]),
        ),
        st.dictionaries(st.text(max_size=4), _JSON, max_size=3).map(lambda d: _scalar(generic=_struct(d))),
        st.builds(lambda n, m: _scalar(error=types_pb2.Error(failed_node_id=n, message=m)), _TEXT, _TEXT),
        _URI.map(lambda u: _scalar(schema=literals_pb2.Schema(uri=u))),
        st.builds(_dataset, _URI, st.sampled_from(["", "parquet", "csv"])),
        st.builds(_offloaded, _URI, st.integers(0, 2**63 - 1), literal_types()),
    )


def _collection(items: list[literals_pb2.Literal]) -> literals_pb2.Literal:
    return literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=items))


def _map(items: dict[str, literals_pb2.Literal]) -> literals_pb2.Literal:
    return literals_pb2.Literal(map=literals_pb2.LiteralMap(literals=items))


def _union(value: literals_pb2.Literal, lt: types_pb2.LiteralType) -> literals_pb2.Literal:
    return _scalar(union=literals_pb2.Union(value=value, type=lt))


@functools.cache
def literals(max_leaves: int = 6) -> st.SearchStrategy[literals_pb2.Literal]:
    """Literals of every kind, nested in collections, maps and unions."""

    def extend(children: st.SearchStrategy[literals_pb2.Literal]) -> st.SearchStrategy[literals_pb2.Literal]:
        return st.one_of(
            st.lists(children, max_size=3).map(_collection),
            st.dictionaries(_TEXT, children, max_size=3).map(_map),
            st.builds(_union, children, literal_types()),
        )

    return st.recursive(scalar_literals(), extend, max_leaves=max_leaves)
