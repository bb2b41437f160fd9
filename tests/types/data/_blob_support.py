"""Helpers for the file, directory and pickle tests: an isolated execution context whose storage
counts downloads and uploads, so a test can tell when data moved."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from flyweight._context import ExecutionParameters, ExecutionState, FlyteContext, FlyteContextManager
from flyweight._storage import FileAccess


class CountingFileAccess(FileAccess):
    """A ``FileAccess`` that records every ``get_data`` and ``put_data`` call."""

    def __init__(self, raw_output_prefix: str | None = None, local_sandbox_dir: str | None = None) -> None:
        super().__init__(raw_output_prefix, local_sandbox_dir)
        self.downloads: list[tuple[str, str]] = []
        self.uploads: list[tuple[str, str]] = []

    def get_data(self, remote_path: str, local_path: str, is_multipart: bool = False) -> None:
        self.downloads.append((remote_path, local_path))
        super().get_data(remote_path, local_path, is_multipart)

    def put_data(self, local_path: str, remote_path: str, is_multipart: bool = False) -> str:
        self.uploads.append((local_path, remote_path))
        return super().put_data(local_path, remote_path, is_multipart)


@contextlib.contextmanager
def storage(root: Path, raw_output_prefix: str | None = None) -> Iterator[CountingFileAccess]:
    """Run the block in a context whose raw output prefix is ``root/raw`` (or the one given) and
    whose sandbox is ``root/sandbox``; yields its (counting) file access."""
    fa = CountingFileAccess(
        raw_output_prefix=raw_output_prefix or str(root / "raw"), local_sandbox_dir=str(root / "sandbox")
    )
    os.makedirs(root / "sandbox", exist_ok=True)
    ctx = FlyteContext(fa, ExecutionState(None, ExecutionParameters(file_access=fa)))
    with FlyteContextManager.with_context(ctx):
        yield fa


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    return path


def tree(root: Path) -> dict[str, str]:
    """``{relative path: content}`` of every file below ``root``."""
    return {
        str(p.relative_to(root)).replace(os.sep, "/"): p.read_bytes().decode()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
