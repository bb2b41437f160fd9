"""Tables against flytekit 1.16.14 (the oracle): literal types byte for byte, literals byte for byte
apart from generated locations, the same files on disk, and each SDK reading what the other wrote.

flytekit is loaded lazily (``tests.oracle.load_flytekit``): without it these tests are skipped, unless
``FLYWEIGHT_REQUIRE_ORACLE=1``, in which case they fail.
"""

from __future__ import annotations

import dataclasses
import datetime
import typing
from pathlib import Path
from typing import Any

import pytest
from _structured_support import (
    files_under,
    flytekit_storage,
    flyweight_storage,
    location,
    masked,
    sample_frame,
)
from tests.oracle import load_flytekit, require

from flyweight._interface import kwtypes
from flyweight.types import FlyteSchema, StructuredDataset, TypeEngine

pd = require("pandas")
pa = require("pyarrow")
np = require("numpy")

pytestmark = pytest.mark.oracle


def flytekit() -> Any:
    """flytekit's modules as a namespace; skips (or fails under FLYWEIGHT_REQUIRE_ORACLE=1) without it."""
    fk = load_flytekit()
    from flytekit.core.type_engine import TypeEngine as FkEngine
    from flytekit.types.schema import FlyteSchema as FkSchema
    from flytekit.types.structured import StructuredDataset as FkDataset

    return type("Fk", (), {"engine": FkEngine, "SD": FkDataset, "Schema": FkSchema, "kwtypes": fk.kwtypes})


# Made at run time so its field types are classes, not strings (this module postpones annotations,
# and flytekit reads a dataclass's raw ``__annotations__``).
Point = dataclasses.make_dataclass("Point", [("x", int), ("label", str)])


ALL_COLUMNS = {
    "a": int,
    "b": float,
    "c": str,
    "d": bool,
    "e": datetime.datetime,
    "f": datetime.timedelta,
}

# name -> f(StructuredDataset class, FlyteSchema class) -> annotation
ANNOTATIONS: dict[str, typing.Callable[[Any, Any], Any]] = {
    "DataFrame": lambda SD, S: pd.DataFrame,
    "Table": lambda SD, S: pa.Table,
    "StructuredDataset": lambda SD, S: SD,
    "SD with columns": lambda SD, S: typing.Annotated[SD, kwtypes(**ALL_COLUMNS)],
    "DataFrame with columns": lambda SD, S: typing.Annotated[pd.DataFrame, kwtypes(a=int, c=str)],
    "Table with columns": lambda SD, S: typing.Annotated[pa.Table, kwtypes(a=int)],
    "SD parquet": lambda SD, S: typing.Annotated[SD, "parquet"],
    "DataFrame csv": lambda SD, S: typing.Annotated[pd.DataFrame, "csv"],
    "SD columns csv": lambda SD, S: typing.Annotated[SD, kwtypes(a=int), "csv"],
    "list and map columns": lambda SD, S: typing.Annotated[SD, kwtypes(a=list[int], b=dict[str, float])],
    "numpy columns": lambda SD, S: typing.Annotated[
        SD, kwtypes(a=np.int64, b=np.float32, c=np.str_, d=np.bool_, e=np.datetime64, f=np.object_)
    ],
    "nested columns": lambda SD, S: typing.Annotated[SD, {"n": {"p": int, "q": str}, "pt": Point}],
    "dataclass columns": lambda SD, S: typing.Annotated[SD, Point],
    "arrow schema": lambda SD, S: typing.Annotated[SD, pa.schema([("a", pa.int64()), ("b", pa.string())])],
    "optional DataFrame": lambda SD, S: typing.Optional[pd.DataFrame],
    "FlyteSchema": lambda SD, S: S,
    "FlyteSchema columns": lambda SD, S: S[kwtypes(TrackId=int, Name=str)],
    "FlyteSchema all columns": lambda SD, S: S[kwtypes(**ALL_COLUMNS)],
    "FlyteSchema numpy columns": lambda SD, S: S[
        kwtypes(a=np.int32, b=np.uint64, c=np.float64, d=np.bool_, e=np.datetime64, f=np.timedelta64)
    ],
}


@pytest.mark.parametrize("name", list(ANNOTATIONS))
def test_literal_types_are_byte_identical(name: str) -> None:
    fk = flytekit()
    theirs = fk.engine.to_literal_type(ANNOTATIONS[name](fk.SD, fk.Schema)).to_flyte_idl()
    ours = TypeEngine.to_literal_type(ANNOTATIONS[name](StructuredDataset, FlyteSchema))
    assert ours.SerializeToString(deterministic=True) == theirs.SerializeToString(deterministic=True), (
        f"ours:\n{ours}\nflytekit's:\n{theirs}"
    )


# name -> (annotation name, f(StructuredDataset class) -> value)
VALUES: dict[str, tuple[str, typing.Callable[[Any], Any]]] = {
    "DataFrame": ("DataFrame", lambda SD: sample_frame()),
    "DataFrame with columns": (
        "DataFrame with columns",
        lambda SD: sample_frame().rename(columns={"id": "a", "name": "c"}),
    ),
    "Table": ("Table", lambda SD: pa.Table.from_pandas(sample_frame())),
    "Table with columns": ("Table with columns", lambda SD: pa.table({"a": [1, 2]})),
    "SD of a DataFrame": ("StructuredDataset", lambda SD: SD(dataframe=sample_frame())),
    "SD of a Table": ("StructuredDataset", lambda SD: SD(dataframe=pa.Table.from_pandas(sample_frame()))),
    "SD with columns": ("SD with columns", lambda SD: SD(dataframe=sample_frame())),
    "SD parquet": ("SD parquet", lambda SD: SD(dataframe=sample_frame())),
    # flytekit stores a bare DataFrame in its type's default format (parquet) whatever the annotation says
    "DataFrame annotated csv": ("DataFrame csv", lambda SD: sample_frame()),
    "SD as csv": ("SD columns csv", lambda SD: SD(dataframe=pd.DataFrame({"a": [1, 2]}))),
    "optional DataFrame": ("optional DataFrame", lambda SD: sample_frame()),
}


@pytest.mark.parametrize("name", list(VALUES))
def test_literals_are_byte_identical_and_files_laid_out_alike(name: str, tmp_path: Path) -> None:
    fk = flytekit()
    ann_name, make = VALUES[name]
    with flytekit_storage(tmp_path / "fk") as fk_ctx:
        t = ANNOTATIONS[ann_name](fk.SD, fk.Schema)
        theirs = fk.engine.to_literal(fk_ctx, make(fk.SD), t, fk.engine.to_literal_type(t))
    with flyweight_storage(tmp_path / "fw") as ctx:
        t = ANNOTATIONS[ann_name](StructuredDataset, FlyteSchema)
        ours = TypeEngine.to_literal(ctx, make(StructuredDataset), t, TypeEngine.to_literal_type(t))
    assert masked(ours) == masked(theirs), f"ours:\n{ours}\nflytekit's:\n{theirs.to_flyte_idl()}"
    assert files_under(location(ours)) == files_under(location(theirs))
    for name in files_under(location(ours)):  # the very same bytes (parquet metadata included)
        assert (Path(location(ours)) / name).read_bytes() == (Path(location(theirs)) / name).read_bytes()
    assert location(ours).startswith(str(tmp_path / "fw" / "raw"))
    # the same depth below the raw output prefix: <prefix>/<random>
    assert len(Path(location(ours)).relative_to(tmp_path / "fw" / "raw").parts) == 1


def test_a_dataset_given_by_local_uri_is_copied_like_flytekit(tmp_path: Path) -> None:
    fk = flytekit()
    data = tmp_path / "given" / "my_table"
    data.mkdir(parents=True)
    sample_frame().to_parquet(data / "00000")
    with flytekit_storage(tmp_path / "fk") as fk_ctx:
        lt = fk.engine.to_literal_type(fk.SD)
        theirs = fk.engine.to_literal(fk_ctx, fk.SD(uri=str(data), file_format="parquet"), fk.SD, lt)
    with flyweight_storage(tmp_path / "fw") as ctx:
        lt = TypeEngine.to_literal_type(StructuredDataset)
        ours = TypeEngine.to_literal(
            ctx, StructuredDataset(uri=str(data), file_format="parquet"), StructuredDataset, lt
        )
    assert masked(ours) == masked(theirs)
    # <prefix>/<random>/my_table/ with a trailing slash, holding a copy of the files
    rel = lambda uri, root: uri[len(str(root)) :].split("/")  # noqa: E731
    assert [len(p) > 0 for p in rel(location(ours), tmp_path / "fw" / "raw")] == [
        len(p) > 0 for p in rel(location(theirs), tmp_path / "fk" / "raw")
    ]
    assert location(ours).endswith("/my_table/")
    assert files_under(location(ours)) == ["00000"]


def test_a_dataframe_for_a_flyteschema_output_is_stored_as_flytekits_sql_executors_are(
    tmp_path: Path,
) -> None:
    """flytekit's shim converts an executor's DataFrame with the template's schema literal type."""
    fk = flytekit()
    df = pd.DataFrame({"TrackId": [1, 2], "Name": ["a", "b"]})
    with flytekit_storage(tmp_path / "fk") as fk_ctx:
        lt = fk.engine.to_literal_type(fk.Schema[fk.kwtypes(TrackId=int, Name=str)])
        theirs = fk.engine.to_literal(fk_ctx, df, pd.DataFrame, lt)
    schema_type = FlyteSchema[kwtypes(TrackId=int, Name=str)]
    with flyweight_storage(tmp_path / "fw") as ctx:
        ours = TypeEngine.to_literal(ctx, df, schema_type, TypeEngine.to_literal_type(schema_type))
    assert masked(ours) == masked(theirs)
    assert files_under(location(ours)) == files_under(location(theirs)) == ["00000"]


READERS: dict[str, typing.Callable[[Any, Any], tuple[Any, typing.Callable[[Any], Any]]]] = {
    # name -> f(SD class, Schema class) -> (annotation, value -> DataFrame)
    "DataFrame": lambda SD, S: (pd.DataFrame, lambda v: v),
    "Table": lambda SD, S: (pa.Table, lambda v: v.to_pandas()),
    "StructuredDataset": lambda SD, S: (SD, lambda v: v.open(pd.DataFrame).all()),
    "SD as Table": lambda SD, S: (SD, lambda v: v.open(pa.Table).all().to_pandas()),
    "subset DataFrame": lambda SD, S: (
        typing.Annotated[pd.DataFrame, kwtypes(name=str, id=int)],
        lambda v: v,
    ),
    "subset SD": lambda SD, S: (
        typing.Annotated[SD, kwtypes(score=float)],
        lambda v: v.open(pd.DataFrame).all(),
    ),
    "subset Table": lambda SD, S: (typing.Annotated[pa.Table, kwtypes(ok=bool)], lambda v: v.to_pandas()),
}


def _expected(name: str, df: Any) -> Any:
    columns = {"subset DataFrame": ["name", "id"], "subset SD": ["score"], "subset Table": ["ok"]}.get(name)
    return df if columns is None else df[columns]


@pytest.mark.parametrize("name", list(READERS))
def test_flyweight_reads_what_flytekit_wrote(name: str, tmp_path: Path) -> None:
    fk = flytekit()
    df = sample_frame()
    with flytekit_storage(tmp_path / "fk") as fk_ctx:
        lit = fk.engine.to_literal(
            fk_ctx, df, pd.DataFrame, fk.engine.to_literal_type(pd.DataFrame)
        ).to_flyte_idl()
    with flyweight_storage(tmp_path / "fw") as ctx:
        t, as_frame = READERS[name](StructuredDataset, FlyteSchema)
        got = as_frame(TypeEngine.to_python_value(ctx, lit, t))
    pd.testing.assert_frame_equal(got, _expected(name, df))


@pytest.mark.parametrize("name", list(READERS))
def test_flytekit_reads_what_flyweight_wrote(name: str, tmp_path: Path) -> None:
    fk = flytekit()
    from flytekit.models.literals import Literal as FkLiteral

    df = sample_frame()
    with flyweight_storage(tmp_path / "fw") as ctx:
        lit = TypeEngine.to_literal(ctx, df, pd.DataFrame, TypeEngine.to_literal_type(pd.DataFrame))
    with flytekit_storage(tmp_path / "fk") as fk_ctx:
        t, as_frame = READERS[name](fk.SD, fk.Schema)
        got = as_frame(fk.engine.to_python_value(fk_ctx, FkLiteral.from_flyte_idl(lit), t))
    pd.testing.assert_frame_equal(got, _expected(name, df))


def test_each_reads_the_others_csv(tmp_path: Path) -> None:
    fk = flytekit()
    from flytekit.models.literals import Literal as FkLiteral

    df = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    with flytekit_storage(tmp_path / "fk") as fk_ctx:
        t = typing.Annotated[fk.SD, "csv"]
        theirs = fk.engine.to_literal(
            fk_ctx, fk.SD(dataframe=df), t, fk.engine.to_literal_type(t)
        ).to_flyte_idl()
    with flyweight_storage(tmp_path / "fw") as ctx:
        t = typing.Annotated[StructuredDataset, "csv"]
        ours = TypeEngine.to_literal(ctx, StructuredDataset(dataframe=df), t, TypeEngine.to_literal_type(t))
        pd.testing.assert_frame_equal(TypeEngine.to_python_value(ctx, theirs, pd.DataFrame), df)
    with flytekit_storage(tmp_path / "fk") as fk_ctx:
        got = fk.engine.to_python_value(fk_ctx, FkLiteral.from_flyte_idl(ours), pd.DataFrame)
    pd.testing.assert_frame_equal(got, df)
    assert masked(ours) == masked(theirs)


def test_both_read_a_legacy_schema_literal_alike(tmp_path: Path) -> None:
    """A ``schema`` literal (what older flytekit wrote for FlyteSchema) reads as a DataFrame in both."""
    fk = flytekit()
    from flytekit.models.literals import Literal as FkLiteral

    from flyweight._idl import Literal, Scalar, Schema

    data = tmp_path / "schema_data"
    data.mkdir()
    df = sample_frame()
    df.to_parquet(data / "00000")
    schema_type = TypeEngine.to_literal_type(FlyteSchema[kwtypes(id=int, name=str)]).schema
    lit = Literal(scalar=Scalar(schema=Schema(uri=str(data), type=schema_type)))
    with flytekit_storage(tmp_path / "fk") as fk_ctx:
        theirs = fk.engine.to_python_value(fk_ctx, FkLiteral.from_flyte_idl(lit), pd.DataFrame)
        their_sd = fk.engine.to_python_value(fk_ctx, FkLiteral.from_flyte_idl(lit), fk.SD)
    with flyweight_storage(tmp_path / "fw") as ctx:
        ours = TypeEngine.to_python_value(ctx, lit, pd.DataFrame)
        our_sd = TypeEngine.to_python_value(ctx, lit, StructuredDataset)
        from_schema = TypeEngine.to_python_value(ctx, lit, FlyteSchema[kwtypes(id=int, name=str)])
        pd.testing.assert_frame_equal(from_schema.open().all(), df[["id", "name"]])
    pd.testing.assert_frame_equal(ours, theirs)
    pd.testing.assert_frame_equal(ours, df[["id", "name"]])
    assert our_sd.metadata.SerializeToString(
        deterministic=True
    ) == their_sd.metadata.to_flyte_idl().SerializeToString(deterministic=True)


def test_guessed_types_agree(tmp_path: Path) -> None:
    fk = flytekit()
    sd_lt = TypeEngine.to_literal_type(typing.Annotated[StructuredDataset, kwtypes(a=int)])
    assert TypeEngine.guess_python_type(sd_lt) is StructuredDataset
    schema = FlyteSchema[kwtypes(TrackId=int, Name=str)]
    guessed = TypeEngine.guess_python_type(TypeEngine.to_literal_type(schema))
    from flytekit.models.types import LiteralType as FkLiteralType

    their_guess = fk.engine.guess_python_type(
        FkLiteralType.from_flyte_idl(TypeEngine.to_literal_type(schema))
    )
    assert guessed.columns() == their_guess.columns() == {"TrackId": int, "Name": str}
    assert guessed is schema


def _frame_hash(df: Any) -> str:
    return str(pd.util.hash_pandas_object(df).sum())


def test_a_hashed_dataframe_carries_the_same_hash(tmp_path: Path) -> None:
    fk = flytekit()
    from flytekit import HashMethod as FkHashMethod

    from flyweight.types import HashMethod

    df = sample_frame()
    with flytekit_storage(tmp_path / "fk") as fk_ctx:
        t = typing.Annotated[pd.DataFrame, FkHashMethod(_frame_hash)]
        theirs = fk.engine.to_literal(fk_ctx, df, t, fk.engine.to_literal_type(t))
    with flyweight_storage(tmp_path / "fw") as ctx:
        t = typing.Annotated[pd.DataFrame, HashMethod(_frame_hash)]
        ours = TypeEngine.to_literal(ctx, df, t, TypeEngine.to_literal_type(t))
        pd.testing.assert_frame_equal(TypeEngine.to_python_value(ctx, ours, t), df)
    assert ours.hash == _frame_hash(df)
    assert masked(ours) == masked(theirs)
