"""File objects and local copies that never leave half-written data behind.

A reader of a task's files (Flyte reading ``outputs.pb``, the next task reading a parquet file) must
see either the whole file or none of it. Locally that means writing a temporary file beside the
target and renaming it over the target; on an object store one PUT (or one completed multipart
upload) is already atomic, so a streamed write goes to a local temporary file first and is uploaded
in one call when the file is closed. :class:`LazyDirectory` is a task's working directory: made on first
use, removed when the task ends.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import TYPE_CHECKING, Protocol, cast

from flyweight._storage._remote import storage_errors

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

__all__ = [
    "AtomicWriter",
    "LazyDirectory",
    "RemoteFile",
    "RemoteReader",
    "TextWriter",
    "atomic_local_write",
    "copy_local",
    "staged_file",
    "staged_tree",
]


def _temp_sibling(path: str) -> tuple[int, str]:
    parent = os.path.dirname(os.path.abspath(path))
    os.makedirs(parent, exist_ok=True)
    return tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=parent)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


@contextlib.contextmanager
def staged_file(target: str) -> Iterator[str]:
    """A temporary path beside ``target`` to fill; renamed over ``target`` when the block succeeds."""
    fd, tmp = _temp_sibling(target)
    os.close(fd)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        _unlink_quietly(tmp)
        raise


@contextlib.contextmanager
def staged_tree(target: str) -> Iterator[str]:
    """A temporary directory beside ``target`` to fill; when the block succeeds its files are renamed
    into ``target`` (merging with what is there), so each file appears whole."""
    bare = target.rstrip(os.sep) or os.sep
    parent = os.path.dirname(os.path.abspath(bare))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=f".{os.path.basename(bare)}.", suffix=".tmp", dir=parent)
    try:
        yield staging
        for here, _dirs, files in os.walk(staging):
            rel = os.path.relpath(here, staging)
            there = target if rel == os.curdir else os.path.join(target, rel)
            os.makedirs(there, exist_ok=True)
            for name in files:
                os.replace(os.path.join(here, name), os.path.join(there, name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def atomic_local_write(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory, then rename it."""
    with staged_file(path) as tmp, open(tmp, "wb") as f:
        f.write(data)


def copy_local(src: str, dst: str, tree: bool) -> None:
    """Copy the file (or, with ``tree``, the directory) ``src`` to ``dst``; see :func:`staged_tree`."""
    if tree:
        with staged_tree(dst) as staging:
            shutil.copytree(src, staging, dirs_exist_ok=True)
    else:
        with staged_file(dst) as tmp:
            shutil.copyfile(src, tmp)


class AtomicWriter(io.BufferedIOBase):
    """A binary file whose content is published only when it is closed without an error.

    Bytes go to a local temporary file; ``commit`` (called with that file's path) publishes it: a
    rename for a local target, one upload for a remote one. Leaving a ``with`` block by an exception,
    :meth:`discard`, or dropping the object unclosed throws the data away.
    """

    def __init__(self, uri: str, commit: Callable[[str], None], temp_beside: str | None = None) -> None:
        super().__init__()
        if temp_beside is None:
            fd, self._tmp = tempfile.mkstemp(prefix=".flyweight-upload.", suffix=".tmp")
        else:
            fd, self._tmp = _temp_sibling(temp_beside)
        self._file = os.fdopen(fd, "wb")
        self._commit = commit
        self.name = uri

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        return self._file.write(data)

    def tell(self) -> int:
        return self._file.tell()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._file.seek(offset, whence)

    def flush(self) -> None:
        if not self._file.closed:
            self._file.flush()

    def close(self) -> None:
        """Publish the content (rename or upload), then release the temporary file."""
        if self.closed:
            return
        try:
            self._file.close()
            self._commit(self._tmp)
        finally:
            _unlink_quietly(self._tmp)
            super().close()

    def discard(self) -> None:
        """Throw the content away; the target is left as it was."""
        if self.closed:
            return
        self._file.close()
        _unlink_quietly(self._tmp)
        super().close()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.discard()

    def __del__(self) -> None:
        if not self.closed:
            self.discard()


class TextWriter(io.TextIOWrapper):
    """Text over an :class:`AtomicWriter`, with the same rule: published on a clean close only."""

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            cast(AtomicWriter, self.buffer).discard()

    def __del__(self) -> None:
        if not self.closed:
            cast(AtomicWriter, self.buffer).discard()


class RemoteFile(Protocol):
    """What :class:`RemoteReader` uses of a file an fsspec filesystem opened for reading."""

    def read(self, length: int = -1) -> bytes: ...

    def seek(self, loc: int, whence: int = 0) -> int: ...

    def tell(self) -> int: ...

    @property
    def size(self) -> int: ...

    def close(self) -> None: ...


class RemoteReader(io.RawIOBase):
    """A remote file opened for reading, whose failures are ``StorageError`` naming the location."""

    def __init__(self, file: RemoteFile, uri: str) -> None:
        super().__init__()
        self._file = file
        self.name = uri

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        with storage_errors("read", self.name):
            return bytes(self._file.read(-1 if size is None else size))

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        with storage_errors("seek in", self.name):
            return int(self._file.seek(offset, whence))

    def tell(self) -> int:
        return int(self._file.tell())

    @property
    def size(self) -> int:
        """The file's size in bytes."""
        return int(self._file.size)

    def close(self) -> None:
        if self.closed:
            return
        try:
            with storage_errors("close", self.name):
                self._file.close()
        finally:
            super().close()


class LazyDirectory:
    """A temporary directory made on first use and removed by :meth:`cleanup` (only if it was made)."""

    __slots__ = ("_given", "_parent", "_path")

    def __init__(self, parent: str | None = None) -> None:
        self._parent = parent
        self._path: str | None = None
        self._given = False

    @classmethod
    def at(cls, path: str | os.PathLike[str]) -> LazyDirectory:
        """A directory given by its path: made (with its parents) on first use, never removed."""
        given = cls()
        given._path = os.fspath(path)
        given._given = True
        return given

    @property
    def path(self) -> str:
        if self._path is None:
            self._path = tempfile.mkdtemp(prefix="flyweight-", dir=self._parent)
        elif self._given:
            os.makedirs(self._path, exist_ok=True)
        return self._path

    @property
    def created(self) -> bool:
        return self._path is not None

    def cleanup(self) -> None:
        if self._path is not None and not self._given:
            shutil.rmtree(self._path, ignore_errors=True)
            self._path = None
