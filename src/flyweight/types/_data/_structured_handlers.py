"""The built-in table handlers: pandas ``DataFrame`` (parquet, csv) and pyarrow ``Table`` (parquet).

They write what Flyte's Python SDK writes, where it writes it — a directory per table, holding one
parquet file named ``00000`` (or, for csv, a file named ``.csv``) — so either SDK reads the other's
tables. pandas and pyarrow are imported here and only here, when a handler first runs; a missing
library is an error that names the extra to install.

Writing goes straight from pyarrow to the destination file when it is local (no copy) and through
one local file and one upload when it is remote; reading does the reverse.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from flyweight._idl import StructuredDatasetLiteral, StructuredDatasetMetadata, StructuredDatasetType
from flyweight._storage import FileAccess, join
from flyweight.errors import TransformerRegistrationError, TypeTransformerFailedError
from flyweight.types._data._structured import (
    CSV,
    PARQUET,
    Handler,
    StructuredDataset,
    StructuredDatasetDecoder,
    StructuredDatasetEncoder,
)
from flyweight.types._data._structured_io import current_file_access, data_file, local_source, local_target
from flyweight.types._ir._describe import describe_value
from flyweight.types._registry._engine import TypeEngine

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

__all__ = ["BUILTIN_HANDLERS", "register_builtin_handlers", "require", "write_pandas_parquet"]

PARQUET_FILE = "00000"  # Flyte's Python SDK names the one file of a table it writes {0:05}
CSV_FILE = ".csv"


def require(module: str, purpose: str) -> ModuleType:
    """Import ``module`` (pandas, pyarrow); when it is missing, say which extra to install.

    Raises:
        TypeTransformerFailedError: the module is not installed.
    """
    try:
        return importlib.import_module(module)
    except ImportError as e:
        top = module.split(".", maxsplit=1)[0]
        raise TypeTransformerFailedError(
            f"{purpose} needs {top}, which is not installed: pip install 'flyweight[pandas]' "
            f"(it installs pandas and pyarrow)"
        ) from e


def _columns(metadata: StructuredDatasetMetadata) -> list[str] | None:
    names = [c.name for c in metadata.structured_dataset_type.columns]
    return names or None


def _new_location(ctx: FlyteContext | None, sd: StructuredDataset) -> tuple[FileAccess, str]:
    fa = current_file_access(ctx)
    return fa, sd.uri or fa.get_random_remote_directory()


def _literal(uri: str, sdt: StructuredDatasetType) -> StructuredDatasetLiteral:
    return StructuredDatasetLiteral(uri=uri, metadata=StructuredDatasetMetadata(structured_dataset_type=sdt))


def _missing_columns(
    pq: ModuleType, path: str, columns: list[str] | None, uri: str, error: Exception
) -> Exception:
    """A clear error when requested ``columns`` are not in the parquet data at ``path``; else ``error``."""
    if not columns:
        return error
    try:
        names = list(pq.ParquetDataset(path).schema.names)
    except Exception:
        return error
    missing = [c for c in columns if c not in names]
    if not missing:
        return error
    return TypeTransformerFailedError(
        f"column(s) {missing} are declared by the reading type but are not in the structured dataset "
        f"at {uri!r}, which has the columns {names}; declare a subset of those"
    )


def write_pandas_parquet(df: Any, path: str) -> None:
    """Write ``df`` as one parquet file, exactly as ``DataFrame.to_parquet`` with microsecond timestamps."""
    pa = require("pyarrow", "writing a pandas DataFrame as parquet")
    pq = require("pyarrow.parquet", "writing a pandas DataFrame as parquet")
    try:
        table = pa.Table.from_pandas(df)
    except (TypeError, ValueError) as e:  # pyarrow's ArrowTypeError / ArrowInvalid
        raise TypeTransformerFailedError(f"cannot store the DataFrame as parquet: {e}") from e
    if df.attrs:  # as pandas keeps DataFrame.attrs
        meta = dict(table.schema.metadata or {})
        meta[b"PANDAS_ATTRS"] = json.dumps(df.attrs).encode()
        table = table.replace_schema_metadata(meta)
    pq.write_table(table, path, coerce_timestamps="us", allow_truncated_timestamps=False)


class PandasToParquetEncodingHandler(StructuredDatasetEncoder[Any]):
    """pandas ``DataFrame`` → ``<uri>/00000`` (parquet)."""

    def __init__(self) -> None:
        super().__init__(require("pandas", "a pandas DataFrame").DataFrame, None, PARQUET)

    def encode(
        self, ctx: Any, structured_dataset: StructuredDataset, structured_dataset_type: StructuredDatasetType
    ) -> StructuredDatasetLiteral:
        fa, uri = _new_location(ctx, structured_dataset)
        with local_target(fa, join(uri, PARQUET_FILE)) as path:
            write_pandas_parquet(structured_dataset.dataframe, path)
        structured_dataset_type.format = PARQUET
        return _literal(uri, structured_dataset_type)


class ParquetToPandasDecodingHandler(StructuredDatasetDecoder[Any]):
    """Parquet files under a uri → one pandas ``DataFrame`` (only the declared columns, if any)."""

    def __init__(self) -> None:
        super().__init__(require("pandas", "a pandas DataFrame").DataFrame, None, PARQUET)

    def decode(
        self,
        ctx: Any,
        flyte_value: StructuredDatasetLiteral,
        current_task_metadata: StructuredDatasetMetadata,
    ) -> Any:
        pd = require("pandas", "reading parquet as a pandas DataFrame")
        pq = require("pyarrow.parquet", "reading parquet as a pandas DataFrame")
        columns = _columns(current_task_metadata)
        with local_source(current_file_access(ctx), flyte_value.uri) as path:
            try:
                return pd.read_parquet(data_file(path), columns=columns)
            except ValueError as e:
                raise _missing_columns(pq, path, columns, flyte_value.uri, e) from e


class PandasToCSVEncodingHandler(StructuredDatasetEncoder[Any]):
    """pandas ``DataFrame`` → ``<uri>/.csv`` (no index column)."""

    def __init__(self) -> None:
        super().__init__(require("pandas", "a pandas DataFrame").DataFrame, None, CSV)

    def encode(
        self, ctx: Any, structured_dataset: StructuredDataset, structured_dataset_type: StructuredDatasetType
    ) -> StructuredDatasetLiteral:
        fa, uri = _new_location(ctx, structured_dataset)
        with local_target(fa, join(uri, CSV_FILE)) as path:
            structured_dataset.dataframe.to_csv(path, index=False)
        structured_dataset_type.format = CSV
        return _literal(uri, structured_dataset_type)


class CSVToPandasDecodingHandler(StructuredDatasetDecoder[Any]):
    """``<uri>/.csv`` → pandas ``DataFrame`` (only the declared columns, if any)."""

    def __init__(self) -> None:
        super().__init__(require("pandas", "a pandas DataFrame").DataFrame, None, CSV)

    def decode(
        self,
        ctx: Any,
        flyte_value: StructuredDatasetLiteral,
        current_task_metadata: StructuredDatasetMetadata,
    ) -> Any:
        pd = require("pandas", "reading csv as a pandas DataFrame")
        columns = _columns(current_task_metadata)
        with local_source(current_file_access(ctx), flyte_value.uri) as path:
            try:
                return pd.read_csv(join(path, CSV_FILE), usecols=columns)
            except ValueError as e:  # pandas: "Usecols do not match columns, columns expected but not found"
                raise TypeTransformerFailedError(
                    f"cannot read the csv structured dataset at {flyte_value.uri!r} with the columns "
                    f"{columns}: {e}"
                ) from e


class ArrowToParquetEncodingHandler(StructuredDatasetEncoder[Any]):
    """pyarrow ``Table`` → ``<uri>/00000`` (parquet)."""

    def __init__(self) -> None:
        super().__init__(require("pyarrow", "a pyarrow Table").Table, None, PARQUET)

    def encode(
        self, ctx: Any, structured_dataset: StructuredDataset, structured_dataset_type: StructuredDatasetType
    ) -> StructuredDatasetLiteral:
        pq = require("pyarrow.parquet", "writing a pyarrow Table as parquet")
        fa, uri = _new_location(ctx, structured_dataset)
        table = structured_dataset.dataframe
        with local_target(fa, join(uri, PARQUET_FILE)) as path:
            try:
                pq.write_table(table, path)
            except (TypeError, ValueError) as e:
                raise TypeTransformerFailedError(
                    f"cannot store {describe_value(table)} as parquet: {e}"
                ) from e
        return _literal(uri, structured_dataset_type)


class ParquetToArrowDecodingHandler(StructuredDatasetDecoder[Any]):
    """Parquet files under a uri → one pyarrow ``Table`` (only the declared columns, if any)."""

    def __init__(self) -> None:
        super().__init__(require("pyarrow", "a pyarrow Table").Table, None, PARQUET)

    def decode(
        self,
        ctx: Any,
        flyte_value: StructuredDatasetLiteral,
        current_task_metadata: StructuredDatasetMetadata,
    ) -> Any:
        pq = require("pyarrow.parquet", "reading parquet as a pyarrow Table")
        columns = _columns(current_task_metadata)
        with local_source(current_file_access(ctx), flyte_value.uri) as path:
            try:
                return pq.read_table(data_file(path), columns=columns)
            except ValueError as e:
                raise _missing_columns(pq, path, columns, flyte_value.uri, e) from e


BUILTIN_HANDLERS: dict[str, list[Callable[[], Handler]]] = {
    "pandas.core.frame.DataFrame": [
        PandasToParquetEncodingHandler,
        ParquetToPandasDecodingHandler,
        PandasToCSVEncodingHandler,
        CSVToPandasDecodingHandler,
    ],
    "pyarrow.lib.Table": [ArrowToParquetEncodingHandler, ParquetToArrowDecodingHandler],
}
"""Qualified class name → flyweight's handlers for that class (the first one's format is the default);
``StructuredDatasetTransformerEngine`` registers them the first time the class is used."""


_LOADED: set[str] = set()


def register_builtin_handlers(df_type: type | str, register: Callable[[Handler], None]) -> bool:
    """Register flyweight's handlers for ``df_type`` (a class, or its qualified name) with ``register``,
    once; whether it has some. ``register`` is ``StructuredDatasetTransformerEngine``'s, passed in by
    that engine (the module above this one); a handler the program registered first wins."""
    names = [df_type] if isinstance(df_type, str) else []
    if isinstance(df_type, type):
        names = [f"{t.__module__}.{t.__qualname__}" for t in df_type.__mro__]
    for name in names:
        handlers = BUILTIN_HANDLERS.get(name)
        if handlers is None:
            continue
        # The type engine's lock: this runs while the engine builds a node for a table type, and
        # registering takes that lock too, so one lock (re-entrant) cannot deadlock against it.
        with TypeEngine._LOCK:
            if name not in _LOADED:
                for make in handlers:
                    try:
                        register(make())
                    except TransformerRegistrationError:
                        pass
                _LOADED.add(name)
        return True
    return False
