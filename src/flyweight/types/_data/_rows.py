"""Database rows → an Arrow table with the column types ``pandas.read_sql_query`` gives, without pandas.

``pyarrow.array`` looks for pandas on its first call (to recognise pandas objects) and imports it when
it is installed: a quarter of a second and ~30 MiB in a container that only writes parquet. So each
column of the Python values a DB-API driver returns is packed straight into Arrow's memory layout with
numpy instead: a values buffer (or offsets and bytes for text), and a validity bitmap when there are
NULLs. Read into pandas, the table has the dtypes ``pandas.read_sql_query`` gives for the same rows:

======================  =====================  ==============================================
Python values           Arrow type             pandas dtype (read back)
======================  =====================  ==============================================
int                     int64                  int64 (float64 with NULLs)
float, or int + float   float64                float64
Decimal (+ int, float)  float64                float64 (``read_sql``'s ``coerce_float``)
str, UUID               string                 object (str)
bytes, memoryview       binary                 object (bytes)
bool                    bool                   bool (object with NULLs)
naive datetime          timestamp[us]          datetime64[us]
aware datetime          timestamp[us, UTC]     datetime64[us, UTC] (``read_sql`` makes it UTC)
date                    date32                 object (date)
time                    time64[us]             object (time)
timedelta               duration[ns]           timedelta64[ns]
only NULLs              null                   object (None)
======================  =====================  ==============================================

Anything else (JSON objects, arrays …) goes through ``pyarrow.array``'s inference. UUIDs become their
text, which parquet can store (pandas keeps UUID objects, which parquet cannot).

Once pandas is loaded anyway (a local session working with DataFrames) and a column holds only ints,
floats, text or bytes, ``pyarrow.array`` costs nothing extra and is the faster of the two on NULL-free
data, so it is used; both ways give the same column (tested).
"""

from __future__ import annotations

import datetime
import decimal
import sys
import uuid
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow

__all__ = ["MixedColumnError", "rows_to_table"]

_NONE = type(None)
_SIMPLE = frozenset([int, float, str, bytes])
_EPOCH = datetime.datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=datetime.timezone.utc)
_EPOCH_DAY = _EPOCH.toordinal()
_MICROSECOND = datetime.timedelta(microseconds=1)


class MixedColumnError(ValueError):
    """A column holds values of more than one kind (SQLite columns may); ``kinds`` names them."""

    def __init__(self, column: str, kinds: list[str]) -> None:
        super().__init__(f"column {column!r} holds {', '.join(kinds)}")
        self.column = column
        self.kinds = kinds


def rows_to_table(
    names: Sequence[str], rows: Sequence[tuple[Any, ...]], infer: bool | None = None
) -> pyarrow.Table:
    """The rows (as a DB-API ``cursor.fetchall()`` returns them) as a ``pyarrow.Table`` with these names.

    ``infer``: build int, float, text and bytes columns with ``pyarrow.array`` (True) or from buffers
    (False); None: ``pyarrow.array`` only if pandas is already imported. Other columns are always built
    as the module's table says.

    Raises:
        MixedColumnError: a column mixes kinds Arrow cannot hold in one column (e.g. int and str).
    """
    import pyarrow

    if infer is None:
        infer = "pandas" in sys.modules
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    arrays = [_column(pyarrow, name, values, infer) for name, values in zip(names, columns, strict=True)]
    return pyarrow.Table.from_arrays(arrays, names=list(names))


def _column(pa: ModuleType, name: str, values: Sequence[Any], infer: bool) -> pyarrow.Array:
    kinds = set(map(type, values))
    has_null = _NONE in kinds
    kinds.discard(_NONE)
    if not kinds:
        return pa.nulls(len(values))
    if infer and kinds <= _SIMPLE:
        return _inferred(pa, name, values, kinds)
    build = _builder(kinds)
    if build is None:
        return _inferred(pa, name, values, kinds)
    import numpy as np

    validity, null_count = _validity(pa, np, values) if has_null else (None, 0)
    try:
        return build(pa, np, values, validity, null_count)
    except MixedColumnError as e:
        raise MixedColumnError(name, e.kinds) from None


def _inferred(pa: ModuleType, name: str, values: Sequence[Any], kinds: set[type]) -> pyarrow.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise MixedColumnError(name, sorted(k.__name__ for k in kinds)) from None


_Build = Callable[[ModuleType, ModuleType, Sequence[Any], Any, int], Any]


def _builder(kinds: set[type]) -> _Build | None:
    """How to build a column holding these kinds of value, or None: leave it to ``pyarrow.array``."""
    if kinds == {int}:
        return _int64
    if kinds <= {int, float, decimal.Decimal}:
        return _float64
    if kinds <= {str, uuid.UUID}:
        return _text
    if kinds <= {bytes, bytearray, memoryview}:
        return _binary
    if kinds == {bool}:
        return _bool
    if kinds == {datetime.datetime}:
        return _timestamp
    if kinds == {datetime.date}:
        return _date32
    if kinds == {datetime.time}:
        return _time64
    if kinds == {datetime.timedelta}:
        return _duration
    return None


def _fixed(pa: ModuleType, arrow_type: Any, data: Any, validity: Any, null_count: int) -> pyarrow.Array:
    n = len(data)
    return pa.Array.from_buffers(arrow_type, n, [validity, pa.py_buffer(data)], null_count=null_count)


def _int64(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    data = np.fromiter((0 if v is None else v for v in values) if nulls else values, np.int64, len(values))
    return _fixed(pa, pa.int64(), data, validity, nulls)


def _float64(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    floats = (0.0 if v is None else float(v) for v in values)
    return _fixed(pa, pa.float64(), np.fromiter(floats, np.float64, len(values)), validity, nulls)


def _text(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    encoded = [b"" if v is None else (v if type(v) is str else str(v)).encode() for v in values]
    return _variable(pa, np, pa.string(), encoded, validity, nulls)


def _binary(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    blobs = [b"" if v is None else bytes(v) for v in values]
    return _variable(pa, np, pa.binary(), blobs, validity, nulls)


def _bool(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    bits = np.packbits(np.fromiter((v is True for v in values), bool, len(values)), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [validity, pa.py_buffer(bits)], null_count=nulls)


def _timestamp(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    aware = {v.tzinfo is not None and v.utcoffset() is not None for v in values if v is not None}
    if len(aware) > 1:
        raise MixedColumnError("", ["datetime with a time zone", "datetime without one"])
    epoch = _EPOCH_UTC if aware == {True} else _EPOCH
    micros = (0 if v is None else (v - epoch) // _MICROSECOND for v in values)
    data = np.fromiter(micros, np.int64, len(values))
    unit = pa.timestamp("us", tz="UTC") if epoch is _EPOCH_UTC else pa.timestamp("us")
    return _fixed(pa, unit, data, validity, nulls)


def _date32(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    days = (0 if v is None else v.toordinal() - _EPOCH_DAY for v in values)
    return _fixed(pa, pa.date32(), np.fromiter(days, np.int32, len(values)), validity, nulls)


def _time64(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    if any(v is not None and v.tzinfo is not None for v in values):
        return pa.array(values)  # a time with a time zone: Arrow has no such type; pyarrow decides
    micros = (
        0 if v is None else ((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond
        for v in values
    )
    return _fixed(pa, pa.time64("us"), np.fromiter(micros, np.int64, len(values)), validity, nulls)


def _duration(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    nanos = (0 if v is None else (v // _MICROSECOND) * 1000 for v in values)
    return _fixed(pa, pa.duration("ns"), np.fromiter(nanos, np.int64, len(values)), validity, nulls)


def _validity(pa: ModuleType, np: ModuleType, values: Sequence[Any]) -> tuple[pyarrow.Buffer, int]:
    present = np.fromiter((v is not None for v in values), bool, len(values))
    return pa.py_buffer(np.packbits(present, bitorder="little")), len(values) - int(present.sum())


def _variable(  # noqa: PLR0917 - private helper
    pa: ModuleType,
    np: ModuleType,
    arrow_type: pyarrow.DataType,
    items: list[bytes],
    validity: pyarrow.Buffer | None,
    null_count: int,
) -> pyarrow.Array:
    n = len(items)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(np.fromiter(map(len, items), np.int64, n), out=offsets[1:])
    if offsets[-1] < 2**31:  # Arrow's string/binary use 32-bit offsets; beyond that, the large types
        offsets = offsets.astype(np.int32)
    else:
        arrow_type = pa.large_string() if arrow_type == pa.string() else pa.large_binary()
    buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(items))]
    return pa.Array.from_buffers(arrow_type, n, buffers, null_count=null_count)
