"""``FlyteDirectory``: multipart blob literals, recursive uploads, lazy downloads, listing.

Remote locations use fsspec's ``memory://`` store; ``test_blob_s3.py`` repeats the round trips on S3.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from _blob_support import CountingFileAccess, storage, tree, write
from flyteidl.core import literals_pb2, types_pb2
from hypothesis import HealthCheck, given, settings, strategies as st

from flyweight.errors import TypeTransformerFailedError
from flyweight.types import FlyteDirectory, FlyteFile, TensorboardLogs, TypeEngine

MULTIPART = types_pb2.BlobType.BlobDimensionality.MULTIPART
SINGLE = types_pb2.BlobType.BlobDimensionality.SINGLE


def dir_blob(uri: str, fmt: str = "", dim: int = MULTIPART) -> literals_pb2.Literal:
    lit = literals_pb2.Literal()
    lit.scalar.blob.uri = uri
    lit.scalar.blob.metadata.type.format = fmt
    lit.scalar.blob.metadata.type.dimensionality = dim  # type: ignore[assignment]
    return lit


def sample_tree(root: Path) -> Path:
    write(root / "a.txt", "a")
    write(root / "sub" / "b.txt", "b")
    write(root / "sub" / "deeper" / "c.txt", "c")
    return root


def memory_tree(fa: CountingFileAccess) -> str:
    base = f"memory://flyweight-tests/{uuid.uuid4().hex}/dir"
    for rel, text in {"a.txt": "a", "sub/b.txt": "b"}.items():
        fa.write_bytes(f"{base}/{rel}", text.encode())
    return base


@pytest.mark.parametrize(
    ("t", "fmt"), [(FlyteDirectory, ""), (FlyteDirectory["csv"], "csv"), (TensorboardLogs, "tensorboard")]
)
def test_literal_type_is_a_multipart_blob(t: Any, fmt: str) -> None:
    lt = TypeEngine.to_literal_type(t)
    assert lt.blob.dimensionality == MULTIPART
    assert lt.blob.format == fmt
    assert TypeEngine.guess_python_type(lt) is t


def test_a_local_directory_is_uploaded_recursively(tmp_path: Path) -> None:
    src = sample_tree(tmp_path / "src")
    with storage(tmp_path) as fa:
        lit = TypeEngine.to_literal(None, str(src), FlyteDirectory, None)
    uri = lit.scalar.blob.uri
    assert uri.startswith(str(tmp_path / "raw") + os.sep)
    assert lit.scalar.blob.metadata.type.dimensionality == MULTIPART
    assert tree(Path(uri)) == tree(src)
    assert len(fa.uploads) == 1


def test_remote_directory_is_honoured_and_false_means_no_upload(tmp_path: Path) -> None:
    src = sample_tree(tmp_path / "src")
    dest = tmp_path / "chosen"
    with storage(tmp_path) as fa:
        lit = TypeEngine.to_literal(
            None, FlyteDirectory(str(src), remote_directory=str(dest)), FlyteDirectory, None
        )
        assert lit.scalar.blob.uri == str(dest)
        assert tree(dest) == tree(src)
        kept = TypeEngine.to_literal(
            None, FlyteDirectory(str(src), remote_directory=False), FlyteDirectory, None
        )
        assert kept.scalar.blob.uri == str(src)
    assert len(fa.uploads) == 1


def test_a_remote_directory_is_referenced_not_copied(tmp_path: Path) -> None:
    with storage(tmp_path) as fa:
        for value, uri in [
            ("s3://bucket/prefix", "s3://bucket/prefix"),
            (FlyteDirectory("gs://b/p"), "gs://b/p"),
        ]:
            lit = TypeEngine.to_literal(None, value, FlyteDirectory, None)
            assert lit.scalar.blob.uri == uri
    assert fa.uploads == []


@pytest.mark.parametrize("as_value", [str, Path, FlyteDirectory], ids=["str", "Path", "FlyteDirectory"])
def test_a_missing_directory_is_a_user_error_naming_it(tmp_path: Path, as_value: Any) -> None:
    missing = tmp_path / "not-there"
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError) as info:
        TypeEngine.to_literal(None, as_value(str(missing)), FlyteDirectory, None)
    assert str(missing) in str(info.value) and "does not exist" in str(info.value)


def test_a_file_is_not_a_directory(tmp_path: Path) -> None:
    f = write(tmp_path / "f.txt", "x")
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError, match="is a file, not a directory"):
        TypeEngine.to_literal(None, str(f), FlyteDirectory, None)


def test_a_value_that_is_not_a_path_is_refused() -> None:
    with pytest.raises(TypeTransformerFailedError, match="expected FlyteDirectory"):
        TypeEngine.to_literal(None, 7, FlyteDirectory, None)


def test_a_local_uri_is_used_in_place_and_written_back_as_is(tmp_path: Path) -> None:
    src = sample_tree(tmp_path / "src")
    with storage(tmp_path) as fa:
        fd = TypeEngine.to_python_value(None, dir_blob(str(src), "csv"), FlyteDirectory["csv"])
        assert type(fd) is FlyteDirectory["csv"]
        assert os.fspath(fd) == str(src)
        again = TypeEngine.to_literal(None, fd, FlyteDirectory["csv"], None)
    assert again.scalar.blob.uri == str(src)
    assert fa.uploads == [] and fa.downloads == []


def test_a_missing_local_uri_is_refused(tmp_path: Path) -> None:
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError, match="not a directory"):
        TypeEngine.to_python_value(None, dir_blob(str(tmp_path / "gone")), FlyteDirectory)


def test_a_single_blob_is_not_a_directory() -> None:
    with pytest.raises(TypeTransformerFailedError, match="not a directory"):
        TypeEngine.to_python_value(None, dir_blob("s3://b/k", dim=SINGLE), FlyteDirectory)


def test_a_remote_directory_downloads_once_on_first_use(tmp_path: Path) -> None:
    with storage(tmp_path) as fa:
        base = memory_tree(fa)
        fd = TypeEngine.to_python_value(None, dir_blob(base), FlyteDirectory)
        assert fa.downloads == []
        assert fd.remote_source == base
        assert sorted(os.listdir(fd)) == ["a.txt", "sub"]
        assert tree(Path(fd.download())) == {"a.txt": "a", "sub/b.txt": "b"}
        assert len(fa.downloads) == 1
        again = TypeEngine.to_literal(None, fd, FlyteDirectory, None)
        assert again.scalar.blob.uri == base
    assert fa.uploads == []


def test_listdir_gives_lazy_entries(tmp_path: Path) -> None:
    with storage(tmp_path) as fa:
        base = memory_tree(fa)
        fd = TypeEngine.to_python_value(None, dir_blob(base), FlyteDirectory)
        entries = FlyteDirectory.listdir(fd)
        assert fa.downloads == []
        by_name = {os.fspath(e.remote_source or "").rsplit("/", 1)[-1]: e for e in entries}
        assert sorted(by_name) == ["a.txt", "sub"]
        assert isinstance(by_name["a.txt"], FlyteFile) and isinstance(by_name["sub"], FlyteDirectory)
        assert Path(by_name["a.txt"]).read_text() == "a"
        assert tree(Path(by_name["sub"].download())) == {"b.txt": "b"}
        assert len(fa.downloads) == 2

    local = sample_tree(tmp_path / "local")
    kinds = {
        os.path.basename(os.fspath(e.path)): type(e)
        for e in FlyteDirectory.listdir(FlyteDirectory(str(local)))
    }
    assert kinds == {"a.txt": FlyteFile, "sub": FlyteDirectory}


def test_crawl_new_file_new_dir_and_division(tmp_path: Path) -> None:
    src = sample_tree(tmp_path / "src")
    fd = FlyteDirectory(str(src))
    assert sorted(rel for _, rel in fd.crawl()) == [
        "a.txt",
        os.path.join("sub", "b.txt"),
        os.path.join("sub", "deeper", "c.txt"),
    ]
    assert sorted(rel for _, rel in fd.crawl(maxdepth=2)) == ["a.txt", os.path.join("sub", "b.txt")]
    assert os.fspath(fd.new_file("x.txt").path) == f"{src}/x.txt"
    assert isinstance(fd.new_dir(), FlyteDirectory)
    assert fd / "a.txt" == src / "a.txt"


def test_new_and_new_remote(tmp_path: Path) -> None:
    with storage(tmp_path) as fa:
        made = FlyteDirectory.new("outputs")
        assert os.path.isdir(made)
        remote = FlyteDirectory.new_remote("results")
        assert os.fspath(remote.path) == str(tmp_path / "raw" / "results")
        write(Path(os.fspath(remote.path)) / "r.txt", "r")
        lit = TypeEngine.to_literal(None, remote, FlyteDirectory, None)
        assert lit.scalar.blob.uri == str(tmp_path / "raw" / "results")
        assert fa.uploads == []
        with pytest.raises(ValueError, match="no file extension"):
            FlyteDirectory.new_remote("results.csv")


def test_equality_and_repr() -> None:
    assert FlyteDirectory("/d") == FlyteDirectory("/d") == "/d"
    assert FlyteDirectory("/d") != FlyteDirectory["csv"]("/d")
    assert hash(FlyteDirectory("/d")) == hash(FlyteDirectory("/d"))
    assert repr(FlyteDirectory["csv"]("/d")) == "FlyteDirectory[csv]('/d')"
    assert str(FlyteDirectory("/d")) == "/d"


_NAME = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,8}", fullmatch=True)
_TREES = st.dictionaries(
    st.lists(_NAME, min_size=1, max_size=3).map("/".join), st.text(max_size=40), min_size=1, max_size=6
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=_TREES)
def test_round_trip_keeps_the_tree(tmp_path: Path, files: dict[str, str]) -> None:
    paths = sorted(files)
    # A name cannot be both a file and a directory.
    if any(b.startswith(a + "/") for a in paths for b in paths):
        return
    root = tmp_path / uuid.uuid4().hex
    for rel, text in files.items():
        write(root / "src" / rel, text)
    with storage(root):
        lit = TypeEngine.to_literal(None, root / "src", FlyteDirectory, None)
        wire = literals_pb2.Literal.FromString(lit.SerializeToString())
        back = TypeEngine.to_python_value(None, wire, FlyteDirectory)
        assert tree(Path(back)) == files
