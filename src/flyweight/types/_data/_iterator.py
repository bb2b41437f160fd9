"""Iterators as Flyte values, as Flyte's Python SDK stores them.

- ``Iterator[T]`` (``typing`` or ``collections.abc``): a collection literal of ``T``, literal type
  ``collection_type``, exactly a ``list[T]``'s bytes. A task may return a generator or any iterable
  (not a str, bytes or a mapping); reading gives a :class:`FlyteIterator` that converts each element
  when it is reached, with ``len()``.
- ``Iterator[JSON]`` (and :class:`JSONIterator`): the values written one per line, as JSON, to a JSONL
  file under the raw output prefix, passed as a single blob of format ``jsonl`` whose literal type also
  carries ``metadata {"format": "json iterator"}``. Reading streams the file line by line. An empty
  iterator is refused, as Flyte's Python SDK refuses it.

The engine loads this module the first time an iterator type is converted (the ``flyweight.types``
façade declares ``collections.abc.Iterator`` lazily); ``JSON`` is a public name of ``flyweight.types``.
"""

from __future__ import annotations

import collections.abc
import json
import typing
from typing import IO, TYPE_CHECKING, Any, Union

from flyweight._idl import Literal, LiteralType
from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types._data._blob import SINGLE, blob_literal, blob_of, blob_type, file_access
from flyweight.types._ir._describe import describe_literal, describe_value, type_name
from flyweight.types._registry._engine import TypeEngine
from flyweight.types._registry._transformer import TypeTransformer

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

__all__ = [
    "JSON",
    "FlyteIterator",
    "IteratorTransformer",
    "JSONIterator",
    "JSONIteratorTransformer",
    "iterator_transformer",
]

# Spelled as Flyte's Python SDK spells it (typing.Dict, not dict: the two do not compare equal), so
# `Iterator[JSON]` is equal to its alias and each engine finds its JSON iterator for the other's.
JSONCollection = Union[typing.Dict[str, Any], typing.List[Any]]  # noqa: UP006
JSONScalar = Union[bool, float, int, str]
JSON = Union[JSONCollection, JSONScalar]
JSON.__doc__ = """A JSON value (dict, list, bool, float, int or str): ``Iterator[JSON]`` streams such values
through a JSONL file, as flytekit's ``flytekit.types.iterator.JSON``."""

JSON_ITERATOR_FORMAT = "jsonl"
JSON_ITERATOR_METADATA = {"format": "json iterator"}


class FlyteIterator(collections.abc.Iterator[Any]):
    """An ``Iterator[T]`` input: the collection's elements, each converted when it is reached.

    ``len()`` is the number of elements; iterating again starts from the first.
    """

    def __init__(self, ctx: FlyteContext | None, lv: Literal, item_type: Any) -> None:
        self._ctx = ctx
        self._literals = lv.collection.literals
        self._item_type = item_type
        self._index = 0

    def __len__(self) -> int:
        return len(self._literals)

    def __iter__(self) -> FlyteIterator:
        self._index = 0
        return self

    def __next__(self) -> Any:
        if self._index >= len(self._literals):
            raise StopIteration
        index = self._index
        self._index += 1
        try:
            return TypeEngine.to_python_value(self._ctx, self._literals[index], self._item_type)
        except TypeTransformerFailedError as e:
            raise e.at(f"[{index}]") from None


def _item_type(t: Any) -> Any:
    if typing.get_origin(t) is typing.Annotated:
        t = typing.get_args(t)[0]
    args = typing.get_args(t)
    if len(args) != 1:
        raise UnsupportedTypeError(
            f"{type_name(t)} has no item type: annotate iterators as Iterator[T], e.g. Iterator[int]"
        )
    return args[0]


def _check_iterable(t: Any, v: Any) -> None:
    if isinstance(v, (str, bytes, bytearray, collections.abc.Mapping)) or not isinstance(
        v, collections.abc.Iterable
    ):
        raise TypeTransformerFailedError(
            f"expected {type_name(t)} (an iterator, generator or list), got {describe_value(v)}"
        )


class IteratorTransformer(TypeTransformer[Any]):
    """``Iterator[T]`` ⇄ a collection literal of ``T`` (Flyte's Python SDK's "Typed Iterator")."""

    def __init__(self) -> None:
        super().__init__("Typed Iterator", collections.abc.Iterator)

    def assert_type(self, t: Any, v: Any) -> None:
        _check_iterable(t, v)

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(collection_type=TypeEngine.to_literal_type(_item_type(t)))

    def to_literal(
        self, ctx: FlyteContext | None, python_val: Any, python_type: Any, expected: LiteralType | None
    ) -> Literal:
        _check_iterable(python_type, python_val)
        item = _item_type(python_type)
        return TypeEngine.to_literal(ctx, list(python_val), list[item], None)  # type: ignore[valid-type]

    def to_python_value(self, ctx: FlyteContext | None, lv: Literal, expected_python_type: Any) -> Any:
        if lv.WhichOneof("value") != "collection":
            raise TypeTransformerFailedError(
                f"expected {type_name(expected_python_type)} (a collection literal), "
                f"got {describe_literal(lv)}"
            )
        return FlyteIterator(ctx, lv, _item_type(expected_python_type))

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        raise ValueError("a collection literal type is guessed as a list")


class JSONIterator(collections.abc.Iterator[Any]):
    """An ``Iterator[JSON]`` input: the values of a JSONL file, read one line at a time."""

    def __init__(self, reader: IO[str]) -> None:
        self._reader = reader

    def __iter__(self) -> JSONIterator:
        return self

    def __next__(self) -> Any:
        while True:
            line = self._reader.readline()
            if not line:
                self._reader.close()
                raise StopIteration
            if line.strip():
                return json.loads(line)


class JSONIteratorTransformer(TypeTransformer[Any]):
    """``Iterator[JSON]`` ⇄ a JSONL file (a ``jsonl`` single blob), as Flyte's Python SDK stores it."""

    def __init__(self) -> None:
        super().__init__("JSON Iterator", typing.Iterator[JSON])

    def assert_type(self, t: Any, v: Any) -> None:
        _check_iterable(t, v)

    def get_literal_type(self, t: Any) -> LiteralType:
        lt = LiteralType(blob=blob_type(JSON_ITERATOR_FORMAT, multipart=False))
        lt.metadata.update(JSON_ITERATOR_METADATA)
        return lt

    def to_literal(
        self, ctx: FlyteContext | None, python_val: Any, python_type: Any, expected: LiteralType | None
    ) -> Literal:
        import uuid

        _check_iterable(python_type, python_val)
        fa = file_access(ctx)
        uri = fa.get_random_remote_path(uuid.uuid4().hex)
        count = 0
        with fa.open(uri, "w") as out:
            for value in python_val:
                try:
                    line = json.dumps(value, ensure_ascii=False)
                except (TypeError, ValueError):
                    raise TypeTransformerFailedError(
                        "expected a JSON value (dict, list, str, int, float, bool), "
                        f"got {describe_value(value)}",
                        [f"[{count}]"],
                    ) from None
                out.write(line)
                out.write("\n")
                count += 1
            if not count:
                raise TypeTransformerFailedError(
                    "the iterator is empty: an Iterator[JSON] needs at least one value (Flyte's Python SDK "
                    "refuses empty ones too)"
                )
        return blob_literal(uri, JSON_ITERATOR_FORMAT, multipart=False)

    def to_python_value(self, ctx: FlyteContext | None, lv: Literal, expected_python_type: Any) -> Any:
        blob = blob_of(lv, "Iterator[JSON] (a JSONL file)", multipart=False)
        return JSONIterator(file_access(ctx).open(blob.uri, "r"))

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if is_json_iterator_type(literal_type):
            return typing.Iterator[JSON]
        raise ValueError(f"{self.name} cannot turn {literal_type} into a Python type")


def is_json_iterator_type(lt: LiteralType) -> bool:
    """Whether ``lt`` is the literal type of ``Iterator[JSON]``."""
    return (
        lt.WhichOneof("type") == "blob"
        and lt.blob.format == JSON_ITERATOR_FORMAT
        and lt.blob.dimensionality == SINGLE
        and dict(lt.metadata) == JSON_ITERATOR_METADATA
    )


_ITERATOR: list[IteratorTransformer] = []
_JSON_ITERATOR = JSONIteratorTransformer()
# Registered for the exact alias (and the reader's class), as Flyte's Python SDK registers it: an
# `Iterator[JSON]` finds this transformer before the generic one its origin has.
TypeEngine.register(_JSON_ITERATOR, additional_types=[JSONIterator])


def iterator_transformer() -> IteratorTransformer:
    """The ``Iterator[T]`` transformer (the engine calls this on the first iterator type it converts)."""
    if not _ITERATOR:
        _ITERATOR.append(IteratorTransformer())
    if TypeEngine._REGISTRY.get(typing.Iterator[JSON]) is None:  # removed since this module was imported
        TypeEngine.register(_JSON_ITERATOR, additional_types=[JSONIterator], override=True)
    return _ITERATOR[0]


def json_iterator_guess(lt: LiteralType) -> Any | None:
    """``Iterator[JSON]`` for its literal type, else None (for the blob guess)."""
    return typing.Iterator[JSON] if is_json_iterator_type(lt) else None
