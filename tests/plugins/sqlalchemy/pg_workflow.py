"""A workflow over PostgreSQL for ``flyweight run`` (``test_sqlalchemy_postgres_container.py``).

    FLYWEIGHT_TEST_PG_URI=postgresql+psycopg://u:pw@127.0.0.1:5432/postgres FLYWEIGHT_TEST_PG_TABLE=people \\
        flyweight run tests/plugins/sqlalchemy/pg_workflow.py roster --min-id 2 --skip Grace

The database URL and the table (``id int, name text``) come from the environment, as a deployed
workflow would read its settings; not collected by pytest (no ``test_`` prefix).
"""

from __future__ import annotations

import os

import pandas as pd

from flyweight import kwtypes, task, workflow
from flyweight.plugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyTask
from flyweight.types import FlyteSchema

URI = os.environ.get("FLYWEIGHT_TEST_PG_URI", "postgresql+psycopg://flyweight@127.0.0.1:5432/postgres")
TABLE = os.environ.get("FLYWEIGHT_TEST_PG_TABLE", "people")
if not TABLE.isidentifier():
    raise ValueError(f"FLYWEIGHT_TEST_PG_TABLE must be a plain table name, got {TABLE!r}")

people = SQLAlchemyTask(
    "pg_workflow.people",
    query_template=f"select id, name from {TABLE} "
    "where id >= {{.inputs.min_id}} and name <> '{{.inputs.skip}}' order by id",
    task_config=SQLAlchemyConfig(uri=URI),
    inputs=kwtypes(min_id=int, skip=str),
    output_schema_type=FlyteSchema[kwtypes(id=int, name=str)],
)


@task
def listing(df: pd.DataFrame) -> str:
    """``id:name`` pairs, comma-separated, in the table's order."""
    return ",".join(f"{i}:{n}" for i, n in zip(df["id"], df["name"], strict=True))


@workflow
def roster(min_id: int, skip: str) -> str:
    """The people from ``min_id`` on, except the one called ``skip``."""
    return listing(df=people(min_id=min_id, skip=skip))
