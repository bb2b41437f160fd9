"""The SQLite3 executor: what runs in the container (and in local calls), from the template alone.

It reads the query template, the database ``uri`` and ``compressed`` from the template's ``custom``,
fetches the database into a temporary directory (a local, uncompressed file is opened in place, read
only), binds the inputs as parameters (never splicing them into the SQL) and returns the rows as a
pyarrow ``Table``, which the type engine stores as a parquet structured dataset; whoever reads the
output gets a pandas DataFrame with the dtypes ``pandas.read_sql_query`` gives. Building the Arrow
table straight from the rows skips pandas altogether: the container process never imports it, and a
local call converts the rows once instead of twice.

A task with decks on (``enable_deck=True``) gets a "Query" deck (``flyweight.plugins._query_deck``): the
query template, the bound inputs, the row count, the time spent and the first rows; or, when the task
fails, that it failed. Without decks, nothing of it is built.
"""

from __future__ import annotations

import contextlib
import pathlib
import sqlite3
import tempfile
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from flyweight.errors import StorageError, TaskExecutionError, TemplateError
from flyweight.extend import MixedColumnError, ShimTaskExecutor, SQLTask, TaskTemplate, rows_to_table
from flyweight.plugins import _query_deck
from flyweight.plugins.sqlite3._database import check_database, fetch_database, local_database

if TYPE_CHECKING:
    import pyarrow

__all__ = ["SQLite3TaskExecutor"]

# SQLite result codes that mean the machine failed, not the query (the platform's fault).
_ENVIRONMENT_CODES = frozenset(
    ["SQLITE_NOMEM", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_NOLFS"]
)

# SQLite result codes (extended ones start with these) that mean another connection holds a lock: the
# same query may well succeed when it is retried.
_TRANSIENT_CODES = ("SQLITE_BUSY", "SQLITE_LOCKED")


def _sqlite_code(error: BaseException) -> str:
    code = getattr(error, "sqlite_errorname", "")
    return code if isinstance(code, str) else ""


class SQLite3TaskExecutor(ShimTaskExecutor[Any]):
    """Runs a SQLite3 task's query, described by its template, and returns a pandas DataFrame.

    The container imports it as ``flyweight.plugins.sqlite3.SQLite3TaskExecutor`` (the path written
    into every SQLite3 template); local calls run it on the task's serialized template.

    A database that is locked or busy (another connection is writing it) is a transient failure: it is
    reported as USER and RECOVERABLE, so Flyte retries the task within its ``retries``.
    """

    def is_transient(self, error: BaseException) -> bool:
        """A locked or busy database (``SQLITE_BUSY``, ``SQLITE_LOCKED``), raised directly or as the cause
        of the task's error."""
        for candidate in (error, error.__cause__):
            if isinstance(candidate, sqlite3.Error) and _sqlite_code(candidate).startswith(_TRANSIENT_CODES):
                return True
        return False

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> pyarrow.Table:
        owner = f"task {tt.id.name!r}"
        custom = tt.custom
        try:
            query, uri = str(custom["query_template"]), str(custom["uri"])
        except KeyError as e:
            raise TemplateError(
                f"{owner}: expected the template's custom to hold query_template and uri (as SQLite3Task "
                f"writes them), but it has no {e.args[0]!r}; has: {sorted(custom)}"
            ) from None
        compressed = bool(custom.get("compressed", False))
        prepared = SQLTask.parameterize_query(query, list(tt.interface.inputs), owner)

        def execute() -> tuple[pyarrow.Table, float]:
            params = prepared.parameters(kwargs, owner)
            return _execute(tt, query, prepared.sql, params, uri, compressed, owner)

        if not _query_deck.decks_on():
            return execute()[0]
        bound = _query_deck.bound_inputs((slot.name for slot in prepared.slots), kwargs)
        try:
            table, seconds = execute()
        except Exception:
            _query_deck.add_query_deck(query, bound, failed=True)
            raise
        _query_deck.add_query_deck(query, bound, seconds=seconds, table=table)
        return table


def _execute(  # noqa: PLR0917 - private helper
    tt: TaskTemplate,
    query: str,
    sql: str,
    params: Sequence[object],
    uri: str,
    compressed: bool,
    owner: str,
) -> tuple[pyarrow.Table, float]:
    """Run the query; return its table and the seconds spent executing it and fetching the rows."""
    with contextlib.ExitStack() as stack:
        path = local_database(uri, compressed)
        if path is None:  # remote or compressed: fetched into a scratch directory removed after
            workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="flyweight-sqlite3-"))
            path = fetch_database(uri, compressed, workdir, owner)
        else:
            check_database(path, uri, compressed, owner)
        con = stack.enter_context(contextlib.closing(_connect(path)))
        import pyarrow  # noqa: F401 - the rows become Arrow: loaded before the clock starts, not timed

        start = time.perf_counter()
        table = _run(con, sql, params, query, owner)
        seconds = time.perf_counter() - start
    columns = _declared_columns(tt)
    if columns:
        missing = [c for c in columns if c not in table.column_names]
        if missing:
            raise TaskExecutionError(
                f"{owner}: the query returned the columns {table.column_names}, but the output "
                f"schema declares {columns}; missing: {missing} (query: {query})"
            )
        if table.column_names != columns:
            table = table.select(columns)
    return table, seconds


def _connect(path: str) -> sqlite3.Connection:
    """A read-only connection: the task reads its database, and may be reading the user's own file."""
    return sqlite3.connect(f"{pathlib.Path(path).absolute().as_uri()}?mode=ro", uri=True)


def _run(
    con: sqlite3.Connection, sql: str, params: Sequence[object], template: str, owner: str
) -> pyarrow.Table:
    try:
        cursor = con.execute(sql, params)
        description = cursor.description
        rows = cursor.fetchall()
    except sqlite3.Error as e:
        code = _sqlite_code(e)
        if code.startswith(_TRANSIENT_CODES):
            raise TaskExecutionError(
                f"{owner}: the database is locked by another connection ({code}: {e}); the query was not "
                f"run, and retrying may succeed (query: {template})"
            ) from e
        if code in _ENVIRONMENT_CODES:
            raise StorageError(f"{owner}: SQLite could not work with its database file: {e} ({code})") from e
        if code == "SQLITE_READONLY":
            raise TaskExecutionError(
                f"{owner}: the statement tries to change the database, but a SQLite3 task opens its "
                f"database read-only and runs a query that returns a table, such as SELECT "
                f"(query: {template})"
            ) from e
        # The message carries SQLite's words and the template, never the bound values.
        raise TaskExecutionError(f"{owner}: SQLite rejected the query: {e} (query: {template})") from e
    if description is None:
        raise TaskExecutionError(
            f"{owner}: the statement returns no result columns (query: {template}); a SQLite3 task runs "
            "a query that returns a table, such as SELECT"
        )
    return _to_table([d[0] for d in description], rows, template, owner)


def _to_table(names: list[str], rows: list[tuple[Any, ...]], template: str, owner: str) -> pyarrow.Table:
    try:
        return rows_to_table(names, rows)
    except MixedColumnError as e:
        raise TaskExecutionError(
            f"{owner}: the column {e.column!r} holds values of several types ({', '.join(e.kinds)}), "
            f"which a table column cannot; CAST it to one type in the query (query: {template})"
        ) from None


def _declared_columns(tt: TaskTemplate) -> list[str]:
    """Column names of the ``results`` output's schema (or structured dataset) type, if it names any."""
    var = tt.interface.outputs.get("results")
    if var is None:
        return []
    lt = var.type  # flytekit's model reading: a type that is not set is None
    if lt.schema is not None:
        return [c.name for c in lt.schema.columns]
    if lt.structured_dataset_type is not None:
        return [c.name for c in lt.structured_dataset_type.columns]
    return []
