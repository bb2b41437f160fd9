"""The local cache: results of ``cache=True`` tasks kept on disk, so a local run can reuse them.

It is pure data. The engine asks :meth:`LocalCache.get` before running a cached task and calls
:meth:`LocalCache.put` with its outputs afterwards; the cache never runs anything itself. An entry is
keyed by the task's name, its ``cache_version`` and a digest of its inputs without the
``cache_ignore_input_vars`` (see :mod:`flyweight.runtime._cache_key` for the exact recipe); its value
is the outputs ``LiteralMap`` serialized deterministically, with the time it was written.

Storage is one SQLite database, ``<directory>/local-cache.sqlite3``. The directory is
``$FLYWEIGHT_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/flyweight``, else ``~/.cache/flyweight``.
Several processes may share it: the database runs in WAL mode (readers never wait for a writer),
every operation waits up to ``timeout`` seconds for another process's lock instead of failing (SQLite's
busy timeout, plus a short backoff and retry for the few races SQLite answers at once with "locked",
such as two processes creating the database together; every operation is idempotent), and each write
is one ``INSERT OR REPLACE`` inside a ``BEGIN IMMEDIATE`` transaction, so the last writer of a key
wins and no reader ever sees half an entry. A connection lives for one operation, so a cache object
may be shared by threads and survives ``fork``. WAL needs a local file system (not NFS).

A cache is disposable, so a damaged database is rebuilt rather than allowed to break a run: when
SQLite says the file is not a database or is malformed, the file is moved aside to
``local-cache.sqlite3.corrupt``, a ``RuntimeWarning`` says so, and a fresh database takes its place.
A stored value that no longer parses is a miss. What cannot be repaired by rebuilding (a directory
that cannot be created or written, a lock held past the timeout) raises
:class:`~flyweight.errors.StorageError` (SYSTEM), naming the file and the fix; no raw ``sqlite3``
exception escapes.

``$FLYWEIGHT_CACHE_MODE`` picks the mode of :func:`default_cache`: ``use`` (the default: read and
write), ``bypass`` (neither read nor write) or ``overwrite`` (never read, so the task runs, and replace
the stored result with the new one). When it is unset, flytekit's ``$FLYTE_LOCAL_CACHE_ENABLED=false``
means ``bypass`` and ``$FLYTE_LOCAL_CACHE_OVERWRITE=true`` means ``overwrite``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import enum
import os
import random
import sqlite3
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from flyweight import _idl
from flyweight.errors import StorageError, TaskDefinitionError
from flyweight.runtime._cache_key import inputs_digest

__all__ = [
    "CACHE_DIR_ENV_VAR",
    "CACHE_MODE_ENV_VAR",
    "DATABASE_NAME",
    "CacheEntry",
    "CacheMode",
    "LocalCache",
    "default_cache",
    "default_cache_dir",
]

_T = TypeVar("_T")

CACHE_DIR_ENV_VAR = "FLYWEIGHT_CACHE_DIR"
CACHE_MODE_ENV_VAR = "FLYWEIGHT_CACHE_MODE"
DATABASE_NAME = "local-cache.sqlite3"
_SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    task_name TEXT NOT NULL,
    cache_version TEXT NOT NULL,
    inputs_digest TEXT NOT NULL,
    outputs BLOB NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (task_name, cache_version, inputs_digest)
) WITHOUT ROWID
"""


class CacheMode(str, enum.Enum):
    """What the cache does for a run: ``use`` it, ``bypass`` it, or ``overwrite`` its entries."""

    USE = "use"
    BYPASS = "bypass"
    OVERWRITE = "overwrite"

    @property
    def reads(self) -> bool:
        """Whether :meth:`LocalCache.get` looks entries up (only in ``use`` mode)."""
        return self is CacheMode.USE

    @property
    def writes(self) -> bool:
        """Whether :meth:`LocalCache.put` stores entries (``use`` and ``overwrite``)."""
        return self is not CacheMode.BYPASS


@dataclasses.dataclass(frozen=True)
class CacheEntry:
    """One stored result, as :meth:`LocalCache.entries` lists it (without the outputs themselves)."""

    task_name: str
    cache_version: str
    inputs_digest: str
    created_at: datetime.datetime
    size: int


def default_cache_dir() -> Path:
    """``$FLYWEIGHT_CACHE_DIR``, else ``$XDG_CACHE_HOME/flyweight``, else ``~/.cache/flyweight``."""
    configured = os.environ.get(CACHE_DIR_ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "flyweight"


def _flag(raw: str | None, *, default: bool) -> bool:
    """A boolean read as flytekit reads its configuration: false, 0, off and no are false."""
    if raw is None or not raw.strip():
        return default
    return raw.strip().lower() not in ("false", "0", "off", "no")


def _mode_from_env() -> CacheMode:
    raw = os.environ.get(CACHE_MODE_ENV_VAR, "").strip().lower()
    if not raw:  # flytekit's switches ([local] cache_enabled / cache_overwrite), for ported setups
        if not _flag(os.environ.get("FLYTE_LOCAL_CACHE_ENABLED"), default=True):
            return CacheMode.BYPASS
        if _flag(os.environ.get("FLYTE_LOCAL_CACHE_OVERWRITE"), default=False):
            return CacheMode.OVERWRITE
        return CacheMode.USE
    try:
        return CacheMode(raw)
    except ValueError:
        choices = ", ".join(m.value for m in CacheMode)
        raise TaskDefinitionError(
            f"{CACHE_MODE_ENV_VAR}={raw!r}: expected one of {choices}; fix or unset it"
        ) from None


def default_cache() -> LocalCache:
    """The cache configured by the environment: its directory from :func:`default_cache_dir`, its mode
    from ``$FLYWEIGHT_CACHE_MODE`` (else flytekit's ``$FLYTE_LOCAL_CACHE_ENABLED`` and
    ``$FLYTE_LOCAL_CACHE_OVERWRITE``; ``use`` when none is set).

    Raises:
        TaskDefinitionError: ``$FLYWEIGHT_CACHE_MODE`` names no mode.
    """
    return LocalCache(default_cache_dir(), mode=_mode_from_env())


def _is_contention(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite's error means another connection holds a lock (so waiting helps)."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """Whether SQLite's error means the file itself is damaged (so rebuilding it helps)."""
    if isinstance(exc, sqlite3.OperationalError):
        return False  # locks, I/O, permissions: rebuilding would not help
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text or "corrupt" in text


class LocalCache:
    """Results of cached tasks in a SQLite database under ``directory``, safe to share between processes.

    Args:
        directory: where the database lives (created on first use); default :func:`default_cache_dir`.
        mode: ``use`` (read and write), ``bypass`` (neither) or ``overwrite`` (write only).
        timeout: seconds to wait for another process's lock before giving up with a ``StorageError``.

    Example:
        >>> import tempfile
        >>> from flyweight import _idl
        >>> cache = LocalCache(tempfile.mkdtemp())
        >>> one = _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(integer=1)))
        >>> inputs = _idl.LiteralMap(literals={"x": one})
        >>> cache.get("wf.double", "1", inputs) is None
        True
        >>> cache.put("wf.double", "1", inputs, _idl.LiteralMap(literals={"o0": one}))
        >>> cache.get("wf.double", "1", inputs).literals["o0"].scalar.primitive.integer
        1
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        *,
        mode: CacheMode | str = CacheMode.USE,
        timeout: float = 30.0,
    ) -> None:
        self._directory = Path(directory) if directory is not None else default_cache_dir()
        self._mode = CacheMode(mode)
        self._timeout = float(timeout)
        self._ready = False

    def __repr__(self) -> str:
        return f"LocalCache({str(self._directory)!r}, mode={self._mode.value!r})"

    @property
    def directory(self) -> Path:
        """The directory holding the database."""
        return self._directory

    @property
    def path(self) -> Path:
        """The database file."""
        return self._directory / DATABASE_NAME

    @property
    def mode(self) -> CacheMode:
        """What :meth:`get` and :meth:`put` do: see :class:`CacheMode`."""
        return self._mode

    def with_mode(self, mode: CacheMode | str) -> LocalCache:
        """The same database under another mode (e.g. ``bypass`` for one run)."""
        return LocalCache(self._directory, mode=mode, timeout=self._timeout)

    # -- the engine's two calls -------------------------------------------------------------------

    def get(
        self, task_name: str, version: str, inputs: _idl.LiteralMap, ignore: Iterable[str] = ()
    ) -> _idl.LiteralMap | None:
        """The stored outputs of ``task_name`` at ``version`` for ``inputs`` (minus ``ignore``), or ``None``.

        Always ``None`` in ``bypass`` and ``overwrite`` mode.
        """
        if not self._mode.reads:
            return None
        digest = inputs_digest(inputs, ignore)
        row = self._run(
            lambda db: db.execute(
                "SELECT outputs FROM entries WHERE task_name = ? AND cache_version = ? AND inputs_digest = ?",
                (task_name, version, digest),
            ).fetchone()
        )
        if row is None:
            return None
        outputs = _idl.LiteralMap()
        try:
            outputs.ParseFromString(bytes(row[0]))
        except Exception:  # a damaged value: a miss; the next put replaces it
            return None
        return outputs

    def put(
        self,
        task_name: str,
        version: str,
        inputs: _idl.LiteralMap,
        outputs: _idl.LiteralMap,
        ignore: Iterable[str] = (),
    ) -> None:
        """Store ``outputs`` as the result of ``task_name`` at ``version`` for ``inputs`` (minus ``ignore``).

        Replaces an earlier entry of the same key. Does nothing in ``bypass`` mode.
        """
        if not self._mode.writes:
            return
        digest = inputs_digest(inputs, ignore)
        value = outputs.SerializeToString(deterministic=True)
        row = (task_name, version, digest, value, time.time())

        def write(db: sqlite3.Connection) -> None:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT OR REPLACE INTO entries "
                "(task_name, cache_version, inputs_digest, outputs, created_at) "
                "VALUES (?, ?, ?, ?, ?)",
                row,
            )
            db.execute("COMMIT")  # closing the connection without it rolls back

        self._run(write)

    # -- housekeeping -----------------------------------------------------------------------------

    def entries(self, task_name: str | None = None) -> list[CacheEntry]:
        """The stored entries (all, or one task's), oldest first."""
        query = "SELECT task_name, cache_version, inputs_digest, created_at, length(outputs) FROM entries"
        params: tuple[str, ...] = ()
        if task_name is not None:
            query += " WHERE task_name = ?"
            params = (task_name,)
        rows = self._run(lambda db: db.execute(query + " ORDER BY created_at, task_name", params).fetchall())
        return [
            CacheEntry(
                task_name=name,
                cache_version=version,
                inputs_digest=digest,
                created_at=datetime.datetime.fromtimestamp(created, tz=datetime.timezone.utc),
                size=size,
            )
            for name, version, digest, created, size in rows
        ]

    def clear(self, task_name: str | None = None) -> int:
        """Delete every entry (or one task's); returns how many were deleted. Works in every mode."""

        def delete(db: sqlite3.Connection) -> int:
            db.execute("BEGIN IMMEDIATE")
            if task_name is None:
                cursor = db.execute("DELETE FROM entries")
            else:
                cursor = db.execute("DELETE FROM entries WHERE task_name = ?", (task_name,))
            db.execute("COMMIT")
            return int(cursor.rowcount)

        return self._run(delete)

    # -- connections ------------------------------------------------------------------------------

    def _run(self, operation: Callable[[sqlite3.Connection], _T]) -> _T:
        """Run ``operation`` on a fresh connection (one per call: safe across threads and after
        ``fork``), translating SQLite's errors; a damaged database is rebuilt once and the operation
        retried on the new one."""
        rebuilt = False
        deadline = time.monotonic() + self._timeout
        pause = 0.001
        while True:
            try:
                db = self._open()
                try:
                    return operation(db)
                finally:
                    db.close()
            except sqlite3.DatabaseError as exc:
                if not rebuilt and _is_corruption(exc):
                    rebuilt = True
                    self._rebuild(exc)
                    continue
                if _is_contention(exc) and time.monotonic() < deadline:
                    # SQLite answers some races (switching to WAL, recovering a WAL another
                    # connection left) with "locked" at once instead of calling the busy handler;
                    # every operation here is idempotent, so wait a little and run it again.
                    time.sleep(pause * (1 + random.random()))
                    pause = min(pause * 2, 0.05)
                    continue
                raise self._storage_error(exc) from exc

    def _open(self) -> sqlite3.Connection:
        try:
            self._directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"local cache: cannot create the directory {str(self._directory)!r}: {exc}; "
                f"set {CACHE_DIR_ENV_VAR} to a writable directory"
            ) from exc
        db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
            if not self._ready:
                self._initialize(db)
                self._ready = True
            else:
                db.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            db.close()
            raise
        return db

    def _initialize(self, db: sqlite3.Connection) -> None:
        """Switch to WAL and create the table (both idempotent; concurrent first uses are fine)."""
        (journal,) = db.execute("PRAGMA journal_mode").fetchone()
        if str(journal).lower() != "wal":
            db.execute("PRAGMA journal_mode = WAL").fetchone()
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute(_SCHEMA)
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version == 0:
            db.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    def _intact(self) -> bool:
        """Whether the database file opens and passes SQLite's ``quick_check``."""
        try:
            probe = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
            try:
                return [tuple(r) for r in probe.execute("PRAGMA quick_check").fetchall()] == [("ok",)]
            finally:
                probe.close()
        except sqlite3.DatabaseError:
            return False

    def _rebuild(self, cause: sqlite3.DatabaseError) -> None:
        """Move a damaged database aside (unless another process already replaced it)."""
        self._ready = False
        if self._intact():
            return  # another process has already replaced it
        aside = self.path.with_name(DATABASE_NAME + ".corrupt")
        try:
            try:
                os.replace(self.path, aside)
            except FileNotFoundError:
                return  # another thread or process moved it aside first
            for suffix in ("-wal", "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.remove(str(self.path) + suffix)
        except OSError as exc:
            raise StorageError(
                f"local cache: the database {str(self.path)!r} is damaged ({cause}) and cannot be "
                f"moved aside ({exc}); delete it by hand"
            ) from exc
        warnings.warn(
            f"local cache: the database {str(self.path)!r} was damaged ({cause}); it was moved to "
            f"{str(aside)!r} and a new, empty cache was started",
            RuntimeWarning,
            stacklevel=4,
        )

    def _storage_error(self, exc: sqlite3.DatabaseError) -> StorageError:
        return StorageError(
            f"local cache: SQLite failed on {str(self.path)!r}: {exc}; check that the directory is "
            f"writable and on a local disk, or point {CACHE_DIR_ENV_VAR} elsewhere "
            f"(or set {CACHE_MODE_ENV_VAR}=bypass to run without the cache)"
        )
