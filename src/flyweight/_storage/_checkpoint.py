"""A task's checkpoint (``current_context().checkpoint``): flytekit's ``Checkpoint`` / ``SyncCheckpoint``.

A task that may be retried saves its progress here and, on the next attempt, reads back what the previous
attempt saved. In a container Flyte passes both locations (``--checkpoint-path`` and
``--prev-checkpoint``); in a local run the engine passes the directories of the attempt and of the one
before it. Any location :class:`~flyweight._storage.FileAccess` reads and writes works (a local path,
``file://``, ``s3://``…).

This module is imported only when task code first touches ``current_context().checkpoint``: a task
attempt that never checkpoints does not pay for it.
"""

from __future__ import annotations

import abc
import io
import os
from pathlib import Path
from typing import IO, Any

from flyweight._storage import _uri
from flyweight._storage._access import FileAccess
from flyweight.errors import CheckpointError

__all__ = ["Checkpoint", "SyncCheckpoint"]


class Checkpoint(abc.ABC):
    """What a checkpoint offers task code (flytekit's ``flytekit.Checkpoint``)."""

    @abc.abstractmethod
    def prev_exists(self) -> bool:
        """Whether a previous attempt's checkpoint was given."""

    @abc.abstractmethod
    def restore(self, path: Path | str | None = None) -> Path | None:
        """Download the previous checkpoint into the directory ``path`` (a fresh one when None) and return
        it; None when there is no previous checkpoint. A second call returns the first one's directory."""

    @abc.abstractmethod
    def save(self, cp: Path | str | IO[bytes]) -> None:
        """Save a file or a directory (a path), or a binary reader's content, as this attempt's checkpoint."""

    @abc.abstractmethod
    def read(self) -> bytes | None:
        """The previous checkpoint when it is a single file; None when there is none."""

    @abc.abstractmethod
    def write(self, b: bytes) -> None:
        """Save ``b`` as this attempt's checkpoint (replacing what an earlier ``write`` saved)."""


class SyncCheckpoint(Checkpoint):
    """A checkpoint read and written synchronously through :class:`~flyweight._storage.FileAccess`.

    Args:
        checkpoint_dest: where this attempt's checkpoint goes (a directory location).
        checkpoint_src: where the previous attempt's is; None or empty when there is none.
        file_access: the storage to use (the task's; None: a new one, local scratch made on first use).

    Not thread-safe, as flytekit's. ``read`` and ``restore`` see the *previous* attempt's checkpoint, never
    what this attempt wrote.
    """

    SRC_LOCAL_FOLDER = "prev_cp"
    TMP_DST_PATH = "_dst_cp"

    def __init__(
        self,
        checkpoint_dest: str,
        checkpoint_src: str | None = None,
        *,
        file_access: FileAccess | None = None,
    ) -> None:
        for name, value in (("checkpoint_dest", checkpoint_dest), ("checkpoint_src", checkpoint_src)):
            if value is not None and not isinstance(value, (str, os.PathLike)):
                raise CheckpointError(
                    f"SyncCheckpoint: {name} must be a path or URI (str), "
                    f"got {type(value).__name__} {value!r}"
                )
        if not checkpoint_dest:
            raise CheckpointError("SyncCheckpoint: checkpoint_dest is empty; give the location to write to")
        self._checkpoint_dest = os.fspath(checkpoint_dest)
        self._checkpoint_src = os.fspath(checkpoint_src) if checkpoint_src else None
        self._file_access = file_access
        self._prev_download_path: Path | None = None

    def __repr__(self) -> str:
        return f"SyncCheckpoint(dest={self._checkpoint_dest!r}, src={self._checkpoint_src!r})"

    def _fa(self) -> FileAccess:
        if self._file_access is None:
            self._file_access = FileAccess()
        return self._file_access

    def prev_exists(self) -> bool:
        return self._checkpoint_src is not None

    def restore(self, path: Path | str | None = None) -> Path | None:
        src = self._checkpoint_src
        if src is None:
            return None
        if self._prev_download_path is not None:
            return self._prev_download_path
        fa = self._fa()
        if path is None:
            target = Path(fa.get_random_local_directory()) / self.SRC_LOCAL_FOLDER
            target.mkdir(exist_ok=True)
        elif isinstance(path, (str, os.PathLike)):
            target = Path(path)
        else:
            raise CheckpointError(
                f"checkpoint.restore: path must be a directory path, got {type(path).__name__} {path!r}"
            )
        if not target.is_dir():
            raise CheckpointError(
                f"checkpoint.restore: checkpoints can be restored to a directory only; {str(target)!r} "
                + ("is not a directory" if target.exists() else "does not exist")
            )
        if not fa.exists(src):
            raise CheckpointError(
                f"the previous checkpoint {src!r} (--prev-checkpoint) does not exist: Flyte names the "
                "previous attempt's checkpoint only when it wrote one; check the location"
            )
        if fa.is_remote(src) or os.path.isdir(_uri.local_path(src)):
            fa.download_directory(src, str(target))
        else:  # a single file given as the checkpoint: restored under its own name
            fa.download(src, str(target / os.path.basename(_uri.local_path(src))))
        self._prev_download_path = target
        return target

    def save(self, cp: Path | str | IO[bytes]) -> None:
        fa = self._fa()
        if isinstance(cp, (str, os.PathLike)):
            local = Path(cp)
            if local.is_dir():
                fa.upload_directory(str(local), self._checkpoint_dest)
            elif local.is_file():
                fa.upload(str(local), _uri.join(self._checkpoint_dest, local.name))
            else:
                raise CheckpointError(
                    f"checkpoint.save: nothing to save at {str(local)!r} (no file or directory)"
                )
            return
        if not isinstance(cp, io.IOBase) or not callable(getattr(cp, "read", None)):
            raise CheckpointError(
                "checkpoint.save: expected a path (str or pathlib.Path) or a binary reader (open(..., 'rb'), "
                f"io.BytesIO), got {type(cp).__name__}"
            )
        data: Any = cp.read()
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise CheckpointError(
                f"checkpoint.save: the reader gave {type(data).__name__}, not bytes; open the file in binary "
                "mode ('rb')"
            )
        self._write(bytes(data))

    def read(self) -> bytes | None:
        p = self.restore()
        if p is None:
            return None
        entries = sorted(p.iterdir())
        if not entries:
            return None
        if len(entries) > 1:
            raise CheckpointError(
                f"Expected exactly one checkpoint - found {len(entries)} in the previous checkpoint "
                f"{self._checkpoint_src!r} ({', '.join(e.name for e in entries[:5])}); use restore() for "
                "a checkpoint of several files"
            )
        if not entries[0].is_file():
            raise CheckpointError(
                f"the previous checkpoint {self._checkpoint_src!r} holds a directory ({entries[0].name}), "
                "not a file; use restore() to get it"
            )
        return entries[0].read_bytes()

    def write(self, b: bytes) -> None:
        if not isinstance(b, (bytes, bytearray, memoryview)):
            raise CheckpointError(
                f"checkpoint.write: expected bytes, got {type(b).__name__}; encode text first "
                "(write(text.encode()))"
            )
        self._write(bytes(b))

    def _write(self, data: bytes) -> None:
        self._fa().write_bytes(_uri.join(self._checkpoint_dest, self.TMP_DST_PATH), data)
