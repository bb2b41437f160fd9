"""The SQLAlchemy benchmark's task written against flyweight (twin of ``pg_flytekit.py``).

The database URL (``postgresql+psycopg://...``) comes from ``FLYWEIGHT_BENCH_PG_URI``
when the module is imported; it is baked into the template's ``custom`` (``uri``), so the container
process needs no environment of its own. ``serialize_template.py --module pg`` writes the task's
template, as registration makes it, to a file.
"""

from __future__ import annotations

import os

from flyweight import kwtypes
from flyweight.plugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyTask

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

    from flyweight import Image, ImageConfig, SerializationSettings
    from flyweight.extend import get_serializable

    settings = cases.serialization_settings(SerializationSettings, ImageConfig, Image)
    return get_serializable({}, settings, pg_items).template.SerializeToString()
