"""File access: the one place that reads and writes task files (templates, inputs, outputs, data).

It understands local paths and ``file://`` URIs; other protocols are refused with a clear error until
an fsspec backend is added. Writes are atomic: data goes to a temporary file beside the target and is
renamed over it, so a reader never sees half a file. Failures become ``StorageError`` (SYSTEM: the
environment failed, not the user's code).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid

from flyweight.errors import StorageError

__all__ = ["FileAccess", "FileAccessProvider", "local_path"]


def local_path(uri: str) -> str:
    """The local filesystem path for ``uri`` (a plain path or ``file://``); other protocols raise."""
    if uri.startswith("file://"):
        return uri[len("file://") :]
    scheme, sep, _ = uri.partition("://")
    if sep and scheme.isidentifier():
        raise StorageError(
            f"cannot access {uri!r}: the {scheme}:// protocol is not supported by this installation "
            "(local paths and file:// are)"
        )
    return uri


class FileAccess:
    """Reads and writes task files for one execution.

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
        if self._sandbox is None:
            self._sandbox = tempfile.mkdtemp(prefix="flyweight-")
        return self._sandbox

    @property
    def raw_output_prefix(self) -> str:
        if self._raw_output_prefix is None:
            self._raw_output_prefix = os.path.join(self.local_sandbox_dir, "raw")
        return self._raw_output_prefix

    def read_bytes(self, uri: str) -> bytes:
        """The whole content of ``uri``."""
        path = local_path(uri)
        try:
            with open(path, "rb") as f:
                return f.read()
        except OSError as e:
            raise StorageError(f"cannot read {uri!r}: {e.strerror or e}") from e

    def write_bytes(self, uri: str, data: bytes) -> None:
        """Write ``data`` to ``uri`` atomically (temporary file, then rename), creating directories."""
        path = local_path(uri)
        parent = os.path.dirname(os.path.abspath(path))
        tmp = os.path.join(parent, f".{os.path.basename(path)}.{uuid.uuid4().hex}.tmp")
        try:
            os.makedirs(parent, exist_ok=True)
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError as e:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise StorageError(f"cannot write {uri!r}: {e.strerror or e}") from e

    def exists(self, uri: str) -> bool:
        return os.path.exists(local_path(uri))

    def get_data(self, remote_path: str, local_path_: str, is_multipart: bool = False) -> None:
        """Copy ``remote_path`` (a file, or a directory when ``is_multipart``) to ``local_path_``."""
        src = local_path(remote_path)
        try:
            if is_multipart or os.path.isdir(src):
                shutil.copytree(src, local_path_, dirs_exist_ok=True)
            else:
                os.makedirs(os.path.dirname(os.path.abspath(local_path_)), exist_ok=True)
                shutil.copyfile(src, local_path_)
        except OSError as e:
            raise StorageError(f"cannot download {remote_path!r}: {e.strerror or e}") from e

    def put_data(self, local_path_: str, remote_path: str, is_multipart: bool = False) -> str:
        """Copy ``local_path_`` (a file or directory) to ``remote_path``; returns ``remote_path``."""
        dst = local_path(remote_path)
        try:
            if is_multipart or os.path.isdir(local_path_):
                shutil.copytree(local_path_, dst, dirs_exist_ok=True)
            else:
                with open(local_path_, "rb") as f:
                    self.write_bytes(remote_path, f.read())
        except OSError as e:
            raise StorageError(f"cannot upload to {remote_path!r}: {e.strerror or e}") from e
        return remote_path

    def get_random_local_path(self, file_path_or_file_name: str | None = None) -> str:
        """A new path under the sandbox directory, keeping the given file name if any."""
        key = uuid.uuid4().hex
        tail = os.path.basename(file_path_or_file_name) if file_path_or_file_name else ""
        return (
            os.path.join(self.local_sandbox_dir, key, tail)
            if tail
            else os.path.join(self.local_sandbox_dir, key)
        )

    def get_random_remote_path(self, file_path_or_file_name: str | None = None) -> str:
        """A new location under the raw output prefix, keeping the given file name if any."""
        key = uuid.uuid4().hex
        tail = os.path.basename(file_path_or_file_name) if file_path_or_file_name else ""
        base = self.raw_output_prefix.rstrip("/")
        return f"{base}/{key}/{tail}" if tail else f"{base}/{key}"


FileAccessProvider = FileAccess
"""flytekit's name for :class:`FileAccess`."""
