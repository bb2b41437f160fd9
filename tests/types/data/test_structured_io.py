"""Reading a dataset directory: a single data file is read directly; several are read as one dataset."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from flyweight.types import StructuredDataset, TypeEngine
from flyweight.types._data._structured_io import data_file


def test_a_file_is_itself(tmp_path: Path) -> None:
    f = tmp_path / "00000"
    f.write_bytes(b"x")
    assert data_file(str(f)) == str(f)


def test_the_one_data_file_of_a_directory_ignoring_markers(tmp_path: Path) -> None:
    (tmp_path / "00000").write_bytes(b"x")
    (tmp_path / "_SUCCESS").write_bytes(b"")
    (tmp_path / ".00000.crc").write_bytes(b"")
    assert data_file(str(tmp_path)) == str(tmp_path / "00000")


def test_several_files_or_a_subdirectory_stay_a_dataset(tmp_path: Path) -> None:
    two = tmp_path / "two"
    two.mkdir()
    (two / "a").write_bytes(b"x")
    (two / "b").write_bytes(b"x")
    assert data_file(str(two)) == str(two)
    nested = tmp_path / "nested"
    (nested / "part=1").mkdir(parents=True)
    assert data_file(str(nested)) == str(nested)


def test_a_dataset_of_two_files_reads_every_row(tmp_path: Path) -> None:
    for i, name in enumerate(["00000", "00001"]):
        pq.write_table(pa.table({"a": [i * 10, i * 10 + 1]}), tmp_path / name)
    lit = TypeEngine.to_literal(None, StructuredDataset(uri=str(tmp_path)), StructuredDataset, None)
    df = TypeEngine.to_python_value(None, lit, pd.DataFrame)
    assert sorted(df["a"]) == [0, 1, 10, 11]
    table = TypeEngine.to_python_value(None, lit, pa.Table)
    assert sorted(table.column("a").to_pylist()) == [0, 1, 10, 11]
