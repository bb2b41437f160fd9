"""The data benchmark's SQLite3 task written against flytekit (twin of ``data_flyweight.py``).

Runs only under ``bench/.venv-flytekit``. The database path comes from ``FLYWEIGHT_BENCH_DB``.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from typing import Any

from flytekit import kwtypes
from flytekit.extras.sqlite3.task import SQLite3Config, SQLite3Task

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
    from flytekit.configuration import Image, ImageConfig, SerializationSettings
    from flytekit.tools.translator import get_serializable

    settings = cases.serialization_settings(SerializationSettings, ImageConfig, Image)
    return get_serializable(OrderedDict(), settings, tracks).template.to_flyte_idl().SerializeToString()
