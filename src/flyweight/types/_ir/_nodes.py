"""Annotation → a small type IR, built once per annotation and cached.

The type engine never walks ``typing`` objects on the hot path. A Python annotation is turned into a
tree of :class:`Node` objects once; the literal-type, literal and msgpack backends each compile a node
into a plain function on first use and keep it on the node. Conversions of big collections then run
one tight loop with no per-element dispatch on the annotation.

This is the bottom layer of the type engine: it knows no transformer. A type it does not build itself
is a :class:`Custom` object (in practice a registered ``TypeTransformer``), found through the
:class:`Hooks` the registry passes to the :class:`Builder`.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from flyweight._idl import Literal, LiteralType
from flyweight.errors import RestrictedTypeError, UnsupportedTypeError
from flyweight.types._ir._describe import type_name
from flyweight.types._ir._markers import FlyteAnnotation, HashMethod

if TYPE_CHECKING:
    from flyweight._context import FlyteContext


class Custom(Protocol):
    """What the IR and the backends need of a type they do not build themselves.

    ``flyweight.types.TypeTransformer`` is one; the IR never imports it. Two optional attributes, read
    with ``getattr``, change how the builder uses it: ``_builtin_kind`` (a built-in type's ``Kind``:
    build that kind instead) and ``_restricted`` (the type must not cross a task boundary).

    Three optional methods let its values be dataclass fields (stored as msgpack, as Flyte's Python SDK
    stores ``FlyteFile`` and friends through mashumaro's ``SerializableType``):
    ``_to_plain(ctx, value, py_type)`` (the msgpack-storable reference, e.g. ``{"path": uri}``, after
    uploading local data), ``_from_plain(ctx, plain, py_type)`` (the value again) and
    ``_schema_stand_in(py_type)`` (a plain dataclass whose JSON schema stands for the type's in the
    schema of a dataclass holding it; None: this type cannot be a field, e.g. a dataframe).
    """

    @property
    def name(self) -> str: ...

    @property
    def type_assertions_enabled(self) -> bool: ...

    def assert_type(self, t: Any, v: Any) -> None: ...

    def get_literal_type(self, t: Any) -> LiteralType: ...

    def to_literal(
        self, ctx: FlyteContext | None, python_val: Any, python_type: Any, expected: Any
    ) -> Literal:
        """``expected`` is the ``LiteralType`` the caller wants, or None where it has none (the fallback's
        writer); a ``TypeTransformer`` declares it a ``LiteralType``, so no narrower type fits both."""
        ...

    def to_python_value(self, ctx: FlyteContext | None, lv: Literal, expected_python_type: Any) -> Any: ...


class Fallback(Protocol):
    """The ``Custom`` for a type with no transformer of its own (Flyte stores such values as pickles).

    ``warn``: warn that the values of ``annotation`` will be pickled (a writer does; a reader does not).
    Raises ``UnsupportedTypeError`` for a type that must not be pickled.
    """

    def __call__(self, annotation: Any, warn: bool = True) -> Custom: ...


class Hooks:
    """The extension points of the IR, passed in by the registry above it.

    ``lookup``: the registered ``Custom`` for a type, or None (may raise ``TypeError`` for an
    unhashable annotation). ``as_custom``: the ``Custom`` an ``Annotated`` extra is, or None.
    ``fallback``: see :class:`Fallback`; None when no fallback is registered.
    """

    __slots__ = ("as_custom", "fallback", "lookup")

    # A plain class: defining a dataclass costs about a quarter of a millisecond at import, and this
    # one needs nothing a dataclass adds.
    def __init__(
        self,
        lookup: Callable[[Any], Custom | None],
        as_custom: Callable[[object], Custom | None],
        fallback: Fallback | None = None,
    ) -> None:
        self.lookup = lookup
        self.as_custom = as_custom
        self.fallback = fallback


class Kind(enum.Enum):
    """What a node is; the backends switch on this."""

    INT = "int"
    FLOAT = "float"
    STR = "str"
    BOOL = "bool"
    DATETIME = "datetime"
    DATE = "date"
    DURATION = "timedelta"
    NONE = "none"
    LIST = "list"
    MAP = "map"  # dict[str, T]: a Flyte map literal
    MSGPACK_DICT = "msgpack_dict"  # dict, or dict[K, V] with non-str keys: a msgpack binary scalar
    UNION = "union"
    ENUM = "enum"
    DATACLASS = "dataclass"
    ANY = "any"  # typing.Any: stored as it is inside a dataclass or dict, else by the fallback (a pickle)
    CUSTOM = "custom"  # a registered third-party TypeTransformer


# The union-variant tag of each built-in kind: the transformer names Flyte's Python SDK writes into
# `structure.tag`, which readers on the cluster and in other SDKs match on.
TAGS = {
    Kind.INT: "int",
    Kind.FLOAT: "float",
    Kind.STR: "str",
    Kind.BOOL: "bool",
    Kind.DATETIME: "datetime",
    Kind.DATE: "date",
    Kind.DURATION: "timedelta",
    Kind.NONE: "none",
    Kind.LIST: "Typed List",
    Kind.MAP: "Typed Dict",
    Kind.MSGPACK_DICT: "Typed Dict",
    Kind.UNION: "Typed Union",
    Kind.ENUM: "DefaultEnumTransformer",
    Kind.DATACLASS: "Object-Dataclass-Transformer",
}


@dataclasses.dataclass(frozen=True)
class FieldSpec:
    """One dataclass field as the codecs see it."""

    name: str
    node: Node
    required: bool  # no default and no default_factory
    init: bool = True  # False: not a constructor argument; stored, and set after construction


@dataclasses.dataclass(eq=False)
class Node:
    """One annotation, resolved. Compiled backends are cached in the ``c_*`` slots."""

    kind: Kind
    py_type: Any  # the annotation as written (Annotated included)
    name: str  # for error messages
    tag: str  # the union-variant tag
    args: tuple[
        Node, ...
    ] = ()  # LIST: (item,)  MAP: (value,)  MSGPACK_DICT: (key, value) or ()  UNION: variants
    cls: Any = None  # ENUM / DATACLASS: the class
    fields: tuple[FieldSpec, ...] = ()  # DATACLASS
    transformer: Custom | None = None  # CUSTOM
    fallback: Fallback | None = None  # ANY: how a value is stored outside a dataclass or dict (a pickle)
    annotation: dict[str, Any] | None = None  # FlyteAnnotation data
    hash_method: HashMethod[Any] | None = None
    # compiled backends, filled on first use
    c_literal_type: LiteralType | None = None
    c_write: Callable[[Literal, Any], None] | None = None
    c_write_strict: Callable[[Literal, Any], None] | None = None
    c_read: Callable[[Literal], Any] | None = None
    c_to_plain: Callable[[Any], Any] | None = None
    c_from_plain: Callable[[Any], Any] | None = None


def is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) is typing.Union or isinstance(annotation, types.UnionType)


class Builder:
    """Builds nodes for one engine registry, asking ``hooks`` about the types it does not know."""

    def __init__(self, hooks: Hooks) -> None:
        self._hooks = hooks
        self._lookup = hooks.lookup
        self._in_progress: set[type] = set()

    def build(self, annotation: Any) -> Node:
        if annotation is None:
            annotation = type(None)
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            return self._annotated(annotation)

        custom = self._registered(annotation, origin)
        if custom is not None:
            return self._from_transformer(custom, annotation, origin)

        if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            return self._enum(annotation)
        if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
            return self._dataclass(annotation)
        if annotation is typing.Any:
            return Node(Kind.ANY, annotation, "Any", "any", fallback=self._hooks.fallback)
        return self._pickled(annotation, origin)

    # -- dispatch --------------------------------------------------------------------------------

    def _registered(self, annotation: Any, origin: object) -> Custom | None:
        """The registered transformer for an annotation: exact type, generic origin, then the MRO."""
        try:
            found = self._lookup(annotation)
        except TypeError:  # unhashable annotation
            found = None
        if found is not None:
            return found
        if origin is not None:
            if is_union(annotation):
                return self._lookup(typing.Union)
            return self._lookup(origin)
        if isinstance(annotation, types.UnionType):
            return self._lookup(typing.Union)
        if isinstance(annotation, type):
            if issubclass(annotation, enum.Enum):
                return None  # enums are built-in; a transformer registered for the exact class won above
            for base in annotation.__mro__[1:]:
                if base is object:
                    break
                found = self._lookup(base)
                if found is not None:
                    return found
        return None

    def _from_transformer(self, transformer: Custom, annotation: Any, origin: object) -> Node:
        if getattr(transformer, "_restricted", False):
            raise RestrictedTypeError(_no_transformer_message(annotation))
        builtin = getattr(transformer, "_builtin_kind", None)
        if builtin is None:
            return Node(
                Kind.CUSTOM,
                annotation,
                type_name(annotation),
                transformer.name,
                transformer=transformer,
            )
        kind: Kind = builtin
        if kind is Kind.LIST:
            return self._list(annotation)
        if kind is Kind.MAP:
            return self._dict(annotation)
        if kind is Kind.UNION:
            return self._union(annotation)
        if kind is Kind.ENUM:
            return self._enum(annotation)
        if kind is Kind.DATACLASS:
            return self._dataclass(annotation)
        return Node(kind, annotation, type_name(annotation), TAGS[kind])

    def _pickled(self, annotation: Any, origin: object) -> Node:
        """A type with no transformer: stored as a pickle, as Flyte's Python SDK does (the fallback hook).

        Not inside a dataclass (its fields are msgpack, which cannot hold a pickle), and not for
        tuples and bare ``list``, which Flyte refuses."""
        fallback = self._hooks.fallback
        if (
            fallback is None
            or self._in_progress
            or annotation in (tuple, typing.Tuple, list)  # noqa: UP006
            or origin is tuple
        ):
            refusal = RestrictedTypeError if annotation is not list else UnsupportedTypeError
            raise refusal(_no_transformer_message(annotation))
        transformer = fallback(annotation)
        return Node(Kind.CUSTOM, annotation, type_name(annotation), transformer.name, transformer=transformer)

    # -- kinds -----------------------------------------------------------------------------------

    def _annotated(self, annotation: Any) -> Node:
        inner, *extras = typing.get_args(annotation)
        for extra in extras:
            custom = self._hooks.as_custom(extra)
            if custom is not None:
                return Node(Kind.CUSTOM, annotation, type_name(inner), custom.name, transformer=custom)
        node = self.build(inner)
        data: dict[str, Any] | None = None
        hash_method: HashMethod[Any] | None = None
        for extra in extras:
            if isinstance(extra, FlyteAnnotation):
                if data is not None:
                    raise UnsupportedTypeError(
                        f"{type_name(annotation)} has more than one FlyteAnnotation; use at most one"
                    )
                if node.kind in (Kind.DATACLASS, Kind.ENUM, Kind.MAP, Kind.MSGPACK_DICT):
                    raise UnsupportedTypeError(
                        f"a FlyteAnnotation cannot annotate {node.name}: Flyte supports annotations on "
                        "scalars, lists and unions only"
                    )
                if "cache-key-metadata" in extra.data:
                    raise UnsupportedTypeError(
                        "a FlyteAnnotation cannot contain the key 'cache-key-metadata'"
                    )
                data = dict(extra.data)
            elif isinstance(extra, HashMethod) and hash_method is None:
                hash_method = extra
        if data is None and hash_method is None:
            if node.kind is Kind.CUSTOM:
                # A plugin transformer reads its own extras (e.g. a column subset), so it gets the
                # Annotated type as written, as Flyte's Python SDK hands it over.
                return dataclasses.replace(node, py_type=annotation)
            return node
        return dataclasses.replace(
            node,
            py_type=annotation,
            annotation=data,
            hash_method=hash_method,
            c_literal_type=None,
            c_write=None,
            c_write_strict=None,
            c_read=None,
            c_to_plain=None,
            c_from_plain=None,
        )

    def _list(self, annotation: Any) -> Node:
        args = typing.get_args(annotation)
        if len(args) != 1:
            raise UnsupportedTypeError(
                f"{type_name(annotation)} has no item type: annotate lists as list[T], e.g. list[int]"
            )
        item = self.build(args[0])
        return Node(Kind.LIST, annotation, f"list[{item.name}]", TAGS[Kind.LIST], args=(item,))

    def _dict(self, annotation: Any) -> Node:
        args = typing.get_args(annotation)
        if not args:
            return Node(Kind.MSGPACK_DICT, annotation, "dict", TAGS[Kind.MSGPACK_DICT])
        if len(args) != 2:
            raise UnsupportedTypeError(f"{type_name(annotation)}: annotate dicts as dict[K, V]")
        key, value = self.build(args[0]), self.build(args[1])
        if args[0] is str:
            return Node(Kind.MAP, annotation, f"dict[str, {value.name}]", TAGS[Kind.MAP], args=(value,))
        return Node(
            Kind.MSGPACK_DICT,
            annotation,
            f"dict[{key.name}, {value.name}]",
            TAGS[Kind.MSGPACK_DICT],
            args=(key, value),
        )

    def _union(self, annotation: Any) -> Node:
        variants = tuple(self.build(a) for a in typing.get_args(annotation))
        return Node(Kind.UNION, annotation, type_name(annotation), TAGS[Kind.UNION], args=variants)

    def _enum(self, cls: type[enum.Enum]) -> Node:
        values = [m.value for m in cls]
        if not values or not all(isinstance(v, str) for v in values):
            raise UnsupportedTypeError(
                f"enum {cls.__qualname__} must have string values to be a Flyte enum; "
                f"got {[type(v).__name__ for v in values][:5]}"
            )
        return Node(Kind.ENUM, cls, cls.__qualname__, TAGS[Kind.ENUM], cls=cls)

    def _dataclass(self, cls: type) -> Node:
        if cls in self._in_progress:
            raise UnsupportedTypeError(
                f"dataclass {cls.__qualname__} refers to itself; recursive dataclasses are not supported"
            )
        self._in_progress.add(cls)
        try:
            try:
                # Without extras, as Flyte's Python SDK reads fields: Annotated wrappers go, and a
                # union nested in one flattens (Optional[Annotated[int | str, m]] -> int | str | None).
                hints = typing.get_type_hints(cls)
            except NameError as e:
                raise UnsupportedTypeError(
                    f"cannot resolve the field types of dataclass {cls.__qualname__}: {e}"
                ) from None
            specs = []
            for f in dataclasses.fields(cls):
                try:
                    node = self.build(hints.get(f.name, f.type))
                except UnsupportedTypeError as e:
                    raise UnsupportedTypeError(
                        f"field {f.name!r} of dataclass {cls.__qualname__}: {e.reason}"
                    ) from None
                if node.kind is Kind.CUSTOM and not stores_in_dataclass(node):
                    raise UnsupportedTypeError(
                        f"field {f.name!r} of dataclass {cls.__qualname__} has type {node.name}, whose "
                        f"transformer {node.tag!r} cannot store values inside a dataclass"
                    )
                required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
                specs.append(FieldSpec(f.name, node, required and f.init, f.init))
        finally:
            self._in_progress.discard(cls)
        return Node(Kind.DATACLASS, cls, cls.__qualname__, TAGS[Kind.DATACLASS], cls=cls, fields=tuple(specs))


def stores_in_dataclass(node: Node) -> bool:
    """Whether the values of a ``CUSTOM`` node can be dataclass fields: its transformer has the
    plain-data hooks described on :class:`Custom` and a schema stand-in for this type (files,
    directories and tables do: they are stored as a reference to their data; dataframes do not)."""
    custom = node.transformer
    stand_in = getattr(custom, "_schema_stand_in", None)
    return (
        stand_in is not None
        and getattr(custom, "_to_plain", None) is not None
        and getattr(custom, "_from_plain", None) is not None
        and stand_in(node.py_type) is not None
    )


def _no_transformer_message(annotation: Any) -> str:
    name = type_name(annotation)
    if annotation in (tuple, typing.Tuple) or typing.get_origin(annotation) is tuple:  # noqa: UP006
        return (
            f"{name} is not a Flyte type: tuples are not supported; use a list[T] or a dataclass, "
            "or name multiple task outputs with a NamedTuple"
        )
    if annotation is list:
        return "list has no item type: annotate lists as list[T], e.g. list[int]"
    return (
        f"no type transformer for {name}: register one with "
        f"flyweight.extend.TypeEngine.register(MyTransformer()), where MyTransformer subclasses "
        f"flyweight.extend.TypeTransformer[{name}]"
    )
