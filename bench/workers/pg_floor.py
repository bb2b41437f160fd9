"""The SQLAlchemy benchmark's floor: the same query with no SDK, psycopg 3 straight to a parquet file.

Usage: ``python pg_floor.py --limit N --out DIR [--sqlalchemy]`` (flyweight's interpreter), the libpq
connection string in ``FLYWEIGHT_BENCH_PG_DSN`` (with ``--sqlalchemy``, the URL in
``FLYWEIGHT_BENCH_PG_URI``).

What any container process running the task has to do at least, timed as a whole process like the
entrypoints: start Python, import psycopg and pyarrow's parquet module, connect, run
``select * from items order by id limit N``, fetch the rows, build a pyarrow table column by column
(``pyarrow.array`` on each column, types inferred) and write it as ``DIR/00000``, the file name both
SDKs give a dataset's single parquet file. No template, no inputs or outputs file, no SQLAlchemy, no
pandas: ``pyarrow.array`` imports pandas on its first call when pandas is installed (about 0.3 s of
a process, which no step here needs), so an import hook makes pandas look absent, as it is in an
image without it. Prints nothing; the driver reads the file back to check the row count.

With ``--sqlalchemy`` the query goes through SQLAlchemy instead (``create_engine``, ``text()``,
``fetchall``), as any executor built on SQLAlchemy must run it: the floor of a SQLAlchemy task, which
shows how much of the gap to the first floor is SQLAlchemy's own import and row handling.
"""

from __future__ import annotations

import argparse
import os
import sys
from importlib.machinery import ModuleSpec
from pathlib import Path

QUERY = "select * from items order by id limit %s"


class NoPandas:
    """A meta path finder that refuses pandas, so pyarrow proceeds as if it were not installed."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> ModuleSpec | None:
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"{name} is left out of the floor", name=name)
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--sqlalchemy", action="store_true", help="run the query through SQLAlchemy")
    args = parser.parse_args()
    sys.meta_path.insert(0, NoPandas())
    import psycopg
    import pyarrow as pa
    import pyarrow.parquet as pq

    if args.sqlalchemy:
        import sqlalchemy

        engine = sqlalchemy.create_engine(os.environ["FLYWEIGHT_BENCH_PG_URI"])
        with engine.connect() as conn:
            result = conn.execute(sqlalchemy.text(QUERY.replace("%s", ":n")), {"n": args.limit})
            names = list(result.keys())
            rows = result.fetchall()
        engine.dispose()
    else:
        with psycopg.connect(os.environ["FLYWEIGHT_BENCH_PG_DSN"]) as conn:
            cur = conn.execute(QUERY, (args.limit,))
            names = [d.name for d in cur.description or ()]
            rows = cur.fetchall()
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    table = pa.table({name: pa.array(values) for name, values in zip(names, columns, strict=True)})
    args.out.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, args.out / "00000")


if __name__ == "__main__":
    main()
