"""Files, directories and tables as dataclass fields, against flytekit 1.16.14 (the oracle).

A dataclass holding a ``FlyteFile``, ``FlyteDirectory``, ``StructuredDataset`` or ``FlyteSchema`` (also
inside ``Optional``, ``list`` and ``dict`` fields and nested dataclasses) is a msgpack binary literal
whose fields are references (``{"path": uri}``); local data is uploaded first, and reading it back
downloads remote data only on first use. Literal types must be byte-identical (the JSON schema
included); literals must be byte-identical for remote references, and equal once upload paths are
masked for local data; each SDK must read the other's literals.
"""

import dataclasses
import os
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import msgpack
import pytest
from _blob_support import storage, tree, write
from flyteidl.core import literals_pb2
from mashumaro.mixins.json import DataClassJSONMixin

from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types import (
    CSVFile,
    FlyteDirectory,
    FlyteFile,
    FlyteSchema,
    JSONLFile,
    PythonPickledFile,
    SchemaFormat,
    SchemaOpenMode,
    StructuredDataset,
    TypeEngine,
)

pytestmark = pytest.mark.oracle


# -- flyweight's classes, declared at module level as flytekit's own type-engine tests declare them ------


@dataclass
class Report(DataClassJSONMixin):
    name: str
    report: FlyteFile
    folder: FlyteDirectory
    table: StructuredDataset
    legacy: FlyteSchema
    extra: Optional[FlyteFile] = None


@dataclass
class Inner(DataClassJSONMixin):
    file: FlyteFile
    files: list[FlyteFile] = field(default_factory=list)


@dataclass
class Outer(DataClassJSONMixin):
    inner: Inner
    by_name: dict[str, FlyteFile] = field(default_factory=dict)
    inners: list[Inner] = field(default_factory=list)
    maybe: Optional[Inner] = None


@dataclass
class Plain:
    cfg: FlyteFile
    dirs: dict[str, FlyteDirectory] = field(default_factory=dict)


# -- the same shapes, made for either SDK -----------------------------------------------------------------


class Types(typing.NamedTuple):
    File: Any
    Directory: Any
    Dataset: Any
    Schema: Any
    JSONL: Any
    CSV: Any
    Pickled: Any


def shapes(t: Types) -> dict[str, type]:
    """One dataclass per shape, with the given SDK's types (same names on both sides: the schema has them)."""

    @dataclass
    class WithFile:
        f: t.File

    @dataclass
    class WithDirectory:
        d: t.Directory

    @dataclass
    class WithDataset:
        s: t.Dataset

    @dataclass
    class WithSchema:
        sc: t.Schema

    @dataclass
    class WithOptional:
        o: Optional[t.File] = None
        od: Optional[t.Directory] = None

    @dataclass
    class WithCollections:
        files: list[t.File]
        by_name: dict[str, t.File]
        dirs: list[t.Directory] = field(default_factory=list)

    parquet_file = t.File["parquet"]

    @dataclass
    class WithAliases:
        j: t.JSONL
        c: t.CSV
        p: t.Pickled
        fmt: parquet_file

    @dataclass
    class Leaf:
        f: t.File
        n: int = 0

    @dataclass
    class Nested:
        leaf: Leaf
        leaves: list[Leaf]
        maybe: Optional[Leaf] = None
        nested_list: list[list[t.File]] = field(default_factory=list)

    @dataclass
    class Everything:
        f: t.File
        d: t.Directory
        s: t.Dataset
        sc: t.Schema
        o: Optional[t.File] = None
        lf: list[t.File] = field(default_factory=list)
        m: dict[str, t.File] = field(default_factory=dict)

    return {
        c.__name__: c
        for c in (
            WithFile,
            WithDirectory,
            WithDataset,
            WithSchema,
            WithOptional,
            WithCollections,
            WithAliases,
            Nested,
            Everything,
        )
    }


OURS = Types(FlyteFile, FlyteDirectory, StructuredDataset, FlyteSchema, JSONLFile, CSVFile, PythonPickledFile)
MINE = shapes(OURS)


class Kit:
    def __init__(self) -> None:
        from flytekit import FlyteContextManager
        from flytekit.core.type_engine import TypeEngine as KitEngine
        from flytekit.types.directory import FlyteDirectory as KD
        from flytekit.types.file import (
            CSVFile as KC,
            FlyteFile as KF,
            JSONLFile as KJ,
            PythonPickledFile as KP,
        )
        from flytekit.types.schema import FlyteSchema as KS
        from flytekit.types.structured import StructuredDataset as KSD

        self.engine = KitEngine
        self.ctx = FlyteContextManager.current_context()
        self.types = Types(KF, KD, KSD, KS, KJ, KC, KP)
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


# -- literal types ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MINE))
def test_literal_types_are_byte_identical(kit: Kit, name: str) -> None:
    mine = TypeEngine.to_literal_type(MINE[name]).SerializeToString(deterministic=True)
    assert mine == kit.literal_type(kit.shapes[name])


def test_optional_file_schema_is_flytekits(kit: Kit) -> None:
    from google.protobuf.json_format import MessageToDict

    lt = TypeEngine.to_literal_type(MINE["WithOptional"])
    o = MessageToDict(lt.metadata)["properties"]["o"]
    assert [v.get("title") for v in o["anyOf"]] == ["FlyteFile", None]
    assert o["anyOf"][0]["properties"]["path"]["anyOf"][1]["format"] == "path"


def test_module_level_mixin_classes_have_flytekits_literal_types(kit: Kit) -> None:
    from flytekit.types.directory import FlyteDirectory as KD
    from flytekit.types.file import FlyteFile as KF
    from flytekit.types.schema import FlyteSchema as KS
    from flytekit.types.structured import StructuredDataset as KSD

    @dataclass
    class Report(DataClassJSONMixin):
        name: str
        report: KF
        folder: KD
        table: KSD
        legacy: KS
        extra: Optional[KF] = None

    mine = TypeEngine.to_literal_type(globals()["Report"]).SerializeToString(deterministic=True)
    assert mine == kit.literal_type(Report)


# -- literals ---------------------------------------------------------------------------------------------


def remote_values(t: Types, schema_mode: Any) -> dict[str, Any]:
    """Constructor arguments per shape, referring to remote data only (nothing is uploaded)."""
    f = t.File
    return {
        "WithFile": {"f": f("s3://bucket/a.txt")},
        "WithDirectory": {"d": t.Directory("s3://bucket/dir")},
        "WithDataset": {"s": t.Dataset(uri="s3://bucket/table", file_format="parquet")},
        "WithSchema": {"sc": t.Schema(remote_path="s3://bucket/schema", supported_mode=schema_mode)},
        "WithOptional": {"o": f("s3://bucket/o.txt"), "od": None},
        "WithCollections": {
            "files": [f("s3://bucket/1"), f("s3://bucket/2")],
            "by_name": {"x": f("gs://bucket/x")},
            "dirs": [t.Directory("s3://bucket/d")],
        },
        "WithAliases": {
            "j": t.JSONL("s3://bucket/a.jsonl"),
            "c": t.CSV("s3://bucket/a.csv"),
            "p": t.Pickled("s3://bucket/a.pkl"),
            "fmt": f["parquet"]("s3://bucket/a.parquet"),
        },
    }


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


def test_a_string_in_a_file_field_is_taken_as_its_path(kit: Kit) -> None:
    mine = TypeEngine.to_literal(None, MINE["WithFile"](f="s3://bucket/a.txt"), MINE["WithFile"], None)
    assert unpacked(mine) == {"f": {"path": "s3://bucket/a.txt"}}


def test_metadata_goes_with_the_path(kit: Kit) -> None:
    value = MINE["WithFile"](f=FlyteFile("s3://bucket/a.txt", metadata={"k": "v"}))
    lit = TypeEngine.to_literal(None, value, MINE["WithFile"], None)
    assert unpacked(lit) == {"f": {"path": "s3://bucket/a.txt", "metadata": {"k": "v"}}}
    theirs = kit.read(lit, kit.shapes["WithFile"])
    assert theirs.f.metadata == {"k": "v"}
    assert TypeEngine.to_python_value(None, lit, MINE["WithFile"]).f.metadata == {"k": "v"}


def mask(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: "<uri>" if k in ("path", "uri", "remote_path") else mask(v) for k, v in data.items()}
    if isinstance(data, list):
        return [mask(v) for v in data]
    return data


def test_local_files_upload_and_match_flytekit_once_paths_are_masked(kit: Kit, tmp_path: Path) -> None:
    a = write(tmp_path / "src" / "a.txt", "alpha")
    b = write(tmp_path / "src" / "b.txt", "beta")
    d = tmp_path / "src"
    with storage(tmp_path) as fa:
        value = MINE["WithCollections"](
            files=[FlyteFile(str(a)), str(b)], by_name={"a": a}, dirs=[FlyteDirectory(d)]
        )
        mine = TypeEngine.to_literal(None, value, MINE["WithCollections"], None)
    theirs = kit.literal(
        kit.shapes["WithCollections"](
            files=[kit.types.File(str(a)), kit.types.File(str(b))],
            by_name={"a": kit.types.File(str(a))},
            dirs=[kit.types.Directory(str(d))],
        ),
        kit.shapes["WithCollections"],
    )
    assert mask(unpacked(mine)) == mask(unpacked(theirs))
    data = unpacked(mine)
    raw = str(tmp_path / "raw")
    paths = [x["path"] for x in data["files"]] + [data["by_name"]["a"]["path"], data["dirs"][0]["path"]]
    assert all(p.startswith(raw) for p in paths), paths  # uploaded under the raw output prefix
    assert data["files"][0]["path"].endswith("/a.txt")
    assert len(fa.uploads) == 4
    # flytekit reads what flyweight wrote, and the other way round
    back = kit.read(mine, kit.shapes["WithCollections"])
    assert [Path(os.fspath(x)).read_text() for x in back.files] == ["alpha", "beta"]
    ours = TypeEngine.to_python_value(None, theirs, MINE["WithCollections"])
    assert Path(ours.by_name["a"].download()).read_text() == "alpha"


# -- round trips ------------------------------------------------------------------------------------------


def test_round_trip_reads_the_contents_back(tmp_path: Path) -> None:
    src = write(tmp_path / "in" / "report.txt", "the report")
    folder = tmp_path / "in" / "folder"
    write(folder / "x.txt", "x")
    write(folder / "sub" / "y.txt", "y")
    with storage(tmp_path):
        value = Plain(cfg=FlyteFile(str(src)), dirs={"f": FlyteDirectory(str(folder))})
        lit = TypeEngine.to_literal(None, value, Plain, None)
        back = TypeEngine.to_python_value(None, lit, Plain)
    assert isinstance(back, Plain) and isinstance(back.cfg, FlyteFile)
    assert Path(back.cfg).read_text() == "the report"
    assert tree(Path(os.fspath(back.dirs["f"]))) == {"x.txt": "x", "sub/y.txt": "y"}


def test_remote_fields_download_on_first_use(tmp_path: Path) -> None:
    remote = tmp_path / "store"
    write(remote / "r.txt", "remote text")
    with storage(tmp_path) as fa:
        lit = TypeEngine.to_literal(None, Inner(file=FlyteFile(str(remote / "r.txt"))), Inner, None)
        path = unpacked(lit)["file"]["path"]
        assert path.startswith(str(tmp_path / "raw"))
        # a reference to data elsewhere: read it through a URI the file access treats as remote
        remote_lit = TypeEngine.to_literal(None, Inner(file=FlyteFile("s3://bucket/r.txt")), Inner, None)
        back = TypeEngine.to_python_value(None, remote_lit, Inner)
        assert back.file.remote_source == "s3://bucket/r.txt"
        assert fa.downloads == []  # nothing fetched until the path is used


def test_nested_mixin_classes_round_trip(tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "A")
    b = write(tmp_path / "b.txt", "B")
    with storage(tmp_path):
        value = Outer(
            inner=Inner(file=FlyteFile(str(a)), files=[FlyteFile(str(b))]),
            by_name={"b": FlyteFile(str(b))},
            inners=[Inner(file=FlyteFile(str(b)))],
            maybe=None,
        )
        lit = TypeEngine.to_literal(None, value, Outer, None)
        back = TypeEngine.to_python_value(None, lit, Outer)
    assert Path(back.inner.file).read_text() == "A"
    assert [Path(f).read_text() for f in back.inner.files] == ["B"]
    assert Path(back.by_name["b"]).read_text() == "B"
    assert Path(back.inners[0].file).read_text() == "B"
    assert back.maybe is None


def test_tables_round_trip(tmp_path: Path) -> None:
    from tests.oracle import require

    pd = require("pandas", why="structured datasets")
    with storage(tmp_path):
        schema = FlyteSchema()
        schema.open().write(pd.DataFrame({"a": [3, 4]}))
        sd = StructuredDataset(dataframe=pd.DataFrame({"a": [1, 2]}))
        value = MINE["Everything"](f="s3://bucket/f", d="s3://bucket/d", s=sd, sc=schema, o=None, lf=[], m={})
        lit = TypeEngine.to_literal(None, value, MINE["Everything"], None)
        data = unpacked(lit)
        assert data["s"]["file_format"] == "parquet"
        assert data["s"]["uri"].startswith(str(tmp_path / "raw"))
        assert data["sc"]["remote_path"].startswith(str(tmp_path / "raw"))
        back = TypeEngine.to_python_value(None, lit, MINE["Everything"])
        assert back.s.open(pd.DataFrame).all()["a"].tolist() == [1, 2]
        assert back.sc.open().all()["a"].tolist() == [3, 4]
        assert back.o is None


def test_mixin_to_json_writes_flytekits_table_references() -> None:
    value = Report(
        name="n",
        report=FlyteFile("s3://b/r"),
        folder=FlyteDirectory("s3://b/d"),
        table=StructuredDataset(uri="s3://b/t", file_format="parquet"),
        legacy=FlyteSchema(remote_path="s3://b/s", supported_mode=SchemaOpenMode.READ),
    )
    data = value.to_dict()
    assert data["report"] == {"path": "s3://b/r"} and data["folder"] == {"path": "s3://b/d"}
    assert data["table"] == {"uri": "s3://b/t", "file_format": "parquet"}
    assert data["legacy"] == {"remote_path": "s3://b/s"}
    back = Report.from_dict(data)
    assert back.table.uri == "s3://b/t" and back.legacy.remote_path == "s3://b/s"
    assert back.report.remote_source == "s3://b/r" and not back.report.downloaded
    assert SchemaFormat.PARQUET is back.legacy.format()


# -- bad input --------------------------------------------------------------------------------------------


def test_a_wrong_type_in_a_field_names_the_field() -> None:
    with pytest.raises(TypeTransformerFailedError) as e:
        TypeEngine.to_literal(None, Plain(cfg=5), Plain, None)  # type: ignore[arg-type]
    assert str(e.value) == "expected FlyteFile, got int 5 at .cfg"


def test_a_missing_file_in_a_nested_field_names_the_path(tmp_path: Path) -> None:
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError) as e:
        value = Outer(inner=Inner(file="s3://b/x", files=[FlyteFile(str(tmp_path / "nope.txt"))]))
        TypeEngine.to_literal(None, value, Outer, None)
    assert "does not exist" in str(e.value)
    assert str(e.value).endswith(" at .inner.files[0]")


def test_a_missing_file_in_an_optional_field_keeps_the_reason(tmp_path: Path) -> None:
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError) as e:
        TypeEngine.to_literal(
            None, MINE["WithOptional"](o=str(tmp_path / "nope")), MINE["WithOptional"], None
        )
    assert "does not exist" in str(e.value) and str(e.value).endswith(" at .o")


def test_a_reference_without_a_path_is_a_clear_error() -> None:
    lit = literals_pb2.Literal()
    lit.scalar.binary.value = msgpack.packb({"cfg": {"where": "s3://b/x"}})
    lit.scalar.binary.tag = "msgpack"
    with pytest.raises(TypeTransformerFailedError) as e:
        TypeEngine.to_python_value(None, lit, Plain)
    assert "a mapping with a 'path' string" in str(e.value) and str(e.value).endswith(" at .cfg")


def test_a_dataframe_field_is_still_refused() -> None:
    from tests.oracle import require

    pd = require("pandas", why="the dataframe type")

    @dataclass
    class HasFrame:
        df: pd.DataFrame

    with pytest.raises(UnsupportedTypeError, match="field 'df' of dataclass"):
        TypeEngine.to_literal_type(HasFrame)


def test_dataclass_fields_are_listed() -> None:
    assert [f.name for f in dataclasses.fields(Report)][:2] == ["name", "report"]
