"""Getting the database file a SQLite3 task queries onto local disk: download, unpack, check.

The task's ``uri`` is configuration, so a wrong one is the user's fault and says so (USER), while a
failing store (a network error, an outage) stays the platform's (SYSTEM, retried). Archives are
recognised by their content, not their file name, and only the one file inside is extracted, by a
name of our choosing, so an archive cannot write anywhere else.
"""

from __future__ import annotations

import os
import shutil
import tarfile
import zipfile
from urllib.parse import urlsplit

from flyweight.errors import StorageError, TaskExecutionError, UnsupportedLocationError
from flyweight.extend import FlyteContextManager

__all__ = ["SQLITE_HEADER", "check_database", "fetch_database", "local_database"]

SQLITE_HEADER = b"SQLite format 3\x00"
_ARCHIVE_FORMATS = "zip, tar, tar.gz, tar.bz2 or tar.xz"
_LISTED = 10


def fetch_database(uri: str, compressed: bool, workdir: str, owner: str) -> str:
    """Download ``uri`` into ``workdir`` (unpacking it when ``compressed``) and return the database path.

    Raises:
        TaskExecutionError: nothing is at ``uri``, or its protocol is not one this installation reads;
            the archive holds no file or more than one; the
            file is not an SQLite database (or is an archive while ``compressed`` is False).
        StorageError: the store failed (SYSTEM; may be retried).
    """
    name = os.path.basename(urlsplit(uri).path.rstrip("/")) or "database"
    local = os.path.join(workdir, name)
    try:
        FlyteContextManager.current_context().file_access.get_data(uri, local)
    except UnsupportedLocationError as e:  # a misspelt scheme in the task's configuration
        raise TaskExecutionError(f"{owner}: SQLite3Config.uri {uri!r} cannot be read here: {e}") from e
    except StorageError as e:
        if _not_found(e):
            raise TaskExecutionError(
                f"{owner}: there is no database file at {uri!r} (SQLite3Config.uri); "
                "check the path or URL, or upload the file first"
            ) from e
        raise
    except FileNotFoundError as e:
        raise TaskExecutionError(f"{owner}: there is no database file at {uri!r} (SQLite3Config.uri)") from e
    if not os.path.isfile(local):
        raise TaskExecutionError(f"{owner}: {uri!r} is a directory, not a database file (SQLite3Config.uri)")
    if compressed:
        local = _unpack(local, uri, os.path.join(workdir, "_arch"), owner)
    check_database(local, uri, compressed, owner)
    return local


def local_database(uri: str, compressed: bool) -> str | None:
    """The path of ``uri`` when it names an existing, uncompressed local file, which is then read in
    place (read-only, no copy); None when the database must be fetched."""
    if compressed:
        return None
    if uri.startswith("file://"):
        path = uri[len("file://") :]
    elif "://" in uri:
        return None
    else:
        path = uri
    return path if os.path.isfile(path) else None


def _not_found(exc: BaseException) -> bool:
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, FileNotFoundError):
            return True
        cur = cur.__cause__ or cur.__context__
    return False


def _is_junk(name: str) -> bool:
    """Entries archivers add beside the content (macOS resource forks)."""
    return name.startswith("__MACOSX/") or os.path.basename(name).startswith("._")


def _unpack(path: str, uri: str, into: str, owner: str) -> str:
    os.makedirs(into, exist_ok=True)
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            zinfos = [i for i in zf.infolist() if not i.is_dir() and not _is_junk(i.filename)]
            _exactly_one([i.filename for i in zinfos], uri, owner)
            target = os.path.join(into, _safe_name(zinfos[0].filename))
            with zf.open(zinfos[0]) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            return target
    if _is_tar(path):
        with tarfile.open(path, "r:*") as tf:
            tinfos = [m for m in tf.getmembers() if m.isfile() and not _is_junk(m.name)]
            _exactly_one([m.name for m in tinfos], uri, owner)
            target = os.path.join(into, _safe_name(tinfos[0].name))
            extracted = tf.extractfile(tinfos[0])
            if extracted is None:  # pragma: no cover - isfile() members always have data
                raise TaskExecutionError(f"{owner}: cannot read {tinfos[0].name!r} from the archive {uri!r}")
            with extracted as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            return target
    hint = ""
    if _has_sqlite_header(path):
        hint = "; it is an SQLite database itself, so set compressed=False"
    raise TaskExecutionError(
        f"{owner}: {uri!r} is not an archive this task can unpack ({_ARCHIVE_FORMATS}), but the task "
        f"says compressed=True{hint}"
    )


def _is_tar(path: str) -> bool:
    try:
        return tarfile.is_tarfile(path)
    except (OSError, EOFError, tarfile.TarError):
        return False


def _exactly_one(names: list[str], uri: str, owner: str) -> None:
    if len(names) == 1:
        return
    if not names:
        raise TaskExecutionError(f"{owner}: the archive {uri!r} holds no file; it must hold the database")
    shown = ", ".join(repr(n) for n in names[:_LISTED]) + (" …" if len(names) > _LISTED else "")
    raise TaskExecutionError(
        f"{owner}: the archive {uri!r} must hold exactly one file, the database, but holds {len(names)}: "
        f"{shown}; put only the database in the archive"
    )


def _safe_name(member: str) -> str:
    base = os.path.basename(member.replace("\\", "/"))
    return base if base not in ("", ".", "..") else "database"


def _has_sqlite_header(path: str) -> bool:
    with open(path, "rb") as f:
        return f.read(len(SQLITE_HEADER)) == SQLITE_HEADER


def check_database(path: str, uri: str, compressed: bool, owner: str) -> None:
    """Raise ``TaskExecutionError`` unless ``path`` is an SQLite database (or an empty file)."""
    with open(path, "rb") as f:
        head = f.read(len(SQLITE_HEADER))
    if not head or head == SQLITE_HEADER:  # an empty file is an empty database to SQLite
        return
    if not compressed and (zipfile.is_zipfile(path) or _is_tar(path)):
        raise TaskExecutionError(
            f"{owner}: {uri!r} is an archive, not an SQLite database; set SQLite3Config(compressed=True)"
        )
    what = f"the file from {uri!r}" + (" (unpacked from the archive)" if compressed else "")
    raise TaskExecutionError(
        f"{owner}: {what} is not an SQLite database: it does not start with SQLite's header "
        f"(it starts with {head[:8]!r})"
    )
