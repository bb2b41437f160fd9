"""``StructuredDataset``: a table passed between tasks by reference, as files in a known format.

A task that returns a dataframe does not put its rows in the literal: the rows go to files (parquet
by default) under the raw output prefix, and the literal carries their URI, the format and,
optionally, the columns the task declared. This module holds what users and plugin authors touch —
the :class:`StructuredDataset` value, the format names, and the encoder/decoder base classes a
dataframe library implements, with the tables the engine keeps them in — and nothing that imports
pandas or pyarrow; the conversions live in ``_structured_engine`` and the built-in pandas/pyarrow
handlers in ``_structured_handlers``. A value reads itself through the transformer the type engine has
for ``StructuredDataset``.
"""

from __future__ import annotations

import abc
import typing
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeGuard, TypeVar

from mashumaro.types import SerializableType

from flyweight._idl import (
    LiteralType,
    StructuredDatasetLiteral,
    StructuredDatasetMetadata,
    StructuredDatasetType,
)
from flyweight.errors import TransformerRegistrationError, TypeTransformerFailedError
from flyweight.types._data._structured_io import current_file_access
from flyweight.types._ir._describe import type_name
from flyweight.types._registry._engine import TypeEngine

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

DF = TypeVar("DF")

__all__ = [
    "CSV",
    "GENERIC_FORMAT",
    "GENERIC_PROTOCOL",
    "PARQUET",
    "StructuredDataset",
    "StructuredDatasetDecoder",
    "StructuredDatasetEncoder",
    "StructuredDatasetFormat",
]

StructuredDatasetFormat = str
"""A storage format name, such as ``"parquet"``; any string a handler declares."""

PARQUET: StructuredDatasetFormat = "parquet"
CSV: StructuredDatasetFormat = "csv"
GENERIC_FORMAT: StructuredDatasetFormat = ""
"""No particular format: a handler registered with it takes any format; a type declaring it lets the
handler choose."""
GENERIC_PROTOCOL: str = "generic protocol"


class StructuredDataset(SerializableType):
    """A table stored as files (or in a database) and passed between tasks by reference.

    Return one to choose where or how a dataframe is written, or to hand on data that already
    exists; take one as an input to decide when, and as which dataframe type, to read it.

    Args:
        dataframe: the table to write (a ``pandas.DataFrame``, a ``pyarrow.Table`` or any type with a
            registered encoder).
        uri: where the data is (with no ``dataframe``), or where to write it (with one); default: a new
            location under the raw output prefix.
        metadata: a ``flyteidl`` ``StructuredDatasetMetadata``; set by the type engine when reading.
        file_format: the storage format of existing data at ``uri`` (e.g. ``"parquet"``).

    Example:
        >>> import typing, pandas as pd
        >>> from flyweight import kwtypes
        >>> from flyweight.types import StructuredDataset, TypeEngine
        >>> t = typing.Annotated[StructuredDataset, kwtypes(a=int)]
        >>> lit = TypeEngine.to_literal(None, StructuredDataset(dataframe=pd.DataFrame({"a": [1, 2]})), t)
        >>> lit.scalar.structured_dataset.metadata.structured_dataset_type.format
        'parquet'
        >>> TypeEngine.to_python_value(None, lit, t).open(pd.DataFrame).all()["a"].tolist()
        [1, 2]
    """

    def __init__(
        self,
        dataframe: Any = None,
        uri: str | None = None,
        metadata: StructuredDatasetMetadata | None = None,
        file_format: StructuredDatasetFormat = GENERIC_FORMAT,
    ) -> None:
        self._dataframe = dataframe
        self.uri = uri
        self.file_format = file_format
        self._metadata = metadata
        self._literal_sd: StructuredDatasetLiteral | None = None
        self._dataframe_type: type | None = None
        self._already_uploaded = False

    @classmethod
    def columns(cls) -> dict[str, type]:
        """Declared columns of the class (none: columns are declared with ``typing.Annotated``)."""
        return {}

    @classmethod
    def column_names(cls) -> list[str]:
        """The names of :meth:`columns`."""
        return list(cls.columns())

    @property
    def dataframe(self) -> Any:
        """The dataframe this value was made with, or None for data that is only referenced."""
        return self._dataframe

    @property
    def metadata(self) -> StructuredDatasetMetadata | None:
        """The ``StructuredDatasetMetadata`` as the reading task declared it (columns, format)."""
        return self._metadata

    @property
    def literal(self) -> StructuredDatasetLiteral | None:
        """The ``flyteidl`` ``StructuredDataset`` literal this value was read from or written as."""
        return self._literal_sd

    def open(self, dataframe_type: type[DF]) -> StructuredDataset:
        """Choose the dataframe type :meth:`all` and :meth:`iter` return; returns ``self``.

        Example: ``df = sd.open(pd.DataFrame).all()``.
        """
        self._dataframe_type = dataframe_type
        return self

    def all(self) -> Any:
        """Read the whole table as the type given to :meth:`open`.

        Raises:
            TypeTransformerFailedError: ``open`` was not called, no decoder reads this data as that
                type, or the data is missing.
        """
        df_type = self._require_open("all")
        if self._dataframe is not None and isinstance(self._dataframe, df_type):
            return self._dataframe
        engine = _dataset_engine()
        lit = self._literal_for_reading(engine)
        return engine.open_as(current_file_access(None), lit, df_type, self._metadata or lit.metadata)

    def iter(self) -> Iterator[Any]:
        """Read the table in parts, as the type given to :meth:`open`.

        A decoder that reads the whole table at once yields it as the single part.
        """
        df_type = self._require_open("iter")
        engine = _dataset_engine()
        lit = self._literal_for_reading(engine)
        parts: Iterator[Any] = engine.iter_as(
            current_file_access(None), lit, df_type, self._metadata or lit.metadata
        )
        return parts

    def set_literal(self, ctx: FlyteContext | None, expected: LiteralType | None) -> None:
        """Write this value now (encoding its dataframe), keeping the literal on ``self.literal``."""
        lit = _dataset_engine().to_literal(ctx, self, type(self), expected)
        self._literal_sd = lit.scalar.structured_dataset
        if self._metadata is None:
            self._metadata = self._literal_sd.metadata

    def _require_open(self, method: str) -> type:
        if self._dataframe_type is None:
            raise TypeTransformerFailedError(
                f"StructuredDataset.{method}() needs a dataframe type: call open() first, "
                f"e.g. sd.open(pandas.DataFrame).{method}()"
            )
        return self._dataframe_type

    def _literal_for_reading(self, engine: object) -> StructuredDatasetLiteral:
        if self._literal_sd is not None:
            return self._literal_sd
        if self._dataframe is None:
            if not self.uri:
                raise TypeTransformerFailedError(
                    "this StructuredDataset has neither a dataframe nor a uri, so there is nothing to "
                    "read; make it with StructuredDataset(dataframe=...) or StructuredDataset(uri=...)"
                )
            # Data that already exists is read where it is (not copied first).
            sdt = StructuredDatasetType(format=self.file_format)
            return StructuredDatasetLiteral(
                uri=self.uri, metadata=StructuredDatasetMetadata(structured_dataset_type=sdt)
            )
        self.set_literal(None, None)
        lit = self.literal
        assert lit is not None
        return lit

    # mashumaro's hooks: a field of a DataClassJSONMixin class (``to_json`` / ``from_json``) is stored
    # as Flyte's Python SDK stores it, ``{"uri": ..., "file_format": ...}`` after writing the data.
    def _serialize(self) -> Any:
        return _dataset_engine()._to_plain(None, self, type(self))

    @classmethod
    def _deserialize(cls, value: Any) -> Any:
        return _dataset_engine()._from_plain(None, value, cls)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic's hook, so pydantic models can hold datasets, stored as Flyte's Python SDK stores them:
        ``{"uri": ..., "file_format": ...}`` after writing the data. Only pydantic calls it, so it imports
        no pydantic module itself (``_pydantic`` loads with the first model that has such a field)."""
        from flyweight.types._data._pydantic import data_core_schema

        return data_core_schema(source, handler)

    def __repr__(self) -> str:
        where = self.uri or (self._literal_sd.uri if self._literal_sd is not None else None)
        df = "" if self._dataframe is None else f"dataframe={type(self._dataframe).__name__}, "
        return f"StructuredDataset({df}uri={where!r}, file_format={self.file_format!r})"


class _Handler(Generic[DF]):
    """What encoders and decoders share: the dataframe class, the storage protocol and the format."""

    def __init__(
        self, python_type: type[DF], protocol: str | None = None, supported_format: str | None = None
    ) -> None:
        self._python_type = python_type
        self._protocol = protocol.replace("://", "") if protocol else None
        self._supported_format = supported_format or ""

    @property
    def python_type(self) -> type[DF]:
        return self._python_type

    @property
    def protocol(self) -> str | None:
        return self._protocol

    @property
    def supported_format(self) -> str:
        return self._supported_format


class StructuredDatasetEncoder(abc.ABC, _Handler[DF]):
    """Writes one dataframe type to storage; subclass it and register it with
    ``StructuredDatasetTransformerEngine.register``.

    Args:
        python_type: the dataframe class it writes.
        protocol: the storage protocol it writes to (``"s3"``, ``"bq"``; ``"s3://"`` is the same);
            None: any protocol flyweight's file access handles.
        supported_format: the format it writes (``"parquet"``); empty: any.
    """

    @abc.abstractmethod
    def encode(
        self,
        ctx: Any,
        structured_dataset: StructuredDataset,
        structured_dataset_type: StructuredDatasetType,
    ) -> StructuredDatasetLiteral:
        """Write ``structured_dataset.dataframe`` and return the ``flyteidl`` ``StructuredDataset``
        literal that refers to it (``uri`` and ``metadata``).

        ``structured_dataset_type`` is the type declared by the task's interface (columns, format);
        put it in the returned metadata.
        """


class StructuredDatasetDecoder(abc.ABC, _Handler[DF]):
    """Reads stored data as one dataframe type; subclass it and register it with
    ``StructuredDatasetTransformerEngine.register``.

    Args:
        python_type: the dataframe class it returns.
        protocol: the storage protocol it reads from; None: any protocol.
        supported_format: the format it reads; empty: any.
    """

    def __init__(
        self,
        python_type: type[DF],
        protocol: str | None = None,
        supported_format: str | None = None,
        additional_protocols: list[str] | None = None,  # accepted, as flytekit does; not used
    ) -> None:
        super().__init__(python_type, protocol, supported_format)

    @abc.abstractmethod
    def decode(
        self,
        ctx: Any,
        flyte_value: StructuredDatasetLiteral,
        current_task_metadata: StructuredDatasetMetadata,
    ) -> DF | Iterator[DF]:
        """Read ``flyte_value`` (a ``flyteidl`` ``StructuredDataset`` literal).

        ``current_task_metadata`` holds the type the reading task declared; when it lists columns,
        return only those. Return the whole table, or an iterator of parts.
        """


Handler = typing.Union["StructuredDatasetEncoder[Any]", "StructuredDatasetDecoder[Any]"]
H = TypeVar("H", "StructuredDatasetEncoder[Any]", "StructuredDatasetDecoder[Any]")
Table = dict[type, dict[str, dict[str, H]]]
"""The handlers of one kind: dataframe class → protocol → format → handler."""


def add_handler(table: Table[H], h: H, protocol: str, override: bool) -> None:
    """Put ``h`` in ``table`` under its class, ``protocol`` and format; raise
    ``TransformerRegistrationError`` if one is there already, unless ``override``."""
    slot = table.setdefault(h.python_type, {}).setdefault(protocol, {})
    if h.supported_format in slot and not override:
        raise TransformerRegistrationError(
            f"a {type(slot[h.supported_format]).__name__} is registered for {type_name(h.python_type)}, "
            f"protocol {protocol!r}, format {h.supported_format!r} already; pass override=True to replace it"
        )
    slot[h.supported_format] = h


def handlers_for(table: Table[H], df_type: type) -> dict[str, dict[str, H]] | None:
    """The handlers in ``table`` for ``df_type``, or for the nearest registered class it derives from."""
    found = table.get(df_type)
    if found is None and isinstance(df_type, type):  # a subclass of a registered dataframe type
        for base in df_type.__mro__[1:]:
            if base in table:
                return table[base]
    return found


class Renderable(Protocol):
    """What shows a dataframe in a deck (``StructuredDatasetTransformerEngine.register_renderer``)."""

    def to_html(self, df: Any, /) -> object: ...


def _dataset_engine() -> Any:
    """The structured-dataset transformer (``_structured_engine``, above this module), from the type
    engine, which loads it on first use."""
    return TypeEngine.get_transformer(StructuredDataset)


def dataset_python_type(lt: LiteralType) -> type[StructuredDataset]:
    """``StructuredDataset``, whatever the columns and format of the ``structured_dataset_type``
    literal type (``TypeEngine.guess_python_type``)."""
    return StructuredDataset


def is_dataset_class(t: object) -> TypeGuard[type[StructuredDataset]]:
    """Whether ``t`` is :class:`StructuredDataset` or a subclass of it."""
    return isinstance(t, type) and issubclass(t, StructuredDataset)
