"""``TransformerRegistry``: which transformer converts which Python type, and the IR nodes built from them.

``TypeEngine`` (``_engine``) is this registry plus the conversions. The registry knows the built-in
types only. The data types above it (files, tables, pickles...) are declared to it lazily by the
``flyweight.types`` façade: a qualified class name → the factory of its transformer
(``register_lazy``), a kind of literal type → the function that guesses its Python type
(``register_lazy_guess``), and the fallback for types with no transformer (``register_fallback``),
each a :class:`Deferred` ``"module:function"`` that imports its module on first use.
"""

from __future__ import annotations

import importlib
import threading
import typing
from collections.abc import Callable, Mapping
from typing import Any

from flyweight._idl import LiteralType, as_message
from flyweight.errors import TransformerRegistrationError, TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types._ir._describe import type_name
from flyweight.types._ir._nodes import Builder, Fallback, Hooks, Kind, Node
from flyweight.types._registry._transformer import (
    BuiltinTransformer,
    RestrictedTypeTransformer,
    TypeTransformer,
)

__all__ = ["Deferred", "TransformerRegistry"]


class TransformerRegistry:
    """The transformers registered for Python types (class methods, shared by ``TypeEngine``)."""

    _REGISTRY: typing.ClassVar[dict[Any, TypeTransformer[Any]]] = {}
    _LAZY: typing.ClassVar[dict[str, Callable[[], TypeTransformer[Any]]]] = {}
    _GUESSES: typing.ClassVar[dict[str, Callable[[LiteralType], Any]]] = {}
    _BY_KIND: typing.ClassVar[dict[Kind, BuiltinTransformer]] = {}
    _HOOKS: typing.ClassVar[Hooks]
    _NODES: typing.ClassVar[dict[Any, Node]] = {}
    # id(annotation) -> (annotation, key in _NODES, node): skips computing the key (``typing.get_args``
    # at every level) for an annotation object seen before; trusted only while _NODES still holds it.
    _RECENT: typing.ClassVar[dict[int, tuple[Any, Any, Node]]] = {}
    _LOCK: typing.ClassVar[threading.RLock] = threading.RLock()

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
    def register_lazy_guess(cls, kind: str, guess: Callable[[LiteralType], Any]) -> None:
        """Have ``guess_python_type`` ask ``guess(literal_type)`` for literal types of ``kind`` (the field
        of ``LiteralType.type`` they set, e.g. ``"blob"``) that no registered transformer guesses."""
        with cls._LOCK:
            cls._GUESSES[kind] = guess

    @classmethod
    def register_fallback(cls, fallback: Fallback) -> None:
        """Convert values of types with no transformer with ``fallback(annotation, warn)``, the
        transformer that stores them (Flyte's Python SDK pickles them; so does ``flyweight.types``)."""
        with cls._LOCK:
            TransformerRegistry._HOOKS = Hooks(TransformerRegistry._lookup, as_transformer, fallback)
            cls._NODES.clear()

    @classmethod
    def _lookup(cls, python_type: Any) -> TypeTransformer[Any] | None:
        found = cls._REGISTRY.get(python_type)
        if found is not None or not cls._LAZY:
            return found
        if not isinstance(python_type, type):
            # A generic alias (``Iterator[JSON]``) whose origin is declared lazily: loading the origin's
            # module may register a transformer for this very alias, which wins over the origin's.
            origin = typing.get_origin(python_type)
            if isinstance(origin, type) and cls._declared(origin) and cls._lookup(origin) is not None:
                return cls._REGISTRY.get(python_type)
            return None
        factory = cls._LAZY.get(f"{python_type.__module__}.{python_type.__qualname__}")
        if factory is None:
            return None
        transformer = factory()
        with cls._LOCK:
            cls._REGISTRY[python_type] = transformer
        return transformer

    @classmethod
    def _declared(cls, python_type: type) -> bool:
        """Whether ``python_type`` was declared with ``register_lazy`` (loaded or not)."""
        return f"{python_type.__module__}.{python_type.__qualname__}" in cls._LAZY

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
            # every Custom on a node comes from this registry, the fallback or an Annotated extra,
            # and each of those is a TypeTransformer
            return typing.cast("TypeTransformer[Any]", node.transformer)
        return cls._BY_KIND[node.kind]

    @classmethod
    def get_available_transformers(cls) -> typing.KeysView[Any]:
        """The Python types that have a registered transformer."""
        return cls._REGISTRY.keys()

    @classmethod
    def _node(cls, python_type: Any) -> Node:
        recent = cls._RECENT.get(id(python_type))
        if recent is not None and recent[0] is python_type and cls._NODES.get(recent[1]) is recent[2]:
            return recent[2]
        try:
            key = _cache_key(python_type)
            node = cls._NODES.get(key)
        except TypeError:  # an unhashable annotation (e.g. Annotated with a dict): build every time
            return Builder(cls._HOOKS).build(python_type)
        if node is None:
            with cls._LOCK:
                node = Builder(cls._HOOKS).build(python_type)
                cls._NODES[key] = node
        if len(cls._RECENT) >= _RECENT_LIMIT:  # annotations made afresh per call (``list[int]`` in a loop)
            cls._RECENT.clear()
        cls._RECENT[id(python_type)] = (python_type, key, node)
        return node

    # -- guessing ---------------------------------------------------------------------------------

    @classmethod
    def guess_python_type(cls, flyte_type: LiteralType) -> Any:
        """A Python type for a Flyte literal type: registered transformers first, then built-ins and
        the data types declared with ``register_lazy_guess``."""
        lt = _as_literal_type_message(flyte_type)
        for transformer in list(cls._REGISTRY.values()):
            if isinstance(transformer, (BuiltinTransformer, RestrictedTypeTransformer)):
                continue
            try:
                return transformer.guess_python_type(lt)
            except (ValueError, NotImplementedError):
                continue
        return cls._guess(lt)

    @classmethod
    def _guess_builtin(cls, literal_type: LiteralType) -> Any | None:
        """The type the engine itself gives ``literal_type`` (no registered transformer asked), or None."""
        try:
            return cls._guess(literal_type)
        except UnsupportedTypeError:
            return None

    @classmethod
    def _guess(cls, lt: LiteralType) -> Any:
        # Imported on first use: only code that has nothing but a template (executors, CLIs) guesses.
        from flyweight.types._registry._guess import guess

        return guess(lt, cls._guess_declared)

    @classmethod
    def _guess_declared(cls, lt: LiteralType) -> Any | None:
        found = cls._GUESSES.get(str(lt.WhichOneof("type")))
        return None if found is None else found(lt)

    @classmethod
    def guess_python_types(cls, variables: Mapping[str, Any]) -> dict[str, Any]:
        """``guess_python_type`` for each ``Variable`` (anything with a ``.type``) of a variable map."""
        return {name: cls.guess_python_type(var.type) for name, var in variables.items()}


_RECENT_LIMIT = 4096


def _cache_key(python_type: Any) -> Any:
    """A key that tells apart annotations ``==`` confuses: ``Union[int, str] == Union[str, int]``, but
    the variant order is part of the literal type."""
    args = typing.get_args(python_type)
    if not args:
        return python_type
    return (typing.get_origin(python_type), type(python_type), tuple(_cache_key(a) for a in args))


def _as_literal_type_message(lt: object) -> LiteralType:
    got = as_message(lt, LiteralType)
    if got is None:
        raise TypeTransformerFailedError(f"expected a flyteidl LiteralType, got {type(lt).__name__}")
    return got


def as_transformer(extra: object) -> TypeTransformer[Any] | None:
    """An ``Annotated`` extra that is a transformer (``Annotated[T, MyTransformer()]``), or None."""
    return extra if isinstance(extra, TypeTransformer) else None


class Deferred:
    """``"module:function"`` as a function that imports ``module`` on its first call.

    How the layers above the registry declare what it loads lazily, e.g.
    ``TypeEngine.register_lazy("pkg.things.Thing", Deferred("pkg.things:thing_transformer"))``: the
    registry names no module of theirs, and none is imported before one of its types is used.
    """

    def __init__(self, target: str) -> None:
        module, _, function = target.partition(":")
        if not module or not function:
            raise ValueError(f"expected 'module:function', got {target!r}")
        self._module = module
        self._function = function
        self._found: Callable[..., Any] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        found = self._found
        if found is None:
            found = self._found = getattr(importlib.import_module(self._module), self._function)
        return found(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Deferred({self._module}:{self._function})"


# Until a fallback is registered (the façade registers the pickle fallback), a type with no
# transformer is refused.
TransformerRegistry._HOOKS = Hooks(TransformerRegistry._lookup, as_transformer)
