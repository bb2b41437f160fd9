"""``FlyteSchema``: Flyte's legacy table type, kept because plugin interfaces still declare it.

Flyte's SQL plugins declare their output as ``FlyteSchema[kwtypes(TrackId=int, Name=str)]``; the
template then carries a ``schema`` literal type with those columns, which must be byte-identical to
what Flyte's Python SDK writes. The values that flow are usually structured datasets: an executor
returns a pandas DataFrame, which is stored as a parquet structured dataset, and a reader may get a
``schema`` literal or a structured-dataset literal. This module handles all of those, and reads and
writes the directory-of-parquet-files layout of a ``FlyteSchema`` value.
"""

from __future__ import annotations

import collections
import enum
import os
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar

from mashumaro.types import SerializableType

from flyweight._context import FlyteContextManager
from flyweight._idl import Literal, LiteralType, Scalar, Schema, SchemaType
from flyweight._storage import is_remote, local_path
from flyweight.errors import TypeTransformerFailedError
from flyweight.types._data._stand_ins import reference, schema_stand_in
from flyweight.types._data._structured_columns import SCHEMA_TO_PYTHON, schema_column_type
from flyweight.types._data._structured_engine import dataset_engine, has_encoder
from flyweight.types._data._structured_handlers import require, write_pandas_parquet
from flyweight.types._data._structured_io import current_file_access, literal_from_reference
from flyweight.types._ir._describe import describe_literal, describe_value, type_name
from flyweight.types._registry._transformer import TypeTransformer

__all__ = ["FlyteSchema", "FlyteSchemaTransformer", "SchemaFormat", "SchemaOpenMode"]


class SchemaFormat(enum.Enum):
    """How a ``FlyteSchema`` is stored: parquet files."""

    PARQUET = "parquet"


class SchemaOpenMode(enum.Enum):
    """Whether a ``FlyteSchema`` is opened for reading or for writing."""

    READ = "r"
    WRITE = "w"


_TYPED: dict[tuple[tuple[tuple[str, type], ...], SchemaFormat], type[FlyteSchema]] = {}
_TYPED_LOCK = threading.Lock()


class FlyteSchema(SerializableType):
    """A table with declared columns, stored as a directory of parquet files (legacy; prefer
    ``StructuredDataset``, which reads the same data).

    ``FlyteSchema[kwtypes(a=int, b=str)]`` is the type with those columns; plain ``FlyteSchema`` has
    none. A task declaring it may return a pandas DataFrame.

    Args:
        local_path: a local directory for the files (default: a new one under the sandbox).
        remote_path: where the data is or goes (default: a new location under the raw output prefix).
        supported_mode: ``SchemaOpenMode.WRITE`` for a new table, ``READ`` for existing data.
        downloader: ``f(remote_path, local_path)`` fetching the data before a read.

    Example:
        >>> from flyweight import kwtypes
        >>> from flyweight.types import FlyteSchema, TypeEngine
        >>> t = FlyteSchema[kwtypes(TrackId=int, Name=str)]
        >>> t.column_names()
        ['TrackId', 'Name']
        >>> [c.name for c in TypeEngine.to_literal_type(t).schema.columns]
        ['TrackId', 'Name']
    """

    def __class_getitem__(
        cls, columns: Mapping[str, type] | None, fmt: SchemaFormat = SchemaFormat.PARQUET
    ) -> type[FlyteSchema]:
        if columns is None or (isinstance(columns, Mapping) and not columns):
            return FlyteSchema
        if not isinstance(columns, Mapping):
            raise TypeTransformerFailedError(
                f"FlyteSchema[...] takes the columns as a mapping of name to type, e.g. "
                f"FlyteSchema[kwtypes(a=int)]; got {describe_value(columns)}"
            )
        if not isinstance(fmt, SchemaFormat):
            raise TypeTransformerFailedError(f"expected a SchemaFormat, got {describe_value(fmt)}")
        cols = collections.OrderedDict(columns)
        for name, t in cols.items():
            schema_column_type(name, t)  # refuse unsupported column types now, not at serialization
        key = (tuple(cols.items()), fmt)
        with _TYPED_LOCK:
            typed = _TYPED.get(key)
            if typed is None:
                typed = type(
                    f"FlyteSchema[{', '.join(f'{n}={type_name(t)}' for n, t in cols.items())}]",
                    (FlyteSchema,),
                    {"_columns": cols, "_format": fmt, "__module__": __name__},
                )
                _TYPED[key] = typed
        return typed

    _columns: ClassVar[Mapping[str, type]] = {}
    _format: ClassVar[SchemaFormat] = SchemaFormat.PARQUET

    @classmethod
    def columns(cls) -> dict[str, type]:
        """The declared columns, name → type, in order."""
        return dict(cls._columns)

    @classmethod
    def column_names(cls) -> list[str]:
        """The declared column names, in order (empty for plain ``FlyteSchema``)."""
        return list(cls._columns)

    @classmethod
    def format(cls) -> SchemaFormat:
        return cls._format

    def __init__(
        self,
        local_path: str | None = None,
        remote_path: str | None = None,
        supported_mode: SchemaOpenMode = SchemaOpenMode.WRITE,
        downloader: Callable[[str, str], object] | None = None,
    ) -> None:
        if supported_mode == SchemaOpenMode.READ and remote_path is None:
            raise TypeTransformerFailedError("a FlyteSchema opened for reading needs a remote_path")
        fa = FlyteContextManager.current_context().file_access
        self._local_path = local_path or fa.get_random_local_path()
        self.remote_path = remote_path or fa.get_random_remote_directory()
        self._supported_mode = supported_mode
        self._downloaded = False
        self._downloader = downloader

    @property
    def local_path(self) -> str:
        return self._local_path

    @property
    def supported_mode(self) -> SchemaOpenMode:
        return self._supported_mode

    def open(self, dataframe_fmt: type | None = None, override_mode: SchemaOpenMode | None = None) -> Any:
        """A reader (``.all()``, ``.iter()``) or writer (``.write(*dfs)``) of pandas DataFrames.

        Opened for reading, the data is read where it is when local and downloaded once when remote.
        """
        if override_mode == SchemaOpenMode.WRITE and self._supported_mode == SchemaOpenMode.READ:
            raise TypeTransformerFailedError("this FlyteSchema was read from an input; it cannot be written")
        mode = override_mode or self._supported_mode
        pd = require("pandas", "opening a FlyteSchema")
        if dataframe_fmt is not None and dataframe_fmt is not pd.DataFrame:
            raise TypeTransformerFailedError(
                f"a FlyteSchema opens as pandas.DataFrame only, got {type_name(dataframe_fmt)}; read "
                "other table types through StructuredDataset"
            )
        if mode == SchemaOpenMode.WRITE:
            return _Writer(self._local_path)
        return _Reader(self._readable_dir(), self.column_names() or None)

    def _readable_dir(self) -> str:
        if self._supported_mode == SchemaOpenMode.WRITE or self._downloaded:
            return self._local_path
        if self._downloader is not None:
            self._downloader(self.remote_path, self._local_path)
        elif is_remote(self.remote_path):
            fa = FlyteContextManager.current_context().file_access
            fa.get_data(self.remote_path, self._local_path, is_multipart=True)
        else:
            return local_path(self.remote_path)  # local data is read where it is
        self._downloaded = True
        return self._local_path

    def as_readonly(self) -> FlyteSchema:
        """This table, opened for reading."""
        if self._supported_mode == SchemaOpenMode.READ:
            return self
        s = type(self)(
            local_path=self._local_path,
            remote_path=self.remote_path or "",
            supported_mode=SchemaOpenMode.READ,
        )
        s._downloaded = True
        return s

    # mashumaro's hooks: a field of a DataClassJSONMixin class (``to_json`` / ``from_json``) is stored
    # as Flyte's Python SDK stores it, ``{"remote_path": uri}`` after uploading written data.
    def _serialize(self) -> Any:
        return schema_transformer()._to_plain(None, self, type(self))

    @classmethod
    def _deserialize(cls, value: Any) -> Any:
        return schema_transformer()._from_plain(None, value, cls)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic's hook, so pydantic models can hold schemas, stored as Flyte's Python SDK stores them:
        ``{"remote_path": uri}`` after uploading written data. Only pydantic calls it, so it imports no
        pydantic module itself (``_pydantic`` loads with the first model that has such a field)."""
        from flyweight.types._data._pydantic import data_core_schema

        return data_core_schema(source, handler)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(remote_path={self.remote_path!r}, mode={self._supported_mode.name})"


def _parquet_files(directory: str) -> list[str]:
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        raise TypeTransformerFailedError(f"no FlyteSchema data at {directory!r}: no such directory") from None
    return [
        os.path.join(directory, n)
        for n in names
        if not n.startswith(".") and os.path.isfile(os.path.join(directory, n))
    ]


class _Reader:
    """Reads the parquet files of a schema directory (in name order) as pandas DataFrames."""

    def __init__(self, directory: str, columns: list[str] | None) -> None:
        self._dir = directory
        self.column_names = columns

    def iter(self, **kwargs: object) -> Iterator[Any]:
        pd = require("pandas", "reading a FlyteSchema")

        for path in _parquet_files(self._dir):
            yield pd.read_parquet(path, columns=self.column_names, **kwargs)

    def all(self, **kwargs: object) -> Any:
        pd = require("pandas", "reading a FlyteSchema")

        frames = [
            pd.read_parquet(p, columns=self.column_names, **kwargs)
            for p in _parquet_files(self._dir)
            if os.path.getsize(p) > 0
        ]
        if not frames:
            return pd.DataFrame()
        return frames[0] if len(frames) == 1 else pd.concat(frames, copy=True)


class _Writer:
    """Writes pandas DataFrames as ``00000``, ``00001``, … in a schema directory."""

    def __init__(self, directory: str) -> None:
        self._dir = directory
        self._next = 0

    def write(self, *dfs: Any, **kwargs: object) -> None:
        os.makedirs(self._dir, exist_ok=True)
        for df in dfs:
            write_pandas_parquet(df, os.path.join(self._dir, f"{self._next:05}"))
            self._next += 1


class FlyteSchemaTransformer(TypeTransformer[FlyteSchema]):
    """``FlyteSchema`` ⇄ ``schema`` literals; a pandas DataFrame value becomes a structured dataset,
    and structured-dataset literals read as ``FlyteSchema``, as in Flyte's Python SDK."""

    def __init__(self) -> None:
        super().__init__("FlyteSchema Transformer", FlyteSchema, enable_type_assertions=False)

    @staticmethod
    def schema_type(t: Any) -> SchemaType:
        st = SchemaType()
        columns = t.columns() if isinstance(t, type) and issubclass(t, FlyteSchema) else {}
        for name, col_type in columns.items():
            st.columns.add(name=name, type=schema_column_type(name, col_type))
        return st

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(schema=self.schema_type(t))

    def guess_python_type(self, literal_type: LiteralType) -> type[FlyteSchema]:
        if not literal_type.HasField("schema"):
            raise ValueError(f"{self.name} cannot turn {literal_type} into a Python type")
        return schema_class(literal_type.schema)

    def to_literal(
        self, ctx: Any, python_val: Any, python_type: Any, expected: LiteralType | None
    ) -> Literal:
        if not isinstance(python_val, FlyteSchema):
            if has_encoder(type(python_val)):
                # What a Flyte SQL plugin's executor returns: stored as a parquet structured dataset.
                return dataset_engine().to_literal(ctx, python_val, type(python_val), expected)
            raise TypeTransformerFailedError(
                f"expected a FlyteSchema or a dataframe (pandas.DataFrame, pyarrow.Table), got "
                f"{describe_value(python_val)}"
            )
        remote = python_val.remote_path
        if python_val.supported_mode == SchemaOpenMode.WRITE or python_val._downloaded:
            if not os.path.isdir(python_val.local_path):
                raise TypeTransformerFailedError(
                    f"this {type(python_val).__name__} holds no data: write to it first, "
                    "schema.open().write(df), or return the DataFrame itself"
                )
            fa = current_file_access(ctx)
            target = remote or fa.get_random_remote_directory()
            remote = fa.put_data(python_val.local_path, target, is_multipart=True)
        return Literal(scalar=Scalar(schema=Schema(uri=remote, type=self.schema_type(python_type))))

    # -- as a dataclass field (see flyweight.types._ir._nodes.Custom) ------------------------------

    def _to_plain(self, ctx: Any, python_val: Any, python_type: Any) -> Any:
        """``{"remote_path": uri}``, after uploading written data, as Flyte's Python SDK stores a
        ``FlyteSchema`` field."""
        if not isinstance(python_val, FlyteSchema):
            raise TypeTransformerFailedError(
                f"expected {type_name(python_type)}, got {describe_value(python_val)}"
            )
        return {"remote_path": self.to_literal(ctx, python_val, python_type, None).scalar.schema.uri}

    def _from_plain(self, ctx: Any, plain: Any, python_type: Any) -> Any:
        uri = reference(plain, "remote_path", type_name(python_type))
        lit = Literal(scalar=Scalar(schema=Schema(uri=uri, type=self.schema_type(python_type))))
        return self.to_python_value(ctx, lit, python_type)

    def _schema_stand_in(self, python_type: Any) -> Any:
        return schema_stand_in()

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> FlyteSchema:
        scalar = lv.scalar
        which = scalar.WhichOneof("value") if lv.WhichOneof("value") == "scalar" else None
        if which in ("binary", "generic"):
            uri = literal_from_reference(lv, "remote_path", None).scalar.schema.uri
        elif which == "schema":
            uri = scalar.schema.uri
        elif which == "structured_dataset":
            uri = scalar.structured_dataset.uri
        else:
            raise TypeTransformerFailedError(
                f"expected a schema or structured dataset, got {describe_literal(lv)}"
            )
        cls: type[FlyteSchema] = (
            expected_python_type
            if isinstance(expected_python_type, type) and issubclass(expected_python_type, FlyteSchema)
            else FlyteSchema
        )
        return cls(remote_path=uri, supported_mode=SchemaOpenMode.READ)


def schema_python_type(lt: LiteralType) -> type[FlyteSchema]:
    """The ``FlyteSchema`` class of a ``schema`` literal type (``TypeEngine.guess_python_type``)."""
    return schema_class(lt.schema)


def schema_class(st: SchemaType) -> type[FlyteSchema]:
    """The ``FlyteSchema`` class of a ``SchemaType`` (plain ``FlyteSchema`` when it has no columns)."""
    columns = collections.OrderedDict((c.name, SCHEMA_TO_PYTHON[c.type]) for c in st.columns)
    return FlyteSchema.__class_getitem__(columns)


_TRANSFORMER: list[FlyteSchemaTransformer] = []


def schema_transformer() -> FlyteSchemaTransformer:
    """The one ``FlyteSchema`` transformer."""
    if not _TRANSFORMER:
        _TRANSFORMER.append(FlyteSchemaTransformer())
    return _TRANSFORMER[0]
