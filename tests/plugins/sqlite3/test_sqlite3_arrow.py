"""Rows → Arrow table without pandas: the same data and, read into pandas, the dtypes
``pandas.read_sql_query`` gives, for every kind SQLite returns and any mix of NULLs."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings, strategies as st
from tests.plugins.sqlite3.sqlite3_support import MUSIC_DB, REPO

from flyweight.plugins.sqlite3._arrow import MixedColumnError, rows_to_table

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
