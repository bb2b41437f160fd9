"""``FlyteError``: what a workflow's failure handler is told about the failure.

Flyte passes a failed workflow's error to its failure node (``@workflow(on_failure=handler)``) as an
``err`` input of literal type ``ERROR``: a scalar ``Error`` with the message and the id of the node that
failed. flytekit models it as the dataclass ``flytekit.types.error.FlyteError``; flyweight has the same
class and literals, so a handler written for flytekit ports unchanged.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from flyweight._idl import Error, Literal, LiteralType, Scalar, SimpleType
from flyweight.errors import TypeTransformerFailedError
from flyweight.types._registry._transformer import TypeTransformer

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

__all__ = ["ErrorTransformer", "FlyteError", "error_python_type", "error_transformer"]


@dataclasses.dataclass
class FlyteError:
    """The failure a workflow's failure handler receives (its ``err`` input).

    Attributes:
        message: what went wrong.
        failed_node_id: the node that failed.
    """

    message: str
    failed_node_id: str


class ErrorTransformer(TypeTransformer[FlyteError]):
    """:class:`FlyteError` ⇄ an ``Error`` scalar (literal type ``ERROR``), as flytekit converts it."""

    def __init__(self) -> None:
        super().__init__("FlyteError", FlyteError)

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(simple=SimpleType.ERROR)

    def to_literal(
        self, ctx: FlyteContext | None, python_val: Any, python_type: Any, expected: LiteralType | None
    ) -> Literal:
        if type(python_val) is not FlyteError:
            raise TypeTransformerFailedError(
                f"expected FlyteError, got {type(python_val).__name__} {python_val!r}"
            )
        error = Error(message=python_val.message, failed_node_id=python_val.failed_node_id)
        return Literal(scalar=Scalar(error=error))

    def to_python_value(self, ctx: FlyteContext | None, lv: Literal, expected_python_type: Any) -> FlyteError:
        if lv.scalar.WhichOneof("value") != "error":
            raise TypeTransformerFailedError(
                f"expected an error literal for FlyteError, got a literal holding {lv.WhichOneof('value')}"
            )
        return FlyteError(message=lv.scalar.error.message, failed_node_id=lv.scalar.error.failed_node_id)

    def guess_python_type(self, literal_type: LiteralType) -> type[FlyteError]:
        if literal_type.WhichOneof("type") == "simple" and literal_type.simple == SimpleType.ERROR:
            return FlyteError
        raise ValueError(f"{self.name} cannot stand for {literal_type}")


_TRANSFORMER: ErrorTransformer | None = None


def error_transformer() -> ErrorTransformer:
    """The one transformer of :class:`FlyteError` (made on first use)."""
    global _TRANSFORMER
    if _TRANSFORMER is None:
        _TRANSFORMER = ErrorTransformer()
    return _TRANSFORMER


def error_python_type(literal_type: LiteralType) -> Any:
    """:class:`FlyteError` for an ``ERROR`` literal type (the type engine's guess)."""
    return error_transformer().guess_python_type(literal_type)
