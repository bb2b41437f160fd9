"""The SQLAlchemy benchmark's task written against flytekit (twin of ``pg_flyweight.py``).

Runs only under ``bench/.venv-flytekit``. The database URL (``postgresql+psycopg://...``) comes from
``FLYWEIGHT_BENCH_PG_URI`` when the module is imported; it is baked into the template's ``custom``
(``uri``), so the container process needs no environment of its own. ``serialize_template.py
--module pg`` writes the task's template, as registration makes it, to a file.
"""

from __future__ import annotations

import os
from collections import OrderedDict

from flytekit import kwtypes
from flytekitplugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyTask

QUERY = "select * from items order by id limit {{.inputs.limit}}"

pg_items = SQLAlchemyTask(
    "pg_items",
    query_template=QUERY,
    task_config=SQLAlchemyConfig(uri=os.environ["FLYWEIGHT_BENCH_PG_URI"]),
    inputs=kwtypes(limit=int),
)


def template_bytes() -> bytes:
    """``pg_items``' TaskTemplate as registration would produce it."""
    import cases  # not at the top: the container process imports some of these modules
    from flytekit.configuration import Image, ImageConfig, SerializationSettings
    from flytekit.tools.translator import get_serializable

    settings = cases.serialization_settings(SerializationSettings, ImageConfig, Image)
    return get_serializable(OrderedDict(), settings, pg_items).template.to_flyte_idl().SerializeToString()
