"""Promises: what a task call returns inside a workflow body.

The body of a ``@workflow`` runs once, at compile time, when no task has run: a call returns a
:class:`Promise` per output — a reference to that output of the node the call created — or a
:class:`VoidPromise` for a task without outputs. Promises can be passed to other calls (also inside
lists and dicts), returned as the workflow's outputs, ordered with ``>>``, and indexed (``p.field``,
``p["key"]``, ``p[0]``) to pass a part of a value.

Everything that needs the value itself — ``if p:``, ``p + 1``, ``int(p)``, ``str(p)``, ``p.upper()``,
``for x in p``, ``f"{p}"``, comparisons — raises :class:`~flyweight.errors.WorkflowCompileError` naming
the workflow, the node and the output, and saying what to do instead: the value only exists when the
workflow runs.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import TYPE_CHECKING, NoReturn, TypeVar

from flyweight._workflows._expression import _CONSTANTS, Comparison, constant_operand, operand_problem
from flyweight._workflows._node import START, Node, NodeOutput
from flyweight.errors import NotSupportedError, WorkflowCompileError

if TYPE_CHECKING:
    from flyweight._idl import Literal, LiteralType

__all__ = ["Promise", "VoidPromise", "describe", "void_use"]

_T = TypeVar("_T")

_ARITHMETIC = "do the computation in a task: pass the promise to a task input and use the task's output"
_TRUTH = (
    "Python cannot branch on a value that does not exist yet; branch inside a task that takes it as an "
    "input, or with conditional(name).if_(p > 1).then(...) (comparisons combined with & and |)"
)
_COMPARE = (
    "compare inside a task that takes it as an input, or in a conditional: conditional(name).if_(p == 1)"
)
_CONVERT = "convert it inside a task that takes it as an input"
_STR = "convert it inside a task that takes it as an input (to see what the promise refers to, print repr(p))"
_ITERATE = (
    "a task with several outputs returns a tuple of promises, unpack that (a, b = t()); to loop over a "
    "list, do it inside a task"
)

# Literal types whose values have no attributes or items to reach into (Flyte's simple types): flyteidl's
# SimpleType numbers (INTEGER, FLOAT, STRING, BOOLEAN, DATETIME, DURATION), without importing protobuf
# here, and the Python type of each.
_SIMPLE_TYPES: dict[int, type] = {
    1: int,
    2: float,
    3: str,
    4: bool,
    5: datetime.datetime,
    6: datetime.timedelta,
}
_PLAIN_SIMPLE = frozenset(_SIMPLE_TYPES)


class Promise:
    """An output of a node (or an input of the workflow), usable as an input of later calls.

    Args:
        var: the output's name.
        val: a :class:`~flyweight._workflows.NodeOutput` (the value comes when the workflow runs) or a
            ``flyteidl`` ``Literal`` (a value that is already there, as in local runs).
        type: the output's ``LiteralType``, when known; it is checked against the inputs it is bound to.

    Example:
        ``x = t1(a=a)`` in a workflow body gives a promise of ``t1``'s output; ``t2(b=x)`` binds it.
    """

    __slots__ = ("_attr_path", "_ref", "_type", "_val", "_var")

    def __init__(self, var: str, val: NodeOutput | Literal, type: LiteralType | None = None) -> None:
        self._var = var
        self._type = type
        if isinstance(val, NodeOutput):
            self._ref: NodeOutput | None = val
            self._val: Literal | None = None
            self._attr_path: tuple[str | int, ...] = val.attr_path
        else:
            self._ref = None
            self._val = val
            self._attr_path = ()

    # -- what it refers to ----------------------------------------------------------------------
    @property
    def var(self) -> str:
        """The name of the output (or workflow input) this promise stands for."""
        return self._var

    @property
    def is_ready(self) -> bool:
        """Whether the value is already here (a literal) rather than a reference to a node's output."""
        return self._ref is None

    @property
    def ref(self) -> NodeOutput:
        """The node output this promise refers to."""
        if self._ref is None:
            raise WorkflowCompileError(f"promise {self._var!r} holds a value and refers to no node")
        return self._ref

    @property
    def val(self) -> Literal:
        """The value, for a promise that holds one (``is_ready``)."""
        if self._val is None:
            raise self._value_error("reading .val", _CONVERT)
        return self._val

    @property
    def attr_path(self) -> list[str | int]:
        """The fields, keys and indices taken into the value (``p.a[0]`` → ``["a", 0]``)."""
        return list(self._attr_path)

    @property
    def literal_type(self) -> LiteralType | None:
        """The ``LiteralType`` of the output, when known (None after indexing into it)."""
        return None if self._attr_path else self._type

    def with_var(self, new_var: str) -> Promise:
        """The same reference (or value) under another output name."""
        if self._ref is None:
            assert self._val is not None
            return Promise(new_var, self._val, self._type)
        return Promise(new_var, self._ref, self._type)

    # -- ordering -------------------------------------------------------------------------------
    def runs_before(self, other: _T) -> _T:
        """Make the node of ``other`` wait for this promise's node; ``self >> other`` does the same."""
        return self >> other

    def __rshift__(self, other: _T) -> _T:
        if self._ref is not None:
            for node in _nodes_of(other, self):
                self._ref.node.runs_before(node)
        return other

    # -- reaching into the value: p.field, p["key"], p[0] ----------------------------------------
    def __getattr__(self, key: str) -> Promise:
        if key.startswith("_"):
            raise AttributeError(key)
        return self._append_attr(key)

    def __getitem__(self, key: str | int) -> Promise:
        if not isinstance(key, (str, int)) or isinstance(key, bool):
            raise WorkflowCompileError(
                f"workflow {self._workflow()!r}: {self._describe()} can be indexed with a str key or an int "
                f"index, not {type(key).__name__} {key!r}"
            )
        lt = self._type
        if self._ref is not None and lt is not None and lt.simple == 9 and not lt.HasField("metadata"):
            # STRUCT without a schema (an untyped dict): flytekit refuses p[...] on it too
            raise WorkflowCompileError(
                f"workflow {self._workflow()!r}: {self._describe()}[{key!r}] indexes into an untyped dict "
                "(a struct without a schema), which flytekit refuses; declare the output as "
                "dict[str, ...] or a dataclass, or read the key inside a task"
            )
        return self._append_attr(key)

    def _append_attr(self, key: str | int) -> Promise:
        if self._ref is None:
            raise self._value_error(f"reading [{key!r}] of a value that is already here", _CONVERT)
        lt = self._type
        if not self._attr_path and lt is not None and lt.simple in _PLAIN_SIMPLE and not _has_more(lt):
            if isinstance(key, str) and hasattr(_SIMPLE_TYPES[lt.simple], key):
                raise self._value_error(f"'.{key}'", f"use .{key} inside a task that takes it as an input")
            raise WorkflowCompileError(
                f"workflow {self._workflow()!r}: {self._describe()} is a plain value "
                f"({_simple_name(lt.simple)}) and has no field or item {key!r}; only dataclasses, dicts "
                "and lists can be indexed"
            )
        return Promise(self._var, self._ref.with_attr(key), self._type)

    def with_overrides(self, *args: object, **kwargs: object) -> Promise:
        """Override settings of the node that makes this promise (flytekit's ``Node.with_overrides``:
        ``node_name``, ``retries``, ``timeout``, ``cache``, ``requests``… — see
        ``flyweight._workflows._overrides``); returns the promise. A promise that holds a value is returned
        unchanged, as in flytekit.

        Raises:
            WorkflowCompileError: an unknown key or a bad value.
            NotSupportedError: a key flyweight does not support yet.
        """
        if self._ref is not None:
            from flyweight._workflows._overrides import apply_overrides

            apply_overrides(self._ref.node, args, kwargs, (Promise, VoidPromise))
        return self

    # -- everything that needs the value ------------------------------------------------------------
    def _workflow(self) -> str:
        return self._ref.node.workflow_name if self._ref is not None else "?"

    def _describe(self) -> str:
        path = "".join(f".{k}" if isinstance(k, str) else f"[{k}]" for k in self._attr_path)
        if self._ref is None:
            return f"the value {self._var!r}"
        node = self._ref.node
        if node.kind == START:
            return f"input {self._var!r}{path} of the workflow"
        return f"output {self._var!r}{path} of {node.describe()}"

    def _value_error(self, action: str, fix: str) -> WorkflowCompileError:
        return WorkflowCompileError(
            f"workflow {self._workflow()!r}: {action} uses {self._describe()} as a Python value, but in a "
            "workflow body it is a promise: the body runs once, when the workflow is compiled, and the "
            f"value exists only when the workflow runs; {fix}"
        )

    def __bool__(self) -> bool:
        raise self._value_error("a truth test (if / while / and / or / not)", _TRUTH)

    def __iter__(self) -> NoReturn:
        raise self._value_error("iterating (for, unpacking, list())", _ITERATE)

    __hash__ = object.__hash__

    # -- conditions of a conditional: p > 1, p == q, p.is_true() --------------------------------------
    def _compare(self, op: str, other: object) -> Comparison:
        self._check_operand()
        if isinstance(other, Promise):
            other._check_operand()
            return Comparison(self, op, other)
        if isinstance(other, VoidPromise):
            raise other._error(f"'{op}'")
        return Comparison(self, op, constant_operand(other, self._workflow_label))

    def _workflow_label(self) -> str:
        return f"workflow {self._workflow()!r}"

    def _check_operand(self) -> None:
        if self._ref is None:
            raise self._value_error("a comparison of a value that is already here", _CONVERT)
        problem = operand_problem(bool(self._attr_path), self._type)
        if problem:
            raise NotSupportedError(
                f"workflow {self._workflow()!r}: a condition on {self._describe()}{problem}"
            )

    def is_(self, v: bool) -> Comparison:
        """The condition ``self == v`` (``is_true()``, ``is_false()``: ``v`` True, False)."""
        return self._compare("==", v)

    def is_true(self) -> Comparison:
        return self._compare("==", True)

    def is_false(self) -> Comparison:
        return self._compare("==", False)

    def is_none(self) -> Comparison:
        """The condition ``self is None`` (``== None`` on Flyte)."""
        return self._compare("==", None)

    def __repr__(self) -> str:
        if self._ref is None:
            return f"Promise({self._var!r}, ready)"
        return f"Promise({self._describe()})"

    def __str__(self) -> str:
        if self._ref is None:
            return repr(self)
        # str(p) would pass for a value: t(name=str(p)) would bind the text "Promise(...)"
        raise self._value_error("str() (or print, or '%s' formatting)", _STR)


def _refuse(action: str, fix: str) -> Callable[..., NoReturn]:
    def method(self: Promise, *args: object, **kwargs: object) -> NoReturn:
        raise self._value_error(action, fix)

    return method


# Everything else that needs the value (comparisons and is_*() build the conditions of a conditional).
for _name, (_action, _fix) in {
    "__len__": ("len()", _CONVERT),
    "__contains__": ("'in'", _COMPARE),
    "__int__": ("int()", _CONVERT),
    "__float__": ("float()", _CONVERT),
    "__complex__": ("complex()", _CONVERT),
    "__index__": ("using it as an index", _CONVERT),
    "__round__": ("round()", _CONVERT),
    "__format__": ("formatting (f-string or format())", _CONVERT),
    "__call__": ("calling it", _CONVERT),
}.items():
    setattr(Promise, _name, _refuse(_action, _fix))


# flyteidl's SimpleType INTEGER, FLOAT, STRING, BOOLEAN: a type whose ``simple`` is one of these is that
# simple type (an unset oneof reads 0), and compares
_COMPARABLE_SIMPLE = frozenset({1, 2, 3, 4})


def _comparison(op: str) -> Callable[[Promise, object], Comparison]:
    def method(self: Promise, other: object) -> Comparison:
        lt = self._type
        if (  # the common case: an output of a primitive type compared with a constant, checked quickly
            self._ref is not None
            and not self._attr_path
            and lt is not None
            and lt.simple in _COMPARABLE_SIMPLE
            and not isinstance(other, (Promise, VoidPromise))
        ):
            try:  # constant_operand's cache, read here
                lit = _CONSTANTS[(type(other), other)]
            except (KeyError, TypeError):  # (its refusal of the value is raised outside this handler)
                lit = None
            if lit is None:
                lit = constant_operand(other, self._workflow_label)
            return Comparison(self, op, lit)
        return self._compare(op, other)

    return method


# p == 1, p < q …: the conditions of a conditional
for _name, _op in {"eq": "==", "ne": "!=", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}.items():
    setattr(Promise, f"__{_name}__", _comparison(_op))


def _operator(symbol: str, reflected: bool = False) -> Callable[..., NoReturn]:
    def op(self: Promise, *other: object) -> NoReturn:
        if other:
            what = f"'{type(other[0]).__name__} {symbol} promise'" if reflected else f"'promise {symbol} ...'"
        else:
            what = f"'{symbol}promise'"
        raise self._value_error(f"the expression {what}", _ARITHMETIC)

    return op


for _name, _symbol in {
    "add": "+",
    "sub": "-",
    "mul": "*",
    "matmul": "@",
    "truediv": "/",
    "floordiv": "//",
    "mod": "%",
    "pow": "**",
    "lshift": "<<",
    "and": "&",
    "or": "|",
    "xor": "^",
}.items():
    setattr(Promise, f"__{_name}__", _operator(_symbol))
    setattr(Promise, f"__r{_name}__", _operator(_symbol, reflected=True))
    setattr(Promise, f"__i{_name}__", _operator(_symbol))
for _name in ("__rrshift__",):  # a >> p with a not a promise
    setattr(Promise, _name, _operator(">>", reflected=True))
for _name, _symbol in {"neg": "-", "pos": "+", "abs": "abs", "invert": "~"}.items():
    setattr(Promise, f"__{_name}__", _operator(_symbol))


def _has_more(lt: LiteralType) -> bool:
    return bool(lt.HasField("structure") or lt.HasField("annotation") or lt.HasField("metadata"))


def _simple_name(simple: int) -> str:
    return {1: "int", 2: "float", 3: "str", 4: "bool", 5: "datetime", 6: "timedelta"}.get(simple, "value")


class VoidPromise:
    """What calling a task without outputs returns in a workflow body: it can only order nodes (``>>``).

    Using it as a value (passing it to a task, ``if``, arithmetic…) is an error naming the task.
    """

    __slots__ = ("_ref", "_task_name")

    def __init__(self, task_name: str, ref: NodeOutput | None = None) -> None:
        self._task_name = task_name
        self._ref = ref

    @property
    def ref(self) -> NodeOutput | None:
        """A reference to the node of the call (its ``var`` is a placeholder)."""
        return self._ref

    @property
    def task_name(self) -> str:
        return self._task_name

    def runs_before(self, other: _T) -> _T:
        """Make the node of ``other`` wait for this call's node; ``self >> other`` does the same."""
        return self >> other

    def __rshift__(self, other: _T) -> _T:
        if self._ref is not None:
            for node in _nodes_of(other, self):
                self._ref.node.runs_before(node)
        return other

    def with_overrides(self, *args: object, **kwargs: object) -> VoidPromise:
        """Override settings of the call's node (as :meth:`Promise.with_overrides`); returns ``self``."""
        if self._ref is not None:
            from flyweight._workflows._overrides import apply_overrides

            apply_overrides(self._ref.node, args, kwargs, (Promise, VoidPromise))
        return self

    def _error(self, action: str) -> WorkflowCompileError:
        where = f"workflow {self._ref.node.workflow_name!r}: " if self._ref is not None else ""
        node = f" ({self._ref.node.describe()})" if self._ref is not None else ""
        return WorkflowCompileError(
            f"{where}{action} uses the result of {self._task_name!r}{node}, which has no outputs; use "
            "a >> b to make one call wait for another, or declare an output on the task"
        )

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        return f"VoidPromise({self._task_name!r})"


def _void_use(action: str) -> Callable[..., NoReturn]:
    def method(self: VoidPromise, *args: object) -> NoReturn:
        raise self._error(action)

    return method


for _name, _action in {
    "__bool__": "a truth test",
    "__str__": "str() (or print, or '%s' formatting)",
    "__iter__": "iterating",
    "__eq__": "'=='",
    "__add__": "'+'",
    "__sub__": "'-'",
    "__mul__": "'*'",
    "__truediv__": "'/'",
    "__mod__": "'%'",
    "__and__": "'&'",
    "__or__": "'|'",
    "__xor__": "'^'",
    "__lt__": "'<'",
    "__le__": "'<='",
    "__gt__": "'>'",
    "__ge__": "'>='",
}.items():
    setattr(VoidPromise, _name, _void_use(_action))


def _nodes_of(other: object, source: object) -> list[Node]:
    """The nodes behind the right-hand side of ``>>``: a promise, a void promise, a tuple of outputs or a
    node."""
    if isinstance(other, Node):
        return [other]
    if isinstance(other, (Promise, VoidPromise)):
        ref = other._ref
        return [] if ref is None else [ref.node]
    if isinstance(other, tuple):
        nodes: list[Node] = []
        for item in other:
            for n in _nodes_of(item, source):
                if not any(n is m for m in nodes):
                    nodes.append(n)
        return nodes
    created = getattr(other, "node", None)  # what create_node returns
    if isinstance(created, Node):
        return [created]
    raise WorkflowCompileError(
        f"{source!r} >> {type(other).__name__}: the right-hand side of >> must be the result of a task, "
        "workflow or launch plan call in the same workflow body"
    )


def describe(p: Promise) -> str:
    """How messages name what ``p`` stands for: ``output 'o0' of node n1 (task 'mod.t')``, ``input 'x' of
    the workflow`` or ``the value 'x'``. (A function, not a method: a promise's public attributes are the
    fields of the value it stands for.)"""
    return p._describe()


def void_use(v: VoidPromise, action: str) -> WorkflowCompileError:
    """The error for ``action`` using the result of a call without outputs as a value."""
    return v._error(action)
