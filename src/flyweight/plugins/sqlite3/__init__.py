"""SQLite3 plugin: query an SQLite database file as a Flyte task, with inputs bound as parameters.

``SQLite3Task`` has flytekit's constructor and writes flytekit's template (``custom`` holds the query
template, the database ``uri`` and ``compressed``); ``SQLite3TaskExecutor`` runs it from the template
alone, locally or in a container started by ``flyweight-execute``. The difference from flytekit is on
purpose: input values are bound as SQL parameters, never spliced into the query text.

It is built only on ``flyweight.extend``, ``flyweight.types`` and ``flyweight.errors``, as a
third-party plugin would be.

Example:
    >>> from flyweight import kwtypes
    >>> from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task
    >>> top = SQLite3Task(
    ...     "top_tracks",
    ...     query_template="select Name from tracks where Milliseconds > {{.inputs.ms}} limit 3",
    ...     inputs=kwtypes(ms=int),
    ...     task_config=SQLite3Config(uri="examples/data/music.db"),
    ... )
    >>> top.task_type, top.query_template
    ('sqlite', 'select Name from tracks where Milliseconds > {{.inputs.ms}} limit 3')
"""

from __future__ import annotations

from flyweight.plugins.sqlite3._executor import SQLite3TaskExecutor
from flyweight.plugins.sqlite3._task import SQLite3Config, SQLite3Task

__all__ = ["SQLite3Config", "SQLite3Task", "SQLite3TaskExecutor"]

# The public path is the one written into templates (the container imports the executor by it).
for _cls in (SQLite3Config, SQLite3Task, SQLite3TaskExecutor):
    _cls.__module__ = __name__
del _cls
