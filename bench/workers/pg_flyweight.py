"""The SQLAlchemy benchmark's task written against flyweight (twin of ``pg_flytekit.py``).

The database URL (``postgresql+psycopg://...``) comes from ``FLYWEIGHT_BENCH_PG_URI``
when the module is imported; it is baked into the template's ``custom`` (``uri``), so the container
process needs no environment of its own. Run as a script, the module writes the task's template, as
registration makes it, to a file and prints one JSON line: ``python pg_flyweight.py --out PATH``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
from importlib import metadata
from pathlib import Path

import cases

from flyweight import kwtypes
from flyweight.plugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyTask

# The packages the container process runs the query with, reported next to the figures.
PACKAGES = ("sqlalchemy", "psycopg", "psycopg-binary", "pandas", "pyarrow")
QUERY = "select * from items order by id limit {{.inputs.limit}}"

pg_items = SQLAlchemyTask(
    "pg_items",
    query_template=QUERY,
    task_config=SQLAlchemyConfig(uri=os.environ["FLYWEIGHT_BENCH_PG_URI"]),
    inputs=kwtypes(limit=int),
)


def template_bytes() -> bytes:
    """``pg_items``' TaskTemplate as registration would produce it."""
    from flyweight import Image, ImageConfig, SerializationSettings
    from flyweight.extend import get_serializable

    settings = SerializationSettings(
        project="bench",
        domain="development",
        version="v1",
        image_config=ImageConfig(
            default_image=Image(name="default", fqn="ghcr.io/flyweight-bench/default", tag="1")
        ),
    )
    return get_serializable({}, settings, pg_items).template.SerializeToString()


def main() -> None:
    """Write the template to ``--out`` and print one JSON line (as ``serialize_template.py`` does)."""
    parser = argparse.ArgumentParser(description="write pg_items' template (flyweight)")
    parser.add_argument("--out", type=Path, required=True)
    data = template_bytes()
    parser.parse_args().out.write_bytes(data)
    cases.emit(
        {
            "side": "flyweight",
            "template_size": len(data),
            "template_sha256": hashlib.sha256(data).hexdigest(),
            "versions": cases.versions(),
            "packages": {name: metadata.version(name) for name in PACKAGES},
        }
    )


if __name__ == "__main__":
    main()
