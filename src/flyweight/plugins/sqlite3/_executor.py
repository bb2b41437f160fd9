"""The SQLite3 executor: what runs in the container (and in local calls), from the template alone.

It reads the query template, the database ``uri`` and ``compressed`` from the template's ``custom``,
fetches the database into a temporary directory, binds the inputs as parameters (never splicing them
into the SQL) and returns the rows as a pandas DataFrame, which the type engine stores as a
structured dataset. pandas is imported here, on the first run, never by ``import flyweight``.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
from typing import TYPE_CHECKING, Any

from flyweight.errors import StorageError, TaskExecutionError, TemplateError
from flyweight.extend import ShimTaskExecutor, SQLTask, TaskTemplate
from flyweight.plugins.sqlite3._database import fetch_database

if TYPE_CHECKING:
    import pandas

__all__ = ["SQLite3TaskExecutor"]

# SQLite result codes that mean the machine failed, not the query (the platform's fault).
_ENVIRONMENT_CODES = frozenset(
    ["SQLITE_NOMEM", "SQLITE_IOERR", "SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_NOLFS"]
)


class SQLite3TaskExecutor(ShimTaskExecutor[Any]):
    """Runs a SQLite3 task's query, described by its template, and returns a pandas DataFrame.

    The container imports it as ``flyweight.plugins.sqlite3.SQLite3TaskExecutor`` (the path written
    into every SQLite3 template); local calls run it on the task's serialized template.
    """

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> pandas.DataFrame:
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
        params = prepared.parameters(kwargs, owner)
        with tempfile.TemporaryDirectory(prefix="flyweight-sqlite3-") as workdir:
            path = fetch_database(uri, compressed, workdir, owner)
            with contextlib.closing(sqlite3.connect(path)) as con:
                frame = _run(con, prepared.sql, params, query, owner)
        columns = _declared_columns(tt)
        if columns:
            missing = [c for c in columns if c not in frame.columns]
            if missing:
                raise TaskExecutionError(
                    f"{owner}: the query returned the columns {list(frame.columns)}, but the output "
                    f"schema declares {columns}; missing: {missing} (query: {query})"
                )
            if list(frame.columns) != columns:
                frame = frame[columns]
        return frame


def _run(con: sqlite3.Connection, sql: str, params: list[Any], template: str, owner: str) -> Any:
    import pandas

    try:
        cursor = con.execute(sql, params)
        description = cursor.description
        rows = cursor.fetchall()
    except sqlite3.Error as e:
        code = getattr(e, "sqlite_errorname", "")
        if code in _ENVIRONMENT_CODES:
            raise StorageError(f"{owner}: SQLite could not work with its database file: {e} ({code})") from e
        # The message carries SQLite's words and the template, never the bound values.
        raise TaskExecutionError(f"{owner}: SQLite rejected the query: {e} (query: {template})") from e
    if description is None:
        raise TaskExecutionError(
            f"{owner}: the statement returns no result columns (query: {template}); a SQLite3 task runs "
            "a query that returns a table, such as SELECT"
        )
    columns = [d[0] for d in description]
    # The same construction pandas.read_sql_query uses, without its SQL layer: identical dtypes.
    return pandas.DataFrame.from_records(rows, columns=columns, coerce_float=True)


def _declared_columns(tt: TaskTemplate) -> list[str]:
    """Column names of the ``results`` output's schema (or structured dataset) type, if it names any."""
    var = tt.interface.outputs.get("results")
    if var is None:
        return []
    lt = var.type
    if lt.HasField("schema"):
        return [c.name for c in lt.schema.columns]
    if lt.HasField("structured_dataset_type"):
        return [c.name for c in lt.structured_dataset_type.columns]
    return []
