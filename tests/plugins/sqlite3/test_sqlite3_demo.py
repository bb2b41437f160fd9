"""The SQLite3 demo (``examples/sqlite3_demo.py``) runs and shows what it promises."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.plugins.sqlite3.sqlite3_support import BIN, REPO


def test_demo_runs(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(
        [sys.executable, str(REPO / "examples" / "sqlite3_demo.py")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "  0 rows" in out
    assert "TaskDefinitionError: task 'demo.bad': {{.inputs.table}} stands where SQL needs a name" in out
    assert "exit 0; outputs.pb holds a parquet structured dataset" in out
    assert out.count("Storm Rain") == 2  # the same top track, locally and through flyweight-execute
