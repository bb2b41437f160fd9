"""FileAccess on local paths and ``file://`` URIs, and on fsspec's in-memory filesystem (a protocol
with no special handling, standing for gs://, abfs:// and the rest)."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from flyweight._failure import Failure, classify
from flyweight._storage import FileAccess, _remote as remote
from flyweight.errors import StorageError, UnsupportedLocationError


@pytest.fixture(params=["path", "file-uri"])
def uri(request: pytest.FixtureRequest) -> Callable[[str], str]:
    """Turns a local path into the form under test: a plain path or a file:// URI."""
    return str if request.param == "path" else (lambda p: f"file://{p}")


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _make_tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.txt").write_bytes(b"a")
    (root / "sub" / "b.txt").write_bytes(b"b")
    (root / "sub" / "deeper" / "c.bin").write_bytes(b"\x00c")


# --- whole files ----------------------------------------------------------------------------------


def test_write_then_read_makes_directories_and_leaves_no_temporary_file(
    tmp_path: Path, uri: Callable[[str], str]
) -> None:
    fa = FileAccess()
    target = tmp_path / "x" / "y" / "data.bin"
    fa.write_bytes(uri(str(target)), b"payload")
    assert fa.read_bytes(uri(str(target))) == b"payload"
    assert fa.exists(uri(str(target)))
    assert os.listdir(target.parent) == ["data.bin"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    fa = FileAccess()
    target = tmp_path / "data.bin"
    target.write_bytes(b"old")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(StorageError, match=r"cannot write .*data\.bin.*No space left"):
        fa.write_bytes(str(target), b"new")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["data.bin"]


def test_writing_under_a_file_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(StorageError, match=r"cannot write '.*file/x'.*(NotADirectoryError|FileExistsError)"):
        FileAccess().write_bytes(str(tmp_path / "file" / "x"), b"x")


def test_reading_a_missing_file_names_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "missing.pb")
    with pytest.raises(StorageError, match=rf"cannot read '{missing}': not found") as info:
        FileAccess().read_bytes(missing)
    assert isinstance(info.value, OSError)
    assert not FileAccess().exists(missing)


# --- streams --------------------------------------------------------------------------------------


def test_open_streams_binary_and_text(tmp_path: Path, uri: Callable[[str], str]) -> None:
    fa = FileAccess()
    target = uri(str(tmp_path / "d" / "s.txt"))
    with fa.open(target, "wb") as f:
        f.write(b"line 1\n")
        f.write(b"line 2\n")
    with fa.open(target, "r") as f:
        assert f.readlines() == ["line 1\n", "line 2\n"]
    with fa.open(target, "w") as f:
        f.write("über\n")
    with fa.open(target, "rb") as f:
        assert f.read() == "über\n".encode()


@pytest.mark.parametrize("mode", ["wb", "w"])
def test_an_exception_while_writing_keeps_the_old_content(tmp_path: Path, mode: str) -> None:
    fa = FileAccess()
    target = tmp_path / "s.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="boom"), fa.open(str(target), mode) as f:
        f.write(b"new" if mode == "wb" else "new")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert os.listdir(tmp_path) == ["s.txt"]


def test_a_writer_dropped_unclosed_publishes_nothing(tmp_path: Path) -> None:
    fa = FileAccess()
    target = tmp_path / "s.txt"
    f = fa.open(str(target), "wb")
    f.write(b"half")
    del f
    assert os.listdir(tmp_path) == []


def test_open_refuses_unknown_modes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"expected one of the modes .* got 'ab'"):
        FileAccess().open(str(tmp_path / "x"), "ab")


def test_opening_a_missing_file_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot open .*missing"):
        FileAccess().open(str(tmp_path / "missing"))


# --- copies ---------------------------------------------------------------------------------------


def test_files_both_ways(tmp_path: Path, uri: Callable[[str], str]) -> None:
    fa = FileAccess()
    src = tmp_path / "src.txt"
    src.write_bytes(b"content")
    store = uri(str(tmp_path / "store" / "k" / "src.txt"))
    assert fa.upload(str(src), store) == store
    back = tmp_path / "back" / "copy.txt"
    fa.download(store, str(back))
    assert back.read_bytes() == b"content"


def test_directories_both_ways_merge_into_the_target(tmp_path: Path, uri: Callable[[str], str]) -> None:
    fa = FileAccess()
    src = tmp_path / "src"
    _make_tree(src)
    store = uri(str(tmp_path / "store"))
    assert fa.upload_directory(str(src), store) == store
    target = tmp_path / "target"
    target.mkdir()
    (target / "kept.txt").write_bytes(b"kept")
    fa.download_directory(store, str(target))
    assert _tree(target) == {**_tree(src), "kept.txt": b"kept"}
    assert sorted(os.listdir(tmp_path)) == ["src", "store", "target"]  # no staging left behind


def test_a_directory_is_copied_even_without_is_multipart(tmp_path: Path) -> None:
    fa = FileAccess()
    _make_tree(tmp_path / "src")
    fa.put_data(str(tmp_path / "src"), str(tmp_path / "store"))
    fa.get_data(str(tmp_path / "store"), str(tmp_path / "back"))
    assert _tree(tmp_path / "back") == _tree(tmp_path / "src")


def test_uploading_a_missing_directory_says_so(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="expected a directory .* got nothing at that path"):
        FileAccess().put_data(str(tmp_path / "nope"), str(tmp_path / "store"), is_multipart=True)


def test_uploading_a_file_as_a_directory_says_so(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(StorageError, match="expected a directory .* got a file"):
        FileAccess().upload_directory(str(tmp_path / "f"), str(tmp_path / "store"))


def test_downloading_a_missing_file_is_a_storage_error(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="cannot download .*nope"):
        FileAccess().get_data(str(tmp_path / "nope"), str(tmp_path / "x"))
    assert sorted(os.listdir(tmp_path)) == []


def test_the_local_side_of_a_copy_must_be_local() -> None:
    fa = FileAccess()
    with pytest.raises(StorageError, match="cannot download to 's3://b/k'.*local path"):
        fa.get_data("s3://b/src", "s3://b/k")
    with pytest.raises(StorageError, match="cannot upload from 'gs://b/k'.*local path"):
        fa.put_data("gs://b/k", "s3://b/dst")


# --- fresh locations ------------------------------------------------------------------------------


def test_random_local_paths_are_fresh_and_keep_the_file_name(tmp_path: Path) -> None:
    fa = FileAccess(local_sandbox_dir=str(tmp_path))
    a, b = fa.get_random_local_path("some/dir/name.csv"), fa.get_random_local_path("name.csv")
    assert a != b
    assert os.path.basename(a) == "name.csv"
    assert Path(a).parent.parent == tmp_path
    assert not Path(a).parent.exists()
    directory = fa.get_random_local_directory()
    assert Path(directory).is_dir() and not os.listdir(directory)
    assert Path(directory).parent == tmp_path


def test_random_remote_paths_live_under_the_raw_output_prefix() -> None:
    fa = FileAccess(raw_output_prefix="s3://bucket/raw/")
    path = fa.get_random_remote_path("/local/file.parquet")
    assert path.startswith("s3://bucket/raw/") and path.endswith("/file.parquet")
    assert len(path.removeprefix("s3://bucket/raw/").split("/")) == 2
    directory = fa.get_random_remote_directory()
    assert directory.startswith("s3://bucket/raw/") and "//" not in directory.removeprefix("s3://")
    assert directory != fa.get_random_remote_directory()


def test_a_default_raw_output_prefix_is_local_and_lazy(tmp_path: Path) -> None:
    fa = FileAccess(local_sandbox_dir=str(tmp_path))
    assert fa.raw_output_prefix == os.path.join(str(tmp_path), "raw")
    assert fa.get_random_remote_path().startswith(os.path.join(str(tmp_path), "raw") + os.sep)


# --- filesystems ----------------------------------------------------------------------------------


def test_the_local_filesystem_is_fsspecs_and_is_cached(tmp_path: Path) -> None:
    fa = FileAccess(raw_output_prefix=str(tmp_path))
    fs = fa.get_filesystem("file")
    assert fs is fa.get_filesystem() is fa.get_filesystem_for_path(str(tmp_path / "x"))
    fs.pipe_file(str(tmp_path / "auto" / "made.txt"), b"x")  # auto_mkdir, as in flytekit
    assert (tmp_path / "auto" / "made.txt").read_bytes() == b"x"


def test_any_fsspec_protocol_works(tmp_path: Path) -> None:
    fa = FileAccess(raw_output_prefix=f"memory://flyweight-{uuid.uuid4().hex}/raw")
    target = fa.get_random_remote_path("r.txt")
    fa.write_bytes(target, b"in memory")
    assert fa.read_bytes(target) == b"in memory"
    assert fa.exists(target)
    _make_tree(tmp_path / "src")
    folder = fa.upload_directory(str(tmp_path / "src"), fa.get_random_remote_directory())
    fa.download_directory(folder, str(tmp_path / "back"))
    assert _tree(tmp_path / "back") == _tree(tmp_path / "src")
    with fa.open(fa.join(folder, "sub", "b.txt")) as f:
        assert f.read() == b"b"
    with pytest.raises(StorageError, match=r"cannot read 'memory://.*/missing': not found"):
        fa.read_bytes(fa.join(folder, "missing"))


def test_an_unknown_protocol_is_a_storage_error_that_no_retry_can_fix() -> None:
    with pytest.raises(
        UnsupportedLocationError, match=r"expected a location with a known protocol, got nosuchproto://"
    ) as e:
        FileAccess().read_bytes("nosuchproto://x/y")
    assert isinstance(e.value, StorageError)
    assert classify(e.value) == Failure("SYSTEM", False, "SYSTEM")


def test_without_fsspec_remote_locations_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)  # makes `import fsspec` fail
    monkeypatch.setattr(remote, "_CACHE", {})
    with pytest.raises(StorageError, match=r"fsspec, which is not installed .*pip install 'flyweight\[s3\]'"):
        FileAccess().read_bytes("s3://bucket/key")


def test_local_access_never_needs_fsspec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)
    fa = FileAccess()
    fa.write_bytes(str(tmp_path / "a"), b"a")
    fa.put_data(str(tmp_path / "a"), f"file://{tmp_path}/b")
    with fa.open(str(tmp_path / "b")) as f:
        assert f.read() == b"a"


@pytest.mark.parametrize(
    ("error", "hint"),
    [
        (PermissionError("Access Denied"), "check the credentials"),
        (FileNotFoundError("k"), "not found .*check that the location exists"),
        (IsADirectoryError("d"), "file or a directory"),
        (TimeoutError(), "check the network and the endpoint"),
        (KeyError("odd"), "KeyError: 'odd'; retrying may succeed"),
    ],
)
def test_every_failure_becomes_a_storage_error_with_a_hint(error: Exception, hint: str) -> None:
    match = f"cannot read 's3://b/k': .*{hint}"
    with pytest.raises(StorageError, match=match) as info, remote.storage_errors("read", "s3://b/k"):
        raise error
    assert info.value.__cause__ is error


def test_file_access_provider_takes_flytekits_argument_order(tmp_path: Path) -> None:
    from flyweight.extend import FileAccessProvider

    fa = FileAccessProvider(tmp_path / "sandbox", "s3://bucket/raw")
    assert (fa.local_sandbox_dir, fa.raw_output_prefix) == (str(tmp_path / "sandbox"), "s3://bucket/raw")
    assert isinstance(fa, FileAccess)
    with pytest.raises(TypeError, match="does not support data_config; configure storage with environment"):
        FileAccessProvider(str(tmp_path), "s3://bucket/raw", data_config=object())
