"""``FlyteFile`` and ``os.PathLike``: literal types, uploads on the way out, lazy downloads on the way in.

Remote locations use fsspec's ``memory://`` store, so these tests need no server; ``test_blob_s3.py``
repeats the round trips against S3.
"""

from __future__ import annotations

import os
import typing
import uuid
from pathlib import Path
from typing import Annotated, Any, Optional

import pytest
from _blob_support import CountingFileAccess, storage, write
from flyteidl.core import literals_pb2, types_pb2
from hypothesis import HealthCheck, given, settings, strategies as st

from flyweight import current_context
from flyweight.errors import TypeTransformerFailedError
from flyweight.extend import Interface, PythonCustomizedContainerTask, ShimTaskExecutor, TaskTemplate
from flyweight.types import CSVFile, FileExt, FlyteDirectory, FlyteFile, TypeEngine

SINGLE = types_pb2.BlobType.BlobDimensionality.SINGLE
MULTIPART = types_pb2.BlobType.BlobDimensionality.MULTIPART


def memory_uri(name: str = "data.csv") -> str:
    return f"memory://flyweight-tests/{uuid.uuid4().hex}/{name}"


def put_memory(fa: CountingFileAccess, text: str, name: str = "data.csv") -> str:
    uri = memory_uri(name)
    fa.write_bytes(uri, text.encode())
    return uri


def blob(uri: str, fmt: str = "", dim: int = SINGLE) -> literals_pb2.Literal:
    lit = literals_pb2.Literal()
    lit.scalar.blob.uri = uri
    lit.scalar.blob.metadata.type.format = fmt
    lit.scalar.blob.metadata.type.dimensionality = dim  # type: ignore[assignment]
    return lit


# -- literal types ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("t", "fmt"),
    [
        (FlyteFile, ""),
        (FlyteFile["csv"], "csv"),
        (FlyteFile[".csv"], "csv"),
        (FlyteFile[typing.TypeVar("csv")], "csv"),
        (FlyteFile[Annotated[str, FileExt("tar.gz")]], "tar.gz"),
        (CSVFile, "csv"),
        (os.PathLike, ""),
        (Annotated[CSVFile, "some marker"], "csv"),
    ],
)
def test_literal_type_is_a_single_blob_with_the_format(t: Any, fmt: str) -> None:
    lt = TypeEngine.to_literal_type(t)
    assert lt.WhichOneof("type") == "blob"
    assert lt.blob.format == fmt
    assert lt.blob.dimensionality == SINGLE


def test_the_format_class_is_made_once_and_knows_its_extension() -> None:
    assert FlyteFile["csv"] is FlyteFile[typing.TypeVar("csv")]
    assert FlyteFile["csv"] is CSVFile
    assert FlyteFile[""] is FlyteFile
    assert FlyteFile[None] is FlyteFile
    assert issubclass(FlyteFile["csv"], FlyteFile)
    assert FlyteFile["csv"].extension() == "csv"
    assert FlyteFile.extension() == ""
    assert TypeEngine.get_transformer(FlyteFile["csv"]).name == "FlyteFilePath"
    assert TypeEngine.get_transformer(os.PathLike).name == "FlyteFilePath"


def test_guess_python_type_gives_the_format_class() -> None:
    assert (
        TypeEngine.guess_python_type(types_pb2.LiteralType(blob=types_pb2.BlobType(format="csv")))
        is (FlyteFile["csv"])
    )
    assert TypeEngine.guess_python_type(types_pb2.LiteralType(blob=types_pb2.BlobType())) is FlyteFile


# -- writing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("as_value", [str, Path, FlyteFile], ids=["str", "Path", "FlyteFile"])
def test_a_local_file_is_uploaded_under_the_raw_output_prefix(tmp_path: Path, as_value: Any) -> None:
    src = write(tmp_path / "in" / "data.csv", "a,b\n1,2\n")
    with storage(tmp_path) as fa:
        lit = TypeEngine.to_literal(None, as_value(str(src)), FlyteFile["csv"], None)
    uri = lit.scalar.blob.uri
    assert uri.startswith(str(tmp_path / "raw") + os.sep)
    assert uri.endswith(f"{os.sep}data.csv")
    assert Path(uri).read_text() == "a,b\n1,2\n"
    assert lit.scalar.blob.metadata.type.format == "csv"
    assert lit.scalar.blob.metadata.type.dimensionality == SINGLE
    assert [u[0] for u in fa.uploads] == [str(src)]
    assert lit.hash == ""
    assert not lit.metadata


def test_two_uploads_of_one_file_go_to_different_places(tmp_path: Path) -> None:
    src = write(tmp_path / "a.txt", "x")
    with storage(tmp_path):
        first = TypeEngine.to_literal(None, str(src), FlyteFile, None).scalar.blob.uri
        second = TypeEngine.to_literal(None, str(src), FlyteFile, None).scalar.blob.uri
    assert first != second


def test_remote_path_is_honoured(tmp_path: Path) -> None:
    src = write(tmp_path / "a.txt", "payload")
    dest = tmp_path / "chosen" / "out.txt"
    with storage(tmp_path) as fa:
        lit = TypeEngine.to_literal(None, FlyteFile(str(src), remote_path=str(dest)), FlyteFile, None)
    assert lit.scalar.blob.uri == str(dest)
    assert dest.read_text() == "payload"
    assert fa.uploads == [(str(src), str(dest))]


def test_remote_path_false_means_no_upload(tmp_path: Path) -> None:
    src = write(tmp_path / "a.txt", "x")
    with storage(tmp_path) as fa:
        lit = TypeEngine.to_literal(None, FlyteFile(str(src), remote_path=False), FlyteFile, None)
    assert lit.scalar.blob.uri == str(src)
    assert fa.uploads == []


@pytest.mark.parametrize("value", ["s3://bucket/key/data.csv", "https://example.org/data.csv"])
def test_a_remote_uri_is_referenced_not_copied(tmp_path: Path, value: str) -> None:
    with storage(tmp_path) as fa:
        from_str = TypeEngine.to_literal(None, value, FlyteFile, None)
        from_file = TypeEngine.to_literal(None, FlyteFile(value), FlyteFile, None)
    assert from_str.scalar.blob.uri == from_file.scalar.blob.uri == value
    assert fa.uploads == [] and fa.downloads == []


def test_os_pathlike_never_copies(tmp_path: Path) -> None:
    src = write(tmp_path / "a.txt", "x")
    with storage(tmp_path) as fa:
        for value in (str(src), src, FlyteFile(str(src))):
            assert TypeEngine.to_literal(None, value, os.PathLike, None).scalar.blob.uri == str(src)
    assert fa.uploads == []


@pytest.mark.parametrize("as_value", [str, Path, FlyteFile], ids=["str", "Path", "FlyteFile"])
def test_a_missing_file_is_a_user_error_naming_the_path(tmp_path: Path, as_value: Any) -> None:
    missing = tmp_path / "nope" / "missing.csv"
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError) as info:
        TypeEngine.to_literal(None, as_value(str(missing)), FlyteFile, None)
    assert str(missing) in str(info.value)
    assert "does not exist" in str(info.value)


def test_a_directory_is_not_a_file(tmp_path: Path) -> None:
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError, match="is a directory, not a file"):
        TypeEngine.to_literal(None, str(tmp_path), FlyteFile, None)


@pytest.mark.parametrize("value", [42, b"bytes", None, ["a"]])
def test_a_value_that_is_not_a_path_is_refused(value: Any) -> None:
    with pytest.raises(TypeTransformerFailedError, match="expected FlyteFile"):
        TypeEngine.to_literal(None, value, FlyteFile, None)


def test_metadata_goes_into_the_literal_and_comes_back(tmp_path: Path) -> None:
    src = write(tmp_path / "a.txt", "x")
    with storage(tmp_path):
        lit = TypeEngine.to_literal(None, FlyteFile(str(src), metadata={"owner": "ml"}), FlyteFile, None)
        assert dict(lit.metadata) == {"owner": "ml"}
        back = TypeEngine.to_python_value(None, lit, FlyteFile)
    assert back.metadata == {"owner": "ml"}


# -- reading ------------------------------------------------------------------------------------------


def test_a_local_uri_is_used_in_place(tmp_path: Path) -> None:
    src = write(tmp_path / "a.csv", "x")
    with storage(tmp_path) as fa:
        ff = TypeEngine.to_python_value(None, blob(str(src), "csv"), FlyteFile["csv"])
        assert type(ff) is FlyteFile["csv"]
        assert os.fspath(ff) == str(src)
        assert ff.remote_source is None
    assert fa.downloads == []


def test_a_file_uri_is_a_local_path(tmp_path: Path) -> None:
    src = write(tmp_path / "a.csv", "x")
    with storage(tmp_path):
        ff = TypeEngine.to_python_value(None, blob(f"file://{src}"), FlyteFile)
        assert Path(ff).read_text() == "x"


def test_a_missing_local_uri_is_an_error_naming_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.csv")
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError, match="gone.csv.*not a file"):
        TypeEngine.to_python_value(None, blob(missing), FlyteFile)


def test_a_remote_file_is_downloaded_once_on_first_use(tmp_path: Path) -> None:
    with storage(tmp_path) as fa:
        uri = put_memory(fa, "hello")
        ff = TypeEngine.to_python_value(None, blob(uri, "csv"), FlyteFile["csv"])
        assert fa.downloads == []  # nothing moves until the task touches the file
        assert ff.remote_source == uri
        assert not ff.downloaded
        with open(ff) as f:
            assert f.read() == "hello"
        assert ff.downloaded
        assert Path(ff.download()).read_text() == "hello"
        assert len(fa.downloads) == 1
        assert fa.downloads[0][0] == uri
        assert fa.downloads[0][1].startswith(str(tmp_path / "sandbox"))
        assert fa.downloads[0][1].endswith("data.csv")


def test_open_streams_a_remote_file_without_downloading_it(tmp_path: Path) -> None:
    with storage(tmp_path) as fa:
        uri = put_memory(fa, "line1\nline2\n")
        ff = TypeEngine.to_python_value(None, blob(uri), FlyteFile)
        with ff.open("r") as f:
            assert f.readline() == "line1\n"
        with ff.open("rb") as f:
            assert f.read() == b"line1\nline2\n"
    assert fa.downloads == []


def test_a_file_read_from_a_remote_literal_is_written_back_unchanged(tmp_path: Path) -> None:
    with storage(tmp_path) as fa:
        uri = put_memory(fa, "x")
        ff = TypeEngine.to_python_value(None, blob(uri, "csv"), FlyteFile["csv"])
        os.fspath(ff)  # downloaded: still refers to its source
        again = TypeEngine.to_literal(None, ff, FlyteFile["csv"], None)
    assert again.scalar.blob.uri == uri
    assert fa.uploads == []


def test_a_directory_literal_is_not_a_file(tmp_path: Path) -> None:
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError, match="not a file"):
        TypeEngine.to_python_value(None, blob("s3://bucket/dir", dim=MULTIPART), FlyteFile)


def test_a_literal_that_is_not_a_blob_is_refused() -> None:
    lit = TypeEngine.to_literal(None, 3, int, None)
    with pytest.raises(TypeTransformerFailedError, match=r"expected FlyteFile\[csv\], got integer"):
        TypeEngine.to_python_value(None, lit, FlyteFile["csv"])


def test_os_pathlike_reads_as_a_plain_flyte_file(tmp_path: Path) -> None:
    src = write(tmp_path / "a.txt", "x")
    with storage(tmp_path):
        value = TypeEngine.to_python_value(None, blob(str(src)), os.PathLike)
    assert type(value) is FlyteFile
    assert os.fspath(value) == str(src)


def test_optional_and_list_of_files(tmp_path: Path) -> None:
    a, b = write(tmp_path / "a.txt", "a"), write(tmp_path / "b.txt", "b")
    with storage(tmp_path):
        lit = TypeEngine.to_literal(None, [str(a), b], list[FlyteFile], None)
        back = TypeEngine.to_python_value(None, lit, list[FlyteFile])
        assert [Path(f).read_text() for f in back] == ["a", "b"]
        none = TypeEngine.to_literal(None, None, Optional[FlyteFile], None)
        assert TypeEngine.to_python_value(None, none, Optional[FlyteFile]) is None
        some = TypeEngine.to_literal(None, str(a), Optional[FlyteFile], None)
        assert some.scalar.union.type.structure.tag == "FlyteFilePath"
        assert Path(TypeEngine.to_python_value(None, some, Optional[FlyteFile])).read_text() == "a"


# -- the Python API ------------------------------------------------------------------------------------


def test_equality_hash_str_and_repr(tmp_path: Path) -> None:
    with storage(tmp_path) as fa:
        uri = put_memory(fa, "x")
        one = TypeEngine.to_python_value(None, blob(uri), FlyteFile)
        two = TypeEngine.to_python_value(None, blob(uri), FlyteFile)
        assert one == two and hash(one) == hash(two)  # the same source, though each has its own local copy
        assert one == uri
        assert FlyteFile("/a/b.txt") == "/a/b.txt" == FlyteFile("/a/b.txt")
        assert FlyteFile("/a/b.txt") != FlyteFile["csv"]("/a/b.txt")
        assert FlyteFile("/a/b.txt") != FlyteFile("/a/c.txt")
        assert str(FlyteFile("/a/b.txt")) == "/a/b.txt"
        assert repr(FlyteFile["csv"]("/a/b.csv")) == "FlyteFile[csv]('/a/b.csv')"
        assert f"remote_source={uri!r}" in repr(one)
    assert fa.downloads == []  # comparing and printing never download


@pytest.mark.filterwarnings("ignore:.*stored as pickles:UserWarning")
def test_files_survive_pickling_also_inside_a_pickled_value(tmp_path: Path) -> None:
    src = write(tmp_path / "a.csv", "x")
    with storage(tmp_path) as fa:
        remote = TypeEngine.to_python_value(None, blob(put_memory(fa, "r"), "csv"), FlyteFile["csv"])
        values = [FlyteFile["csv"](str(src)), remote, FlyteDirectory["csv"](str(tmp_path))]
        lit = TypeEngine.to_literal(None, values, typing.Any, None)
        back = TypeEngine.to_python_value(None, lit, typing.Any)
        assert [type(v) for v in back] == [FlyteFile["csv"], FlyteFile["csv"], FlyteDirectory["csv"]]
        assert back == values
        assert Path(back[1]).read_text() == "r"  # the downloader came along


def test_new_remote_file_writes_into_the_store(tmp_path: Path) -> None:
    with storage(tmp_path) as fa:
        out = FlyteFile.new_remote_file("report.txt")
        assert os.fspath(out.path) == str(tmp_path / "raw" / "report.txt")
        with out.open("w") as f:
            f.write("done")
        lit = TypeEngine.to_literal(None, out, FlyteFile, None)
    assert lit.scalar.blob.uri == str(tmp_path / "raw" / "report.txt")
    assert Path(lit.scalar.blob.uri).read_text() == "done"
    assert fa.uploads == []  # it is already in the store


def test_new_remote_file_in_a_remote_store(tmp_path: Path) -> None:
    prefix = memory_uri("raw")
    with storage(tmp_path, raw_output_prefix=prefix) as fa:
        out = FlyteFile.new_remote_file()
        assert out.remote_source is not None and out.remote_source.startswith(prefix + "/")
        with out.open("wb") as f:
            f.write(b"streamed")
        lit = TypeEngine.to_literal(None, out, FlyteFile, None)
        assert lit.scalar.blob.uri == out.remote_source
        assert fa.read_bytes(lit.scalar.blob.uri) == b"streamed"
    assert fa.uploads == [] and fa.downloads == []


def test_from_source_and_new(tmp_path: Path) -> None:
    src = write(tmp_path / "a.csv", "x")
    with storage(tmp_path) as fa:
        uri = put_memory(fa, "remote")
        assert FlyteFile["csv"].from_source(uri).remote_source == uri
        assert type(FlyteFile["csv"].from_source(str(src))) is FlyteFile["csv"]
        made = FlyteFile.new("sub/out.txt")
        assert os.fspath(made.path).endswith(os.path.join("sub", "out.txt"))
        with pytest.raises(ValueError, match="relative path"):
            FlyteFile.new(str(src))


def test_mime_type_of_a_format() -> None:
    from flyweight.types import FlyteFilePathTransformer

    t = FlyteFilePathTransformer()
    assert t.get_mime_type_from_extension("csv") == "text/csv"
    assert t.get_mime_type_from_extension("jsonl") == ["application/json", "application/x-ndjson"]


# -- properties ----------------------------------------------------------------------------------------

_NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,30}", fullmatch=True).filter(
    lambda n: n not in {".", ".."}
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=_NAMES, content=st.binary(max_size=2048), fmt=st.sampled_from(["", "csv", "bin", "tar.gz"]))
def test_round_trip_keeps_content_name_and_format(
    tmp_path: Path, name: str, content: bytes, fmt: str
) -> None:
    root = tmp_path / uuid.uuid4().hex
    src = root / "in" / name
    src.parent.mkdir(parents=True)
    src.write_bytes(content)
    t = FlyteFile[fmt]
    with storage(root):
        lit = TypeEngine.to_literal(None, str(src), t, None)
        wire = literals_pb2.Literal.FromString(lit.SerializeToString())
        back = TypeEngine.to_python_value(None, wire, t)
        assert type(back) is t
        assert os.path.basename(os.fspath(back)) == name
        assert Path(back).read_bytes() == content
        assert wire.scalar.blob.metadata.type.format == fmt


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=1024))
def test_remote_round_trip_downloads_exactly_the_content(tmp_path: Path, content: bytes) -> None:
    with storage(tmp_path) as fa:
        uri = memory_uri("blob.bin")
        fa.write_bytes(uri, content)
        back = TypeEngine.to_python_value(None, blob(uri), FlyteFile)
        assert Path(back).read_bytes() == content


# -- a plugin task with a file input and output ---------------------------------------------------------


class UpperExecutor(ShimTaskExecutor[Any]):
    """Writes an upper-cased copy of ``src`` into the working directory (unless ``touch`` is False)."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        src = kwargs["src"]
        assert isinstance(src, FlyteFile)
        out = os.path.join(current_context().working_directory, "upper.txt")
        with open(out, "w") as f:
            f.write(Path(src).read_text().upper() if kwargs["touch"] else "untouched")
        return out


class UpperTask(PythonCustomizedContainerTask[Any]):
    def __init__(self, name: str) -> None:
        super().__init__(
            name=name,
            task_config=None,
            container_image="registry.example/files:1",
            executor_type=UpperExecutor,
            task_type="upper",
            interface=Interface(inputs={"src": FlyteFile["txt"], "touch": bool}, outputs={"out": FlyteFile}),
        )


def test_a_plugin_task_reads_and_writes_files_locally(tmp_path: Path) -> None:
    src = write(tmp_path / "in.txt", "shout")
    task = UpperTask("files.upper")
    with storage(tmp_path) as fa:
        out = task(src=str(src), touch=True)
        assert isinstance(out, FlyteFile)
        # The working directory is gone, but the output was uploaded before it was removed.
        assert Path(out).read_text() == "SHOUT"
        assert os.fspath(out).startswith(str(tmp_path / "raw"))
        assert fa.uploads[0][0] == str(src)


def test_a_plugin_task_that_ignores_a_remote_input_downloads_nothing(tmp_path: Path) -> None:
    task = UpperTask("files.ignore")
    with storage(tmp_path) as fa:
        uri = put_memory(fa, "big data", name="big.txt")
        out = task(src=FlyteFile(uri), touch=False)
        assert Path(out).read_text() == "untouched"
        assert fa.downloads == []
        out = task(src=FlyteFile(uri), touch=True)
        assert Path(out).read_text() == "BIG DATA"
        assert [d[0] for d in fa.downloads] == [uri]


def test_a_missing_input_file_names_the_task_and_input(tmp_path: Path) -> None:
    task = UpperTask("files.missing")
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError) as info:
        task(src=str(tmp_path / "absent.txt"), touch=True)
    message = str(info.value)
    assert "files.missing" in message and "inputs.src" in message and "absent.txt" in message


def test_flyte_directory_is_not_taken_for_a_file() -> None:
    assert TypeEngine.to_literal_type(FlyteDirectory).blob.dimensionality == MULTIPART
