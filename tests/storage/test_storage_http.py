"""FileAccess over http(s): reading works (whole, streamed, downloaded); writing is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from flyweight._storage import FileAccess
from flyweight.errors import StorageError


def test_read_exists_open_and_download(http_server: tuple[str, Path], tmp_path: Path) -> None:
    url, root = http_server
    (root / "data").mkdir()
    (root / "data" / "a.csv").write_bytes(b"x,y\n1,2\n")
    fa = FileAccess()
    assert fa.is_remote(f"{url}/data/a.csv")
    assert fa.read_bytes(f"{url}/data/a.csv") == b"x,y\n1,2\n"
    assert fa.exists(f"{url}/data/a.csv")
    assert not fa.exists(f"{url}/data/missing.csv")
    with fa.open(f"{url}/data/a.csv", "r") as f:
        assert f.readline() == "x,y\n"
    fa.get_data(f"{url}/data/a.csv", str(tmp_path / "out" / "a.csv"))
    assert (tmp_path / "out" / "a.csv").read_bytes() == b"x,y\n1,2\n"


def test_a_missing_url_is_a_storage_error(http_server: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = http_server
    fa = FileAccess()
    with pytest.raises(StorageError, match=rf"cannot read '{url}/nope.txt': not found"):
        fa.read_bytes(f"{url}/nope.txt")
    with pytest.raises(StorageError, match=rf"'{url}/nope.txt': not found"):
        fa.get_data(f"{url}/nope.txt", str(tmp_path / "x"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("how", ["write_bytes", "open", "put_data", "upload_directory"])
def test_writing_is_refused(http_server: tuple[str, Path], tmp_path: Path, how: str) -> None:
    url, root = http_server
    (tmp_path / "f").write_bytes(b"x")
    fa = FileAccess()
    target = f"{url}/new.txt"
    calls = {
        "write_bytes": lambda: fa.write_bytes(target, b"x"),
        "open": lambda: fa.open(target, "wb"),
        "put_data": lambda: fa.put_data(str(tmp_path / "f"), target),
        "upload_directory": lambda: fa.upload_directory(str(tmp_path), target),
    }
    with pytest.raises(StorageError, match=rf"cannot write '{target}': http:// locations are read-only"):
        calls[how]()
    assert list(root.iterdir()) == []


def test_an_unreachable_server_is_a_storage_error(http_server: tuple[str, Path]) -> None:
    url, _ = http_server
    dead = url.rsplit(":", 1)[0] + ":1"
    with pytest.raises(StorageError, match=rf"cannot read '{dead}/x'.*check the network"):
        FileAccess().read_bytes(f"{dead}/x")
