"""``tools/goldens.py`` rebuilds every committed golden under ``tests/golden/`` byte for byte, and its
``--check`` mode reports each kind of difference.

The generator runs flytekit (the oracle) in a subprocess; every test uses the ``flytekit`` fixture, so
without flytekit these tests are skipped, unless ``FLYWEIGHT_REQUIRE_ORACLE=1``, in which case they fail.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.oracle, pytest.mark.usefixtures("flytekit")]

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
SCRIPT = REPO / "tools" / "goldens.py"


def _run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _pb_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.pb"))}


def test_the_generator_makes_exactly_the_committed_bytes(tmp_path: Path) -> None:
    done = _run("--dir", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    made, committed = _pb_files(tmp_path), _pb_files(GOLDEN)
    assert committed, f"no goldens under {GOLDEN}"
    assert sorted(made) == sorted(committed)
    changed = [name for name in committed if made[name] != committed[name]]
    assert not changed, f"regenerated goldens differ from the committed ones: {changed}"


def test_check_lists_changed_missing_and_stale_files(tmp_path: Path) -> None:
    tree = tmp_path / "golden"
    shutil.copytree(GOLDEN, tree)
    (tree / "literals" / "int.type.pb").write_bytes(b"not the oracle's bytes")
    (tree / "templates" / "sqlite3_bare_get_serializable_template.pb").unlink()
    (tree / "templates" / "sqlite3_gone.pb").write_bytes(b"")
    done = _run("--check", "--dir", tree)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "changed: literals/int.type.pb" in done.stdout
    assert "missing (made but not in the tree): templates/sqlite3_bare_get_serializable_template.pb" in (
        done.stdout
    )
    assert "stale (in the tree but no longer made): templates/sqlite3_gone.pb" in done.stdout
    assert (tree / "literals" / "int.type.pb").read_bytes() == b"not the oracle's bytes", "--check wrote"
