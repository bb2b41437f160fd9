"""Scratch directories made by file access (where a local call's outputs live) outlast the call and
are removed when the process exits, so local runs leave nothing behind in the temp directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

CODE = """
import os, sys
from flyweight.extend import FileAccessProvider
fa = FileAccessProvider()
target = fa.get_random_remote_path("out.txt")
fa.write_bytes(target, b"kept until exit")
assert open(target, "rb").read() == b"kept until exit"
if os.fork() == 0:          # a forked child exits first and must not remove the parent's data
    os._exit(0) if sys.argv[1] == "exit" else sys.exit(0)
os.wait()
assert os.path.exists(target), "removed by the child"
print(target)
"""


def run(tmp_path: Path, how: str) -> str:
    env = {**os.environ, "TMPDIR": str(tmp_path), "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-c", CODE, how], capture_output=True, text=True, env=env, check=False, timeout=60
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip()


def test_scratch_data_lives_until_the_process_exits_and_is_then_removed(tmp_path: Path) -> None:
    target = run(tmp_path, "sys.exit")
    assert target.startswith(str(tmp_path))
    assert not os.path.exists(target)
    assert os.listdir(tmp_path) == []


def test_a_directory_given_by_the_caller_is_never_removed(tmp_path: Path) -> None:
    from flyweight.extend import FileAccessProvider

    mine = tmp_path / "mine"
    mine.mkdir()
    fa = FileAccessProvider(local_sandbox_dir=str(mine))
    assert fa.local_sandbox_dir == str(mine)
    from flyweight._storage import _access

    assert all(path != str(mine) for _, path in _access._SCRATCH)
