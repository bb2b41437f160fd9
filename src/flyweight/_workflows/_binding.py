"""Binding a call's argument to a node input: promises, constants, and lists and dicts mixing both.

A promise binds as a reference to the node that produces it (and makes that node an upstream of the
new one); a constant is converted with the type engine, once, at compile time; a list or dict becomes a
collection or map of bindings, element by element, exactly as flytekit builds them (a ``list[int]``
constant is a collection of scalar bindings, not one collection literal). A promise whose type cannot
reach the input (an ``str`` output into an ``int`` input) is refused here, instead of at registration.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable
from typing import Any

from flyweight._idl import Literal, LiteralType
from flyweight._workflows._node import START, BindingValue, Node
from flyweight._workflows._promise import Promise, VoidPromise, describe, void_use
from flyweight.errors import TypeTransformerFailedError, WorkflowCompileError
from flyweight.types import TypeEngine

__all__ = ["Binder", "admits_none", "castable", "describe_type"]

# Flyte's simple types whose values are exactly one kind of thing (no union, no structure): between two
# of these, a different type is a mismatch Flyte's compiler refuses too.
_PLAIN = frozenset({1, 2, 3, 4, 5, 6})  # INTEGER FLOAT STRING BOOLEAN DATETIME DURATION
_SIMPLE_NAMES = {0: "none", 1: "int", 2: "float", 3: "str", 4: "bool", 5: "datetime", 6: "timedelta"}
_SIMPLE_NAMES.update({7: "binary", 8: "error", 9: "struct"})


def castable(src: LiteralType, dst: LiteralType) -> bool:
    """Whether an output of type ``src`` can feed an input of type ``dst``.

    Only clear mismatches are refused — two different plain simple types (``str`` into ``int``), or a
    list, a dict and a plain value in place of one another; every type this function cannot judge
    (unions, blobs, tables, enums, structs, annotated types) is left to Flyte's compiler.
    """
    ks = src.WhichOneof("type")
    kd = dst.WhichOneof("type")
    if ks is None or kd is None or ks == "union_type" or kd == "union_type":
        return True
    if ks == "simple" and kd == "simple":
        return src.simple == dst.simple or src.simple not in _PLAIN or dst.simple not in _PLAIN
    if ks == kd == "collection_type":
        return castable(src.collection_type, dst.collection_type)
    if ks == kd == "map_value_type":
        return castable(src.map_value_type, dst.map_value_type)
    shapes = ("simple", "collection_type", "map_value_type")
    if ks in shapes and kd in shapes:
        if ks == "simple":
            return src.simple not in _PLAIN
        if kd == "simple":
            return dst.simple not in _PLAIN
        return False
    return True


def admits_none(lt: LiteralType) -> bool:
    """Whether ``None`` is a value of the type (``NONE`` itself, or a union with a ``NONE`` variant)."""
    kind = lt.WhichOneof("type")
    if kind == "simple":
        return bool(lt.simple == 0)
    if kind == "union_type":
        return any(admits_none(v) for v in lt.union_type.variants)
    return False


def describe_type(lt: LiteralType) -> str:
    """A short Python-like name for a literal type, for messages (``list[int]``, ``dict[str, str]``)."""
    kind = lt.WhichOneof("type")
    if kind == "simple":
        return _SIMPLE_NAMES.get(lt.simple, "value")
    if kind == "collection_type":
        return f"list[{describe_type(lt.collection_type)}]"
    if kind == "map_value_type":
        return f"dict[str, {describe_type(lt.map_value_type)}]"
    if kind == "union_type":
        return " | ".join(describe_type(v) for v in lt.union_type.variants)
    if kind == "blob":
        return "pickle" if lt.blob.format == "PythonPickle" else "file"
    return {"structured_dataset_type": "table", "enum_type": "enum", "schema": "schema"}.get(
        kind or "", "value"
    )


def _strip_annotated(t: Any) -> Any:
    while typing.get_origin(t) is typing.Annotated:
        t = typing.get_args(t)[0]
    return t


def _element_type(py_type: Any, index: int) -> Any:
    args = typing.get_args(_strip_annotated(py_type))
    return args[index] if len(args) > index else None


def _contains_promise(value: object) -> bool:
    if isinstance(value, (Promise, VoidPromise)):
        return True
    if isinstance(value, (list, tuple, set, frozenset)):
        return any(_contains_promise(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_promise(v) for v in value.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return any(_contains_promise(getattr(value, f.name, None)) for f in dataclasses.fields(value))
    return False


class Binder:
    """Turns call arguments into binding values for one workflow compilation.

    Args:
        workflow_name: the workflow being compiled (for messages).
        scope: the compilation; promises of nodes made by another one are refused.
    """

    __slots__ = ("_castable", "scope", "workflow_name")

    def __init__(self, workflow_name: str, scope: object) -> None:
        self.workflow_name = workflow_name
        self.scope = scope
        self._castable: dict[tuple[int, int], tuple[LiteralType, LiteralType, bool]] = {}

    def _check_promise(self, p: Promise, lt: LiteralType, where: Callable[[], str]) -> None:
        src = p.literal_type  # None after indexing into the value: its part's type is not known
        if src is None or src is lt:
            return
        key = (id(src), id(lt))
        hit = self._castable.get(key)
        if hit is None or hit[0] is not src or hit[1] is not lt:
            hit = (src, lt, src == lt or castable(src, lt))
            self._castable[key] = hit
        if not hit[2]:
            raise WorkflowCompileError(
                f"workflow {self.workflow_name!r}: {where()}: expected {describe_type(lt)}, got "
                f"{describe(p)}, a {describe_type(src)}; pass a value of that type, or change "
                "the types so they agree"
            )

    def bind_promise(self, p: Promise, lt: LiteralType, upstream: dict[int, Node]) -> bool:
        """Bind ``p`` (a promise argument) to an input of type ``lt`` the quick way, when nothing about it
        needs a closer look: True if ``p`` is a reference to a node of this compilation whose type is
        already known to reach ``lt`` (its node, unless the start node, is then added to ``upstream``, as
        :meth:`bind` does), else False, with nothing changed: :meth:`bind` it."""
        ref = p._ref
        if ref is None:
            return False
        node = ref.node
        if node.scope is not self.scope:
            return False
        src = None if p._attr_path else p._type  # its literal_type
        if src is not None and src is not lt:
            hit = self._castable.get((id(src), id(lt)))
            if hit is None or not hit[2] or hit[0] is not src or hit[1] is not lt:
                return False
        if node.kind != START:
            upstream.setdefault(id(node), node)
        return True

    def _foreign(self, p: Promise, where: Callable[[], str]) -> WorkflowCompileError:
        node = p.ref.node
        fix = (
            "give this workflow an input and pass the value in"
            if node.kind == START
            else "call the task in this workflow's body, or return the value from the other workflow"
        )
        return WorkflowCompileError(
            f"workflow {self.workflow_name!r}: {where()}: {describe(p)} belongs to workflow "
            f"{node.workflow_name!r}, "
            f"and a workflow can only use its own inputs and the outputs of its own calls; {fix}"
        )

    def bind(
        self,
        value: object,
        lt: LiteralType,
        py_type: Any,
        upstream: dict[int, Node] | None,
        where: Callable[[], str],
    ) -> BindingValue:
        """The binding value of ``value`` (an argument of the call: any value, or promises) for an input
        of type ``lt`` (Python type ``py_type``, a type annotation).

        Upstream nodes of the promises found are added to ``upstream`` (by id, in order of use).
        """
        if type(value) is Promise:
            if value.is_ready:
                return value.val
            node = value.ref.node
            if node.scope is not self.scope:
                raise self._foreign(value, where)
            self._check_promise(value, lt, where)
            if upstream is not None and node.kind != START:
                upstream.setdefault(id(node), node)
            return value
        if type(value) is VoidPromise:
            raise void_use(value, where())
        kind = lt.WhichOneof("type")
        if kind == "union_type" and value is not None and isinstance(value, (list, dict)):
            return self._bind_union(value, lt, py_type, upstream, where)
        if kind == "collection_type" and isinstance(value, list):
            sub = _element_type(py_type, 0)
            inner = lt.collection_type
            return [
                self.bind(v, inner, sub or type(v), upstream, lambda i=i: f"{where()}[{i}]")  # type: ignore[misc]
                for i, v in enumerate(value)
            ]
        if kind == "map_value_type" and isinstance(value, dict):
            sub = _element_type(py_type, 1)
            inner = lt.map_value_type
            out: dict[str, BindingValue] = {}
            for k, v in value.items():
                if isinstance(k, (Promise, VoidPromise)):
                    raise WorkflowCompileError(
                        f"workflow {self.workflow_name!r}: {where()}: a dict key is {k!r}, a promise; "
                        "the keys of a dict passed in a workflow body must be known when it compiles (str "
                        "constants): build a dict with computed keys inside a task"
                    )
                if not isinstance(k, str):
                    raise WorkflowCompileError(
                        f"workflow {self.workflow_name!r}: {where()}: dict keys must be str, got "
                        f"{type(k).__name__} {k!r}"
                    )
                out[k] = self.bind(v, inner, sub or type(v), upstream, lambda k=k: f"{where()}[{k!r}]")  # type: ignore[misc]
            return out
        if isinstance(value, tuple):
            if _is_output_tuple(value):
                fix = (
                    "a call with several outputs returns a tuple of promises: pass one of them "
                    "(out.o0, or unpack a, b = t())"
                )
            else:
                fix = "Flyte has no tuple type: pass a list"
            raise WorkflowCompileError(
                f"workflow {self.workflow_name!r}: {where()} got a tuple {value!r}; {fix}"
            )
        if _contains_promise(value):
            raise WorkflowCompileError(
                f"workflow {self.workflow_name!r}: {where()}: a promise inside a {type(value).__name__} "
                f"cannot be bound to an input of type {describe_type(lt)}; only lists and dicts of "
                "promises are bound element by element; build the value in a task instead"
            )
        return self.constant(value, lt, py_type, where)

    def _bind_union(
        self,
        value: list[object] | dict[object, object],
        lt: LiteralType,
        py_type: Any,
        upstream: dict[int, Node] | None,
        where: Callable[[], str],
    ) -> BindingValue:
        """A list or dict for a union input: the first variant that takes it (flytekit's order)."""
        args = typing.get_args(_strip_annotated(py_type))
        for i, variant in enumerate(lt.union_type.variants):
            trial: dict[int, Node] = {}
            try:
                out = self.bind(value, variant, args[i] if i < len(args) else None, trial, where)
            except (WorkflowCompileError, TypeTransformerFailedError):
                continue
            if upstream is not None:
                for k, n in trial.items():
                    upstream.setdefault(k, n)
            return out
        raise WorkflowCompileError(
            f"workflow {self.workflow_name!r}: {where()}: {type(value).__name__} {value!r} fits none of "
            f"the types of the union {describe_type(lt)}"
        )

    def constant(self, value: object, lt: LiteralType, py_type: Any, where: Callable[[], str]) -> Literal:
        """A constant converted with the type engine; a failure names the place and the expected type."""
        try:
            return TypeEngine.to_literal(None, value, py_type if py_type is not None else type(value), lt)
        except WorkflowCompileError:
            raise
        except Exception as e:
            reason = e.reason if isinstance(e, TypeTransformerFailedError) else f"{type(e).__name__}: {e}"
            path = "".join(e.path) if isinstance(e, TypeTransformerFailedError) else ""
            at = f" at {path}" if path else ""
            raise WorkflowCompileError(
                f"workflow {self.workflow_name!r}: {where()}{at}: {reason}; pass a value of type "
                f"{describe_type(lt)}, or the output of a task that returns one"
            ) from e


def _is_output_tuple(value: object) -> bool:
    return isinstance(value, tuple) and any(isinstance(v, (Promise, VoidPromise)) for v in value)
