"""``FlyteSchema``: the legacy table type SQL plugins declare — literal types equal to the SQLite3
goldens, DataFrames stored as parquet structured datasets, and both literal kinds read back."""

from __future__ import annotations

import datetime
from pathlib import Path

import msgpack
import pytest
from _structured_support import files_under, flyweight_storage, location, sample_frame
from flyteidl.core import literals_pb2, tasks_pb2
from tests.oracle import require

from flyweight._interface import kwtypes
from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types import FlyteSchema, SchemaOpenMode, StructuredDataset, TypeEngine

pd = require("pandas")

GOLDEN = Path(__file__).resolve().parents[2] / "golden" / "templates"


def _golden_output_type(stem: str) -> bytes:
    tt = tasks_pb2.TaskTemplate.FromString((GOLDEN / f"{stem}.pb").read_bytes())
    return tt.interface.outputs.variables["results"].type.SerializeToString(deterministic=True)


def test_columned_schema_type_equals_the_sqlite3_doc_golden() -> None:
    lt = TypeEngine.to_literal_type(FlyteSchema[kwtypes(TrackId=int, Name=str)])
    assert lt.SerializeToString(deterministic=True) == _golden_output_type(
        "sqlite3_doc_get_serializable_template"
    )


@pytest.mark.parametrize(
    "stem", ["sqlite3_bare_get_serializable_template", "sqlite3_rich_get_serializable_template"]
)
def test_plain_schema_type_equals_the_sqlite3_goldens(stem: str) -> None:
    lt = TypeEngine.to_literal_type(FlyteSchema)
    assert lt.SerializeToString(deterministic=True) == _golden_output_type(stem)


def test_column_names_and_types_keep_the_declared_order() -> None:
    t = FlyteSchema[kwtypes(TrackId=int, Name=str, At=datetime.datetime)]
    assert t.column_names() == ["TrackId", "Name", "At"]
    assert t.columns() == {"TrackId": int, "Name": str, "At": datetime.datetime}
    assert FlyteSchema.column_names() == []
    assert t is FlyteSchema[kwtypes(TrackId=int, Name=str, At=datetime.datetime)]
    assert FlyteSchema[kwtypes()] is FlyteSchema
    assert issubclass(t, FlyteSchema)


def test_an_unsupported_column_type_is_refused_when_the_type_is_made() -> None:
    with pytest.raises(
        UnsupportedTypeError, match=r"column 'tags' has type list\[str\].*int, float, bool, str"
    ):
        FlyteSchema[kwtypes(tags=list[str])]


def test_columns_must_be_a_mapping() -> None:
    with pytest.raises(TypeTransformerFailedError, match="mapping of name to type"):
        FlyteSchema[[("a", int)]]  # type: ignore[type-arg]


def test_guessing_a_schema_type_gives_the_same_class_back() -> None:
    t = FlyteSchema[kwtypes(TrackId=int, Name=str)]
    assert TypeEngine.guess_python_type(TypeEngine.to_literal_type(t)) is t
    assert TypeEngine.guess_python_type(TypeEngine.to_literal_type(FlyteSchema)) is FlyteSchema


def test_a_dataframe_for_a_schema_is_a_parquet_structured_dataset(tmp_path: Path) -> None:
    t = FlyteSchema[kwtypes(id=int, name=str)]
    df = sample_frame()
    with flyweight_storage(tmp_path) as ctx:
        lit = TypeEngine.to_literal(ctx, df, t, TypeEngine.to_literal_type(t))
        assert lit.scalar.WhichOneof("value") == "structured_dataset"
        assert lit.scalar.structured_dataset.metadata.structured_dataset_type.format == "parquet"
        assert list(lit.scalar.structured_dataset.metadata.structured_dataset_type.columns) == []
        assert files_under(location(lit)) == ["00000"]
        schema = TypeEngine.to_python_value(ctx, lit, t)
        assert isinstance(schema, t)
        assert schema.supported_mode == SchemaOpenMode.READ
        pd.testing.assert_frame_equal(schema.open().all(), df[["id", "name"]])
        pd.testing.assert_frame_equal(TypeEngine.to_python_value(ctx, lit, pd.DataFrame), df)


def test_a_written_schema_value_is_a_schema_literal_and_reads_back(tmp_path: Path) -> None:
    t = FlyteSchema[kwtypes(id=int, name=str)]
    first, second = sample_frame(3), sample_frame(2)
    with flyweight_storage(tmp_path) as ctx:
        value = t()
        value.open().write(first, second)
        lit = TypeEngine.to_literal(ctx, value, t, TypeEngine.to_literal_type(t))
        assert lit.scalar.WhichOneof("value") == "schema"
        assert lit.scalar.schema.type == TypeEngine.to_literal_type(t).schema
        assert files_under(lit.scalar.schema.uri) == ["00000", "00001"]
        back = TypeEngine.to_python_value(ctx, lit, t)
        expected = pd.concat([first, second])[["id", "name"]]
        pd.testing.assert_frame_equal(back.open().all(), expected)
        parts = list(back.open().iter())
        assert [len(p) for p in parts] == [3, 2]
        # a schema literal also reads as a DataFrame and as a StructuredDataset (one dataset: one index)
        whole = expected.reset_index(drop=True)
        pd.testing.assert_frame_equal(TypeEngine.to_python_value(ctx, lit, pd.DataFrame), whole)
        sd = TypeEngine.to_python_value(ctx, lit, StructuredDataset)
        pd.testing.assert_frame_equal(sd.open(pd.DataFrame).all(), whole)


def test_a_schema_read_from_an_input_passes_on_without_copying(tmp_path: Path) -> None:
    t = FlyteSchema[kwtypes(id=int)]
    with flyweight_storage(tmp_path) as ctx:
        lit = TypeEngine.to_literal(ctx, sample_frame(), t, TypeEngine.to_literal_type(t))
        value = TypeEngine.to_python_value(ctx, lit, t)
        again = TypeEngine.to_literal(ctx, value, t, TypeEngine.to_literal_type(t))
    assert again.scalar.schema.uri == location(lit)


def test_a_schema_opened_for_reading_cannot_be_written(tmp_path: Path) -> None:
    with flyweight_storage(tmp_path):
        value = FlyteSchema(remote_path=str(tmp_path), supported_mode=SchemaOpenMode.READ)
        with pytest.raises(TypeTransformerFailedError, match="cannot be written"):
            value.open(override_mode=SchemaOpenMode.WRITE)
        with pytest.raises(TypeTransformerFailedError, match="opens as pandas.DataFrame only"):
            value.open(dict)


def test_a_reference_inside_a_dataclass_field_reads(tmp_path: Path) -> None:
    t = FlyteSchema[kwtypes(id=int)]
    with flyweight_storage(tmp_path) as ctx:
        lit = TypeEngine.to_literal(ctx, sample_frame(), t, TypeEngine.to_literal_type(t))
        packed = literals_pb2.Literal()
        packed.scalar.binary.value = msgpack.dumps({"remote_path": location(lit)})
        packed.scalar.binary.tag = "msgpack"
        value = TypeEngine.to_python_value(ctx, packed, t)
        assert value.remote_path == location(lit)
        pd.testing.assert_frame_equal(value.open().all(), sample_frame()[["id"]])


def test_wrong_values_and_literals_are_refused(tmp_path: Path) -> None:
    t = FlyteSchema[kwtypes(id=int)]
    with flyweight_storage(tmp_path) as ctx:
        with pytest.raises(
            TypeTransformerFailedError,
            match=r"expected a FlyteSchema or a dataframe \(pandas.DataFrame, pyarrow.Table\), got dict",
        ):
            TypeEngine.to_literal(ctx, {"id": [1]}, t, TypeEngine.to_literal_type(t))
        with pytest.raises(TypeTransformerFailedError, match=r"holds no data: write to it first"):
            TypeEngine.to_literal(ctx, t(), t, TypeEngine.to_literal_type(t))
        with pytest.raises(TypeTransformerFailedError, match="expected a schema or structured dataset"):
            TypeEngine.to_python_value(ctx, TypeEngine.to_literal(ctx, 3, int), t)


def test_reading_a_missing_directory_says_where(tmp_path: Path) -> None:
    with flyweight_storage(tmp_path):
        value = FlyteSchema(remote_path=str(tmp_path / "gone"), supported_mode=SchemaOpenMode.READ)
        with pytest.raises(TypeTransformerFailedError, match="no FlyteSchema data at .*gone"):
            value.open().all()
