"""Rows → Arrow table without pandas: the same data and, read into pandas, the dtypes
``pandas.read_sql_query`` gives, for every kind SQLite returns and any mix of NULLs, and for the values
other DB-API drivers return (decimals, booleans, dates and times, UUIDs …)."""

from __future__ import annotations

import contextlib
import datetime
import decimal
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st
from tests.plugins.sqlite3.sqlite3_support import MUSIC_DB, REPO

from flyweight.extend import MixedColumnError, rows_to_table

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
REAL = st.floats(allow_nan=False)  # SQLite stores NaN as NULL
TEXT = st.text()
BLOB = st.binary()
KINDS = {"int": INT64, "real": REAL, "text": TEXT, "blob": BLOB}


def via_sqlite(columns: dict[str, list[Any]], infer: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The columns stored in SQLite and read back by pandas and by rows_to_table."""
    names = list(columns)
    rows = list(zip(*columns.values(), strict=True))
    with contextlib.closing(sqlite3.connect(":memory:")) as con:
        con.execute(f"create table t ({', '.join(names)})")
        if rows:
            con.executemany(f"insert into t values ({', '.join('?' * len(names))})", rows)
        want = pd.read_sql_query("select * from t", con)
        cur = con.execute("select * from t")
        names, rows = [d[0] for d in cur.description], cur.fetchall()
        table = rows_to_table(names, rows, infer=infer)
        assert table.equals(rows_to_table(names, rows, infer=not infer))  # both builders agree
        got = table.to_pandas()
    return got, want


def same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    assert list(got.columns) == list(want.columns)
    assert list(got.dtypes) == list(want.dtypes)
    assert got.astype(object).where(got.notna(), None).values.tolist() == (
        want.astype(object).where(want.notna(), None).values.tolist()
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(sorted(KINDS)), min_size=1, max_size=4).flatmap(
        lambda kinds: st.integers(min_value=0, max_value=30).flatmap(
            lambda n: st.tuples(
                *[st.lists(st.one_of(st.none(), KINDS[k]), min_size=n, max_size=n) for k in kinds]
            ).map(lambda cols: {f"c{i}": list(c) for i, c in enumerate(cols)})
        )
    )
)
def test_like_read_sql_query_for_every_kind_with_nulls(columns: dict[str, list[Any]]) -> None:
    same(*via_sqlite(columns))
    same(*via_sqlite(columns, infer=True))


def test_ints_and_reals_in_one_column_are_doubles() -> None:
    got, want = via_sqlite({"v": [1, 2.5, None, 3]})
    same(got, want)
    assert str(got.dtypes["v"]) == "float64"


def test_an_all_null_column_and_an_empty_result() -> None:
    same(*via_sqlite({"z": [None, None], "i": [1, 2]}))
    table = rows_to_table(["a", "b"], [])
    assert table.num_rows == 0
    assert table.column_names == ["a", "b"]


def test_the_arrow_types() -> None:
    table = rows_to_table(
        ["i", "r", "s", "b", "n"], [(1, 1.5, "é", b"\x00", None), (None, None, None, None, None)]
    )
    assert table.schema.types == [pa.int64(), pa.float64(), pa.string(), pa.binary(), pa.null()]
    assert table.to_pylist()[0] == {"i": 1, "r": 1.5, "s": "é", "b": b"\x00", "n": None}
    assert table.column("i").null_count == 1
    table.validate(full=True)


@pytest.mark.parametrize("infer", [False, True])
def test_a_column_mixing_text_and_numbers_is_refused_by_name(infer: bool) -> None:
    with pytest.raises(MixedColumnError) as e:
        rows_to_table(["id", "v"], [(1, 1), (2, "one"), (3, None)], infer=infer)
    assert e.value.column == "v"
    assert e.value.kinds == ["int", "str"]


def test_a_local_call_never_imports_pandas(tmp_path: Path) -> None:
    """The container and a local call write parquet with pyarrow alone."""
    code = f"""
import sys
from flyweight import kwtypes
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task
t = SQLite3Task("nopandas", "select * from tracks limit {{{{.inputs.n}}}}", inputs=kwtypes(n=int),
                task_config=SQLite3Config(uri={str(MUSIC_DB)!r}))
result = t(n=5)
assert "pandas" not in sys.modules, "pandas was imported"
print(result.remote_path if hasattr(result, "remote_path") else result)
"""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


# Values PostgreSQL, MySQL and other drivers return beyond SQLite's four kinds, read back into pandas.
UTC = datetime.timezone.utc
PLUS2 = datetime.timezone(datetime.timedelta(hours=2))
DRIVER_KINDS: dict[str, tuple[list[Any], pa.DataType, str]] = {
    "decimal": ([decimal.Decimal("12.34"), decimal.Decimal("-0.5")], pa.float64(), "float64"),
    "decimal+int": ([decimal.Decimal("1.5"), 2], pa.float64(), "float64"),
    "bool": ([True, False], pa.bool_(), "bool"),
    "naive": ([datetime.datetime(2024, 1, 2, 3, 4, 5, 6), datetime.datetime(1969, 12, 31, 23, 59, 59)],
              pa.timestamp("us"), "datetime64[us]"),
    "aware": ([datetime.datetime(2024, 1, 2, 3, 4, tzinfo=PLUS2), datetime.datetime(2024, 1, 2, tzinfo=UTC)],
              pa.timestamp("us", tz="UTC"), "datetime64[us, UTC]"),
    "date": ([datetime.date(2024, 1, 2), datetime.date(1900, 3, 1)], pa.date32(), "object"),
    "time": ([datetime.time(3, 4, 5, 6), datetime.time(23, 59)], pa.time64("us"), "object"),
    "interval": ([datetime.timedelta(days=1, microseconds=3), -datetime.timedelta(hours=5)],
                 pa.duration("ns"), "timedelta64[ns]"),
    "uuid": ([uuid.UUID(int=1), "plain text"], pa.string(), "object"),
    "memoryview": ([memoryview(b"\x01\x02"), bytearray(b"x")], pa.binary(), "object"),
}  # fmt: skip


@pytest.mark.parametrize("kind", sorted(DRIVER_KINDS))
@pytest.mark.parametrize("with_null", [False, True])
def test_driver_values_get_the_types_read_sql_gives(kind: str, with_null: bool) -> None:
    values, arrow_type, dtype = DRIVER_KINDS[kind]
    rows = [(v,) for v in values] + ([(None,)] if with_null else [])
    table = rows_to_table(["v"], rows, infer=False)
    table.validate(full=True)
    assert table.schema.types == [arrow_type]
    assert table.equals(rows_to_table(["v"], rows, infer=True))
    got = table.to_pandas()["v"]
    want = pd.DataFrame.from_records(rows, columns=["v"], coerce_float=True)["v"]  # what read_sql builds
    if kind == "aware":
        want = pd.to_datetime(want, utc=True)  # read_sql turns aware datetimes into UTC
    if kind in {"naive", "aware"}:
        want = want.astype(got.dtype)  # microseconds, as flytekit's parquet holds them
    if kind == "uuid":
        want = want.map(lambda v: None if v is None else str(v))  # parquet holds UUIDs as text
    if kind == "memoryview":
        want = want.map(lambda v: None if v is None else bytes(v))
    assert str(got.dtype) == str(want.dtype)
    if not with_null:
        assert str(got.dtype) == dtype
    assert plain(got) == plain(want)


def plain(column: pd.Series) -> list[Any]:
    return column.astype(object).where(column.notna(), None).tolist()


def test_a_column_mixing_naive_and_aware_datetimes_is_refused_by_name() -> None:
    rows = [(datetime.datetime(2024, 1, 1),), (datetime.datetime(2024, 1, 1, tzinfo=UTC),)]
    with pytest.raises(MixedColumnError) as e:
        rows_to_table(["at"], rows)
    assert e.value.column == "at"


def test_json_values_and_arrays_are_left_to_pyarrow() -> None:
    table = rows_to_table(["j", "a"], [({"a": 1}, [1, 2]), (None, None)])
    assert table.to_pylist() == [{"j": {"a": 1}, "a": [1, 2]}, {"j": None, "a": None}]


def test_database_values_never_import_pandas() -> None:
    code = """
import datetime, decimal, sys, uuid
from flyweight.extend import rows_to_table
row = (1, 1.5, "t", b"b", True, decimal.Decimal("1.5"), datetime.datetime(2024, 1, 1),
       datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc), datetime.date(2024, 1, 1),
       datetime.time(1), datetime.timedelta(1), uuid.UUID(int=1))
table = rows_to_table([f"c{i}" for i in range(len(row))], [row, (None,) * len(row)])
assert "pandas" not in sys.modules, "pandas was imported"
print(table.num_columns)
"""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "12"
