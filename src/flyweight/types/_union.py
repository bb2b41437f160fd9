"""Unions (``Optional[T]``, ``T1 | T2``): pick the one variant a value belongs to, and find it again.

A union literal records the chosen variant's type with a ``structure.tag`` (the variant transformer's
name, e.g. ``"int"`` or ``"Typed List"``). Writing tries each variant's *strict* writer first and
falls back to conversions (an int for a float) only when no variant takes the value as it is; a value
that more than one variant takes is ambiguous and an error, never a silent choice. Reading narrows
the variants by tag and by type, then requires exactly one to accept the value.
"""

from __future__ import annotations

from typing import Any

from flyweight._idl import Literal, LiteralType, SimpleType
from flyweight.errors import TypeTransformerFailedError
from flyweight.types._describe import describe_literal, describe_value
from flyweight.types._ir import Kind, Node
from flyweight.types._literal_types import literal_type, stored_type
from flyweight.types._read import Reader, reader
from flyweight.types._write import Writer, writer


def union_writer(node: Node, strict: bool) -> Writer:
    variants = [(v, writer(v, strict=True), writer(v, strict=False), stored_type(v)) for v in node.args]
    if len(variants) == 2 and any(v.kind is Kind.NONE for v in node.args):
        return _optional_writer(node, variants, strict)

    def w_union(msg: Literal, v: Any) -> None:
        failures: list[str] = []
        for exact in (True, False) if not strict else (True,):
            matches: list[tuple[Node, Literal, LiteralType]] = []
            for variant, w_strict, w_lenient, st in variants:
                tmp = Literal()
                try:
                    (w_strict if exact else w_lenient)(tmp, v)
                except TypeTransformerFailedError as e:
                    if exact:
                        failures.append(f"{variant.name}: {e}")
                    continue
                matches.append((variant, tmp, st))
            if len(matches) == 1:
                _, value, st = matches[0]
                union = msg.scalar.union
                union.value.CopyFrom(value)
                union.type.CopyFrom(st)
                return
            if len(matches) > 1:
                names = " and ".join(m[0].name for m in matches)
                raise TypeTransformerFailedError(
                    f"ambiguous value for {node.name}: {describe_value(v)} matches {names}; "
                    "make the union's variants distinguishable or pass a value of one variant's type"
                )
        detail = "; ".join(failures[:4])
        raise TypeTransformerFailedError(f"expected {node.name}, got {describe_value(v)} ({detail})")

    return w_union


def _optional_writer(
    node: Node, variants: list[tuple[Node, Writer, Writer, LiteralType]], strict: bool
) -> Writer:
    """``Optional[T]``: None goes to the none variant, anything else to T, with no trial writes."""
    none_first = variants[0][0].kind is Kind.NONE
    none_type = variants[0][3] if none_first else variants[1][3]
    _, w_strict, w_lenient, other_type = variants[1] if none_first else variants[0]
    write_other = w_strict if strict else w_lenient

    def w_optional(msg: Literal, v: Any) -> None:
        union = msg.scalar.union
        if v is None:
            union.value.scalar.none_type.SetInParent()
            union.type.CopyFrom(none_type)
            return
        write_other(union.value, v)
        union.type.CopyFrom(other_type)

    return w_optional


def union_reader(node: Node) -> Reader:
    variants = [(v, reader(v), literal_type(v)) for v in node.args]

    def r_union(lit: Literal) -> Any:
        scalar = lit.scalar
        if lit.WhichOneof("value") == "scalar" and scalar.WhichOneof("value") == "union":
            union = scalar.union
            tag = union.type.structure.tag
            candidates = [c for c in variants if (not tag or c[0].tag == tag) and castable(union.type, c[2])]
            return _pick(node, candidates, union.value, union.type)
        return _pick(node, variants, lit, None)  # no union wrapper: older writers, attribute access

    return r_union


def _pick(
    node: Node,
    candidates: list[tuple[Node, Reader, LiteralType]],
    value: Literal,
    recorded: LiteralType | None,
) -> Any:
    results: list[tuple[Node, Any, LiteralType]] = []
    failures: list[str] = []
    for variant, read, lt in candidates:
        try:
            results.append((variant, read(value), lt))
        except TypeTransformerFailedError as e:
            failures.append(f"{variant.name}: {e}")
    if len(results) > 1 and recorded is not None:
        exact = [r for r in results if _same_type(recorded, r[2])]
        if len(exact) == 1:
            results = exact
    if len(results) == 1:
        return results[0][1]
    if results:
        names = " and ".join(r[0].name for r in results)
        raise TypeTransformerFailedError(
            f"ambiguous {describe_literal(value)} for {node.name}: it reads as {names}"
        )
    detail = f" ({'; '.join(failures[:4])})" if failures else ""
    raise TypeTransformerFailedError(f"expected {node.name}, got {describe_literal(value)}{detail}")


def _essence(lt: LiteralType) -> bytes:
    copy = LiteralType()
    copy.CopyFrom(lt)
    for f in ("metadata", "structure", "annotation"):
        copy.ClearField(f)
    return copy.SerializeToString(deterministic=True)


def _same_type(recorded: LiteralType, variant: LiteralType) -> bool:
    a, b = LiteralType(), LiteralType()
    a.CopyFrom(recorded)
    b.CopyFrom(variant)
    a.ClearField("structure")
    b.ClearField("structure")
    b.ClearField("annotation")
    a.ClearField("annotation")
    return a.SerializeToString(deterministic=True) == b.SerializeToString(deterministic=True)


def castable(upstream: LiteralType, downstream: LiteralType) -> bool:
    """Whether a value of type ``upstream`` can be read as ``downstream`` (Flyte's union rules)."""
    up = upstream.WhichOneof("type")
    down = downstream.WhichOneof("type")
    if up == "union_type":
        return all(castable(v, downstream) for v in upstream.union_type.variants)
    if down == "union_type" and any(castable(upstream, v) for v in downstream.union_type.variants):
        return True
    if up == "collection_type":
        return down == "collection_type" and castable(upstream.collection_type, downstream.collection_type)
    if up == "map_value_type":
        return down == "map_value_type" and castable(upstream.map_value_type, downstream.map_value_type)
    if up == "enum_type" and down == "simple" and downstream.simple == SimpleType.STRING:
        return True
    return _essence(upstream) == _essence(downstream)
