"""pydantic models holding files, directories and tables, against flytekit 1.16.14 (the oracle).

A ``BaseModel`` with ``FlyteFile``, ``FlyteDirectory``, ``StructuredDataset`` or ``FlyteSchema`` fields (also
inside ``Optional``, ``list`` and ``dict`` fields and nested models) is a msgpack binary literal whose
fields are the references Flyte's Python SDK's pydantic hooks write (``{"path": uri}``, ...), after local
data is uploaded; reading it back downloads remote data only on first use. Literal types (the model's
JSON schema included) must be byte-identical; literals byte-identical for remote references and equal
once upload paths are masked for local data; each SDK must read the other's literals.
"""

import json
import os
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any, Optional

import msgpack
import pytest
from _blob_support import storage, tree, write
from flyteidl.core import literals_pb2
from tests.oracle import require

from flyweight import kwtypes
from flyweight.errors import TypeTransformerFailedError
from flyweight.types import (
    CSVFile,
    FlyteDirectory,
    FlyteFile,
    FlyteSchema,
    SchemaOpenMode,
    StructuredDataset,
    TypeEngine,
)

pydantic = require("pydantic", why="pydantic models")
BaseModel = pydantic.BaseModel

REPO = Path(__file__).resolve().parents[3]


class Types(typing.NamedTuple):
    File: Any
    Directory: Any
    Dataset: Any
    Schema: Any
    CSV: Any
    kwtypes: Any


def shapes(t: Types) -> dict[str, type]:
    """One model per shape, with the given SDK's types (same names on both sides: the schema has them)."""

    class WithFile(BaseModel):
        f: t.File
        name: str = ""

    class WithDirectory(BaseModel):
        d: t.Directory

    class WithDataset(BaseModel):
        s: t.Dataset

    class WithSchema(BaseModel):
        sc: t.Schema

    class WithOptional(BaseModel):
        o: Optional[t.File] = None
        od: Optional[t.Directory] = None

    class WithCollections(BaseModel):
        files: list[t.File]
        by_name: dict[str, t.File]
        dirs: list[t.Directory] = []  # noqa: RUF012 - pydantic copies defaults

    csv_directory = t.Directory["csv"]
    typed_schema = t.Schema[t.kwtypes(a=int)]

    class WithFormats(BaseModel):
        c: t.CSV
        fd: csv_directory
        ts: typed_schema

    class Leaf(BaseModel):
        f: t.File
        n: int = 0

    class Nested(BaseModel):
        leaf: Leaf
        leaves: list[Leaf]
        maybe: Optional[Leaf] = None
        nested_list: list[list[t.File]] = []  # noqa: RUF012 - pydantic copies defaults

    class Everything(BaseModel):
        f: t.File
        d: t.Directory
        s: t.Dataset
        sc: t.Schema
        o: Optional[t.File] = None
        lf: list[t.File] = []  # noqa: RUF012 - pydantic copies defaults
        m: dict[str, t.Directory] = {}  # noqa: RUF012 - pydantic copies defaults

    return {
        c.__name__: c
        for c in (
            WithFile,
            WithDirectory,
            WithDataset,
            WithSchema,
            WithOptional,
            WithCollections,
            WithFormats,
            Nested,
            Everything,
        )
    }


OURS = Types(FlyteFile, FlyteDirectory, StructuredDataset, FlyteSchema, CSVFile, kwtypes)
MINE = shapes(OURS)


class Kit:
    def __init__(self) -> None:
        from flytekit import FlyteContextManager, kwtypes as kit_kwtypes
        from flytekit.core.type_engine import TypeEngine as KitEngine
        from flytekit.types.directory import FlyteDirectory as KD
        from flytekit.types.file import CSVFile as KC, FlyteFile as KF
        from flytekit.types.schema import FlyteSchema as KS
        from flytekit.types.structured import StructuredDataset as KSD

        self.engine = KitEngine
        self.ctx = FlyteContextManager.current_context()
        self.types = Types(KF, KD, KSD, KS, KC, kit_kwtypes)
        self.shapes = shapes(self.types)

    def literal_type(self, t: Any) -> bytes:
        return bytes(self.engine.to_literal_type(t).to_flyte_idl().SerializeToString(deterministic=True))

    def literal(self, value: Any, t: Any) -> literals_pb2.Literal:
        lit = self.engine.to_literal(self.ctx, value, t, self.engine.to_literal_type(t))
        return typing.cast(literals_pb2.Literal, lit.to_flyte_idl())

    def read(self, lit: literals_pb2.Literal, t: Any) -> Any:
        from flytekit.models.literals import Literal as KitLiteral

        return self.engine.to_python_value(self.ctx, KitLiteral.from_flyte_idl(lit), t)


@pytest.fixture(scope="module")
def kit(flytekit: Any) -> Kit:
    return Kit()


def unpacked(lit: literals_pb2.Literal) -> Any:
    assert lit.scalar.binary.tag == "msgpack"
    return msgpack.unpackb(lit.scalar.binary.value, strict_map_key=False)


def mask(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: "<uri>" if k in ("path", "uri", "remote_path") else mask(v) for k, v in data.items()}
    if isinstance(data, list):
        return [mask(v) for v in data]
    return data


# -- literal types ----------------------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", sorted(MINE))
def test_literal_types_are_byte_identical(kit: Kit, name: str) -> None:
    mine = TypeEngine.to_literal_type(MINE[name]).SerializeToString(deterministic=True)
    assert mine == kit.literal_type(kit.shapes[name])


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_json_schemas_are_flytekits(kit: Kit) -> None:
    for name in MINE:
        mine = MINE[name].model_json_schema()
        assert json.dumps(mine) == json.dumps(kit.shapes[name].model_json_schema()), name
    schema = MINE["WithFormats"].model_json_schema()
    assert sorted(schema["$defs"]) == [
        "_SpecificFormatClass",
        "_SpecificFormatDirectoryClass",
        "_TypedSchema",
    ]
    assert schema["properties"]["c"] == {"$ref": "#/$defs/_SpecificFormatClass"}  # no title, as flytekit


def test_the_field_literal_types_are_in_the_structure() -> None:
    lt = TypeEngine.to_literal_type(MINE["Everything"])
    fields = lt.structure.dataclass_type
    assert fields["f"] == TypeEngine.to_literal_type(FlyteFile)
    assert fields["lf"].collection_type == TypeEngine.to_literal_type(FlyteFile)
    assert fields["m"].map_value_type == TypeEngine.to_literal_type(FlyteDirectory)
    assert fields["s"].HasField("structured_dataset_type")


# -- literals ---------------------------------------------------------------------------------------------


def remote_values(t: Types, schema_mode: Any) -> dict[str, Any]:
    """Constructor arguments per shape, referring to remote data only (nothing is uploaded)."""
    f = t.File
    return {
        "WithFile": {"f": f("s3://bucket/a.txt"), "name": "n"},
        "WithDirectory": {"d": t.Directory("s3://bucket/dir")},
        "WithDataset": {"s": t.Dataset(uri="s3://bucket/table", file_format="parquet")},
        "WithSchema": {"sc": t.Schema(remote_path="s3://bucket/schema", supported_mode=schema_mode)},
        "WithOptional": {"o": f("s3://bucket/o.txt"), "od": None},
        "WithCollections": {
            "files": [f("s3://bucket/1"), f("s3://bucket/2")],
            "by_name": {"x": f("gs://bucket/x")},
            "dirs": [t.Directory("s3://bucket/d")],
        },
    }


@pytest.mark.oracle
def test_remote_references_are_byte_identical(kit: Kit) -> None:
    from flytekit.types.schema import SchemaOpenMode as KitMode

    mine_values = remote_values(OURS, SchemaOpenMode.READ)
    kit_values = remote_values(kit.types, KitMode.READ)
    for name, kwargs in mine_values.items():
        mine = TypeEngine.to_literal(None, MINE[name](**kwargs), MINE[name], None)
        theirs = kit.literal(kit.shapes[name](**kit_values[name]), kit.shapes[name])
        assert mine.SerializeToString(deterministic=True) == theirs.SerializeToString(deterministic=True), (
            name
        )
        # and each reads the other's
        back = TypeEngine.to_python_value(None, theirs, MINE[name])
        assert type(back) is MINE[name]
        assert kit.read(mine, kit.shapes[name]).model_dump_json() == theirs_dump(kit, name, kit_values)


def theirs_dump(kit: Kit, name: str, values: dict[str, Any]) -> str:
    return str(kit.shapes[name](**values[name]).model_dump_json())


@pytest.mark.oracle
def test_metadata_goes_with_the_path(kit: Kit) -> None:
    value = MINE["WithFile"](f=FlyteFile("s3://bucket/a.txt", metadata={"k": "v"}))
    lit = TypeEngine.to_literal(None, value, MINE["WithFile"], None)
    assert unpacked(lit) == {"f": {"path": "s3://bucket/a.txt", "metadata": {"k": "v"}}, "name": ""}
    assert TypeEngine.to_python_value(None, lit, MINE["WithFile"]).f.metadata == {"k": "v"}


@pytest.mark.oracle
def test_local_files_upload_and_match_flytekit_once_paths_are_masked(kit: Kit, tmp_path: Path) -> None:
    a = write(tmp_path / "src" / "a.txt", "alpha")
    b = write(tmp_path / "src" / "b.txt", "beta")
    d = tmp_path / "src"
    with storage(tmp_path) as fa:
        value = MINE["WithCollections"](
            files=[FlyteFile(str(a)), FlyteFile(str(b))],
            by_name={"a": FlyteFile(a)},
            dirs=[FlyteDirectory(d)],
        )
        mine = TypeEngine.to_literal(None, value, MINE["WithCollections"], None)
    k = kit.types
    theirs = kit.literal(
        kit.shapes["WithCollections"](
            files=[k.File(str(a)), k.File(str(b))], by_name={"a": k.File(str(a))}, dirs=[k.Directory(str(d))]
        ),
        kit.shapes["WithCollections"],
    )
    assert mask(unpacked(mine)) == mask(unpacked(theirs))
    data = unpacked(mine)
    raw = str(tmp_path / "raw")
    paths = [x["path"] for x in data["files"]] + [data["by_name"]["a"]["path"], data["dirs"][0]["path"]]
    assert all(p.startswith(raw) for p in paths), paths  # uploaded under the raw output prefix
    assert data["files"][0]["path"].endswith("/a.txt")
    assert len(fa.uploads) == 4  # through flyweight's one file-access path
    # flytekit reads what flyweight wrote, and the other way round
    back = kit.read(mine, kit.shapes["WithCollections"])
    assert [Path(os.fspath(x)).read_text() for x in back.files] == ["alpha", "beta"]
    ours = TypeEngine.to_python_value(None, theirs, MINE["WithCollections"])
    assert Path(ours.by_name["a"].download()).read_text() == "alpha"


# -- round trips ------------------------------------------------------------------------------------------


def test_round_trip_reads_the_contents_back(tmp_path: Path) -> None:
    src = write(tmp_path / "in" / "report.txt", "the report")
    other = write(tmp_path / "in" / "other.txt", "other")
    folder = tmp_path / "in" / "folder"
    write(folder / "x.txt", "x")
    write(folder / "sub" / "y.txt", "y")
    nested = MINE["Nested"]
    leaf = nested.model_fields["leaf"].annotation
    with storage(tmp_path):
        value = nested(
            leaf=leaf(f=FlyteFile(str(src))),
            leaves=[leaf(f=FlyteFile(str(other)), n=2)],
            nested_list=[[FlyteFile(str(src))], []],
        )
        lit = TypeEngine.to_literal(None, value, nested, None)
        back = TypeEngine.to_python_value(None, lit, nested)
        dirs = MINE["Everything"](
            f=FlyteFile(str(src)),
            d=FlyteDirectory(str(folder)),
            s=StructuredDataset(uri="s3://bucket/t", file_format="parquet"),
            sc=FlyteSchema(remote_path="s3://bucket/s", supported_mode=SchemaOpenMode.READ),
            m={"f": FlyteDirectory(str(folder))},
        )
        dirs_back = TypeEngine.to_python_value(
            None, TypeEngine.to_literal(None, dirs, MINE["Everything"], None), MINE["Everything"]
        )
    assert isinstance(back.leaf.f, FlyteFile)
    assert Path(back.leaf.f).read_text() == "the report"
    assert Path(back.leaves[0].f).read_text() == "other" and back.leaves[0].n == 2
    assert Path(back.nested_list[0][0]).read_text() == "the report" and back.nested_list[1] == []
    assert back.maybe is None
    assert tree(Path(os.fspath(dirs_back.d))) == {"x.txt": "x", "sub/y.txt": "y"}
    assert tree(Path(os.fspath(dirs_back.m["f"]))) == {"x.txt": "x", "sub/y.txt": "y"}
    assert dirs_back.s.uri == "s3://bucket/t" and dirs_back.sc.remote_path == "s3://bucket/s"


def test_remote_fields_download_on_first_use(tmp_path: Path) -> None:
    with storage(tmp_path) as fa:
        lit = TypeEngine.to_literal(
            None, MINE["WithFile"](f=FlyteFile("s3://bucket/r.txt")), MINE["WithFile"], None
        )
        back = TypeEngine.to_python_value(None, lit, MINE["WithFile"])
        assert back.f.remote_source == "s3://bucket/r.txt"
        assert fa.downloads == []  # nothing fetched until the path is used


def test_tables_round_trip(tmp_path: Path) -> None:
    pd = require("pandas", why="structured datasets")
    with storage(tmp_path):
        schema = FlyteSchema()
        schema.open().write(pd.DataFrame({"a": [3, 4]}))
        sd = StructuredDataset(dataframe=pd.DataFrame({"a": [1, 2]}))
        t = MINE["Everything"]
        value = t(f=FlyteFile("s3://bucket/f"), d=FlyteDirectory("s3://bucket/d"), s=sd, sc=schema)
        lit = TypeEngine.to_literal(None, value, t, None)
        data = unpacked(lit)
        assert data["s"]["file_format"] == "parquet"
        assert data["s"]["uri"].startswith(str(tmp_path / "raw"))
        assert data["sc"]["remote_path"].startswith(str(tmp_path / "raw"))
        back = TypeEngine.to_python_value(None, lit, t)
        assert back.s.open(pd.DataFrame).all()["a"].tolist() == [1, 2]
        assert back.sc.open().all()["a"].tolist() == [3, 4]
        assert back.o is None


def test_model_dump_writes_the_references_and_validating_them_reads_back(tmp_path: Path) -> None:
    src = write(tmp_path / "a.txt", "A")
    t = MINE["WithFile"]
    with storage(tmp_path):
        dumped = t(f=FlyteFile(str(src))).model_dump()
        assert dumped["f"]["path"].startswith(str(tmp_path / "raw"))  # uploaded, as flytekit's hook does
        again = t.model_validate(dumped)
        from_json = t.model_validate_json(json.dumps(dumped), context={"deserialize": True})
    assert Path(again.f).read_text() == "A" and Path(from_json.f).read_text() == "A"


# -- errors -----------------------------------------------------------------------------------------------


def test_a_missing_local_file_names_the_field(tmp_path: Path) -> None:
    t = MINE["WithCollections"]
    with storage(tmp_path):
        value = t(
            files=[FlyteFile(str(tmp_path / "there.txt")), FlyteFile(str(tmp_path / "gone.txt"))], by_name={}
        )
        write(tmp_path / "there.txt", "x")
        with pytest.raises(TypeTransformerFailedError, match=r"gone\.txt' does not exist.* at \.files\[1\]$"):
            TypeEngine.to_literal(None, value, t, None)


def test_a_bad_reference_in_a_literal_names_the_field() -> None:
    lit = literals_pb2.Literal()
    lit.scalar.binary.tag = "msgpack"
    lit.scalar.binary.value = msgpack.packb({"files": [{"path": "s3://b/1"}, {"path": 3}], "by_name": {}})
    with pytest.raises(
        TypeTransformerFailedError,
        match=r"expected FlyteFile .a mapping with a 'path' string., got dict .* at \.files\[1\]$",
    ):
        TypeEngine.to_python_value(None, lit, MINE["WithCollections"])
    lit.scalar.binary.value = msgpack.packb({"f": {"path": "/no/such/file.txt"}})
    with pytest.raises(TypeTransformerFailedError, match=r"is not a file on this machine at \.f$"):
        TypeEngine.to_python_value(None, lit, MINE["WithFile"])


def test_a_wrong_value_for_a_file_field_is_refused_by_the_model() -> None:
    with pytest.raises(pydantic.ValidationError, match="f\n  Input should be a dictionary or an instance of"):
        MINE["WithFile"](f=3)


# -- tasks ------------------------------------------------------------------------------------------------


def test_a_task_reads_and_returns_a_model_with_a_file_locally(tmp_path: Path) -> None:
    from tests.types.data import rich_value_tasks as rt

    src = write(tmp_path / "notes.txt", "hello")
    out = rt.annotate(doc=rt.Document(title="t", body=FlyteFile(str(src))))
    assert isinstance(out, rt.Document) and out.title == "t!"
    assert Path(out.body).read_text() == "hello, annotated"
    assert [Path(x).read_text() for x in out.attachments] == ["hello"]


def test_a_model_with_a_file_through_flyweight_execute(tmp_path: Path) -> None:
    from tests.types.data import rich_value_tasks as rt
    from tests.types.data.test_pydantic import _execute

    src = write(tmp_path / "in" / "notes.txt", "from outside")
    with storage(tmp_path / "caller"):
        doc = rt.Document(title="x", body=FlyteFile(str(src)))
        outputs = _execute(tmp_path, rt.annotate, {"doc": doc})
        got = TypeEngine.to_python_value(None, outputs.literals["o0"], rt.Document)
    assert got.title == "x!"
    assert Path(got.body).read_text() == "from outside, annotated"
    assert unpacked(outputs.literals["o0"])["body"]["path"].startswith(str(tmp_path / "raw"))


def test_pydantic_is_not_imported_by_the_data_types() -> None:
    code = (
        "import sys, json\nfrom flyweight.types import FlyteFile, FlyteDirectory, StructuredDataset, "
        "FlyteSchema, TypeEngine\nTypeEngine.to_literal_type(FlyteFile)\n"
        "TypeEngine.to_literal_type(FlyteDirectory)\n"
        "print(json.dumps(sorted(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    loaded = set(json.loads(out.stdout.splitlines()[-1]))
    assert not any(m.split(".")[0] in ("pydantic", "pydantic_core") for m in loaded)
    assert "flyweight.types._data._pydantic" not in loaded
