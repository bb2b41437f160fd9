"""``TypeEngine``: the registry of transformers and the entry points that convert values.

It keeps flytekit's class-method API (``to_literal_type``, ``to_literal``, ``to_python_value``,
``guess_python_type``, ``literal_map_to_kwargs``, ``dict_to_literal_map``, ``register``) so plugin
code ports unchanged. Underneath, every annotation is compiled once to an IR node (``_ir``) whose
backends are cached; registering a transformer clears those caches. What is registered, and how the
data types are declared to it lazily, is ``_transformer_registry``.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flyweight._idl import Literal, LiteralMap, LiteralType, as_message
from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types._backends._literal_types import literal_type
from flyweight.types._backends._read import reader
from flyweight.types._backends._write import custom_to_literal, writer
from flyweight.types._ir._context import reset_ctx, set_ctx
from flyweight.types._ir._nodes import Kind
from flyweight.types._registry._transformer import (
    RestrictedTypeTransformer,
    TypeTransformer,
    builtin_transformers,
)
from flyweight.types._registry._transformer_registry import TransformerRegistry

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

__all__ = ["TypeEngine"]


class TypeEngine(TransformerRegistry):
    """Converts Python values to Flyte literals and back, and Python types to Flyte literal types.

    Every method takes ``ctx`` first for compatibility with flytekit; it may be None and is handed to
    third-party transformers as it is.

    Example:
        >>> from flyweight.types import TypeEngine
        >>> lit = TypeEngine.to_literal(None, [1, 2, 3], list[int], None)
        >>> TypeEngine.to_python_value(None, lit, list[int])
        [1, 2, 3]
    """

    # -- conversions ------------------------------------------------------------------------------

    @classmethod
    def to_literal_type(cls, python_type: Any) -> LiteralType:
        """The ``flyteidl.core.LiteralType`` of a Python annotation."""
        return literal_type(cls._node(python_type))

    @classmethod
    def to_literal(
        cls, ctx: Any, python_val: Any, python_type: Any, expected: LiteralType | None = None
    ) -> Literal:
        """Convert ``python_val``, declared as ``python_type``, to a ``flyteidl.core.Literal``.

        Raises:
            TypeTransformerFailedError: the value does not fit the type; the message says where.
        """
        node = cls._node(python_type)
        token = set_ctx(ctx)
        try:
            if node.kind is Kind.CUSTOM and node.hash_method is None:
                return custom_to_literal(node, ctx, python_val, expected)
            msg = Literal()
            writer(node)(msg, python_val)
            return msg
        finally:
            reset_ctx(token)

    @classmethod
    def to_html(cls, ctx: Any, python_val: Any, expected_python_type: Any) -> str:
        """HTML showing ``python_val`` in a deck: the renderer of ``Annotated[T, renderer]`` if there is
        one, else the transformer's ``to_html``."""
        if typing.get_origin(expected_python_type) is typing.Annotated:
            for extra in typing.get_args(expected_python_type)[1:]:
                render = getattr(extra, "to_html", None)
                if callable(render) and not isinstance(extra, (type, TypeTransformer)):
                    return str(render(python_val))
        return cls.get_transformer(expected_python_type).to_html(ctx, python_val, expected_python_type)

    @classmethod
    def to_python_value(cls, ctx: Any, lv: Literal, expected_python_type: Any) -> Any:
        """Convert a ``flyteidl.core.Literal`` to a value of ``expected_python_type``.

        Raises:
            TypeTransformerFailedError: the literal does not hold a value of that type.
        """
        node = cls._node(expected_python_type)
        lit = _as_literal_message(lv)
        token = set_ctx(ctx)
        try:
            return reader(node)(lit)
        finally:
            reset_ctx(token)

    @classmethod
    async def async_to_literal(
        cls, ctx: Any, python_val: Any, python_type: Any, expected: LiteralType | None = None
    ) -> Literal:
        return cls.to_literal(ctx, python_val, python_type, expected)

    @classmethod
    async def async_to_python_value(cls, ctx: Any, lv: Literal, expected_python_type: Any) -> Any:
        return cls.to_python_value(ctx, lv, expected_python_type)

    @classmethod
    def literal_map_to_kwargs(
        cls,
        ctx: Any,
        lm: object,
        python_types: Mapping[str, Any] | None = None,
        literal_types: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Convert a ``LiteralMap`` (e.g. task inputs) to keyword arguments.

        ``python_types`` maps names to annotations; without it, types are guessed from
        ``literal_types`` (name → ``Variable``). Errors name the input: ``... at limit``.
        """
        if python_types is None:
            if literal_types is None:
                raise TypeTransformerFailedError("literal_map_to_kwargs needs python_types or literal_types")
            python_types = cls.guess_python_types(literal_types)
        literals = _literal_items(lm)
        unknown = sorted(set(literals) - set(python_types))
        if unknown:
            raise TypeTransformerFailedError(
                f"unexpected input {unknown[0]!r}; the inputs are {sorted(python_types)}"
            )
        token = set_ctx(ctx)
        try:
            out = {}
            for name, py_type in python_types.items():
                if name not in literals:
                    continue
                try:
                    out[name] = reader(cls._node(py_type))(literals[name])
                except TypeTransformerFailedError as e:
                    raise e.at(name) from None
            return out
        finally:
            reset_ctx(token)

    @classmethod
    def dict_to_literal_map(
        cls, ctx: Any, d: Mapping[str, Any], type_hints: Mapping[str, Any] | None = None
    ) -> LiteralMap:
        """Convert a dict of values to a ``LiteralMap``, typed by ``type_hints`` (default: each
        value's own class, which cannot see inside lists and dicts)."""
        hints = type_hints or {}
        out = LiteralMap()
        token = set_ctx(ctx)
        try:
            for name, value in d.items():
                py_type = hints[name] if name in hints else type(value)
                try:
                    node = cls._node(py_type)
                    if node.kind is Kind.CUSTOM:
                        out.literals[name].CopyFrom(custom_to_literal(node, ctx, value, None))
                    else:
                        writer(node)(out.literals[name], value)
                except UnsupportedTypeError as e:
                    if name not in hints:
                        e.reason = f"no type hint for {name!r}, and {e.reason}"
                    raise e.at(name) from None
                except TypeTransformerFailedError as e:
                    raise e.at(name) from None
            return out
        finally:
            reset_ctx(token)

    @classmethod
    def values_to_literal_map(  # noqa: PLR0917 - mirrors the other TypeEngine entry points
        cls,
        ctx: FlyteContext | None,
        values: Mapping[str, Any],
        python_types: Mapping[str, Any],
        owner: str,
        section: str,
        literal_types: Mapping[str, LiteralType] | None = None,
    ) -> LiteralMap:
        """Convert a task's inputs or outputs (``section``: ``"inputs"``/``"outputs"``) to a ``LiteralMap``.

        Every name of ``python_types`` must be in ``values``. A failure names ``owner`` and the
        variable: ``task 't': expected int, got str 'x' at inputs.limit``.
        """
        out = LiteralMap()
        slots = out.literals
        token = set_ctx(ctx)
        try:
            for name, py_type in python_types.items():
                try:
                    node = cls._node(py_type)
                    if node.kind is Kind.CUSTOM and node.hash_method is None:
                        expected = literal_types.get(name) if literal_types is not None else None
                        slots[name].CopyFrom(custom_to_literal(node, ctx, values[name], expected))
                    else:
                        writer(node)(slots[name], values[name])
                except TypeTransformerFailedError as e:
                    raise e.within(owner, f"{section}.{name}") from None
            return out
        finally:
            reset_ctx(token)

    @classmethod
    def literal_map_to_values(
        cls,
        ctx: FlyteContext | None,
        lm: LiteralMap,
        python_types: Mapping[str, Any],
        owner: str,
        section: str,
    ) -> dict[str, Any]:
        """Convert a task's ``LiteralMap`` to Python values; a missing or unexpected name is an error
        naming ``owner``, as is a literal that does not fit its type."""
        literals = lm.literals
        if len(literals) != len(python_types) or any(k not in literals for k in python_types):
            missing = [k for k in python_types if k not in literals]
            extra = sorted(k for k in literals if k not in python_types)
            parts = []
            if missing:
                parts.append(f"missing {section} {', '.join(map(repr, missing))}")
            if extra:
                parts.append(f"unexpected {section} {', '.join(map(repr, extra))}")
            raise TypeTransformerFailedError(
                f"{owner}: {' and '.join(parts)}; the task's {section} are {list(python_types)}"
            )
        token = set_ctx(ctx)
        try:
            out = {}
            for name, py_type in python_types.items():
                try:
                    out[name] = reader(cls._node(py_type))(literals[name])
                except TypeTransformerFailedError as e:
                    raise e.within(owner, f"{section}.{name}") from None
            return out
        finally:
            reset_ctx(token)


def _as_literal_message(lv: object) -> Literal:
    got = as_message(lv, Literal)
    if got is None:
        raise TypeTransformerFailedError(f"expected a flyteidl Literal, got {type(lv).__name__}")
    return got


def _literal_items(lm: object) -> Mapping[str, Literal]:
    if isinstance(lm, Mapping):
        return {k: _as_literal_message(v) for k, v in lm.items()}
    got = as_message(lm, LiteralMap)
    if got is None:
        raise TypeTransformerFailedError(f"expected a flyteidl LiteralMap, got {type(lm).__name__}")
    return got.literals


def _register_builtins() -> None:
    builtins, by_kind = builtin_transformers(TypeEngine)
    for key, transformer in builtins:
        TypeEngine._REGISTRY[key] = transformer
    TypeEngine._BY_KIND.update(by_kind)
    TypeEngine._REGISTRY[None] = TypeEngine._REGISTRY[type(None)]
    restricted_tuple = RestrictedTypeTransformer("non typed tuple", tuple)
    TypeEngine._REGISTRY[tuple] = restricted_tuple
    TypeEngine._REGISTRY[typing.Tuple] = restricted_tuple  # noqa: UP006
    TypeEngine._REGISTRY[typing.NamedTuple] = RestrictedTypeTransformer("named tuple", typing.NamedTuple)


_register_builtins()
