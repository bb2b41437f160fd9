"""The SQLite3 plugin on the sample database: a local call, an injection attempt, a mistake caught at
definition, and the same task run as Flyte runs it, through ``flyweight-execute``.

Needs pandas and pyarrow (``pip install 'flyweight[pandas]'``). The database, ``data/music.db``, is
made by ``tools/make_sample_db.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd
from flyteidl.core import errors_pb2, literals_pb2

from flyweight import Image, ImageConfig, SerializationSettings, kwtypes
from flyweight.errors import TaskDefinitionError
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task
from flyweight.types import FlyteSchema, TypeEngine

DB = Path(__file__).resolve().parent / "data" / "music.db"
SETTINGS = SerializationSettings(
    project="demo",
    domain="development",
    version="v1",
    image_config=ImageConfig(default_image=Image(name="default", fqn="ghcr.io/acme/app", tag="1")),
)

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


def run_in_container(workdir: Path, inputs: dict[str, object]) -> None:
    template = by_composer.serialize_to_model(SETTINGS)
    (workdir / "template.pb").write_bytes(template.SerializeToString())
    lm = TypeEngine.dict_to_literal_map(None, inputs, by_composer.python_interface.inputs)
    (workdir / "inputs.pb").write_bytes(lm.SerializeToString())
    fill = {
        "{{.input}}": str(workdir / "inputs.pb"),
        "{{.outputPrefix}}": str(workdir / "out"),
        "{{.rawOutputDataPrefix}}": str(workdir / "raw"),
        "{{.taskTemplatePath}}": str(workdir / "template.pb"),
    }
    args = [fill.get(a, a) for a in template.container.args]
    print("  $", " ".join([*args[:1], "…", *args[-2:]]))
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    done = subprocess.run(args, env=env, check=False, capture_output=True, text=True)
    out = workdir / "out"
    if (out / "outputs.pb").exists():
        result = literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes())
        frame = TypeEngine.to_python_value(None, result.literals["results"], pd.DataFrame)
        print(f"  exit {done.returncode}; outputs.pb holds a parquet structured dataset:")
        print(frame.to_string(index=False))
    else:
        error = errors_pb2.ErrorDocument.FromString((out / "error.pb").read_bytes()).error
        print(f"  exit {done.returncode}; error.pb: {error.message.splitlines()[-1].strip()}")


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
        run_in_container(Path(tmp), {"composer": "Ada Berg", "limit": 3})


if __name__ == "__main__":
    main()
