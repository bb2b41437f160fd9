"""The SQLAlchemy demo (``examples/sqlalchemy_demo.py``) runs on a real PostgreSQL and shows what it
promises; it starts and removes its own server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.oracle import missing, require
from tests.plugins.sqlite3.sqlite3_support import BIN, REPO
from tools.postgres import PASSWORD, binaries

require("sqlalchemy", why="the SQLAlchemy plugin")
require("psycopg", why="the PostgreSQL driver")


def test_demo_runs(tmp_path: Path) -> None:
    if binaries() is None:
        missing("PostgreSQL's initdb is not installed (python tools/postgres.py ensure)")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        [sys.executable, str(REPO / "examples" / "sqlalchemy_demo.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "with 400 tracks" in out
    assert "  0 rows" in out
    assert "ForeignKeyViolation" in out
    assert "plays recorded: 1" in out
    assert "exit 0; outputs.pb holds a parquet structured dataset" in out
    assert out.count("Storm Rain") == 2  # the same top track, locally and through flyweight-execute
    assert "The server was stopped" in out
    assert PASSWORD not in out + done.stderr  # the password is a secret
