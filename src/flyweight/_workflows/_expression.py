"""The conditions of a Flyte conditional: comparisons of promises and constants, combined with ``&``/``|``.

In a workflow body, ``p > 1``, ``p == q``, ``p.is_true()`` or ``p.is_none()`` on a promise build a
:class:`Comparison`; ``a & b`` and ``a | b`` on those build a :class:`Conjunction`. Neither has a truth
value: Python's ``and``, ``or``, ``not`` and ``bool()`` would need the values, which exist only when the
workflow runs, so they raise (flytekit's message: use ``&`` / ``|``).

An operand is a promise (an output of a node, or an input of the workflow) or a constant ``Literal`` of a
primitive (``int``, ``float``, ``str``, ``bool``) or ``None``. The local engine evaluates a condition on
the real values with :meth:`Comparison.evaluate` / :meth:`Conjunction.evaluate`, short-circuiting as
flytekit's local runs do.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any, Final, NoReturn, TypeAlias

from flyweight._idl import Literal, LiteralType, Primitive, Scalar, Void
from flyweight.errors import NotSupportedError, WorkflowCompileError

__all__ = [
    "AND",
    "COMPARISON_OPERATORS",
    "OR",
    "Comparison",
    "Conjunction",
    "Expression",
    "constant_operand",
    "operand_problem",
]

# flyteidl's ComparisonExpression.Operator numbers, by the Python operator that builds them
COMPARISON_OPERATORS: Final = {"==": 0, "!=": 1, ">": 2, ">=": 3, "<": 4, "<=": 5}
# flyteidl's ConjunctionExpression.LogicalOperator numbers
AND: Final = 0
OR: Final = 1

_PYTHON_OPERATORS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}

_TRUTH: Final = (
    "Cannot perform truth value testing, This is a limitation in python. For Logical `and\\or` use `&\\|` "
    "(bitwise) instead."
)

Expression: TypeAlias = "Comparison | Conjunction"
"""A condition of a conditional's ``if_`` or ``elif_``."""

Resolve: TypeAlias = Callable[[Any], Literal]
"""Gives the literal a promise operand stands for (the local engine reads it from the produced outputs)."""


_CONSTANTS: dict[tuple[type, object], Literal] = {}
_CONSTANTS_KEPT = 4096


def constant_operand(value: object, where: str | Callable[[], str]) -> Literal:
    """The ``Literal`` of a constant compared with a promise (as flytekit converts it: by its own type);
    ``where`` (or what it gives, made only for an error) says where the comparison is.

    The literal is shared by every comparison with the same constant (it is only read, never changed)."""
    key = (type(value), value)
    try:
        return _CONSTANTS[key]
    except (KeyError, TypeError):  # TypeError: an unhashable value, refused below
        pass
    lit = _constant_literal(value, where)
    if len(_CONSTANTS) < _CONSTANTS_KEPT:
        _CONSTANTS[key] = lit
    return lit


def _constant_literal(value: object, where: str | Callable[[], str]) -> Literal:
    if value is None:
        return Literal(scalar=Scalar(none_type=Void()))
    if isinstance(value, bool):
        return Literal(scalar=Scalar(primitive=Primitive(boolean=value)))
    if isinstance(value, int):
        return Literal(scalar=Scalar(primitive=Primitive(integer=value)))
    if isinstance(value, float):
        return Literal(scalar=Scalar(primitive=Primitive(float_value=value)))
    if isinstance(value, str):
        return Literal(scalar=Scalar(primitive=Primitive(string_value=value)))
    raise NotSupportedError(
        f"{where if isinstance(where, str) else where()}: a condition compares a promise with "
        f"{type(value).__name__} {value!r}; flyweight's conditionals compare with int, float, str, bool "
        "constants and None only (compute anything else in a task and compare its output)"
    )


_COMPARABLE: Final = frozenset({0, 1, 2, 3, 4})  # SimpleType NONE, INTEGER, FLOAT, STRING, BOOLEAN


def _comparable(lt: LiteralType) -> bool:
    """Whether a condition can compare values of ``lt``: a primitive, or a union of primitives and None."""
    kind = lt.WhichOneof("type")
    if kind == "simple":
        return lt.simple in _COMPARABLE
    if kind == "union_type":
        return all(_comparable(v) for v in lt.union_type.variants)
    return False


def operand_problem(has_path: bool, lt: LiteralType | None) -> str:
    """Why a promise (of type ``lt``; ``has_path``: a part of a value) cannot be compared, or ``""``."""
    if has_path:
        return (
            " (a part of a value) is not supported by flyweight; return the part from a task and compare that"
        )
    if lt is not None and not _comparable(lt):
        return (
            ", which is not an int, float, str or bool (or Optional of one), is not supported by flyweight; "
            "compare in a task"
        )
    return ""


def _python_value(lit: Literal) -> object:
    """The Python value of a primitive literal (or None), looking through a union (``Optional[int]``)."""
    scalar = lit.scalar
    kind = scalar.WhichOneof("value")
    if kind == "union":
        return _python_value(scalar.union.value)
    if kind == "none_type":
        return None
    if kind == "primitive":
        prim = scalar.primitive
        which = prim.WhichOneof("value")
        if which is not None:
            return getattr(prim, which)
    raise NotSupportedError(
        f"a condition compares a {kind or 'value'}; only primitive values and None compare"
    )


class Comparison:
    """``lhs <op> rhs``: each operand a promise or a constant ``Literal``; ``op`` one of ``==`` ``!=``
    ``>`` ``>=`` ``<`` ``<=``."""

    __slots__ = ("lhs", "op", "rhs")

    def __init__(self, lhs: object, op: str, rhs: object) -> None:
        self.lhs = lhs
        self.op = op
        self.rhs = rhs

    def __and__(self, other: Expression) -> Conjunction:
        return Conjunction(self, AND, _expression(other, "&"))

    def __or__(self, other: Expression) -> Conjunction:
        return Conjunction(self, OR, _expression(other, "|"))

    def __bool__(self) -> NoReturn:
        raise WorkflowCompileError(f"{_TRUTH} Expr {self!r}")

    def promises(self) -> list[Any]:
        """The promise operands, left to right."""
        return [x for x in (self.lhs, self.rhs) if not isinstance(x, Literal)]

    def evaluate(self, resolve: Resolve) -> bool:
        """The comparison on the real values (``resolve`` gives the literal of a promise operand)."""
        left = _python_value(self.lhs if isinstance(self.lhs, Literal) else resolve(self.lhs))
        right = _python_value(self.rhs if isinstance(self.rhs, Literal) else resolve(self.rhs))
        return bool(_PYTHON_OPERATORS[self.op](left, right))

    def __repr__(self) -> str:
        return f"Comp({_show(self.lhs)} {self.op} {_show(self.rhs)})"


class Conjunction:
    """``lhs & rhs`` (``op`` is :data:`AND`) or ``lhs | rhs`` (:data:`OR`) of two conditions."""

    __slots__ = ("lhs", "op", "rhs")

    def __init__(self, lhs: Expression, op: int, rhs: Expression) -> None:
        self.lhs = lhs
        self.op = op
        self.rhs = rhs

    def __and__(self, other: Expression) -> Conjunction:
        return Conjunction(self, AND, _expression(other, "&"))

    def __or__(self, other: Expression) -> Conjunction:
        return Conjunction(self, OR, _expression(other, "|"))

    def __bool__(self) -> NoReturn:
        raise WorkflowCompileError(f"{_TRUTH} Refer to: PEP-335")

    def promises(self) -> list[Any]:
        """The promise operands, left to right."""
        return [*self.lhs.promises(), *self.rhs.promises()]

    def evaluate(self, resolve: Resolve) -> bool:
        """Both sides on the real values; the right one only when the left one does not decide."""
        left = self.lhs.evaluate(resolve)
        if left is (self.op == OR):
            return left
        return self.rhs.evaluate(resolve)

    def __repr__(self) -> str:
        return f"( {self.lhs!r} {'&' if self.op == AND else '|'} {self.rhs!r} )"


def _expression(value: object, symbol: str) -> Expression:
    if isinstance(value, (Comparison, Conjunction)):
        return value
    raise WorkflowCompileError(
        f"a condition combines with {symbol} only comparisons (p > 1, p == q, p.is_true()…) and their "
        f"combinations; got {type(value).__name__} {value!r}"
    )


def _show(operand: object) -> str:
    if isinstance(operand, Literal):
        return str(_python_value(operand))
    return repr(operand)
