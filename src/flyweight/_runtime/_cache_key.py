"""The identity of a local cache entry: which inputs count, how they become a stable digest, and what
a stored value must look like to be handed out.

A cached result is found again by ``(task name, version, inputs digest)``, where the version is the
task's ``cache_version`` and a digest of its typed interface, ``<cache_version>-<interface digest>``,
as Flyte's catalog names a dataset version: a task whose inputs or outputs change type misses the
entries written before the change instead of handing a downstream node values of the old types. The
inputs digest must be
the same in every process and on every run for the same inputs, so it is computed from bytes, never
from Python's ``hash()``:

1. Inputs named in ``cache_ignore_input_vars`` are dropped.
2. Every remaining literal is *hashified* exactly as Flyte does (flytepropeller's catalog and
   flytekit's local cache): a literal whose ``hash`` field is set (a ``HashMethod`` annotation, an
   offloaded or structured value) is replaced by ``Literal(hash=...)`` alone, so two values with the
   same hash share an entry whatever their bytes; collections and maps are rebuilt with each element
   hashified; any other literal (scalars, unions, metadata) is kept whole.
3. The hashified literals go into a new ``LiteralMap``, in sorted key order, serialized with
   ``SerializeToString(deterministic=True)`` (protobuf sorts map keys there too, so the order the
   inputs were given in never matters). These bytes are the same as flytekit's before its joblib hash.
4. The digest is the SHA-256 hex of ``KEY_SCHEME`` + those bytes. ``KEY_SCHEME`` names this recipe:
   a change to it changes every digest, so old entries simply stop matching.

A value found under a key is used only if it fits the task's outputs (:func:`outputs_fit`): exactly the
output names, each literal of the shape its ``LiteralType`` says. The interface digest in the version
already keeps the entries of another interface apart, so a value that does not fit was damaged or written
by something else; the cache reports it as a miss and the task's new result replaces it, instead of the
run failing later on a value no task produced.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping

from flyweight import _idl

__all__ = ["KEY_SCHEME", "entry_version", "hashed_inputs", "inputs_digest", "literal_fits", "outputs_fit"]

KEY_SCHEME = b"flyweight-local-cache-v1\x00"


def _hashify(literal: _idl.Literal) -> _idl.Literal:
    """The literal as Flyte keys it: its ``hash`` alone when set, else recursively for containers."""
    if literal.hash:
        return _idl.Literal(hash=literal.hash)
    kind = literal.WhichOneof("value")
    if kind == "collection":
        out = _idl.Literal()
        items = out.collection.literals
        for item in literal.collection.literals:
            items.append(_hashify(item))
        return out
    if kind == "map":
        out = _idl.Literal()
        entries = out.map.literals
        for key in sorted(literal.map.literals):
            entries[key].CopyFrom(_hashify(literal.map.literals[key]))
        return out
    return literal


def hashed_inputs(inputs: _idl.LiteralMap, ignore: Iterable[str] = ()) -> bytes:
    """The deterministic bytes the digest is taken of (steps 1 to 3 of the module docstring)."""
    skip = frozenset(ignore)
    kept = _idl.LiteralMap()
    for name in sorted(inputs.literals):
        if name in skip:
            continue
        kept.literals[name].CopyFrom(_hashify(inputs.literals[name]))
    return kept.SerializeToString(deterministic=True)


def inputs_digest(inputs: _idl.LiteralMap, ignore: Iterable[str] = ()) -> str:
    """The SHA-256 hex digest identifying ``inputs`` (minus ``ignore``) in the local cache.

    Example:
        >>> from flyweight import _idl
        >>> one = _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(integer=1)))
        >>> a = _idl.LiteralMap(literals={"x": one, "seed": one})
        >>> b = _idl.LiteralMap(literals={"x": one})
        >>> inputs_digest(a, ignore=["seed"]) == inputs_digest(b)
        True
    """
    return hashlib.sha256(KEY_SCHEME + hashed_inputs(inputs, ignore)).hexdigest()


def entry_version(cache_version: str, interface: _idl.TypedInterface) -> str:
    """The version an entry is stored under: ``cache_version`` and the first 16 hex digits of the SHA-256
    of the interface's deterministic bytes (names and literal types of inputs and outputs)."""
    signature = hashlib.sha256(interface.SerializeToString(deterministic=True)).hexdigest()[:16]
    return f"{cache_version}-{signature}"


# The primitive field each plain simple type is written in (FLOAT also reads an integer, as the type
# engine does), and the scalar kinds the other simple types are written as.
_PRIMITIVE_FIELDS: dict[int, tuple[str, ...]] = {
    _idl.SimpleType.INTEGER: ("integer",),
    _idl.SimpleType.FLOAT: ("float_value", "integer"),
    _idl.SimpleType.STRING: ("string_value",),
    _idl.SimpleType.BOOLEAN: ("boolean",),
    _idl.SimpleType.DATETIME: ("datetime",),
    _idl.SimpleType.DURATION: ("duration",),
}
_SCALAR_KINDS: dict[int, tuple[str, ...]] = {
    _idl.SimpleType.NONE: ("none_type",),
    _idl.SimpleType.BINARY: ("binary",),
    _idl.SimpleType.ERROR: ("error",),
    _idl.SimpleType.STRUCT: ("generic", "binary"),  # a Struct, or msgpack bytes (dataclasses, dicts)
}
_SCALAR_TYPES = {"blob": "blob", "structured_dataset_type": "structured_dataset", "schema": "schema"}


def literal_fits(literal: _idl.Literal, lt: _idl.LiteralType) -> bool:
    """Whether ``literal`` has the shape of a value of type ``lt``.

    The check is of shape, as the type engine writes values: the scalar kind or primitive field of a simple
    type, a collection or a map whose every element fits, a blob of the same dimensionality, an enum's
    string among its values, a union value (wrapped in a union literal or not) that fits one variant. A
    type it cannot judge (one with no kind, or an offloaded literal it would have to fetch) fits.

    Example:
        >>> from flyweight import _idl
        >>> one = _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(integer=1)))
        >>> literal_fits(one, _idl.LiteralType(simple=_idl.SimpleType.INTEGER))
        True
        >>> literal_fits(one, _idl.LiteralType(simple=_idl.SimpleType.STRING))
        False
    """
    kind = lt.WhichOneof("type")
    which = literal.WhichOneof("value")
    if kind is None or which == "offloaded_metadata":
        return True
    scalar = literal.scalar
    scalar_kind = scalar.WhichOneof("value") if which == "scalar" else None
    if scalar_kind == "union":  # the type engine reads a union-wrapped value as the value itself
        inner = scalar.union.value
        if kind == "union_type":
            return any(literal_fits(inner, v) for v in lt.union_type.variants)
        return literal_fits(inner, lt)
    if kind == "simple":
        fields = _PRIMITIVE_FIELDS.get(lt.simple)
        if fields is not None:
            return scalar_kind == "primitive" and scalar.primitive.WhichOneof("value") in fields
        return scalar_kind in _SCALAR_KINDS.get(lt.simple, ())
    if kind == "collection_type":
        if which != "collection":
            return False
        items = literal.collection.literals
        item_type = lt.collection_type
        fields = _PRIMITIVE_FIELDS.get(item_type.simple) if item_type.WhichOneof("type") == "simple" else None
        if fields is not None and all(x.scalar.primitive.HasField(fields[0]) for x in items):
            return True  # the common shape of a long list (one primitive field each), checked inline
        return all(literal_fits(i, item_type) for i in items)
    if kind == "map_value_type":
        value_type = lt.map_value_type
        return which == "map" and all(literal_fits(v, value_type) for v in literal.map.literals.values())
    if kind == "union_type":
        return any(literal_fits(literal, v) for v in lt.union_type.variants)
    if kind == "enum_type":
        values = lt.enum_type.values
        primitive = scalar.primitive
        return (
            scalar_kind == "primitive"
            and primitive.WhichOneof("value") == "string_value"
            and (not values or primitive.string_value in values)
        )
    if kind == "blob":
        return scalar_kind == "blob" and scalar.blob.metadata.type.dimensionality == lt.blob.dimensionality
    expected = _SCALAR_TYPES.get(kind)
    return expected is None or scalar_kind == expected


def outputs_fit(
    outputs: _idl.LiteralMap, expected: _idl.VariableMap | Mapping[str, _idl.LiteralType]
) -> bool:
    """Whether ``outputs`` has exactly the names of ``expected`` (a task's output ``VariableMap``, or names
    and literal types), each literal fitting its type (:func:`literal_fits`).

    Example:
        >>> from flyweight import _idl
        >>> int_type = _idl.LiteralType(simple=_idl.SimpleType.INTEGER)
        >>> one = _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(integer=1)))
        >>> outputs_fit(_idl.LiteralMap(literals={"o0": one}), {"o0": int_type})
        True
        >>> outputs_fit(_idl.LiteralMap(literals={"o1": one}), {"o0": int_type})
        False
    """
    types = (
        {name: v.type for name, v in expected.variables.items()}
        if isinstance(expected, _idl.VariableMap)
        else expected
    )
    literals = outputs.literals
    if len(literals) != len(types):
        return False
    for name, lt in types.items():
        if name not in literals or not literal_fits(literals[name], lt):
            return False
    return True
