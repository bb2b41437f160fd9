"""Where the database comes from: local paths, ``file://``, archives of every format, ``s3://`` and
``http://``; and who is at fault when it cannot be had (USER for a wrong uri or archive, SYSTEM for
a failing store)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from tests.plugins.sqlite3.sqlite3_support import ARCHIVE_FORMATS, MUSIC_DB, frame, make_archive

from flyweight import kwtypes
from flyweight.errors import StorageError, TaskExecutionError, raised_by_user_code
from flyweight.extend import FileAccessProvider, FlyteContextManager
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task

QUERY = "select TrackId from tracks where TrackId <= {{.inputs.n}} order by TrackId"


def task(uri: str, compressed: bool = False) -> SQLite3Task:
    return SQLite3Task(
        "sqlite3.source",
        query_template=QUERY,
        inputs=kwtypes(n=int),
        task_config=SQLite3Config(uri=uri, compressed=compressed),
    )


def ids(uri: str, compressed: bool = False) -> list[int]:
    return frame(task(uri, compressed)(n=3))["TrackId"].tolist()


def test_local_path_and_file_uri() -> None:
    assert ids(str(MUSIC_DB)) == [1, 2, 3]
    assert ids(MUSIC_DB.as_uri()) == [1, 2, 3]


@pytest.mark.parametrize("kind", ARCHIVE_FORMATS)
def test_every_archive_format(kind: str, tmp_path: Path) -> None:
    archive = make_archive(kind, {"music.db": MUSIC_DB}, tmp_path / f"music.{kind}")
    assert ids(str(archive), compressed=True) == [1, 2, 3]


def test_archives_are_recognised_by_content_not_name(tmp_path: Path) -> None:
    archive = make_archive("gztar", {"music.db": MUSIC_DB}, tmp_path / "download")
    assert ids(str(archive), compressed=True) == [1, 2, 3]


def test_the_file_may_sit_in_a_folder_and_beside_macos_leftovers(tmp_path: Path) -> None:
    members = {"data/music.db": MUSIC_DB, "__MACOSX/data/._music.db": b"\x00\x05\x16\x07"}
    archive = make_archive("zip", members, tmp_path / "music.zip")
    assert ids(str(archive), compressed=True) == [1, 2, 3]


@pytest.mark.parametrize("kind", ["zip", "gztar"])
def test_an_archive_with_two_files_is_a_user_error_naming_them(kind: str, tmp_path: Path) -> None:
    archive = make_archive(kind, {"music.db": MUSIC_DB, "notes/readme.txt": b"hi"}, tmp_path / "two")
    with pytest.raises(TaskExecutionError) as info:
        task(str(archive), compressed=True)(n=1)
    message = str(info.value)
    assert "must hold exactly one file, the database, but holds 2: 'music.db', 'notes/readme.txt'" in message
    assert raised_by_user_code(info.value)


def test_an_empty_archive_is_a_user_error(tmp_path: Path) -> None:
    archive = make_archive("tar", {}, tmp_path / "empty.tar")
    with pytest.raises(TaskExecutionError, match="holds no file"):
        task(str(archive), compressed=True)(n=1)


def test_compressed_true_on_a_plain_database_says_how_to_fix_it() -> None:
    with pytest.raises(TaskExecutionError, match="it is an SQLite database itself, so set compressed=False"):
        task(str(MUSIC_DB), compressed=True)(n=1)


def test_an_archive_without_compressed_says_how_to_fix_it(tmp_path: Path) -> None:
    archive = make_archive("zip", {"music.db": MUSIC_DB}, tmp_path / "music.zip")
    with pytest.raises(
        TaskExecutionError, match=r"is an archive, not an SQLite database; set .*compressed=True"
    ):
        task(str(archive))(n=1)


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "music.db"
    path.write_text("TrackId,Name\n1,a\n")
    with pytest.raises(TaskExecutionError, match=r"is not an SQLite database: .*starts with b'TrackId,'"):
        task(str(path))(n=1)


def test_a_missing_database_is_a_user_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "music.db"
    with pytest.raises(TaskExecutionError, match=r"there is no database file at .*nope/music.db") as info:
        task(str(missing))(n=1)
    assert isinstance(info.value.__cause__, StorageError)
    assert raised_by_user_code(info.value)


def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(TaskExecutionError):
        task(str(tmp_path))(n=1)


def test_a_failing_store_stays_a_system_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def outage(self: object, remote_path: str, local_path: str, is_multipart: bool = False) -> None:
        raise StorageError(
            f"cannot download {remote_path!r}: ConnectionError: reset by peer; retrying may succeed"
        )

    file_access = FlyteContextManager.current_context().file_access
    monkeypatch.setattr(type(file_access), "get_data", outage)
    with pytest.raises(StorageError, match="reset by peer") as info:
        task("s3://bucket/music.db")(n=1)
    assert not raised_by_user_code(info.value)  # reported as SYSTEM (and retried) in a container


# --- remote stores (fixtures from tests/conftest.py) ----------------------------------------------


def test_s3(s3_bucket: str, tmp_path: Path) -> None:
    fa = FileAccessProvider()
    fa.put_data(str(MUSIC_DB), f"{s3_bucket}/db/music.db")
    archive = make_archive("zip", {"music.db": MUSIC_DB}, tmp_path / "music.zip")
    fa.put_data(str(archive), f"{s3_bucket}/db/music.zip")
    assert ids(f"{s3_bucket}/db/music.db") == [1, 2, 3]
    assert ids(f"{s3_bucket}/db/music.zip", compressed=True) == [1, 2, 3]
    with pytest.raises(TaskExecutionError, match="there is no database file at"):
        ids(f"{s3_bucket}/db/other.db")


def test_http(http_server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = http_server
    shutil.copyfile(MUSIC_DB, root / "music.db")
    make_archive("xztar", {"music.db": MUSIC_DB}, root / "music.tar.xz")
    assert ids(f"{base}/music.db") == [1, 2, 3]
    assert ids(f"{base}/music.tar.xz?version=1", compressed=True) == [1, 2, 3]
    with pytest.raises(TaskExecutionError, match="there is no database file at"):
        ids(f"{base}/missing.db")
