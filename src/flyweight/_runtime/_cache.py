"""The local cache: results of ``cache=True`` tasks kept on disk, so a local run can reuse them.

It is pure data. The engine asks :meth:`LocalCache.get` before running a cached task and calls
:meth:`LocalCache.put` with its outputs afterwards; the cache never runs anything itself. An entry is
keyed by the task's name, its ``cache_version`` and a digest of its inputs without the
``cache_ignore_input_vars`` (see :mod:`flyweight._runtime._cache_key` for the exact recipe); its value
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

A cache is disposable: it may make a run faster, never make it fail. So:

- A damaged database is rebuilt: when SQLite says the file is not a database or is malformed, the file
  is moved aside to ``local-cache.sqlite3.corrupt``, a ``RuntimeWarning`` says so, and a fresh database
  takes its place.
- A stored value that no longer parses, or that does not fit the task's outputs (other names, a literal
  of another type: see :func:`~flyweight._runtime._cache_key.outputs_fit`), is a miss; the task runs and
  its result replaces the entry.
- A cache that cannot be used where it is degrades, with one ``RuntimeWarning`` per cache object naming
  the path and the fix, and the run goes on. A database that can be read but not written (a read-only
  directory or file system, a full disk) still serves what it holds, and new results are not stored; a
  read-only directory is read with SQLite's ``immutable`` flag, since SQLite cannot create the files WAL
  mode needs there. A cache that cannot be read (a file where the directory should be, a directory where
  the database should be, a database of another layout: another table under the same name or another
  ``user_version``, perhaps from another version of flyweight, which is left untouched, a lock held past
  the timeout) is not used by that object again: :meth:`LocalCache.get` misses and
  :meth:`LocalCache.put` stores nothing.

Only the housekeeping calls a user makes on purpose, :meth:`LocalCache.entries` and
:meth:`LocalCache.clear`, raise :class:`~flyweight.errors.StorageError` (SYSTEM), naming the file and the
fix, when the cache cannot do what they ask; no raw ``sqlite3`` exception escapes.

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
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TypeVar

from flyweight import _idl
from flyweight._runtime._cache_key import inputs_digest, outputs_fit
from flyweight.errors import StorageError, TaskDefinitionError

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
_COLUMNS = ["task_name", "cache_version", "inputs_digest", "outputs", "created_at"]
# How a database that cannot be written is read: ``mode=ro`` takes the usual locks (so sees a writer's
# WAL); ``immutable=1`` takes none, for a read-only directory where SQLite cannot create the WAL index.
_READ_ONLY = ("mode=ro", "immutable=1")
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


class _Fault(Exception):
    """The cache cannot do what was asked where it is: ``what`` failed, and ``fix`` says what to do."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(f"{what}; {fix}")
        self.what = what
        self.fix = fix


class LocalCache:
    """Results of cached tasks in a SQLite database under ``directory``, safe to share between processes.

    :meth:`get` and :meth:`put`, the engine's two calls, never fail a run: a cache that cannot be used
    where it is gives one ``RuntimeWarning`` (naming the path and the fix) and then serves what it can
    (see the module docstring). A cache object that has given up on its database keeps to that for its
    life; make a new one once the cause is fixed.

    Args:
        directory: where the database lives (created on first use); default :func:`default_cache_dir`.
        mode: ``use`` (read and write), ``bypass`` (neither) or ``overwrite`` (write only).
        timeout: seconds to wait for another process's lock before giving up on the operation.

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
        >>> int_type = _idl.LiteralType(simple=_idl.SimpleType.INTEGER)
        >>> cache.get("wf.double", "1", inputs, outputs={"out": int_type}) is None  # not this task's
        True
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
        self._ready = False  # this object has checked (and if need be created) the database
        self._lock = threading.Lock()
        self._readable = True  # False once reading failed: get misses, put stores nothing
        self._writable = True  # False once writing failed (or cannot work): put stores nothing
        self._read_uri: str | None = None  # how to open a database that can be read but not written
        self._read_only_cause: str | None = None  # why it cannot be written
        self._warned = False

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
        self,
        task_name: str,
        version: str,
        inputs: _idl.LiteralMap,
        ignore: Iterable[str] = (),
        outputs: _idl.VariableMap | Mapping[str, _idl.LiteralType] | None = None,
    ) -> _idl.LiteralMap | None:
        """The stored outputs of ``task_name`` at ``version`` for ``inputs`` (minus ``ignore``), or ``None``.

        Args:
            task_name: the task's name.
            version: the entry version (see :func:`~flyweight._runtime._cache_key.entry_version`).
            inputs: the task's inputs.
            ignore: names of inputs that do not count (``cache_ignore_input_vars``).
            outputs: the task's outputs (its interface's ``VariableMap``, or names and literal types);
                when given, a stored value that does not have exactly these names, each literal of its
                type, is a miss (and the next :meth:`put` replaces it).

        Always ``None`` in ``bypass`` and ``overwrite`` mode, and once the cache cannot be read (a
        ``RuntimeWarning`` said why); a stored value that does not parse is a miss too.
        """
        if not self._mode.reads or not self._readable:
            return None
        digest = inputs_digest(inputs, ignore)
        try:
            row = self._run(
                lambda db: db.execute(
                    "SELECT outputs FROM entries "
                    "WHERE task_name = ? AND cache_version = ? AND inputs_digest = ?",
                    (task_name, version, digest),
                ).fetchone()
            )
        except _Fault as fault:
            self._give_up(fault, reading=True)
            return None
        if self._read_only_cause is not None and self._writable:
            self._give_up(self._read_only(), reading=False)
        if row is None:
            return None
        found = _idl.LiteralMap()
        try:
            found.ParseFromString(bytes(row[0]))
        except Exception:  # a damaged value: a miss; the next put replaces it
            return None
        if outputs is not None and not outputs_fit(found, outputs):
            return None  # damaged, or not this task's outputs: a miss; the next put replaces it
        return found

    def put(
        self,
        task_name: str,
        version: str,
        inputs: _idl.LiteralMap,
        outputs: _idl.LiteralMap,
        ignore: Iterable[str] = (),
    ) -> None:
        """Store ``outputs`` as the result of ``task_name`` at ``version`` for ``inputs`` (minus ``ignore``).

        Replaces an earlier entry of the same key. Does nothing in ``bypass`` mode, nor once the cache
        cannot be written (a ``RuntimeWarning`` said why).
        """
        if not self._mode.writes or not self._writable:
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

        try:
            self._run(write, writes=True)
        except _Fault as fault:
            self._give_up(fault, reading=False)

    # -- housekeeping -----------------------------------------------------------------------------

    def entries(self, task_name: str | None = None) -> list[CacheEntry]:
        """The stored entries (all, or one task's), oldest first.

        Raises:
            StorageError: the database cannot be read (the message names the file and the fix).
        """
        query = "SELECT task_name, cache_version, inputs_digest, created_at, length(outputs) FROM entries"
        params: tuple[str, ...] = ()
        if task_name is not None:
            query += " WHERE task_name = ?"
            params = (task_name,)
        rows = self._housekeeping(
            lambda db: db.execute(query + " ORDER BY created_at, task_name", params).fetchall(), writes=False
        )
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
        """Delete every entry (or one task's); returns how many were deleted. Works in every mode.

        Raises:
            StorageError: the database cannot be written (the message names the file and the fix).
        """

        def delete(db: sqlite3.Connection) -> int:
            db.execute("BEGIN IMMEDIATE")
            if task_name is None:
                cursor = db.execute("DELETE FROM entries")
            else:
                cursor = db.execute("DELETE FROM entries WHERE task_name = ?", (task_name,))
            db.execute("COMMIT")
            return int(cursor.rowcount)

        return self._housekeeping(delete, writes=True)

    def _housekeeping(self, operation: Callable[[sqlite3.Connection], _T], *, writes: bool) -> _T:
        try:
            return self._run(operation, writes=writes)
        except _Fault as fault:
            raise StorageError(f"local cache: {fault}") from fault.__cause__

    # -- degrading --------------------------------------------------------------------------------

    def _give_up(self, fault: _Fault, *, reading: bool) -> None:
        """Stop writing (and, when ``reading`` failed, reading) this cache; warn once per cache object."""
        with self._lock:
            self._writable = False
            if reading:
                self._readable = False
            if self._warned:
                return
            self._warned = True
        if reading:
            consequence = "continuing without the cache (nothing is read from it or stored in it)"
        else:
            consequence = "results already stored are still used, but new results are not stored"
        warnings.warn(
            f"local cache: {fault.what}; {consequence}. To fix it, {fault.fix}",
            RuntimeWarning,
            stacklevel=3,
        )

    def _read_only(self) -> _Fault:
        return _Fault(
            f"the database {str(self.path)!r} can be read but not written ({self._read_only_cause})",
            f"make {str(self._directory)!r} and the files in it writable, or point {CACHE_DIR_ENV_VAR} "
            "at a writable directory",
        )

    # -- connections ------------------------------------------------------------------------------

    def _run(self, operation: Callable[[sqlite3.Connection], _T], *, writes: bool = False) -> _T:
        """Run ``operation`` on a fresh connection (one per call: safe across threads and after
        ``fork``); a damaged database is rebuilt once and the operation retried on the new one.

        Raises:
            _Fault: SQLite or the file system failed in a way waiting or rebuilding does not repair.
        """
        rebuilt = False
        deadline = time.monotonic() + self._timeout
        pause = 0.001
        while True:
            try:
                db = self._connect(writes)
                try:
                    return operation(db)
                finally:
                    db.close()
            except sqlite3.DatabaseError as exc:
                if not rebuilt and _is_corruption(exc) and self._read_uri is None:
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
                raise self._sqlite_fault(exc) from exc
            except (sqlite3.Error, OSError) as exc:  # not expected, but a cache must not fail a run
                raise self._sqlite_fault(exc) from exc

    def _connect(self, writes: bool) -> sqlite3.Connection:
        """A connection that can write, or for reading only one that at least reads: a database that
        cannot be written is then opened read-only (and is from then on, by this object)."""
        if not writes and self._read_uri is not None:
            return self._open_read_only()
        try:
            return self._open()
        except sqlite3.DatabaseError as exc:
            if writes or _is_contention(exc) or _is_corruption(exc):
                raise
            try:
                db = self._open_read_only()
            except sqlite3.DatabaseError:
                raise exc from None  # why it cannot be written says more than why it cannot be read
            self._read_only_cause = str(exc)
            return db

    def _open(self) -> sqlite3.Connection:
        try:
            self._directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _Fault(
                f"cannot use {str(self._directory)!r} as its directory: {exc}",
                f"make it a writable directory, or set {CACHE_DIR_ENV_VAR} to one",
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

    def _open_read_only(self) -> sqlite3.Connection:
        """The database opened for reading only: with SQLite's ``mode=ro`` where it can take the locks
        WAL mode needs, else (a read-only directory, where it cannot create them) ``immutable=1``."""
        uris = (
            [self._read_uri]
            if self._read_uri
            else [f"{self.path.absolute().as_uri()}?{q}" for q in _READ_ONLY]
        )
        error: sqlite3.DatabaseError | None = None
        for uri in uris:
            db = sqlite3.connect(uri, timeout=self._timeout, isolation_level=None, uri=True)
            try:
                db.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
                if not self._layout(db):
                    raise sqlite3.OperationalError("no table of entries")
            except sqlite3.DatabaseError as exc:
                db.close()
                error = exc
                continue
            except BaseException:
                db.close()
                raise
            self._read_uri = uri
            return db
        assert error is not None
        raise error

    def _layout(self, db: sqlite3.Connection) -> bool:
        """Whether the database holds a table of entries; refuses one of another layout, which this
        object then leaves untouched (it may belong to another version of flyweight)."""
        (version,) = db.execute("PRAGMA user_version").fetchone()
        columns = [str(row[1]) for row in db.execute("PRAGMA table_info(entries)").fetchall()]
        if version not in (0, _SCHEMA_VERSION) or (columns and columns != _COLUMNS):
            layout = f"user_version {version}, a table 'entries' with columns {columns or 'none'}"
            raise _Fault(
                f"the database {str(self.path)!r} has another layout ({layout}; expected user_version "
                f"{_SCHEMA_VERSION} and columns {_COLUMNS}), perhaps from another version of flyweight",
                f"delete it (it is only a cache), or point {CACHE_DIR_ENV_VAR} at another directory",
            )
        return bool(columns)

    def _initialize(self, db: sqlite3.Connection) -> None:
        """Check the layout, switch to WAL and create the table (all idempotent; concurrent first uses
        are fine)."""
        self._layout(db)
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
            raise _Fault(
                f"the database {str(self.path)!r} is damaged ({cause}) and cannot be moved aside ({exc})",
                "delete it by hand",
            ) from exc
        warnings.warn(
            f"local cache: the database {str(self.path)!r} was damaged ({cause}); it was moved to "
            f"{str(aside)!r} and a new, empty cache was started",
            RuntimeWarning,
            stacklevel=4,
        )

    def _sqlite_fault(self, exc: sqlite3.Error | OSError) -> _Fault:
        contention = isinstance(exc, sqlite3.DatabaseError) and _is_contention(exc)
        waited = f" (waited {self._timeout:g}s for another process's lock)" if contention else ""
        return _Fault(
            f"SQLite failed on {str(self.path)!r}: {exc}{waited}",
            f"check that the directory is writable and on a local disk, or point {CACHE_DIR_ENV_VAR} "
            f"elsewhere (or set {CACHE_MODE_ENV_VAR}=bypass to run without the cache)",
        )
