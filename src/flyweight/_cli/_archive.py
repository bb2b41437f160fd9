"""A reproducible ``.tgz``: the same files give the same archive bytes on every run and machine.

``pyflyte package`` tars its files in directory-listing order with the current time, the user's ids and
names, and a gzip header carrying the time and the output's name, so two runs never match. Here members
are regular files sorted by name, with mtime 0, uid/gid 0, empty user and group names and mode 0o644; the
gzip header has mtime 0 and no file name. A CI can then compare archives to see whether anything changed.
"""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import tempfile
from pathlib import Path

__all__ = ["archive_bytes", "write_atomically"]


def archive_bytes(files: list[tuple[str, bytes]]) -> bytes:
    """The gzip-compressed tar (PAX format, as Python writes by default) of ``(name, data)`` pairs."""
    raw = io.BytesIO()
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name, data in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    return raw.getvalue()


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same directory and a rename, so nobody
    sees half an archive."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
