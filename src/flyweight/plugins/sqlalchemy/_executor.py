"""The SQLAlchemy executor: what runs in the container (and in local calls), from the template alone.

It reads the query template, ``uri``, ``connect_args`` and the secret references from the template's
``custom``, reads each secret from the execution's secrets, binds the inputs as ``text()`` bind
parameters (never splicing them into the SQL) and runs the statement in one transaction (committed on
success, rolled back on failure). Rows are fetched in batches and built into a pyarrow ``Table``
batch by batch (as the SQLite3 plugin builds its tables: without pandas when the values allow).

Errors carry the driver's message (its first line) and the query template, never input values or
secret values: SQLAlchemy's own messages list the bound parameters, so they are not chained. A
failure to connect, a lost connection or a timeout is RECOVERABLE (raised as ``RecoverableError``);
anything the statement itself did wrong (syntax, a missing table, a constraint) is not.

A task with decks on (``enable_deck=True``) gets a "Query" deck (``flyweight.plugins._query_deck``): the
query template, the bound inputs, the row count (or the rows a statement without a result affected), the
time spent and the first rows; or, when the task fails, that it failed. It never shows the URL, the
connect arguments or secrets. Without decks, nothing of it is built.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import time
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from flyweight.errors import RecoverableError, TaskExecutionError, TemplateError
from flyweight.extend import (
    FlyteContextManager,
    MixedColumnError,
    ShimTaskExecutor,
    SQLTask,
    TaskTemplate,
    rows_to_table,
)
from flyweight.loggers import logger
from flyweight.plugins import _query_deck

if TYPE_CHECKING:
    import pyarrow

__all__ = ["SQLAlchemyTaskExecutor"]

BATCH_ROWS = 10_000
"""Rows fetched from the cursor and turned into Arrow at a time."""

_MISSING_LIBRARY = (
    "the SQLAlchemy plugin needs the sqlalchemy package in the task's image "
    "(pip install 'flyweight[sqlalchemy]', plus the database's driver)"
)


def _sqlalchemy() -> Any:
    try:
        import sqlalchemy
    except ImportError as e:
        raise TaskExecutionError(_MISSING_LIBRARY) from e
    return sqlalchemy


_ConnectArg = bool | int | float | str | list[Any] | dict[str, Any] | None
"""A connect argument's value as the template holds it: the typed reading turns a whole number back into
an ``int`` (a ``Struct`` stores every number as a double: ``connect_timeout: 5`` would reach the driver
as ``5.0``)."""


@dataclasses.dataclass
class _SecretRef:
    group: str | None = None
    key: str | None = None


@dataclasses.dataclass
class _Custom:
    """The template's ``custom``, in flytekit's layout (``SQLAlchemyTask.get_custom``), read with types."""

    query_template: str
    uri: str
    connect_args: dict[str, _ConnectArg] | None = None
    secret_connect_args: dict[str, _SecretRef] | None = None


class _Secrets:
    """The secret values of one run: scrubbed from every message."""

    def __init__(self) -> None:
        self.values: list[str] = []

    def scrub(self, text: str) -> str:
        for value in self.values:
            if value:
                text = text.replace(value, "***")
        return text


class SQLAlchemyTaskExecutor(ShimTaskExecutor[Any]):
    """Runs a SQLAlchemy task's statement, described by its template; returns an Arrow table or None.

    The container imports it as ``flyweight.plugins.sqlalchemy.SQLAlchemyTaskExecutor`` (the path in
    every SQLAlchemy template).
    """

    def is_transient(self, error: BaseException) -> bool:
        """A SQLAlchemy connection failure that reached here unwrapped (the executor wraps the ones it
        sees in ``RecoverableError`` itself)."""
        return _is_connection_failure(error)

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> pyarrow.Table | None:
        owner = f"task {tt.id.name!r}"
        try:
            custom = tt.custom_as(_Custom)
        except TemplateError as e:
            raise TemplateError(
                f"{owner}: expected the template's custom to hold query_template and uri (as "
                f"SQLAlchemyTask writes them): {e}; has: {sorted(tt.custom)}"
            ) from None
        query = custom.query_template
        prepared = SQLTask.parameterize_query(query, list(tt.interface.inputs), owner)

        def execute() -> _Ran:
            params = {f"p{i}": v for i, v in enumerate(prepared.parameters(kwargs, owner))}
            # ``text()`` reads ``:name`` as a parameter: every ``:`` of the SQL itself is escaped.
            sql = prepared.render(lambda i: f":p{i}", lambda piece: piece.replace(":", "\\:"))
            return _execute(tt, custom, sql, params, owner)

        if not _query_deck.decks_on():
            return execute().table
        bound = _query_deck.bound_inputs((slot.name for slot in prepared.slots), kwargs)
        try:
            ran = execute()
        except Exception:
            _query_deck.add_query_deck(query, bound, failed=True)
            raise
        _query_deck.add_query_deck(query, bound, seconds=ran.seconds, table=ran.table, rowcount=ran.rowcount)
        return ran.table


@dataclasses.dataclass
class _Ran:
    """What running the statement gave: its table (None without an output), the rows the driver says it
    affected (``rowcount``; None when rows were fetched) and the seconds spent executing and fetching."""

    table: pyarrow.Table | None
    rowcount: int | None
    seconds: float


def _execute(tt: TaskTemplate, custom: _Custom, sql: str, params: dict[str, Any], owner: str) -> _Ran:
    query, uri = custom.query_template, custom.uri
    secrets = _Secrets()
    connect_args = _connect_args(custom, secrets, owner)
    sa = _sqlalchemy()
    shown_uri = _shown_uri(sa, uri)
    wants_rows = bool(tt.interface.outputs)
    try:
        engine = sa.create_engine(uri, connect_args=connect_args)
    except Exception as e:  # a malformed URL, an unknown dialect, a driver that is not installed
        raise TaskExecutionError(
            f"{owner}: SQLAlchemy cannot use the database URL {shown_uri!r} (SQLAlchemyConfig.uri): "
            f"{secrets.scrub(_message(e))}"
        ) from None
    if wants_rows:
        sa.event.listen(engine, "connect", _numeric_as_float)
    logger.info("%s: connecting to %s", owner, shown_uri)
    where = _Where(owner, query, shown_uri, secrets, connect_args)
    try:
        ran = _run(sa, engine, sql, params, wants_rows, where)
    finally:
        engine.dispose()
    if ran.table is not None:
        ran.table = _select_declared(tt, ran.table, where)
    return ran


class _Where:
    def __init__(
        self, owner: str, template: str, uri: str, secrets: _Secrets, connect_args: Mapping[str, Any]
    ) -> None:
        self.owner = owner
        self.template = template
        self.uri = uri
        self.secrets = secrets
        self.arg_names = sorted(connect_args)


def _connect_args(custom: _Custom, secrets: _Secrets, owner: str) -> dict[str, Any]:
    args: dict[str, Any] = dict(custom.connect_args or {})
    refs = custom.secret_connect_args or {}
    manager = FlyteContextManager.current_context().user_space_params.secrets if refs else None
    for arg, ref in refs.items():
        group, key = ref.group, ref.key
        try:
            assert manager is not None
            value = manager.get(group=group, key=key)
        except Exception as e:
            raise TaskExecutionError(
                f"{owner}: cannot read the secret for the connect argument {arg!r} "
                f"(group={group!r}, key={key!r}): {e}"
            ) from None
        secrets.values.append(str(value))
        args[arg] = value
    return args


def _numeric_as_float(dbapi_connection: Any, _record: Any) -> None:
    """On a psycopg 3 connection, read ``numeric`` columns as floats rather than Decimals.

    The table gets floats either way (``pandas.read_sql``'s ``coerce_float``, which flytekit's plugin
    relies on): a float parsed from the column's text is the float of its Decimal, only without
    making the Decimal first. Other drivers are left as they are.
    """
    adapters = getattr(dbapi_connection, "adapters", None)
    if adapters is None or not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    try:
        from psycopg.types.numeric import FloatLoader
    except ImportError:  # pragma: no cover - a psycopg without it: Decimals, converted later
        return
    adapters.register_loader("numeric", FloatLoader)


def _shown_uri(sa: Any, uri: str) -> str:
    try:
        return str(sa.engine.make_url(uri).render_as_string(hide_password=True))
    except Exception:
        return uri.split("@", 1)[-1] if "@" in uri else uri


def _message(error: BaseException) -> str:
    """The driver's message (its first line: later lines may quote rows), without SQLAlchemy's
    ``[SQL: ...] [parameters: ...]`` tail."""
    orig = getattr(error, "orig", None)
    source = orig if isinstance(orig, BaseException) else error
    text = str(source).strip()
    if source is error and "\n[SQL:" in text:
        text = text.split("\n[SQL:", 1)[0]
    first = text.splitlines()[0] if text else ""
    return f"{type(source).__module__}.{type(source).__qualname__}: {first}"


def _is_connection_failure(error: BaseException) -> bool:
    try:
        import sqlalchemy.exc as sa_exc
    except ImportError:  # pragma: no cover - the executor needs sqlalchemy to raise anything
        return False
    if isinstance(error, sa_exc.DisconnectionError | sa_exc.TimeoutError):
        return True
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    orig = getattr(error, "orig", None)
    return isinstance(orig, ConnectionError | TimeoutError) or isinstance(
        error, ConnectionError | TimeoutError
    )


# What libpq (through psycopg) says of a connection option it cannot use, when it reports it as an
# OperationalError rather than refusing the argument outright.
_REJECTED_OPTION = re.compile(r"invalid connection option|invalid \w+ value|bad value for \w+")


def _rejected_arguments(error: BaseException, where: _Where) -> TaskExecutionError:
    return TaskExecutionError(
        f"{where.owner}: the database driver rejected the connect arguments {where.arg_names} "
        f"(SQLAlchemyConfig.connect_args / secret_connect_args): {where.secrets.scrub(_message(error))}"
    )


@contextlib.contextmanager
def _connected(sa: Any, engine: Any, where: _Where) -> Iterator[Any]:
    """A connection in a transaction (committed when the block succeeds, rolled back when it raises),
    with a failure to connect reported as one."""
    try:
        conn = engine.connect()
    except (TypeError, ValueError, sa.exc.ProgrammingError) as e:  # connect() refused an argument
        raise _rejected_arguments(e, where) from None
    except sa.exc.SQLAlchemyError as e:
        if _REJECTED_OPTION.search(_message(e)):  # libpq: 'invalid sslmode value: "bogus"'
            raise _rejected_arguments(e, where) from None
        raise RecoverableError(
            f"{where.owner}: cannot connect to the database {where.uri!r}: "
            f"{where.secrets.scrub(_message(e))}; retrying may succeed (query: {where.template})"
        ) from None
    with conn, conn.begin():
        yield conn


def _run(  # noqa: PLR0917 - private helper
    sa: Any, engine: Any, sql: str, params: dict[str, Any], wants_rows: bool, where: _Where
) -> _Ran:
    try:
        if wants_rows:
            import pyarrow  # noqa: F401 - the rows become Arrow: loaded before the clock starts, not timed
        with _connected(sa, engine, where) as conn:
            start = time.perf_counter()
            result = conn.execute(sa.text(sql), params)
            if not wants_rows:
                rowcount = _rowcount(result)
                result.close()
                return _Ran(None, rowcount, time.perf_counter() - start)
            if not result.returns_rows:
                raise TaskExecutionError(
                    f"{where.owner}: the statement returns no rows (query: {where.template}); give the task "
                    "output_schema_type=None to run a statement without a result"
                )
            table = _fetch_table(result, where)
            seconds = time.perf_counter() - start
    except (RecoverableError, TaskExecutionError):
        raise
    except sa.exc.SQLAlchemyError as e:
        message = where.secrets.scrub(_message(e))
        if _is_connection_failure(e):
            raise RecoverableError(
                f"{where.owner}: the connection to the database failed: {message}; retrying may succeed "
                f"(query: {where.template})"
            ) from None
        raise TaskExecutionError(
            f"{where.owner}: the database rejected the statement: {message} (query: {where.template})"
        ) from None
    return _Ran(table, None, seconds)


def _rowcount(result: Any) -> int | None:
    """The rows a statement affected, as the driver counts them; None when it does not say (DB-API's
    -1, or a driver without ``rowcount``)."""
    try:
        count = result.rowcount
    except Exception:
        return None
    return count if isinstance(count, int) and count >= 0 else None


def _fetch_table(result: Any, where: _Where) -> pyarrow.Table:
    """The result's rows, fetched ``BATCH_ROWS`` at a time, each batch packed into Arrow at once (only
    one batch of Python rows is alive at a time)."""
    import pyarrow as pa

    names = [str(k) for k in result.keys()]  # noqa: SIM118 - a Result, not a dict
    tables: list[pyarrow.Table] = []
    while True:
        rows = result.fetchmany(BATCH_ROWS)
        if not rows and tables:
            break
        try:
            tables.append(rows_to_table(names, rows))
        except MixedColumnError as e:
            raise TaskExecutionError(
                f"{where.owner}: the column {e.column!r} holds values of several types "
                f"({', '.join(e.kinds)}), which a table column cannot; CAST it to one type in the query "
                f"(query: {where.template})"
            ) from None
        if not rows:  # a result without rows: one empty table with its column names
            break
    if len(tables) == 1:
        return tables[0]
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as e:
        raise TaskExecutionError(
            f"{where.owner}: a column changes type between rows ({e}); CAST it to one type in the query "
            f"(query: {where.template})"
        ) from None


def _select_declared(tt: TaskTemplate, table: pyarrow.Table, where: _Where) -> pyarrow.Table:
    """The table with the columns the output's schema declares, in its order (all when it names none)."""
    var = tt.interface.outputs.get("results")
    lt = None if var is None else var.type
    columns: list[str] = []
    if lt is not None and lt.schema is not None:
        columns = [c.name for c in lt.schema.columns]
    elif lt is not None and lt.structured_dataset_type is not None:
        columns = [c.name for c in lt.structured_dataset_type.columns]
    if not columns:
        return table
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise TaskExecutionError(
            f"{where.owner}: the query returned the columns {table.column_names}, but the output schema "
            f"declares {columns}; missing: {missing} (query: {where.template})"
        )
    return table if table.column_names == columns else table.select(columns)
