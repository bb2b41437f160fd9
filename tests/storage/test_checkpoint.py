"""``SyncCheckpoint`` (what ``current_context().checkpoint`` is): flytekit's behaviour, compared live with
flytekit's ``SyncCheckpoint`` on local directories, on an object store, and its errors."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flyweight._storage import FileAccess
from flyweight._storage._checkpoint import Checkpoint, SyncCheckpoint
from flyweight.errors import CheckpointError, StorageError, UserError


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _theirs(flytekit: ModuleType, dest: Path, src: Path | str | None = None) -> Any:
    from flytekit.core.checkpointer import SyncCheckpoint as TheirSyncCheckpoint

    return TheirSyncCheckpoint(checkpoint_dest=str(dest), checkpoint_src=None if src is None else str(src))


def _ours(dest: Path, src: Path | str | None = None) -> SyncCheckpoint:
    return SyncCheckpoint(str(dest), None if src is None else str(src), file_access=FileAccess())


def _source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True, exist_ok=True)
    (src / "a.txt").write_bytes(b"A")
    (src / "sub" / "b.bin").write_bytes(b"B")
    return src


SAVES: list[tuple[str, Callable[[Path], Any]]] = [
    ("write", lambda tmp: ("write", b"bytes")),
    ("save a reader", lambda tmp: ("save", io.BytesIO(b"reader"))),
    ("save a file path", lambda tmp: ("save", str(_source(tmp) / "a.txt"))),
    ("save a pathlib file", lambda tmp: ("save", _source(tmp) / "sub" / "b.bin")),
    ("save a directory", lambda tmp: ("save", str(_source(tmp)))),
]


@pytest.mark.parametrize(("label", "make"), SAVES, ids=[s[0] for s in SAVES])
def test_what_is_saved_lands_where_flytekit_puts_it(
    flytekit: ModuleType, tmp_path: Path, label: str, make: Callable[[Path], Any]
) -> None:
    trees = []
    for who in ("theirs", "ours"):
        dest = tmp_path / who / "cp"
        dest.mkdir(parents=True)  # flytekit's local upload needs the directory; ours makes it
        method, arg = make(tmp_path / who)
        cp = _theirs(flytekit, dest) if who == "theirs" else _ours(dest)
        getattr(cp, method)(arg)
        trees.append(_tree(dest))
    assert trees[0] == trees[1] and trees[1]


def test_ours_makes_the_destination_directory(tmp_path: Path) -> None:
    _ours(tmp_path / "new" / "cp").write(b"x")
    assert (tmp_path / "new" / "cp" / "_dst_cp").read_bytes() == b"x"


@pytest.mark.parametrize(
    ("files", "expected"),
    [({}, None), ({"_dst_cp": b"7"}, b"7"), ({"model.pt": b"\x00\x01"}, b"\x00\x01")],
)
def test_read_gives_the_single_previous_file_as_flytekit(
    flytekit: ModuleType, tmp_path: Path, files: dict[str, bytes], expected: bytes | None
) -> None:
    src = tmp_path / "prev"
    src.mkdir()
    for name, data in files.items():
        (src / name).write_bytes(data)
    theirs, ours = _theirs(flytekit, tmp_path / "d1", src), _ours(tmp_path / "d2", src)
    assert ours.prev_exists() is theirs.prev_exists() is True
    assert ours.read() == theirs.read() == expected


def test_without_a_previous_checkpoint_there_is_nothing(flytekit: ModuleType, tmp_path: Path) -> None:
    for src in (None, ""):
        theirs = _theirs(flytekit, tmp_path, src)
        ours = SyncCheckpoint(str(tmp_path), src)
        assert ours.prev_exists() is theirs.prev_exists() is False
        assert ours.restore() is theirs.restore() is None
        assert ours.read() is theirs.read() is None


def test_restore_downloads_into_the_given_directory_once(flytekit: ModuleType, tmp_path: Path) -> None:
    src = _source(tmp_path)
    results = []
    for who in ("theirs", "ours"):
        target = tmp_path / f"into-{who}"
        target.mkdir()
        cp = _theirs(flytekit, tmp_path / "d", src) if who == "theirs" else _ours(tmp_path / "d", src)
        first = cp.restore(str(target))
        assert first == target and cp.restore() == target  # the second call gives the first directory
        results.append(_tree(target))
    assert results[0] == results[1] == {"a.txt": b"A", "sub/b.bin": b"B"}


def test_restore_without_a_path_uses_a_fresh_local_directory(tmp_path: Path) -> None:
    restored = _ours(tmp_path / "d", _source(tmp_path)).restore()
    assert restored is not None and restored.name == "prev_cp" and _tree(restored)["a.txt"] == b"A"


def test_it_is_flytekits_checkpoint_api(flytekit: ModuleType) -> None:
    from flytekit.core.checkpointer import Checkpoint as TheirCheckpoint

    for name in ("prev_exists", "restore", "save", "read", "write"):
        assert callable(getattr(SyncCheckpoint, name)) and callable(getattr(TheirCheckpoint, name))
    assert SyncCheckpoint.SRC_LOCAL_FOLDER == "prev_cp" and SyncCheckpoint.TMP_DST_PATH == "_dst_cp"
    assert issubclass(SyncCheckpoint, Checkpoint)


# --- errors: the same kinds as flytekit's, clearer ------------------------------------------------------


def _both(
    flytekit: ModuleType, tmp_path: Path, src: Path | str | None, call: Callable[[Any], object]
) -> None:
    """``call`` fails on flytekit's checkpoint and on ours with the same builtin kind."""
    with pytest.raises((TypeError, ValueError)) as theirs:
        call(_theirs(flytekit, tmp_path / "d1", src))
    with pytest.raises(type(theirs.value).__mro__[-3]) as ours:  # ValueError or TypeError
        call(_ours(tmp_path / "d2", src))
    assert isinstance(ours.value, CheckpointError) and isinstance(ours.value, UserError)


def test_several_previous_files_cannot_be_read_as_one(flytekit: ModuleType, tmp_path: Path) -> None:
    _both(flytekit, tmp_path, _source(tmp_path), lambda cp: cp.read())
    with pytest.raises(CheckpointError, match=r"found 2 .*a\.txt, sub.*use restore\(\)"):
        _ours(tmp_path / "d", _source(tmp_path)).read()


def test_a_previous_checkpoint_that_does_not_exist(flytekit: ModuleType, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    _both(flytekit, tmp_path, missing, lambda cp: cp.read())
    with pytest.raises(CheckpointError, match=r"previous checkpoint .*nowhere.* does not exist"):
        _ours(tmp_path / "d", missing).restore()


def test_write_takes_bytes_only(flytekit: ModuleType, tmp_path: Path) -> None:
    _both(flytekit, tmp_path, None, lambda cp: cp.write("text"))
    with pytest.raises(CheckpointError, match=r"expected bytes, got str; encode text first"):
        _ours(tmp_path / "d").write("text")  # type: ignore[arg-type]


def test_save_takes_a_path_or_a_binary_reader(flytekit: ModuleType, tmp_path: Path) -> None:
    _both(flytekit, tmp_path, None, lambda cp: cp.save(123))
    with pytest.raises(CheckpointError, match="a path .* or a binary reader"):
        _ours(tmp_path / "d").save(123)  # type: ignore[arg-type]
    with pytest.raises(CheckpointError, match="not bytes; open the file in binary mode"):
        _ours(tmp_path / "d").save(io.StringIO("text"))  # type: ignore[arg-type]
    with pytest.raises(CheckpointError, match="nothing to save at"):
        _ours(tmp_path / "d").save(tmp_path / "missing.bin")


def test_restore_goes_into_a_directory_only(flytekit: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    _both(flytekit, tmp_path, _source(tmp_path), lambda cp: cp.restore(tmp_path / "f"))
    with pytest.raises(CheckpointError, match="does not exist"):
        _ours(tmp_path / "d", _source(tmp_path)).restore(tmp_path / "absent")
    with pytest.raises(CheckpointError, match="must be a directory path, got int"):
        _ours(tmp_path / "d", _source(tmp_path)).restore(3)  # type: ignore[arg-type]


def test_bad_locations_are_refused_when_made(tmp_path: Path) -> None:
    with pytest.raises(CheckpointError, match="checkpoint_dest is empty"):
        SyncCheckpoint("")
    with pytest.raises(CheckpointError, match="checkpoint_src must be a path or URI"):
        SyncCheckpoint(str(tmp_path), 5)  # type: ignore[arg-type]


def test_an_unwritable_destination_is_a_storage_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    with pytest.raises(StorageError, match="file"):
        _ours(tmp_path / "file" / "cp").write(b"x")
    readonly = tmp_path / "ro"
    readonly.mkdir()
    os.chmod(readonly, 0o555)
    try:
        if not os.access(readonly, os.W_OK):  # root writes anyway: nothing to test then
            with pytest.raises(StorageError, match="ro"):
                _ours(readonly / "cp").write(b"x")
    finally:
        os.chmod(readonly, 0o755)


def test_an_object_store_works_as_a_directory_does(s3_bucket: str, tmp_path: Path) -> None:
    first = SyncCheckpoint(f"{s3_bucket}/run/0/checkpoint", None, file_access=FileAccess())
    first.write(b"42")
    first.save(_source(tmp_path) / "a.txt")
    second = SyncCheckpoint(
        f"{s3_bucket}/run/1/checkpoint", f"{s3_bucket}/run/0/checkpoint", file_access=FileAccess()
    )
    restored = second.restore()
    assert restored is not None and _tree(restored) == {"_dst_cp": b"42", "a.txt": b"A"}
    missing = SyncCheckpoint(
        f"{s3_bucket}/run/2/checkpoint", f"{s3_bucket}/nothing/here", file_access=FileAccess()
    )
    with pytest.raises(CheckpointError, match="does not exist"):
        missing.read()
