"""The data benchmark's SQLite3 task written against flyweight (twin of ``data_flytekit.py``).

The database path comes from ``FLYWEIGHT_BENCH_DB`` when the module is imported; it is baked into
the template's ``custom`` (``uri``), so the container process needs no environment of its own.
"""

from __future__ import annotations

import os
from typing import Any

from flyweight import kwtypes
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task

QUERY = "select * from tracks limit {{.inputs.limit}}"

tracks = SQLite3Task(
    "bench.tracks",
    query_template=QUERY,
    inputs=kwtypes(limit=int),
    task_config=SQLite3Config(uri=os.environ["FLYWEIGHT_BENCH_DB"]),
    container_image="ghcr.io/flyweight-bench/sqlite:1",
)


def dataframe(result: Any) -> Any:
    """The task's output as a pandas DataFrame."""
    return result.open().all() if hasattr(result, "open") else result


def template_bytes() -> bytes:
    """``tracks``' TaskTemplate as registration would produce it."""
    import cases  # not at the top: the container process imports some of these modules

    from flyweight import Image, ImageConfig, SerializationSettings
    from flyweight.extend import get_serializable

    settings = cases.serialization_settings(SerializationSettings, ImageConfig, Image)
    return get_serializable({}, settings, tracks).template.SerializeToString()
