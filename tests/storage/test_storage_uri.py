"""Location strings: protocols, local paths and protocol-aware joining (no I/O)."""

from __future__ import annotations

import os

import pytest

from flyweight._storage import FileAccess, is_remote, join, local_path, protocol_of
from flyweight.errors import StorageError


@pytest.mark.parametrize(
    ("uri", "protocol"),
    [
        ("/tmp/a", "file"),
        ("relative/a", "file"),
        ("file:///tmp/a", "file"),
        ("s3://bucket/key", "s3"),
        ("S3://bucket/key", "s3"),
        ("gs://b/k", "gs"),
        ("abfs://container/k", "abfs"),
        ("memory://x", "memory"),
        ("https://example.com/a.csv", "https"),
        ("simplecache::s3://b/k", "simplecache"),
        ("C://windows/path", "file"),
        ("a:b", "file"),
    ],
)
def test_protocol_of(uri: str, protocol: str) -> None:
    assert protocol_of(uri) == protocol
    assert is_remote(uri) is (protocol != "file")
    assert FileAccess.is_remote(uri) is (protocol != "file")


def test_local_path_strips_file_scheme_and_keeps_plain_paths() -> None:
    assert local_path("file:///tmp/x.txt") == "/tmp/x.txt"
    assert local_path("rel/x.txt") == "rel/x.txt"


def test_local_path_of_a_remote_uri_says_what_to_do() -> None:
    with pytest.raises(
        StorageError, match=r"expected a local path or a file:// URI, got 's3://b/k'.*get_data"
    ):
        local_path("s3://b/k")


@pytest.mark.parametrize(
    ("parts", "joined"),
    [
        (("s3://bucket/raw", "abc", "f.txt"), "s3://bucket/raw/abc/f.txt"),
        (("s3://bucket/raw/", "/abc/", "f.txt"), "s3://bucket/raw/abc/f.txt"),
        (("s3://", "bucket", "key"), "s3://bucket/key"),
        (("s3://bucket", "dir/"), "s3://bucket/dir/"),
        (("s3://bucket", "", "k"), "s3://bucket/k"),
        (("gs://b/p", "q"), "gs://b/p/q"),
        (("file:///tmp/x", "y"), "file:///tmp/x/y"),
        (("s3://bucket/raw",), "s3://bucket/raw"),
    ],
)
def test_join_remote(parts: tuple[str, ...], joined: str) -> None:
    assert join(*parts) == joined
    assert FileAccess().join(*parts) == joined


def test_join_local_uses_the_os_separator() -> None:
    assert join("/tmp/raw/", "abc", "f.txt") == os.path.join("/tmp/raw", "abc", "f.txt")
    assert join("/", "tmp") == f"{os.sep}tmp"
    assert join("", "a") == "a"
    assert join("rel", "/a") == os.path.join("rel", "a")


def test_join_needs_a_part() -> None:
    with pytest.raises(ValueError, match="at least one part"):
        join()
