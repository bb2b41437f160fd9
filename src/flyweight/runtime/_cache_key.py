"""The key of a local cache entry: which inputs count, and how they become a stable digest.

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
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from flyweight import _idl

__all__ = ["KEY_SCHEME", "entry_version", "hashed_inputs", "inputs_digest"]

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
