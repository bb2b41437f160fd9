"""``TypeTransformer``: the contract between the type engine and code that adds a Python type.

Third-party transformers written for Flyte's Python SDK port by changing imports: the class keeps
the same constructor, properties and method names (``get_literal_type``, ``to_literal``,
``to_python_value``, ``guess_python_type``, ``assert_type``). Values crossing this boundary are
``flyteidl`` protobuf messages (see ``docs/adr/0001-literals-are-flyteidl-messages.md``).

The built-in types are transformers too (so ``TypeEngine.get_transformer(int).name == "int"``), but
their work is done by the compiled IR backends, not per call: a built-in transformer hands every call
to the engine it was made for (passed in, so this module does not import the engine).
"""

from __future__ import annotations

import datetime
import enum
import typing
from abc import abstractmethod
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from flyweight._idl import Literal, LiteralType
from flyweight.errors import RestrictedTypeError, TypeTransformerFailedError
from flyweight.types._ir._describe import describe_value, type_name
from flyweight.types._ir._nodes import Kind

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

T = TypeVar("T")
R = TypeVar("R")

__all__ = ["AsyncTypeTransformer", "TypeTransformer"]

_HTML_TEXT_LIMIT = 10_000  # how much of a value's text a deck shows


class TypeTransformer(Generic[T]):
    """Base class for converting one Python type to and from Flyte literals.

    Subclass it, implement the four methods, and register an instance with
    ``TypeEngine.register``.

    Example:
        >>> from flyweight.extend import (
        ...     Literal, LiteralType, Primitive, Scalar, SimpleType, TypeEngine, TypeTransformer)
        >>> class Celsius(float): ...
        >>> class CelsiusTransformer(TypeTransformer[Celsius]):
        ...     def __init__(self):
        ...         super().__init__("celsius", Celsius)
        ...     def get_literal_type(self, t):
        ...         return LiteralType(simple=SimpleType.FLOAT)
        ...     def to_literal(self, ctx, python_val, python_type, expected):
        ...         return Literal(scalar=Scalar(primitive=Primitive(float_value=float(python_val))))
        ...     def to_python_value(self, ctx, lv, expected_python_type):
        ...         return Celsius(lv.scalar.primitive.float_value)
        >>> TypeEngine.register(CelsiusTransformer())
        >>> TypeEngine.to_literal(None, Celsius(21.5), Celsius, None).scalar.primitive.float_value
        21.5
    """

    def __init__(self, name: str, t: type[T], enable_type_assertions: bool = True) -> None:
        self._name = name
        self._t = t
        self._type_assertions_enabled = enable_type_assertions

    @property
    def name(self) -> str:
        """The transformer's name; it is also the union-variant tag written for its type."""
        return self._name

    @property
    def python_type(self) -> type[T]:
        """The Python type this transformer handles."""
        return self._t

    @property
    def is_async(self) -> bool:
        return False

    @property
    def type_assertions_enabled(self) -> bool:
        """Whether the engine calls ``assert_type`` before ``to_literal``."""
        return self._type_assertions_enabled

    def isinstance_generic(self, obj: Any, generic_alias: Any) -> None:
        origin = typing.get_origin(generic_alias)
        if not isinstance(obj, origin):
            raise TypeTransformerFailedError(
                f"expected {type_name(generic_alias)}, got {describe_value(obj)}"
            )

    def assert_type(self, t: Any, v: Any) -> None:
        """Raise ``TypeTransformerFailedError`` if ``v`` is not a value of ``t``."""
        if typing.get_origin(t) is not None:
            if typing.get_origin(t) is not typing.Annotated:
                self.isinstance_generic(v, t)
            return
        if isinstance(t, type) and not isinstance(v, t):
            raise TypeTransformerFailedError(f"expected {type_name(t)}, got {describe_value(v)}")

    @abstractmethod
    def get_literal_type(self, t: Any) -> LiteralType:
        """The Flyte ``LiteralType`` for the Python type ``t``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement get_literal_type")

    def guess_python_type(self, literal_type: LiteralType) -> type[T]:
        """The Python type for a Flyte literal type; raise ``ValueError`` if this transformer has none."""
        raise ValueError(f"transformer {self.name!r} cannot turn {literal_type} into a Python type")

    @abstractmethod
    def to_literal(self, ctx: Any, python_val: T, python_type: Any, expected: LiteralType) -> Literal:
        """Convert ``python_val`` (declared as ``python_type``) to a Flyte ``Literal``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement to_literal")

    @abstractmethod
    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> T | None:
        """Convert the literal ``lv`` to a value of ``expected_python_type``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement to_python_value")

    def to_html(self, ctx: Any, python_val: T, expected_python_type: Any) -> str:
        """An HTML rendering of a value, for decks: its text, escaped (and cut after 10,000 characters)."""
        import html

        text = str(python_val)
        if len(text) > _HTML_TEXT_LIMIT:
            cut = len(text) - _HTML_TEXT_LIMIT
            text = f"{text[:_HTML_TEXT_LIMIT]} … ({cut:,} more characters)"
        return html.escape(text)

    def __repr__(self) -> str:
        return f"{self._name} Transforms ({self._t}) to Flyte native"


class AsyncTypeTransformer(TypeTransformer[T]):
    """A transformer whose conversions are coroutines; the sync methods run them to completion."""

    @property
    def is_async(self) -> bool:
        return True

    @abstractmethod
    async def async_to_literal(
        self, ctx: Any, python_val: T, python_type: Any, expected: LiteralType
    ) -> Literal:
        raise NotImplementedError

    @abstractmethod
    async def async_to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> T | None:
        raise NotImplementedError

    def to_literal(self, ctx: Any, python_val: T, python_type: Any, expected: LiteralType) -> Literal:
        return run_sync(self.async_to_literal(ctx, python_val, python_type, expected))

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> T | None:
        return run_sync(self.async_to_python_value(ctx, lv, expected_python_type))


def run_sync(coro: Coroutine[Any, Any, R]) -> R:
    """Run a coroutine to completion from sync code, also when called inside a running event loop."""
    import asyncio  # imported here: asyncio alone costs more than the rest of the type engine
    import concurrent.futures

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


class Engine(Protocol):
    """What a built-in transformer needs of the engine it belongs to (``TypeEngine`` is one)."""

    def to_literal_type(self, python_type: Any) -> LiteralType: ...

    def to_literal(
        self, ctx: FlyteContext | None, python_val: Any, python_type: Any, expected: LiteralType | None = None
    ) -> Literal: ...

    def to_python_value(self, ctx: FlyteContext | None, lv: Literal, expected_python_type: Any) -> Any: ...

    def get_transformer(self, python_type: Any) -> TypeTransformer[Any]: ...

    def _guess_builtin(self, literal_type: LiteralType) -> Any | None: ...


class BuiltinTransformer(TypeTransformer[Any]):
    """A built-in type. The engine compiles these types itself; the methods delegate to it."""

    def __init__(self, name: str, t: Any, kind: Kind | None, engine: Engine) -> None:
        super().__init__(name, t)
        self._builtin_kind = kind
        self._engine = engine

    def get_literal_type(self, t: Any = None) -> LiteralType:
        return self._engine.to_literal_type(self._t if t is None else t)

    def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        return self._engine.to_literal(ctx, python_val, python_type, expected)

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> Any:
        return self._engine.to_python_value(ctx, lv, expected_python_type)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        guessed = self._engine._guess_builtin(literal_type)
        if guessed is not None and self._engine.get_transformer(guessed) is self:
            return guessed
        return super().guess_python_type(literal_type)

    def assert_type(self, t: Any, v: Any) -> None:
        self._engine.to_literal(None, v, t, None)


class RestrictedTypeTransformer(TypeTransformer[Any]):
    """A type that must not cross task boundaries (untyped tuples); every use is an error."""

    _restricted = True

    def get_literal_type(self, t: Any = None) -> LiteralType:
        raise RestrictedTypeError(f"{type_name(self._t)} is not a Flyte type ({self.name})")

    def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        raise RestrictedTypeError(f"{type_name(self._t)} is not a Flyte type ({self.name})")

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> Any:
        raise RestrictedTypeError(f"{type_name(self._t)} is not a Flyte type ({self.name})")


def builtin_transformers(
    engine: Engine,
) -> tuple[list[tuple[Any, BuiltinTransformer]], dict[Kind, BuiltinTransformer]]:
    """(registry key, transformer) for every built-in type of ``engine``, in registration order, and
    the transformer of each built-in kind (what ``get_transformer`` answers for a built-in type)."""
    table: list[tuple[Any, str, Kind]] = [
        (int, "int", Kind.INT),
        (float, "float", Kind.FLOAT),
        (str, "str", Kind.STR),
        (datetime.datetime, "datetime", Kind.DATETIME),
        (datetime.date, "date", Kind.DATE),
        (datetime.timedelta, "timedelta", Kind.DURATION),
        (bool, "bool", Kind.BOOL),
        (type(None), "none", Kind.NONE),
        (list, "Typed List", Kind.LIST),
        (typing.Union, "Typed Union", Kind.UNION),
        (dict, "Typed Dict", Kind.MAP),
        (enum.Enum, "DefaultEnumTransformer", Kind.ENUM),
    ]
    by_kind: dict[Kind, BuiltinTransformer] = {}
    out = []
    for key, name, kind in table:
        t = BuiltinTransformer(name, key, kind, engine)
        by_kind[kind] = t
        out.append((key, t))
    by_kind[Kind.MSGPACK_DICT] = by_kind[Kind.MAP]
    by_kind[Kind.DATACLASS] = BuiltinTransformer(
        "Object-Dataclass-Transformer", object, Kind.DATACLASS, engine
    )
    return out, by_kind
