"""The SQLAlchemy plugin on a real PostgreSQL: a throwaway server on loopback holding the sample tracks, a
local call with the password from a secret, an injection attempt, a statement with no result in a
transaction, and the same query run as Flyte runs it, through ``flyweight-execute``.

Needs PostgreSQL's server programs (Debian: ``apt-get install postgresql``; ``python tools/postgres.py
ensure`` installs them), SQLAlchemy and psycopg (``pip install 'flyweight[pandas,sqlalchemy]'
'psycopg[binary]'``). Without them the demo says what is missing and exits 0: it is optional in
``make demo``.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # tools/postgres.py: the throwaway server the tests use too

from tools.postgres import Server, binaries, running  # noqa: E402

from container_run import run_in_container  # noqa: E402

SECRET_ENV = "_FSEC_MUSIC_PASSWORD"  # the secret music/password, as Flyte mounts it in environment form


def missing() -> str | None:
    """What this demo lacks on this machine, or None."""
    if binaries() is None:
        return "PostgreSQL's server programs (python tools/postgres.py ensure, or apt-get install postgresql)"
    for module in ("sqlalchemy", "psycopg", "pandas"):
        try:
            __import__(module)
        except ImportError:
            return (
                f"the Python package {module} (pip install 'flyweight[pandas,sqlalchemy]' 'psycopg[binary]')"
            )
    return None


def load_tracks(server: Server) -> int:
    """Copy the sample database's tracks into PostgreSQL; the number of rows."""
    import psycopg

    with sqlite3.connect(HERE / "data" / "music.db") as lite:
        rows = lite.execute("select TrackId, Name, Composer, Milliseconds from tracks").fetchall()
    with psycopg.connect(server.dsn()) as con:
        con.execute("create table tracks (id int primary key, name text, composer text, ms int)")
        with con.cursor() as cur:
            cur.executemany("insert into tracks values (%s, %s, %s, %s)", rows)
        con.execute("create table plays (track int references tracks (id), at timestamptz default now())")
    return len(rows)


def tasks(server: Server) -> tuple[Any, Any]:
    from flyweight import kwtypes
    from flyweight.extend import Secret
    from flyweight.plugins.sqlalchemy import SQLAlchemyConfig, SQLAlchemyTask
    from flyweight.types import FlyteSchema

    config = SQLAlchemyConfig(
        uri=server.uri_without_password(),  # no password in the template ...
        connect_args={"connect_timeout": 5},
        secret_connect_args={"password": Secret(group="music", key="password")},  # ... it is a secret
    )
    by_composer = SQLAlchemyTask(
        "demo.pg_tracks_by_composer",
        query_template="""
            select id, name, ms from tracks
            where composer = '{{.inputs.composer}}'
            order by ms desc limit {{.inputs.limit}}
        """,
        task_config=config,
        inputs=kwtypes(composer=str, limit=int),
        output_schema_type=FlyteSchema[kwtypes(id=int, name=str, ms=int)],
    )
    record_play = SQLAlchemyTask(
        "demo.pg_record_play",
        query_template="insert into plays (track) values ({{.inputs.track}})",
        task_config=config,
        inputs=kwtypes(track=int),
        output_schema_type=None,  # a statement with no result, run in a transaction
    )
    return by_composer, record_play


def main() -> int:
    lacking = missing()
    if lacking is not None:
        print(f"SQLAlchemy demo skipped: it needs {lacking}.")
        return 0
    import psycopg

    with running() as server:
        print(f"A throwaway PostgreSQL on 127.0.0.1:{server.port} with {load_tracks(server)} tracks.")
        os.environ[SECRET_ENV] = server.password
        by_composer, record_play = tasks(server)

        print("\n1. A local call; the password comes from the secret music/password:")
        print(by_composer(composer="Ada Berg", limit=3).open().all().to_string(index=False))

        print("\n2. An injection attempt is only a value that matches no composer:")
        rows = by_composer(composer="' OR '1'='1", limit=3).open().all()
        print(f"  {len(rows)} rows")

        print("\n3. A statement with no result commits; one that fails rolls back and is not retried:")
        record_play(track=1)
        try:
            record_play(track=-1)  # no such track: a foreign-key violation
        except Exception as e:
            print(f"  {type(e).__name__}: {str(e).splitlines()[0]}")
        with psycopg.connect(server.dsn()) as con:
            print(f"  plays recorded: {con.execute('select count(*) from plays').fetchone()[0]}")

        print(
            "\n4. The same query as Flyte runs it, through flyweight-execute (secret from the environment):"
        )
        with tempfile.TemporaryDirectory() as tmp:
            run_in_container(by_composer, Path(tmp), {"composer": "Ada Berg", "limit": 3})
    print("\nThe server was stopped and its directory removed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
