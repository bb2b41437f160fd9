"""The SQLite3 plugin on the sample database: a local call, an injection attempt, a mistake caught at
definition, and the same task run as Flyte runs it, through ``flyweight-execute``.

Needs pandas and pyarrow (``pip install 'flyweight[pandas]'``). The database, ``data/music.db``, is
made by ``tools/make_sample_db.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from container_run import run_in_container
from flyweight import kwtypes
from flyweight.errors import TaskDefinitionError
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task
from flyweight.types import FlyteSchema

DB = Path(__file__).resolve().parent / "data" / "music.db"

# A query written for flytekit: the string placeholder is quoted. It ports unchanged, but the value
# is bound as a parameter instead of being pasted into the SQL.
by_composer = SQLite3Task(
    "demo.tracks_by_composer",
    query_template="""
        select TrackId, Name, Milliseconds
        from tracks
        where Composer = '{{.inputs.composer}}'
        order by Milliseconds desc
        limit {{.inputs.limit}}
    """,
    inputs=kwtypes(composer=str, limit=int),
    output_schema_type=FlyteSchema[kwtypes(TrackId=int, Name=str, Milliseconds=int)],
    task_config=SQLite3Config(uri=str(DB)),
)


def main() -> None:
    print("1. A local call (it runs the serialized template, as a container would):")
    print(by_composer(composer="Ada Berg", limit=3).open().all().to_string(index=False))

    print("\n2. An injection attempt is only a value that matches no composer:")
    rows = by_composer(composer="' OR '1'='1", limit=3).open().all()
    print(f"  {len(rows)} rows")

    print("\n3. A placeholder where SQL needs a name is refused when the task is defined:")
    try:
        SQLite3Task(
            "demo.bad",
            query_template="select * from {{.inputs.table}}",
            inputs=kwtypes(table=str),
            task_config=SQLite3Config(uri=str(DB)),
        )
    except TaskDefinitionError as e:
        print(f"  TaskDefinitionError: {e}")

    print("\n4. The same task as Flyte runs it, through flyweight-execute:")
    with tempfile.TemporaryDirectory() as tmp:
        run_in_container(by_composer, Path(tmp), {"composer": "Ada Berg", "limit": 3})


if __name__ == "__main__":
    main()
