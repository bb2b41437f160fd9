"""Tables through the type engine on local storage: round trips, column subsets, formats, handler
registration, bad inputs, lazy imports, and a plugin task whose executor returns a DataFrame."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any, Optional

import msgpack
import pytest
from _structured_support import files_under, flyweight_storage, location, sample_frame
from flyteidl.core import literals_pb2
from hypothesis import HealthCheck, given, settings, strategies as st
from tests.oracle import require

from flyweight._interface import Interface, kwtypes
from flyweight.errors import TransformerRegistrationError, TypeTransformerFailedError, UnsupportedTypeError
from flyweight.extend import PythonCustomizedContainerTask, ShimTaskExecutor, StructuredDatasetLiteral
from flyweight.types import (
    FlyteSchema,
    StructuredDataset,
    StructuredDatasetDecoder,
    StructuredDatasetEncoder,
    StructuredDatasetTransformerEngine,
    TypeEngine,
)

pd = require("pandas")
pa = require("pyarrow")


def roundtrip(ctx: Any, value: Any, t: Any, read_as: Any = None) -> tuple[literals_pb2.Literal, Any]:
    lit = TypeEngine.to_literal(ctx, value, t, TypeEngine.to_literal_type(t))
    wire = literals_pb2.Literal.FromString(lit.SerializeToString())
    return lit, TypeEngine.to_python_value(ctx, wire, t if read_as is None else read_as)


# -- round trips ----------------------------------------------------------------------------------


def test_a_dataframe_is_written_straight_under_the_raw_output_prefix(tmp_path: Path) -> None:
    df = sample_frame()
    with flyweight_storage(tmp_path) as ctx:
        lit, back = roundtrip(ctx, df, pd.DataFrame)
    pd.testing.assert_frame_equal(back, df)
    uri = location(lit)
    assert Path(uri).parent == tmp_path / "raw"
    assert files_under(uri) == ["00000"]
    assert files_under(str(tmp_path / "sandbox")) == []  # no scratch copy on the way


def test_a_pyarrow_table_round_trips(tmp_path: Path) -> None:
    table = pa.Table.from_pandas(sample_frame(), preserve_index=False)
    with flyweight_storage(tmp_path) as ctx:
        lit, back = roundtrip(ctx, table, pa.Table)
    assert back.equals(table)
    assert lit.scalar.structured_dataset.metadata.structured_dataset_type.format == "parquet"


def test_a_structured_dataset_opens_as_either_frame_type(tmp_path: Path) -> None:
    df = sample_frame()
    with flyweight_storage(tmp_path) as ctx:
        lit, sd = roundtrip(ctx, StructuredDataset(dataframe=df), StructuredDataset)
        assert isinstance(sd, StructuredDataset)
        assert sd.uri == location(lit)
        assert sd.file_format == "parquet"
        assert sd.literal == lit.scalar.structured_dataset
        pd.testing.assert_frame_equal(sd.open(pd.DataFrame).all(), df)
        assert sd.open(pa.Table).all().to_pandas().equals(df)
        parts = list(sd.open(pd.DataFrame).iter())
    assert len(parts) == 1
    pd.testing.assert_frame_equal(parts[0], df)


def test_a_dataframe_goes_where_the_structured_dataset_says(tmp_path: Path) -> None:
    target = tmp_path / "chosen"
    with flyweight_storage(tmp_path) as ctx:
        lit, _ = roundtrip(
            ctx, StructuredDataset(dataframe=sample_frame(), uri=str(target)), StructuredDataset
        )
    assert location(lit) == str(target)
    assert files_under(str(target)) == ["00000"]


def test_existing_data_by_uri_is_copied_to_the_outputs_and_read_in_place(tmp_path: Path) -> None:
    data = tmp_path / "existing"
    data.mkdir()
    sample_frame().to_parquet(data / "00000")
    with flyweight_storage(tmp_path) as ctx:
        given_sd = StructuredDataset(uri=str(data), file_format="parquet")
        pd.testing.assert_frame_equal(given_sd.open(pd.DataFrame).all(), sample_frame())
        assert not (tmp_path / "raw").exists()  # reading did not copy anything
        lit, back = roundtrip(
            ctx, StructuredDataset(uri=f"file://{data}", file_format="parquet"), StructuredDataset
        )
    uri = location(lit)
    assert uri.startswith(str(tmp_path / "raw")) and uri.endswith("/existing/")
    assert lit.scalar.structured_dataset.metadata.structured_dataset_type.format == "parquet"
    pd.testing.assert_frame_equal(back.open(pd.DataFrame).all(), sample_frame())


def test_a_structured_dataset_read_from_an_input_passes_on_unchanged(tmp_path: Path) -> None:
    with flyweight_storage(tmp_path) as ctx:
        lit, sd = roundtrip(ctx, sample_frame(), pd.DataFrame, read_as=StructuredDataset)
        again = TypeEngine.to_literal(
            ctx, sd, StructuredDataset, TypeEngine.to_literal_type(StructuredDataset)
        )
    assert again == lit
    assert len(list((tmp_path / "raw").iterdir())) == 1


def test_declared_columns_are_recorded_and_select_what_is_read(tmp_path: Path) -> None:
    df = sample_frame()
    writer = typing.Annotated[pd.DataFrame, kwtypes(id=int, name=str)]
    with flyweight_storage(tmp_path) as ctx:
        lit, back = roundtrip(ctx, df, writer)
        columns = lit.scalar.structured_dataset.metadata.structured_dataset_type.columns
        assert [c.name for c in columns] == ["id", "name"]
        pd.testing.assert_frame_equal(back, df[["id", "name"]])
        # the reader's own declaration wins over the one recorded in the literal
        reader = typing.Annotated[pd.DataFrame, kwtypes(score=float)]
        pd.testing.assert_frame_equal(TypeEngine.to_python_value(ctx, lit, reader), df[["score"]])
        table = TypeEngine.to_python_value(ctx, lit, typing.Annotated[pa.Table, kwtypes(ok=bool)])
        assert table.column_names == ["ok"]
        sd = TypeEngine.to_python_value(ctx, lit, typing.Annotated[StructuredDataset, kwtypes(at=int)])
        assert list(sd.open(pd.DataFrame).all().columns) == ["at"]
    # all the columns were stored
    assert set(pd.read_parquet(location(lit)).columns) == set(df.columns)


def test_csv_round_trips(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    t = typing.Annotated[StructuredDataset, "csv"]
    with flyweight_storage(tmp_path) as ctx:
        lit, sd = roundtrip(ctx, StructuredDataset(dataframe=df), t)
        assert files_under(location(lit)) == [".csv"]
        assert sd.file_format == "csv"
        pd.testing.assert_frame_equal(sd.open(pd.DataFrame).all(), df)


def test_optional_dataframes(tmp_path: Path) -> None:
    with flyweight_storage(tmp_path) as ctx:
        _, none = roundtrip(ctx, None, Optional[pd.DataFrame])
        lit, back = roundtrip(ctx, sample_frame(), Optional[pd.DataFrame])
    assert none is None
    assert lit.scalar.union.type.structure.tag == "StructuredDataset Transformer"
    pd.testing.assert_frame_equal(back, sample_frame())


def test_a_bare_dataframe_for_a_structured_dataset_is_stored_as_a_dataframe(tmp_path: Path) -> None:
    """What a plugin executor returns for a template's structured-dataset output."""
    with flyweight_storage(tmp_path) as ctx:
        lit, sd = roundtrip(ctx, sample_frame(), StructuredDataset)
        pd.testing.assert_frame_equal(sd.open(pd.DataFrame).all(), sample_frame())
    assert lit.scalar.structured_dataset.metadata.structured_dataset_type.format == "parquet"


def test_a_reference_inside_a_dataclass_field_reads(tmp_path: Path) -> None:
    with flyweight_storage(tmp_path) as ctx:
        lit, _ = roundtrip(ctx, sample_frame(), pd.DataFrame)
        packed = literals_pb2.Literal()
        packed.scalar.binary.value = msgpack.dumps({"uri": location(lit), "file_format": "parquet"})
        packed.scalar.binary.tag = "msgpack"
        pd.testing.assert_frame_equal(TypeEngine.to_python_value(ctx, packed, pd.DataFrame), sample_frame())


_CELLS = {
    "i": st.integers(-(2**62), 2**62),
    "f": st.floats(allow_nan=False, width=64),
    "s": st.text(max_size=8),
    "b": st.booleans(),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.fixed_dictionaries(_CELLS), max_size=20))
def test_frames_round_trip(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    df = pd.DataFrame(rows, columns=list(_CELLS)).astype({"i": "int64", "f": "float64", "b": "bool"})
    with flyweight_storage(tmp_path) as ctx:
        _, back = roundtrip(ctx, df, pd.DataFrame)
        _, table = roundtrip(ctx, pa.Table.from_pandas(df, preserve_index=False), pa.Table)
    pd.testing.assert_frame_equal(back, df, check_index_type=False)
    pd.testing.assert_frame_equal(table.to_pandas(), df.reset_index(drop=True), check_index_type=False)


# -- bad inputs -----------------------------------------------------------------------------------


def test_a_wrong_value_for_a_dataframe_output_says_what_came(tmp_path: Path) -> None:
    with flyweight_storage(tmp_path) as ctx:
        with pytest.raises(TypeTransformerFailedError, match=r"expected DataFrame, got dict \{'a': \[1\]\}"):
            TypeEngine.to_literal(ctx, {"a": [1]}, pd.DataFrame, TypeEngine.to_literal_type(pd.DataFrame))
        with pytest.raises(
            TypeTransformerFailedError, match="expected a StructuredDataset or a dataframe, got list"
        ):
            TypeEngine.to_literal(
                ctx, [1, 2], StructuredDataset, TypeEngine.to_literal_type(StructuredDataset)
            )
        with pytest.raises(TypeTransformerFailedError, match="needs a dataframe or a uri"):
            TypeEngine.to_literal(ctx, StructuredDataset(), StructuredDataset, None)


def test_a_uri_that_does_not_exist(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere")
    with flyweight_storage(tmp_path) as ctx:
        with pytest.raises(
            TypeTransformerFailedError, match=r"StructuredDataset\(uri=.*nowhere.*no such file"
        ):
            TypeEngine.to_literal(ctx, StructuredDataset(uri=missing), StructuredDataset, None)
        lit = literals_pb2.Literal()
        lit.scalar.structured_dataset.uri = missing
        lit.scalar.structured_dataset.metadata.structured_dataset_type.format = "parquet"
        with pytest.raises(TypeTransformerFailedError, match="no structured dataset at .*nowhere"):
            TypeEngine.to_python_value(ctx, lit, pd.DataFrame)


@pytest.mark.parametrize("frame_type", ["pandas", "pyarrow"])
def test_a_column_subset_naming_a_missing_column(tmp_path: Path, frame_type: str) -> None:
    t = pd.DataFrame if frame_type == "pandas" else pa.Table
    with flyweight_storage(tmp_path) as ctx:
        lit, _ = roundtrip(ctx, sample_frame(), pd.DataFrame)
        with pytest.raises(
            TypeTransformerFailedError, match=r"column\(s\) \['zz'\] .* has the columns \['id', 'score'"
        ):
            TypeEngine.to_python_value(ctx, lit, typing.Annotated[t, kwtypes(id=int, zz=str)])


def test_an_unsupported_format_names_the_supported_ones(tmp_path: Path) -> None:
    t = typing.Annotated[StructuredDataset, "orc"]
    with flyweight_storage(tmp_path) as ctx:
        with pytest.raises(
            TypeTransformerFailedError, match=r"format 'orc'.*supported formats are \['csv', 'parquet'\]"
        ):
            TypeEngine.to_literal(
                ctx, StructuredDataset(dataframe=sample_frame()), t, TypeEngine.to_literal_type(t)
            )
        with pytest.raises(TypeTransformerFailedError, match="no structured-dataset encoder for list"):
            TypeEngine.to_literal(ctx, StructuredDataset(dataframe=[1]), StructuredDataset, None)


def test_reading_needs_open_first(tmp_path: Path) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"call open\(\) first"):
        StructuredDataset(uri=str(tmp_path)).all()


def test_an_unsupported_column_type_is_refused_at_the_literal_type() -> None:
    with pytest.raises(UnsupportedTypeError, match="column 'c' has type set.*list\\[T\\] / dict\\[str, T\\]"):
        TypeEngine.to_literal_type(typing.Annotated[StructuredDataset, kwtypes(c=set)])


def test_missing_pyarrow_says_which_extra_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flyweight.types._data import _structured_handlers

    real = _structured_handlers.importlib.import_module

    def no_pyarrow(name: str, *args: Any) -> Any:
        if name.startswith("pyarrow"):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args)

    monkeypatch.setattr(_structured_handlers.importlib, "import_module", no_pyarrow)
    message = r"needs pyarrow, which is not installed: pip install 'flyweight\[pandas\]'"
    with flyweight_storage(tmp_path) as ctx, pytest.raises(TypeTransformerFailedError, match=message):
        TypeEngine.to_literal(ctx, sample_frame(), pd.DataFrame, None)


# -- handlers from plugins ------------------------------------------------------------------------


class Rows(list):  # type: ignore[type-arg]
    """A toy table type: a list of dicts."""


class RowsToJSON(StructuredDatasetEncoder[Rows]):
    def __init__(self) -> None:
        super().__init__(Rows, None, "jsonl")

    def encode(self, ctx: Any, structured_dataset: StructuredDataset, structured_dataset_type: Any) -> Any:
        from flyweight.types._data._structured_io import current_file_access

        uri = current_file_access(ctx).get_random_remote_directory()
        os.makedirs(uri)
        with open(os.path.join(uri, "rows.jsonl"), "w") as f:
            f.writelines(json.dumps(r) + "\n" for r in structured_dataset.dataframe)
        return StructuredDatasetLiteral(uri=uri)


class JSONToRows(StructuredDatasetDecoder[Rows]):
    def __init__(self) -> None:
        super().__init__(Rows, None, "jsonl")

    def decode(self, ctx: Any, flyte_value: Any, current_task_metadata: Any) -> Rows:
        with open(os.path.join(flyte_value.uri, "rows.jsonl")) as f:
            return Rows(json.loads(line) for line in f)


def test_a_plugin_adds_a_table_type(tmp_path: Path) -> None:
    StructuredDatasetTransformerEngine.register(RowsToJSON(), default_format_for_type=True)
    StructuredDatasetTransformerEngine.register(JSONToRows(), default_format_for_type=True)
    assert TypeEngine.get_transformer(Rows) is TypeEngine.get_transformer(StructuredDataset)
    t = typing.Annotated[Rows, kwtypes(a=int)]
    with flyweight_storage(tmp_path) as ctx:
        lit, back = roundtrip(ctx, Rows([{"a": 1}, {"a": 2}]), t)
        sd = TypeEngine.to_python_value(ctx, lit, StructuredDataset)
        assert sd.open(Rows).all() == [{"a": 1}, {"a": 2}]
    sdt = lit.scalar.structured_dataset.metadata.structured_dataset_type
    assert sdt.format == "jsonl"  # the engine fills in the declared type and the handler's format
    assert [c.name for c in sdt.columns] == ["a"]
    assert back == [{"a": 1}, {"a": 2}]
    with pytest.raises(
        TransformerRegistrationError, match="registered for Rows, protocol 'fsspec', format 'jsonl'"
    ):
        StructuredDatasetTransformerEngine.register(RowsToJSON())
    StructuredDatasetTransformerEngine.register(RowsToJSON(), override=True)


def test_using_tables_without_values_does_not_import_pandas() -> None:
    code = (
        "import sys, json, typing\n"
        "from flyweight._interface import kwtypes\n"
        "from flyweight.types import FlyteSchema, StructuredDataset, TypeEngine\n"
        "TypeEngine.to_literal_type(typing.Annotated[StructuredDataset, kwtypes(a=int)])\n"
        "TypeEngine.to_literal_type(FlyteSchema[kwtypes(a=int)])\n"
        "lt = TypeEngine.to_literal_type(StructuredDataset)\n"
        "assert TypeEngine.guess_python_type(lt) is StructuredDataset\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('pandas', 'pyarrow', 'numpy')]\n"
        "print(json.dumps(sorted(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert json.loads(out.stdout) == []


# -- a plugin task whose executor returns a DataFrame ---------------------------------------------


class FrameExecutor(ShimTaskExecutor[Any]):
    """Returns ``limit`` rows of tracks, as a SQL plugin's executor would."""

    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        n = kwargs["limit"]
        return pd.DataFrame({"TrackId": list(range(n)), "Name": [f"track {i}" for i in range(n)]})


class FrameTask(PythonCustomizedContainerTask[Any]):
    def __init__(self, name: str, output_type: Any) -> None:
        super().__init__(
            name=name,
            task_config=None,
            container_image="registry.example/frames:1",
            executor_type=FrameExecutor,
            interface=Interface(inputs=kwtypes(limit=int), outputs=kwtypes(results=output_type)),
        )

    def get_custom(self, settings: Any) -> dict[str, Any]:
        return {}


@pytest.mark.parametrize(
    "output_type",
    [FlyteSchema[kwtypes(TrackId=int, Name=str)], FlyteSchema, pd.DataFrame, StructuredDataset],
    ids=["FlyteSchema columns", "FlyteSchema", "DataFrame", "StructuredDataset"],
)
def test_a_plugin_task_returning_a_dataframe_runs_locally(output_type: Any, tmp_path: Path) -> None:
    task = FrameTask(f"frames_{abs(hash(str(output_type)))}", output_type)
    with flyweight_storage(tmp_path):
        out = task(limit=3)
        if isinstance(out, FlyteSchema):
            df = out.open().all()
        elif isinstance(out, StructuredDataset):
            df = out.open(pd.DataFrame).all()
        else:
            df = out
    assert df["TrackId"].tolist() == [0, 1, 2]
    assert df["Name"].tolist() == ["track 0", "track 1", "track 2"]
    stored = list((tmp_path / "raw").iterdir())
    assert len(stored) == 1 and files_under(str(stored[0])) == ["00000"]
