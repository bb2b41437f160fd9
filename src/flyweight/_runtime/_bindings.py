"""Binding values → literals: what a node receives, read from the outputs of the nodes before it.

A compiled node's bindings are plain values (ADR 0010): a :class:`~flyweight._workflows.Promise` naming a
node output or a workflow input (with an optional path into it), a constant ``Literal``, or lists and
dicts of those. At run time each one becomes a ``Literal``: promises are looked up in the outputs already
produced (a promise's path into the value resolved by :mod:`flyweight._runtime._attr_path`), lists become
collections and dicts maps, element by element, exactly as Flyte's propeller builds a node's ``inputs.pb``.
"""

from __future__ import annotations

from collections.abc import Mapping

from flyweight import _idl
from flyweight._runtime._attr_path import resolve_path
from flyweight._workflows import GLOBAL_INPUT_NODE_ID, Binding, BindingValue, Promise
from flyweight.errors import PlatformError

__all__ = ["resolve_bindings", "resolve_value"]

# node id ("" for the workflow's inputs) -> that node's output literals
Outputs = Mapping[str, _idl.LiteralMap]


def resolve_value(value: BindingValue, outputs: Outputs, where: str) -> _idl.Literal:
    """The literal of one binding value, with promises read from ``outputs``."""
    if isinstance(value, _idl.Literal):
        return value
    if isinstance(value, Promise):
        if value.is_ready:
            return value.val
        ref = value.ref
        produced = outputs.get(ref.node_id)
        if produced is None or ref.var not in produced.literals:
            source = "the workflow's inputs" if ref.node_id == GLOBAL_INPUT_NODE_ID else f"node {ref.node_id}"
            raise PlatformError(f"{where}: {source} did not produce {ref.var!r} (a bug of the local engine)")
        lit = produced.literals[ref.var]
        if not ref.attr_path:
            return lit
        source = (
            f"input {ref.var!r} of the workflow"
            if ref.node_id == GLOBAL_INPUT_NODE_ID
            else f"output {ref.var!r} of node {ref.node_id}"
        )
        return resolve_path(lit, ref.attr_path, ref.var, source, where)
    if isinstance(value, list):
        items = [resolve_value(v, outputs, f"{where}[{i}]") for i, v in enumerate(value)]
        return _idl.Literal(collection=_idl.LiteralCollection(literals=items))
    entries = {k: resolve_value(v, outputs, f"{where}[{k!r}]") for k, v in value.items()}
    return _idl.Literal(map=_idl.LiteralMap(literals=entries))


def resolve_bindings(bindings: list[Binding], outputs: Outputs, where: str) -> _idl.LiteralMap:
    """The ``LiteralMap`` of a node's inputs (or a workflow's outputs)."""
    return _idl.LiteralMap(
        literals={b.var: resolve_value(b.value, outputs, f"{where}, {b.var!r}") for b in bindings}
    )
