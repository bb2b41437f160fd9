"""``TypeEngine``: the registry of transformers and the entry points that convert values.

It keeps flytekit's class-method API (``to_literal_type``, ``to_literal``, ``to_python_value``,
``guess_python_type``, ``literal_map_to_kwargs``, ``dict_to_literal_map``, ``register``) so plugin
code ports unchanged. Underneath, every annotation is compiled once to an IR node (``_ir``) whose
backends are cached; registering a transformer clears those caches.
"""

from __future__ import annotations

import functools
import threading
import typing
from collections.abc import Callable, Mapping
from typing import Any

from flyweight._idl import Literal, LiteralMap, LiteralType, as_message
from flyweight.errors import TransformerRegistrationError, TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types._ctx import reset_ctx, set_ctx
from flyweight.types._describe import type_name
from flyweight.types._ir import Builder, Kind, Node
from flyweight.types._literal_types import literal_type
from flyweight.types._read import reader
from flyweight.types._transformer import (
    BuiltinTransformer,
    RestrictedTypeTransformer,
    TypeTransformer,
    builtin_for_kind,
    builtin_transformers,
)
from flyweight.types._write import as_literal, writer

__all__ = ["TypeEngine"]


class TypeEngine:
    """Converts Python values to Flyte literals and back, and Python types to Flyte literal types.

    Every method takes ``ctx`` first for compatibility with flytekit; it may be None and is handed to
    third-party transformers as it is.

    Example:
        >>> from flyweight.types import TypeEngine
        >>> lit = TypeEngine.to_literal(None, [1, 2, 3], list[int], None)
        >>> TypeEngine.to_python_value(None, lit, list[int])
        [1, 2, 3]
    """

    _REGISTRY: typing.ClassVar[dict[Any, TypeTransformer[Any]]] = {}
    _LAZY: typing.ClassVar[dict[str, Callable[[], TypeTransformer[Any]]]] = {}
    _NODES: typing.ClassVar[dict[Any, Node]] = {}
    _LOCK: typing.ClassVar[threading.RLock] = threading.RLock()

    # -- registry ---------------------------------------------------------------------------------

    @classmethod
    def register(
        cls,
        transformer: TypeTransformer[Any],
        additional_types: list[Any] | None = None,
        override: bool = False,
    ) -> None:
        """Register ``transformer`` for its ``python_type`` (and ``additional_types``).

        A type that already has a transformer is refused with ``TransformerRegistrationError`` unless
        ``override=True``.
        """
        if not isinstance(transformer, TypeTransformer):
            raise TransformerRegistrationError(
                f"TypeEngine.register takes a TypeTransformer instance, got {type(transformer).__name__}"
            )
        types = [transformer.python_type, *(additional_types or [])]
        with cls._LOCK:
            for t in types:
                existing = cls._REGISTRY.get(t)
                if existing is not None and existing is not transformer and not override:
                    raise TransformerRegistrationError(
                        f"{type_name(t)} already has the transformer {existing.name!r}; cannot register "
                        f"{transformer.name!r}. Pass override=True to replace it."
                    )
            for t in types:
                cls._REGISTRY[t] = transformer
            cls._NODES.clear()

    @classmethod
    def register_lazy(cls, qualified_name: str, factory: Callable[[], TypeTransformer[Any]]) -> None:
        """Register a transformer for a class named ``module.QualName`` without importing its module.

        ``factory`` runs, and registers what it returns, the first time a type with that name (or a
        subclass of it) is converted. This keeps optional libraries such as pandas out of
        ``import flyweight``: their transformers load only when one of their types is used, e.g.
        ``TypeEngine.register_lazy("pandas.core.frame.DataFrame", make_dataframe_transformer)``.
        """
        with cls._LOCK:
            cls._LAZY[qualified_name] = factory
            cls._NODES.clear()

    @classmethod
    def _lookup(cls, python_type: Any) -> TypeTransformer[Any] | None:
        found = cls._REGISTRY.get(python_type)
        if found is not None or not cls._LAZY or not isinstance(python_type, type):
            return found
        factory = cls._LAZY.get(f"{python_type.__module__}.{python_type.__qualname__}")
        if factory is None:
            return None
        transformer = factory()
        with cls._LOCK:
            cls._REGISTRY[python_type] = transformer
        return transformer

    @classmethod
    def register_additional_type(
        cls, transformer: TypeTransformer[Any], additional_type: Any, override: bool = False
    ) -> None:
        """Also use ``transformer`` for ``additional_type``; keeps an existing one unless ``override``."""
        with cls._LOCK:
            if additional_type not in cls._REGISTRY or override:
                cls._REGISTRY[additional_type] = transformer
                cls._NODES.clear()

    @classmethod
    def register_restricted_type(cls, name: str, type: Any) -> None:
        """Forbid ``type`` as a task input or output."""
        cls.register(RestrictedTypeTransformer(name, type))

    @classmethod
    def get_transformer(cls, python_type: Any) -> TypeTransformer[Any]:
        """The transformer that handles ``python_type``."""
        node = cls._node(python_type)
        if node.transformer is not None:
            return node.transformer
        return builtin_for_kind(node.kind)

    @classmethod
    def get_available_transformers(cls) -> typing.KeysView[Any]:
        """The Python types that have a registered transformer."""
        return cls._REGISTRY.keys()

    @classmethod
    def _node(cls, python_type: Any) -> Node:
        try:
            key = _cache_key(python_type)
            node = cls._NODES.get(key)
        except TypeError:  # an unhashable annotation (e.g. Annotated with a dict): build every time
            return Builder(cls._lookup).build(python_type)
        if node is None:
            with cls._LOCK:
                node = Builder(cls._lookup).build(python_type)
                cls._NODES[key] = node
        return node

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
                return _custom_to_literal(node, ctx, python_val, expected)
            msg = Literal()
            writer(node)(msg, python_val)
            return msg
        finally:
            reset_ctx(token)

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
    def guess_python_type(cls, flyte_type: LiteralType) -> Any:
        """A Python type for a Flyte literal type: registered transformers first, then built-ins."""
        from flyweight.types._guess import guess

        lt = _as_literal_type_message(flyte_type)
        for transformer in list(cls._REGISTRY.values()):
            if isinstance(transformer, (BuiltinTransformer, RestrictedTypeTransformer)):
                continue
            try:
                return transformer.guess_python_type(lt)
            except (ValueError, NotImplementedError):
                continue
        return guess(lt)

    @classmethod
    def guess_python_types(cls, variables: Mapping[str, Any]) -> dict[str, Any]:
        """``guess_python_type`` for each ``Variable`` (anything with a ``.type``) of a variable map."""
        return {name: cls.guess_python_type(var.type) for name, var in variables.items()}

    @classmethod
    def literal_map_to_kwargs(
        cls,
        ctx: Any,
        lm: Any,
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
                        out.literals[name].CopyFrom(_custom_to_literal(node, ctx, value, None))
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
        ctx: Any,
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
                        slots[name].CopyFrom(_custom_to_literal(node, ctx, values[name], expected))
                    else:
                        writer(node)(slots[name], values[name])
                except TypeTransformerFailedError as e:
                    raise e.within(owner, f"{section}.{name}") from None
            return out
        finally:
            reset_ctx(token)

    @classmethod
    def literal_map_to_values(
        cls, ctx: Any, lm: LiteralMap, python_types: Mapping[str, Any], owner: str, section: str
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


def _cache_key(python_type: Any) -> Any:
    """A key that tells apart annotations ``==`` confuses: ``Union[int, str] == Union[str, int]``, but
    the variant order is part of the literal type."""
    args = typing.get_args(python_type)
    if not args:
        return python_type
    return (typing.get_origin(python_type), type(python_type), tuple(_cache_key(a) for a in args))


def _custom_to_literal(node: Node, ctx: Any, value: Any, expected: LiteralType | None) -> Literal:
    transformer = node.transformer
    assert transformer is not None
    if transformer.type_assertions_enabled:
        transformer.assert_type(node.py_type, value)
    lt = expected if expected is not None else literal_type(node)
    return as_literal(transformer.to_literal(ctx, value, node.py_type, lt), transformer.name)


def _as_literal_message(lv: Any) -> Literal:
    got = as_message(lv, Literal)
    if got is None:
        raise TypeTransformerFailedError(f"expected a flyteidl Literal, got {type(lv).__name__}")
    return got


def _as_literal_type_message(lt: Any) -> LiteralType:
    got = as_message(lt, LiteralType)
    if got is None:
        raise TypeTransformerFailedError(f"expected a flyteidl LiteralType, got {type(lt).__name__}")
    return got


def _literal_items(lm: Any) -> Mapping[str, Literal]:
    if isinstance(lm, Mapping):
        return {k: _as_literal_message(v) for k, v in lm.items()}
    got = as_message(lm, LiteralMap)
    if got is None:
        raise TypeTransformerFailedError(f"expected a flyteidl LiteralMap, got {type(lm).__name__}")
    return got.literals


_TABLE_TYPES = (
    "flyweight.types._structured.StructuredDataset",
    "flyweight.types._flyte_schema.FlyteSchema",
    "pandas.core.frame.DataFrame",
    "pyarrow.lib.Table",
)


def _table_transformer(qualified_name: str) -> TypeTransformer[Any]:
    from flyweight.types._structured_engine import transformer_for

    return transformer_for(qualified_name)


# One transformer for FlyteFile and os.PathLike, as in flytekit.
_BLOB_TYPES = (
    "flyweight.types._file.FlyteFile",
    "os.PathLike",
    "flyweight.types._directory.FlyteDirectory",
    "flyweight.types._pickle.FlytePickle",
)


@functools.cache
def _blob_transformer(qualified_name: str) -> TypeTransformer[Any]:
    if qualified_name == "flyweight.types._directory.FlyteDirectory":
        from flyweight.types import _directory

        return _directory.FlyteDirToMultipartBlobTransformer()
    if qualified_name == "flyweight.types._pickle.FlytePickle":
        from flyweight.types import _pickle

        return _pickle.transformer()
    return _file_transformer()


@functools.cache
def _file_transformer() -> TypeTransformer[Any]:
    from flyweight.types import _file

    return _file.FlyteFilePathTransformer()


def _register_builtins() -> None:
    for key, transformer in builtin_transformers():
        TypeEngine._REGISTRY[key] = transformer
    TypeEngine._REGISTRY[None] = TypeEngine._REGISTRY[type(None)]
    restricted_tuple = RestrictedTypeTransformer("non typed tuple", tuple)
    TypeEngine._REGISTRY[tuple] = restricted_tuple
    TypeEngine._REGISTRY[typing.Tuple] = restricted_tuple  # noqa: UP006
    TypeEngine._REGISTRY[typing.NamedTuple] = RestrictedTypeTransformer("named tuple", typing.NamedTuple)
    # Tables: loaded on first use, so pandas and pyarrow are imported only by programs that use them.
    for qualified_name in _TABLE_TYPES:
        TypeEngine._LAZY[qualified_name] = functools.partial(_table_transformer, qualified_name)
    # Files, directories and pickles: loaded on first use too (their modules bring file access).
    for qualified_name in _BLOB_TYPES:
        TypeEngine._LAZY[qualified_name] = functools.partial(_blob_transformer, qualified_name)


_register_builtins()
