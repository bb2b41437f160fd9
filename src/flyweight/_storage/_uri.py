"""Locations as strings: which protocol a location uses, its local path, and joining its parts.

Kept apart from the file access itself because these are pure string rules that must agree
everywhere (a prefix joined here is read back there) and need no I/O and no optional dependency.
"""

from __future__ import annotations

import os
import re

from flyweight.errors import StorageError

__all__ = ["READ_ONLY_PROTOCOLS", "is_remote", "join", "local_path", "protocol_of"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*)(?:://|::)")

READ_ONLY_PROTOCOLS = frozenset({"http", "https"})
"""Protocols that can be read but never written."""


def protocol_of(uri: str) -> str:
    """The protocol of ``uri``: ``"file"`` for plain paths and ``file://``, else the scheme in lower case.

    Example:
        >>> protocol_of("s3://bucket/key"), protocol_of("/tmp/x"), protocol_of("file:///tmp/x")
        ('s3', 'file', 'file')
    """
    match = _SCHEME.match(uri)
    # A one-letter scheme is a Windows drive ("C://..."), not a protocol.
    if match is None or len(match.group(1)) == 1:
        return "file"
    return match.group(1).lower()


def is_remote(uri: str) -> bool:
    """Whether ``uri`` names something other than a local file (``s3://``, ``gs://``, ``http://``…).

    Example:
        >>> is_remote("s3://bucket/key"), is_remote("file:///tmp/x"), is_remote("relative/path")
        (True, False, False)
    """
    return protocol_of(uri) != "file"


def local_path(uri: str) -> str:
    """The local filesystem path for ``uri`` (a plain path or ``file://``).

    Raises:
        StorageError: ``uri`` names a remote location.

    Example:
        >>> local_path("file:///tmp/a.txt")
        '/tmp/a.txt'
    """
    if uri.startswith("file://"):
        return uri[len("file://") :]
    if is_remote(uri):
        raise StorageError(
            f"expected a local path or a file:// URI, got {uri!r} ({protocol_of(uri)}://); "
            "download it first (FileAccess.get_data) or use FileAccess.open"
        )
    return uri


def join(*parts: str) -> str:
    """``parts`` joined into one location, with the separator of the first part's protocol.

    Separators between the parts are collapsed to one; a trailing separator on the last part is kept
    (it marks a directory). Remote and ``file://`` locations always use ``/``.

    Raises:
        ValueError: no parts were given.

    Example:
        >>> join("s3://bucket/raw/", "/abc", "data.parquet")
        's3://bucket/raw/abc/data.parquet'
        >>> join("s3://", "bucket", "key")
        's3://bucket/key'
    """
    if not parts:
        raise ValueError("join() needs at least one part, got none")
    base, *tails = parts
    sep = os.sep if protocol_of(base) == "file" and not base.startswith("file://") else "/"
    seps = sep + "/" if sep != "/" else sep
    if not tails:
        return base
    pieces = [base if base.endswith("://") else base.rstrip(seps) or base[:1]]
    for i, tail in enumerate(tails):
        last = i == len(tails) - 1
        piece = tail.strip(seps) if not last else tail.lstrip(seps)
        if piece:
            pieces.append(piece)
    head = pieces[0]
    if len(pieces) == 1:
        return head
    rest = sep.join(pieces[1:])
    if not head or head.endswith(("://", sep)):
        return head + rest
    return head + sep + rest
