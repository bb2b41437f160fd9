"""``SQLite3Task``: a query against an SQLite database file, run in a prebuilt image.

The task is configuration only: its template carries the query template, the database ``uri`` and
whether the file is an archive, in flytekit's ``custom`` layout, so templates are wire-compatible with
flytekit's. Every placeholder of the query is checked when the task is defined (it must name an input
and stand where SQLite can bind a value), so a mistake fails at definition, not in the cluster.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

from flyweight.errors import TaskDefinitionError
from flyweight.extend import (
    DefaultImages,
    PythonCustomizedContainerTask,
    SerializationSettings,
    SQLTask,
    kwtypes,
)
from flyweight.plugins.sqlite3._executor import SQLite3TaskExecutor

__all__ = ["SQLite3Config", "SQLite3Task"]


@dataclasses.dataclass
class SQLite3Config:
    """Where the database of a :class:`SQLite3Task` is.

    Args:
        uri: the database file: a local path (inside the container, when run on Flyte), ``file://``,
            ``s3://`` (or another fsspec protocol) or a ``http(s)://`` URL.
        compressed: the file is an archive holding exactly one file, the database: zip, tar, tar.gz,
            tar.bz2 or tar.xz (recognised by content).

    Example:
        >>> SQLite3Config(uri="s3://my-bucket/music.db")
        SQLite3Config(uri='s3://my-bucket/music.db', compressed=False)
    """

    uri: str
    compressed: bool = False


class SQLite3Task(PythonCustomizedContainerTask[SQLite3Config], SQLTask[SQLite3Config]):
    """Run a query against an SQLite database file; the result is a table (a pandas DataFrame locally).

    Placeholders ``{{.inputs.name}}`` are bound as SQL parameters, never spliced into the text: an
    input is always data (``' OR '1'='1`` matches nothing). Quote a text placeholder as flytekit needs
    (``where Name = '{{.inputs.name}}'``) or not (``where Name = {{.inputs.name}}``): both bind the
    value. A placeholder where SQLite needs a name (a table, a column, an ``ORDER BY`` term) is
    refused here, when the task is defined.

    The task runs in a prebuilt image (``container_image``, default: flyweight's image); the user's
    code is not needed there.

    Args:
        name: unique task name.
        query_template: one SQL statement, with ``{{.inputs.name}}`` placeholders.
        inputs: name → type (``kwtypes(limit=int)``); every input must appear in the query.
        task_config: the database (:class:`SQLite3Config`); required.
        output_schema_type: the type of the ``results`` output, such as
            ``FlyteSchema[kwtypes(TrackId=int, Name=str)]``; its columns (if any) are the columns of the
            result, in that order. Default: ``FlyteSchema`` (any columns).
        container_image: the image to run in.
        **kwargs: as for :class:`~flyweight.extend.PythonCustomizedContainerTask` (``metadata``,
            ``requests``, ``limits``, ``environment``, ``secret_requests``, ``enable_deck`` …).

    Example:
        >>> from flyweight import kwtypes
        >>> from flyweight.types import FlyteSchema
        >>> tracks = SQLite3Task(
        ...     "tracks",
        ...     query_template="select TrackId, Name from tracks where Name like '%{{.inputs.word}}%'",
        ...     inputs=kwtypes(word=str),
        ...     output_schema_type=FlyteSchema[kwtypes(TrackId=int, Name=str)],
        ...     task_config=SQLite3Config(uri="examples/data/music.db"),
        ... )
        >>> tracks.output_columns
        ['TrackId', 'Name']
    """

    _SQLITE_TASK_TYPE: ClassVar[str] = "sqlite"

    def __init__(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
        self,
        name: str,
        query_template: str,
        inputs: Mapping[str, Any] | None = None,
        task_config: SQLite3Config | None = None,
        output_schema_type: Any = None,
        container_image: str | None = None,
        **kwargs: Any,
    ) -> None:
        uri = getattr(task_config, "uri", None)
        if task_config is None or not isinstance(uri, str) or not uri:
            raise TaskDefinitionError(
                f"SQLite3Task {name!r}: the database is required: pass "
                f"task_config=SQLite3Config(uri=...), got task_config={task_config!r}"
            )
        from flyweight.types import FlyteSchema

        super().__init__(
            name=name,
            task_config=task_config,
            container_image=container_image or DefaultImages.default_image(),
            executor_type=SQLite3TaskExecutor,
            task_type=self._SQLITE_TASK_TYPE,
            query_template=query_template,
            inputs=inputs,
            outputs=kwtypes(results=output_schema_type or FlyteSchema),
            **kwargs,
        )
        self.parameterize_query(self.query_template, self.python_interface.inputs, f"task {name!r}")

    @property
    def output_columns(self) -> list[str] | None:
        """The column names of ``output_schema_type``, or None when it names none."""
        columns = getattr(self.python_interface.outputs["results"], "column_names", None)
        names = list(columns()) if callable(columns) else []
        return names or None

    def get_custom(self, settings: SerializationSettings) -> dict[str, Any]:
        """``query_template``, ``uri`` and ``compressed``, as flytekit writes them."""
        cfg = self.task_config
        assert cfg is not None
        return {"query_template": self.query_template, "uri": cfg.uri, "compressed": bool(cfg.compressed)}
