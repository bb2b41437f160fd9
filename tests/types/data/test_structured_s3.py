"""Tables on S3 (a moto server): written under an ``s3://`` raw output prefix with one upload, read
back, passed on by reference, and exchanged with flytekit through the same bucket."""

from __future__ import annotations

import os
import typing
from pathlib import Path
from typing import Any

import pytest
from _structured_support import flytekit_storage, flyweight_storage, location, masked, sample_frame
from tests.oracle import require

from flyweight._interface import kwtypes
from flyweight.types import FlyteSchema, StructuredDataset, TypeEngine

pd = require("pandas")
pa = require("pyarrow")
require("s3fs")


def _objects(uri: str) -> list[str]:
    """Object keys below ``uri``, relative to it."""
    from flyweight._context import FlyteContextManager

    fs = FlyteContextManager.current_context().file_access.get_filesystem_for_path(uri)
    root = uri[len("s3://") :].rstrip("/")
    fs.invalidate_cache()
    return sorted(p[len(root) + 1 :] for p in fs.find(root))


def _roundtrip(ctx: Any, value: Any, t: Any, read_as: Any = None) -> tuple[Any, Any]:
    lit = TypeEngine.to_literal(ctx, value, t, TypeEngine.to_literal_type(t))
    return lit, TypeEngine.to_python_value(ctx, lit, read_as or t)


def test_a_dataframe_round_trips_through_s3(s3_bucket: str, tmp_path: Path) -> None:
    df = sample_frame(50)
    with flyweight_storage(tmp_path, raw_output_prefix=f"{s3_bucket}/raw") as ctx:
        lit, back = _roundtrip(ctx, df, pd.DataFrame)
        uri = location(lit)
        assert uri.startswith(f"{s3_bucket}/raw/")
        assert _objects(uri) == ["00000"]
        pd.testing.assert_frame_equal(back, df)
    assert sorted(os.listdir(tmp_path / "sandbox")) == []  # scratch files are removed


def test_a_table_and_a_column_subset_through_s3(s3_bucket: str, tmp_path: Path) -> None:
    table = pa.Table.from_pandas(sample_frame(), preserve_index=False)
    with flyweight_storage(tmp_path, raw_output_prefix=f"{s3_bucket}/raw") as ctx:
        lit, back = _roundtrip(ctx, table, pa.Table)
        assert back.equals(table)
        subset = TypeEngine.to_python_value(ctx, lit, typing.Annotated[pd.DataFrame, kwtypes(name=str)])
        pd.testing.assert_frame_equal(subset, sample_frame()[["name"]])


def test_a_structured_dataset_by_s3_uri_is_passed_on_by_reference(s3_bucket: str, tmp_path: Path) -> None:
    with flyweight_storage(tmp_path, raw_output_prefix=f"{s3_bucket}/raw") as ctx:
        target = f"{s3_bucket}/tables/tracks"
        lit, _ = _roundtrip(ctx, StructuredDataset(dataframe=sample_frame(), uri=target), StructuredDataset)
        assert location(lit) == target
        again, sd = _roundtrip(ctx, StructuredDataset(uri=target, file_format="parquet"), StructuredDataset)
        assert location(again) == target  # not copied
        pd.testing.assert_frame_equal(sd.open(pd.DataFrame).all(), sample_frame())
        pd.testing.assert_frame_equal(
            StructuredDataset(uri=target, file_format="parquet").open(pd.DataFrame).all(), sample_frame()
        )


def test_local_data_given_by_uri_is_uploaded_to_the_outputs(s3_bucket: str, tmp_path: Path) -> None:
    data = tmp_path / "local_table"
    data.mkdir()
    sample_frame().to_parquet(data / "00000")
    with flyweight_storage(tmp_path, raw_output_prefix=f"{s3_bucket}/raw") as ctx:
        lit, sd = _roundtrip(ctx, StructuredDataset(uri=str(data), file_format="parquet"), StructuredDataset)
        uri = location(lit)
        assert uri.startswith(f"{s3_bucket}/raw/") and uri.endswith("/local_table/")
        assert _objects(uri) == ["00000"]
        pd.testing.assert_frame_equal(sd.open(pd.DataFrame).all(), sample_frame())


def test_a_flyteschema_output_on_s3(s3_bucket: str, tmp_path: Path) -> None:
    t = FlyteSchema[kwtypes(id=int, name=str)]
    with flyweight_storage(tmp_path, raw_output_prefix=f"{s3_bucket}/raw") as ctx:
        lit, schema = _roundtrip(ctx, sample_frame(), t)
        assert _objects(location(lit)) == ["00000"]
        pd.testing.assert_frame_equal(schema.open().all(), sample_frame()[["id", "name"]])


@pytest.mark.oracle
def test_flytekit_and_flyweight_exchange_tables_on_s3(s3_bucket: str, tmp_path: Path, flytekit: Any) -> None:
    from flytekit.core.context_manager import FlyteContextManager as FkManager
    from flytekit.core.data_persistence import FileAccessProvider
    from flytekit.core.type_engine import TypeEngine as FkEngine
    from flytekit.models.literals import Literal as FkLiteral

    df = sample_frame(20)
    fk_fa = FileAccessProvider(local_sandbox_dir=str(tmp_path / "fk"), raw_output_prefix=f"{s3_bucket}/fk")
    with FkManager.with_context(FkManager.current_context().with_file_access(fk_fa)) as fk_ctx:
        theirs = FkEngine.to_literal(fk_ctx, df, pd.DataFrame, FkEngine.to_literal_type(pd.DataFrame))
    with flyweight_storage(tmp_path / "fw", raw_output_prefix=f"{s3_bucket}/fw") as ctx:
        ours = TypeEngine.to_literal(ctx, df, pd.DataFrame, TypeEngine.to_literal_type(pd.DataFrame))
        pd.testing.assert_frame_equal(
            TypeEngine.to_python_value(ctx, theirs.to_flyte_idl(), pd.DataFrame), df
        )
        assert _objects(location(ours)) == _objects(location(theirs)) == ["00000"]
    assert masked(ours) == masked(theirs)
    with flytekit_storage(tmp_path / "fk2") as fk_ctx:
        got = FkEngine.to_python_value(fk_ctx, FkLiteral.from_flyte_idl(ours), pd.DataFrame)
    pd.testing.assert_frame_equal(got, df)


def test_reading_a_missing_s3_table_is_the_users_error(s3_bucket: str, tmp_path: Path) -> None:
    from flyweight.errors import TypeTransformerFailedError

    with flyweight_storage(tmp_path, raw_output_prefix=f"{s3_bucket}/raw"):
        missing = StructuredDataset(uri=f"{s3_bucket}/no/such/table", file_format="parquet")
        with pytest.raises(
            TypeTransformerFailedError, match=r"no structured dataset at 's3://.*/no/such/table'"
        ):
            missing.open(pd.DataFrame).all()
