"""SQLAlchemy plugin: run a SQL statement against any database SQLAlchemy reaches, as a Flyte task.

``SQLAlchemyTask`` has flytekit's constructor and writes flytekit's template (``custom`` holds the
query template, the database ``uri``, ``connect_args`` and ``secret_connect_args``);
``SQLAlchemyTaskExecutor`` runs it from the template alone, locally or in a container started by
``flyweight-execute``. As in the SQLite3 plugin, input values are bound as SQL parameters (SQLAlchemy
``text()`` bind parameters), never spliced into the query text.

SQLAlchemy is an optional dependency (``pip install 'flyweight[sqlalchemy]'``): it is imported when a
query runs, not when this module is imported. Built only on ``flyweight.extend``, ``flyweight.types``,
``flyweight.errors`` and ``flyweight.loggers``, as a third-party plugin would be.

Example:
    >>> from flyweight import kwtypes
    >>> from flyweight.plugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyTask
    >>> top = SQLAlchemyTask(
    ...     "top_tracks",
    ...     query_template="select Name from tracks where Milliseconds > {{.inputs.ms}} limit 3",
    ...     task_config=SQLAlchemyConfig(uri="sqlite:///examples/data/music.db"),
    ...     inputs=kwtypes(ms=int),
    ... )
    >>> top.task_type
    'sqlalchemy'
"""

from __future__ import annotations

from flyweight.plugins.sqlalchemy._executor import SQLAlchemyTaskExecutor
from flyweight.plugins.sqlalchemy._task import SQLAlchemyConfig, SQLAlchemyDefaultImages, SQLAlchemyTask

__all__ = ["SQLAlchemyConfig", "SQLAlchemyDefaultImages", "SQLAlchemyTask", "SQLAlchemyTaskExecutor"]

# The public path is the one written into templates (the container imports the executor by it).
for _cls in (SQLAlchemyConfig, SQLAlchemyDefaultImages, SQLAlchemyTask, SQLAlchemyTaskExecutor):
    _cls.__module__ = __name__
del _cls
