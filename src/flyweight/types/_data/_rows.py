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
import itertools
import operator
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
_TZINFO = operator.attrgetter("tzinfo")
_TOORDINAL = operator.methodcaller("toordinal")


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


def _filled(values: Sequence[Any], nulls: int, fill: object) -> Sequence[Any]:
    """The values with every NULL replaced by ``fill`` (masked by the validity bitmap), so that the
    conversions below run as C-level ``map`` calls without a Python test per value."""
    return [fill if v is None else v for v in values] if nulls else values


def _int64(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    data = np.fromiter(_filled(values, nulls, 0), np.int64, len(values))
    return _fixed(pa, pa.int64(), data, validity, nulls)


def _float64(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    # numpy converts ints, floats and Decimals alike (``float(value)``)
    data = np.fromiter(_filled(values, nulls, 0.0), np.float64, len(values))
    return _fixed(pa, pa.float64(), data, validity, nulls)


def _text(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    texts = list(map(str, _filled(values, nulls, "")))
    joined = "".join(texts)
    data = joined.encode()
    if len(data) == len(joined):  # all ASCII: a character is a byte, one encode for the whole column
        return _variable(pa, np, pa.string(), texts, validity, nulls, data)
    return _variable(pa, np, pa.string(), [t.encode() for t in texts], validity, nulls)


def _binary(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    blobs = list(map(bytes, _filled(values, nulls, b"")))
    return _variable(pa, np, pa.binary(), blobs, validity, nulls)


def _bool(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    bits = np.packbits(np.fromiter(_filled(values, nulls, False), bool, len(values)), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), len(values), [validity, pa.py_buffer(bits)], null_count=nulls)


def _timestamp(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    zones = set(map(_TZINFO, values if not nulls else (v for v in values if v is not None)))
    if None in zones and len(zones) > 1:
        raise MixedColumnError("", ["datetime with a time zone", "datetime without one"])
    epoch = _EPOCH if None in zones else _EPOCH_UTC
    try:
        deltas = map(operator.sub, _filled(values, nulls, epoch), itertools.repeat(epoch))
        data = np.fromiter(
            map(operator.floordiv, deltas, itertools.repeat(_MICROSECOND)), np.int64, len(values)
        )
    except TypeError:  # a tzinfo whose utcoffset() is None: neither naive nor aware
        raise MixedColumnError("", ["datetime with a time zone", "datetime without one"]) from None
    unit = pa.timestamp("us") if epoch is _EPOCH else pa.timestamp("us", tz="UTC")
    return _fixed(pa, unit, data, validity, nulls)


def _date32(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    ordinals = np.fromiter(map(_TOORDINAL, _filled(values, nulls, _EPOCH)), np.int64, len(values))
    return _fixed(pa, pa.date32(), (ordinals - _EPOCH_DAY).astype(np.int32), validity, nulls)


def _time64(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    if any(v is not None and v.tzinfo is not None for v in values):
        return pa.array(values)  # a time with a time zone: Arrow has no such type; pyarrow decides
    micros = (
        ((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000 + v.microsecond
        for v in _filled(values, nulls, datetime.time())
    )
    return _fixed(pa, pa.time64("us"), np.fromiter(micros, np.int64, len(values)), validity, nulls)


def _duration(pa: ModuleType, np: ModuleType, values: Sequence[Any], validity: Any, nulls: int) -> Any:
    deltas = _filled(values, nulls, datetime.timedelta())
    micros = np.fromiter(
        map(operator.floordiv, deltas, itertools.repeat(_MICROSECOND)), np.int64, len(values)
    )
    return _fixed(pa, pa.duration("ns"), micros * 1000, validity, nulls)


def _validity(pa: ModuleType, np: ModuleType, values: Sequence[Any]) -> tuple[pyarrow.Buffer, int]:
    present = np.fromiter(map(operator.is_not, values, itertools.repeat(None)), bool, len(values))
    return pa.py_buffer(np.packbits(present, bitorder="little")), len(values) - int(present.sum())


def _variable(  # noqa: PLR0917 - private helper
    pa: ModuleType,
    np: ModuleType,
    arrow_type: pyarrow.DataType,
    items: Sequence[bytes] | Sequence[str],
    validity: pyarrow.Buffer | None,
    null_count: int,
    data: bytes | None = None,
) -> pyarrow.Array:
    """A string or binary array of ``items`` (their bytes, or ASCII text whose bytes are ``data``)."""
    n = len(items)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(np.fromiter(map(len, items), np.int64, n), out=offsets[1:])
    if offsets[-1] < 2**31:  # Arrow's string/binary use 32-bit offsets; beyond that, the large types
        offsets = offsets.astype(np.int32)
    else:
        arrow_type = pa.large_string() if arrow_type == pa.string() else pa.large_binary()
    if data is None:
        data = b"".join(items)  # type: ignore[arg-type]
    buffers = [validity, pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(arrow_type, n, buffers, null_count=null_count)
