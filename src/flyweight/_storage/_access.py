"""``FileAccess``: the one object task code, plugins and the container entrypoint read and write through.

It speaks flytekit's ``FileAccessProvider`` names (``get_data``, ``put_data``,
``get_random_remote_path``…) so plugin code ports unchanged. Local paths and ``file://`` are handled
with the standard library alone; any other protocol goes through fsspec, imported on first use.
"""

from __future__ import annotations

import atexit
import io
import os
import posixpath
import shutil
import tempfile
import uuid
from typing import IO, Any, cast

from flyweight._storage import _deadline, _files, _remote, _uri
from flyweight.errors import StorageError

__all__ = ["FileAccess", "FileAccessProvider"]

_MODES = frozenset({"rb", "wb", "r", "w"})


def _random_key() -> str:
    return uuid.uuid4().hex


class FileAccess:
    """Reads and writes task files for one execution: locally, on object stores, over http(s).

    Locations are local paths, ``file://`` URIs, or any fsspec protocol (``s3://``, ``gs://``,
    ``abfs://``, ``memory://``…); ``http(s)://`` is read-only. Writes are atomic: a reader sees the
    whole new file or the old one, never part. Every failure is a :class:`~flyweight.errors.StorageError`
    naming the location and the cause. S3 is configured as Flyte configures it (``FLYTE_AWS_ENDPOINT``,
    ``FLYTE_AWS_ACCESS_KEY_ID``, ``FLYTE_AWS_SECRET_ACCESS_KEY``, then the usual ``AWS_*`` variables).

    Time against storage is bounded, so an endpoint that accepts connections and never answers fails
    the operation (a recoverable ``StorageError`` saying it timed out) instead of hanging the task:

    * ``FLYWEIGHT_STORAGE_TIMEOUT`` (seconds, default 120): the longest one operation may go without
      progress, retries included. Reads, writes, copies, listings and existence checks on S3,
      http(s), GCS, Azure and the other asynchronous fsspec protocols are abandoned after that long
      without progress. A large transfer that keeps moving is never cut off, but one request must
      finish within the bound (s3fs uploads a file under 100 MiB in one PUT). Streamed reads through
      :meth:`open` are bounded by the per-request timeouts below, sized to fit in the same bound.
    * ``FLYTE_AWS_RETRIES`` (default 3): retries of an S3 request, the only retries (s3fs's own are
      turned off). Each attempt gets an equal share of the bound after botocore's back-off: a
      connect timeout of a quarter of it (at most 10 s) and a read timeout of the rest, 7 s and 21 s
      with the defaults. An http(s) request is not retried; it gets half the bound (opening a URL may
      take a HEAD and a GET): 10 s to connect and 50 s to wait for data, with the defaults.

    Filesystems returned by :meth:`get_filesystem` carry those per-request timeouts but not the
    per-operation bound; synchronous fsspec protocols (sftp, ftp…) and local paths have neither.

    Args:
        raw_output_prefix: where offloaded output data goes (Flyte's ``--raw-output-data-prefix``);
            None gives a fresh local directory on first use.
        local_sandbox_dir: a local scratch directory; None gives a fresh one on first use.

    Example:
        >>> import os, tempfile
        >>> fa = FileAccess()
        >>> target = os.path.join(tempfile.mkdtemp(), "a", "b.txt")
        >>> fa.write_bytes(target, b"hi")
        >>> fa.read_bytes("file://" + target)
        b'hi'
    """

    def __init__(self, raw_output_prefix: str | None = None, local_sandbox_dir: str | None = None) -> None:
        self._raw_output_prefix = raw_output_prefix
        self._sandbox = local_sandbox_dir

    @property
    def local_sandbox_dir(self) -> str:
        """A local scratch directory for this execution (made on first use)."""
        if self._sandbox is None:
            self._sandbox = _scratch_directory()
        return self._sandbox

    @property
    def raw_output_prefix(self) -> str:
        """Where offloaded output data goes (a local directory under the sandbox when none was given)."""
        if self._raw_output_prefix is None:
            self._raw_output_prefix = os.path.join(self.local_sandbox_dir, "raw")
        return self._raw_output_prefix

    is_remote = staticmethod(_uri.is_remote)
    join = staticmethod(_uri.join)

    # --- filesystems ------------------------------------------------------------------------------

    def get_filesystem(self, protocol: str | None = None, anonymous: bool = False, **kwargs: object) -> Any:
        """The fsspec filesystem for ``protocol`` (None: the raw output prefix's), cached and configured.

        Raises:
            StorageError: fsspec, or the protocol's implementation, is not installed.
        """
        return _remote.filesystem(protocol or _uri.protocol_of(self.raw_output_prefix), anonymous, **kwargs)

    def get_filesystem_for_path(self, path: str = "", anonymous: bool = False, **kwargs: object) -> Any:
        """The fsspec filesystem that serves ``path`` (see :meth:`get_filesystem`)."""
        return _remote.filesystem(_uri.protocol_of(path), anonymous, **kwargs)

    def _remote_fs(self, uri: str, for_writing: bool = False) -> Any:
        protocol = _uri.protocol_of(uri)
        if for_writing and protocol in _uri.READ_ONLY_PROTOCOLS:
            raise StorageError(
                f"cannot write {uri!r}: {protocol}:// locations are read-only; "
                "write to a local path or an object store (s3://, gs://, abfs://…)"
            )
        return _remote.filesystem(protocol)

    # --- whole files ------------------------------------------------------------------------------

    def read_bytes(self, uri: str) -> bytes:
        """The whole content of ``uri``."""
        if not _uri.is_remote(uri):
            try:
                with open(_uri.local_path(uri), "rb") as f:
                    return f.read()
            except OSError as e:
                raise StorageError(f"cannot read {uri!r}: {_remote.describe(e)}") from e
        with _remote.storage_errors("read", uri):
            fs = self._remote_fs(uri)
            fd, tmp = tempfile.mkstemp(prefix=".flyweight-download.", suffix=".tmp")
            os.close(fd)
            try:  # through a file, so the watchdog sees each chunk arrive (a large read is not cut off)
                _deadline.call(fs, "get_file", uri, tmp, progress=True)
                with open(tmp, "rb") as f:
                    return f.read()
            finally:
                os.unlink(tmp)

    def write_bytes(self, uri: str, data: bytes) -> None:
        """Write ``data`` to ``uri`` atomically (one PUT, or a temporary file renamed), making directories."""
        if not _uri.is_remote(uri):
            try:
                _files.atomic_local_write(_uri.local_path(uri), data)
            except OSError as e:
                raise StorageError(f"cannot write {uri!r}: {_remote.describe(e)}") from e
            return
        fs = self._remote_fs(uri, for_writing=True)
        with _remote.storage_errors("write", uri):
            # the upload's suffix is the destination's: s3fs sets the object's Content-Type from it, so a
            # deck.html is served as a page
            suffix = posixpath.splitext(uri.rsplit("/", 1)[-1])[1] or ".tmp"
            fd, tmp = tempfile.mkstemp(prefix=".flyweight-upload.", suffix=suffix)
            try:  # through a file, as a streamed write: each uploaded part counts as progress
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                _deadline.call(fs, "put_file", tmp, uri, progress=True)
            finally:
                os.unlink(tmp)

    def exists(self, uri: str) -> bool:
        """Whether a file or directory (a prefix with objects under it) is at ``uri``."""
        if not _uri.is_remote(uri):
            return os.path.exists(_uri.local_path(uri))
        with _remote.storage_errors("check", uri):
            fs = self._remote_fs(uri)
            # fsspec's http exists() answers False on any network error (a timeout too) unless strict.
            strict = {"strict": True} if _uri.protocol_of(uri) in _uri.READ_ONLY_PROTOCOLS else {}
            return bool(_deadline.call(fs, "exists", uri, **strict))

    def open(
        self,
        uri: str,
        mode: str = "rb",
        encoding: str = "utf-8",
        errors: str | None = None,
        newline: str | None = None,
    ) -> IO[Any]:
        """A file object on ``uri`` for streaming: ``"rb"``, ``"r"``, ``"wb"`` or ``"w"``.

        ``encoding``, ``errors`` and ``newline`` apply to the text modes, as for :func:`open`.

        A file opened for writing publishes its content only when it is closed without an error
        (leaving a ``with`` block by an exception discards it), so readers never see part of it.

        Example:
            >>> import os, tempfile
            >>> fa = FileAccess()
            >>> target = os.path.join(tempfile.mkdtemp(), "notes.txt")
            >>> with fa.open(target, "w") as f:
            ...     _ = f.write("first line\\n")
            >>> with fa.open(target, "r") as f:
            ...     f.read()
            'first line\\n'
        """
        if mode not in _MODES:
            raise ValueError(f"expected one of the modes {sorted(_MODES)}, got {mode!r} for {uri!r}")
        if "w" in mode:
            writer = self._open_for_writing(uri)
            if mode == "wb":
                return cast(IO[Any], writer)
            return _files.TextWriter(writer, encoding=encoding, errors=errors, newline=newline)
        binary: IO[bytes]
        if _uri.is_remote(uri):
            with _remote.storage_errors("open", uri):
                raw = _files.RemoteReader(self._remote_fs(uri).open(uri, "rb"), uri)
            binary = io.BufferedReader(raw)
        else:
            try:
                binary = open(_uri.local_path(uri), "rb")  # noqa: SIM115 (returned to the caller)
            except OSError as e:
                raise StorageError(f"cannot open {uri!r}: {_remote.describe(e)}") from e
        if mode == "rb":
            return binary
        return io.TextIOWrapper(binary, encoding=encoding, errors=errors, newline=newline)

    def _open_for_writing(self, uri: str) -> _files.AtomicWriter:
        if not _uri.is_remote(uri):
            path = _uri.local_path(uri)

            def rename(tmp: str) -> None:
                try:
                    os.replace(tmp, path)
                except OSError as e:
                    raise StorageError(f"cannot write {uri!r}: {_remote.describe(e)}") from e

            try:
                return _files.AtomicWriter(uri, rename, temp_beside=path)
            except OSError as e:
                raise StorageError(f"cannot open {uri!r} for writing: {_remote.describe(e)}") from e
        fs = self._remote_fs(uri, for_writing=True)

        def upload(tmp: str) -> None:
            with _remote.storage_errors("write", uri):
                _deadline.call(fs, "put_file", tmp, uri, progress=True)

        return _files.AtomicWriter(uri, upload)

    # --- copies between local and remote ----------------------------------------------------------

    def get_data(self, remote_path: str, local_path: str, is_multipart: bool = False) -> None:
        """Copy ``remote_path`` (a file, or a directory when ``is_multipart``) to the local ``local_path``.

        Files appear whole (each is renamed into place); a directory is merged into ``local_path``.
        """
        target = self._local_side(local_path, "download to")
        if not _uri.is_remote(remote_path):
            src = _uri.local_path(remote_path)
            try:
                _files.copy_local(src, target, tree=is_multipart or os.path.isdir(src))
            except OSError as e:
                raise StorageError(f"cannot download {remote_path!r}: {_remote.describe(e)}") from e
            return
        fs = self._remote_fs(remote_path)
        with _remote.storage_errors(f"download to {local_path!r} from", remote_path):
            if is_multipart:
                self._get_tree(fs, remote_path, target)
            else:
                with _files.staged_file(target) as tmp:
                    _deadline.call(fs, "get_file", remote_path, tmp, progress=True)

    def _get_tree(self, fs: Any, uri: str, target: str) -> None:
        root = _remote.strip_protocol(fs, uri).rstrip("/")
        found = [p for p in _deadline.call(fs, "find", root) if p.startswith(root + "/")]
        if not found:
            raise FileNotFoundError(f"expected a directory with files in it, found no files under {uri!r}")
        with _files.staged_tree(target) as staging:
            lpaths = [os.path.join(staging, *p[len(root) + 1 :].split("/")) for p in found]
            for lpath in lpaths:
                os.makedirs(os.path.dirname(lpath), exist_ok=True)
            _deadline.call(fs, "get", found, lpaths, progress=True)

    def put_data(self, local_path: str, remote_path: str, is_multipart: bool = False) -> str:
        """Copy the local ``local_path`` (a file, or a directory) to ``remote_path``; returns ``remote_path``.

        Each file is published whole (one PUT per object, or a temporary file renamed).
        """
        src = self._local_side(local_path, "upload from")
        is_dir = is_multipart or os.path.isdir(src)
        if is_dir and not os.path.isdir(src):
            raise StorageError(
                f"cannot upload {local_path!r} to {remote_path!r}: expected a directory "
                "(is_multipart=True), got " + ("a file" if os.path.exists(src) else "nothing at that path")
            )
        if not _uri.is_remote(remote_path):
            dst = _uri.local_path(remote_path)
            try:
                _files.copy_local(src, dst, tree=is_dir)
            except OSError as e:
                raise StorageError(
                    f"cannot upload {local_path!r} to {remote_path!r}: {_remote.describe(e)}"
                ) from e
            return remote_path
        fs = self._remote_fs(remote_path, for_writing=True)
        with _remote.storage_errors(f"upload {local_path!r} to", remote_path):
            if is_dir:
                lpaths, rpaths = [], []
                for here, _dirs, files in os.walk(src):
                    rel = os.path.relpath(here, src)
                    parts = [] if rel == os.curdir else rel.split(os.sep)
                    for name in sorted(files):
                        lpaths.append(os.path.join(here, name))
                        rpaths.append(_uri.join(remote_path, *parts, name))
                if lpaths:
                    _deadline.call(fs, "put", lpaths, rpaths, progress=True)
            else:
                if not os.path.isfile(src):
                    raise FileNotFoundError(f"no file at {src!r}")
                _deadline.call(fs, "put_file", src, remote_path, progress=True)
        return remote_path

    def _local_side(self, path: str, action: str) -> str:
        if _uri.is_remote(path):
            raise StorageError(
                f"cannot {action} {path!r}: expected a local path or a file:// URI on this side of the copy; "
                "copy between two remote locations through a local file"
            )
        return _uri.local_path(path)

    def download(self, remote_path: str, local_path: str, **kwargs: bool) -> None:
        """flytekit's name for :meth:`get_data` (``is_multipart`` is its one option)."""
        self.get_data(remote_path, local_path, **kwargs)

    def download_directory(self, remote_path: str, local_path: str, **kwargs: object) -> None:
        """Copy the directory ``remote_path`` to ``local_path`` (``get_data(..., is_multipart=True)``)."""
        self.get_data(remote_path, local_path, is_multipart=True)

    def upload(self, file_path: str, to_path: str, **kwargs: bool) -> str:
        """flytekit's name for :meth:`put_data` (``is_multipart`` is its one option)."""
        return self.put_data(file_path, to_path, **kwargs)

    def upload_directory(self, local_path: str, remote_path: str, **kwargs: object) -> str:
        """Copy the local directory ``local_path`` to ``remote_path`` (``put_data`` with ``is_multipart``)."""
        return self.put_data(local_path, remote_path, is_multipart=True)

    # --- fresh locations --------------------------------------------------------------------------

    def get_random_local_path(self, file_path_or_file_name: str | None = None) -> str:
        """A new path under the sandbox directory, keeping the given file name if any (nothing is made)."""
        tail = os.path.basename(file_path_or_file_name) if file_path_or_file_name else ""
        key = _random_key()
        return (
            os.path.join(self.local_sandbox_dir, key, tail)
            if tail
            else os.path.join(self.local_sandbox_dir, key)
        )

    def get_random_local_directory(self) -> str:
        """A new, empty directory under the sandbox directory."""
        path = self.get_random_local_path()
        os.makedirs(path, exist_ok=True)
        return path

    def get_random_remote_path(self, file_path_or_file_name: str | None = None) -> str:
        """A new location under the raw output prefix, keeping the given file name if any."""
        tail = os.path.basename(file_path_or_file_name) if file_path_or_file_name else ""
        if tail:
            return _uri.join(self.raw_output_prefix, _random_key(), tail)
        return _uri.join(self.raw_output_prefix, _random_key())

    def get_random_remote_directory(self) -> str:
        """A new location under the raw output prefix for a directory (nothing is made)."""
        return _uri.join(self.raw_output_prefix, _random_key())


class FileAccessProvider(FileAccess):
    """flytekit's name for :class:`FileAccess`, with flytekit's argument order.

    Args:
        local_sandbox_dir: a local scratch directory; None gives a fresh one on first use.
        raw_output_prefix: where offloaded output data goes; None gives a local directory.
        data_config: flytekit's storage configuration object; not supported (configure storage with
            the ``FLYTE_AWS_*`` / ``AWS_*`` environment variables), so it must be None.
        execution_metadata: flytekit's object metadata for uploads; not supported, must be None.

    Raises:
        TypeError: ``data_config`` or ``execution_metadata`` was given.
    """

    def __init__(
        self,
        local_sandbox_dir: str | os.PathLike[str] | None = None,
        raw_output_prefix: str | None = None,
        data_config: object = None,
        execution_metadata: object = None,
    ) -> None:
        unsupported = [
            name
            for name, value in (("data_config", data_config), ("execution_metadata", execution_metadata))
            if value is not None
        ]
        if unsupported:
            raise TypeError(
                f"FileAccessProvider() does not support {', '.join(unsupported)}; configure storage with "
                "environment variables (FLYTE_AWS_ENDPOINT, FLYTE_AWS_ACCESS_KEY_ID, AWS_* …) instead"
            )
        sandbox = None if local_sandbox_dir is None else os.fspath(local_sandbox_dir)
        super().__init__(raw_output_prefix=raw_output_prefix, local_sandbox_dir=sandbox)


_SCRATCH: list[tuple[int, str]] = []


def _scratch_directory() -> str:
    """A fresh temporary directory that is removed when the process exits.

    Values a local call returns (a file, a table) live under it, so it must outlast the call; it
    must not outlast the process, or every run would leave data behind in the temp directory.
    """
    path = tempfile.mkdtemp(prefix="flyweight-")
    if not _SCRATCH:
        atexit.register(_remove_scratch)
    _SCRATCH.append((os.getpid(), path))
    return path


def _remove_scratch() -> None:
    me = os.getpid()
    for pid, path in _SCRATCH:
        if pid == me:  # a forked child never removes its parent's directories
            shutil.rmtree(path, ignore_errors=True)
