"""Query rows → an Arrow table, built from buffers so that pandas is never imported.

``pyarrow.array`` looks for pandas on its first call (to recognise pandas objects) and imports it
when it is installed: a quarter of a second and ~30 MiB in a container that only writes parquet.
SQLite hands back a handful of Python types (int, float, str, bytes and None), so each column is
packed straight into Arrow's memory layout with numpy instead: values, an offsets buffer for text
and bytes, and a validity bitmap when there are NULLs. That is also faster than ``pyarrow.array``'s
type inference when columns have NULLs. Once pandas is loaded anyway (a local session working with
DataFrames), ``pyarrow.array`` costs nothing extra and is the faster of the two on NULL-free data,
so it is used; both ways give the same table (tested). Read into pandas, the table has the dtypes
``pandas.read_sql_query`` gives: int64, float64 (ints with NULLs too), object for text, bytes and
all-NULL columns.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow

__all__ = ["MixedColumnError", "rows_to_table"]

_NONE = type(None)


class MixedColumnError(ValueError):
    """A column holds values of more than one kind (SQLite columns may); ``kinds`` names them."""

    def __init__(self, column: str, kinds: list[str]) -> None:
        super().__init__(f"column {column!r} holds {', '.join(kinds)}")
        self.column = column
        self.kinds = kinds


def rows_to_table(
    names: Sequence[str], rows: Sequence[tuple[Any, ...]], infer: bool | None = None
) -> pyarrow.Table:
    """The rows (as ``cursor.fetchall()`` returns them) as a ``pyarrow.Table`` with these column names.

    ``infer`` picks ``pyarrow.array`` (True) or the buffer builder (False); None: ``pyarrow.array``
    only if pandas is already imported.

    Raises:
        MixedColumnError: a column mixes kinds Arrow cannot hold in one column (e.g. int and str).
    """
    import pyarrow

    if infer is None:
        infer = "pandas" in sys.modules
    build = _inferred if infer else _array
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    arrays = [build(pyarrow, name, values) for name, values in zip(names, columns, strict=True)]
    return pyarrow.Table.from_arrays(arrays, names=list(names))


def _inferred(pa: ModuleType, name: str, values: Sequence[Any]) -> pyarrow.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        kinds = {type(v) for v in values} - {_NONE}
        raise MixedColumnError(name, sorted(k.__name__ for k in kinds)) from None


def _array(pa: ModuleType, name: str, values: Sequence[Any]) -> pyarrow.Array:
    import numpy as np

    n = len(values)
    kinds = set(map(type, values))
    has_null = _NONE in kinds
    kinds.discard(_NONE)
    if not kinds:
        return pa.nulls(n)
    validity, null_count = _validity(pa, np, values) if has_null else (None, 0)
    if kinds == {int}:
        data = np.fromiter((0 if v is None else v for v in values) if has_null else values, np.int64, n)
        return pa.Array.from_buffers(pa.int64(), n, [validity, pa.py_buffer(data)], null_count=null_count)
    if kinds <= {int, float}:
        data = np.fromiter((0.0 if v is None else v for v in values) if has_null else values, np.float64, n)
        return pa.Array.from_buffers(pa.float64(), n, [validity, pa.py_buffer(data)], null_count=null_count)
    if kinds == {str}:
        encoded = [b"" if v is None else v.encode() for v in values]
        return _variable(pa.string(), encoded, validity, null_count)
    if kinds == {bytes}:
        blobs = [b"" if v is None else v for v in values]
        return _variable(pa.binary(), blobs, validity, null_count)
    raise MixedColumnError(name, sorted(k.__name__ for k in kinds))


def _validity(pa: ModuleType, np: ModuleType, values: Sequence[Any]) -> tuple[pyarrow.Buffer, int]:
    present = np.fromiter((v is not None for v in values), bool, len(values))
    return pa.py_buffer(np.packbits(present, bitorder="little")), len(values) - int(present.sum())


def _variable(
    arrow_type: pyarrow.DataType, items: list[bytes], validity: pyarrow.Buffer | None, null_count: int
) -> pyarrow.Array:
    import numpy as np
    import pyarrow as pa

    n = len(items)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(np.fromiter(map(len, items), np.int64, n), out=offsets[1:])
    if offsets[-1] < 2**31:  # Arrow's string/binary use 32-bit offsets; beyond that, the large types
        offsets = offsets.astype(np.int32)
    else:
        arrow_type = pa.large_string() if arrow_type == pa.string() else pa.large_binary()
    buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(items))]
    return pa.Array.from_buffers(arrow_type, n, buffers, null_count=null_count)
