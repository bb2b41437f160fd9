"""``make demo``'s main job: ``examples/music_report.py`` run in-process, through ``flyweight run`` (its
SQL task through ``flyweight-execute``), and packaged for registration."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from flyweight._cli import main
from flyweight._runtime import run_workflow

ROOT = Path(__file__).resolve().parents[2]
DB = ROOT / "examples" / "data" / "music.db"


def _expected(min_ms: int) -> list[tuple[str, int, float]]:
    with sqlite3.connect(DB) as db:
        rows = db.execute(
            "select genres.Name, count(*), sum(Milliseconds) from tracks join genres using (GenreId) "
            "where Milliseconds >= ? group by genres.Name",
            (min_ms,),
        ).fetchall()
    stats = [(genre, count, round(total / 60_000, 1)) for genre, count, total in rows]
    return sorted(stats, key=lambda s: (-s[2], s[0]))


def _check(text: str, min_ms: int) -> None:
    lines = text.strip().splitlines()
    assert lines[0] == f"Tracks of at least {min_ms / 1000:g} s, by genre:"
    expected = _expected(min_ms)
    assert [line.split()[0] for line in lines[1:-1]] == [g.split()[0] for g, _, _ in expected]
    assert f"{expected[0][1]:>4} tracks {expected[0][2]:>8.1f} min" in lines[1]
    total = sum(c for _, c, _ in expected)
    assert lines[-1].split()[:3] == ["total", str(total), "tracks"]


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("FLYWEIGHT_CACHE_DIR", str(tmp_path / "cache"))
    return ROOT


def test_the_workflow_runs_in_process(at_root: Path) -> None:
    sys.path.insert(0, str(at_root))
    try:
        from examples.music_report import music_report
    finally:
        sys.path.remove(str(at_root))
    _check(run_workflow(music_report, {"min_ms": 250_000}, in_process=True), 250_000)


def test_flyweight_run_prints_progress_and_the_report(at_root: Path, tmp_path: Path) -> None:
    blobs = tmp_path / "blobs"
    result = CliRunner().invoke(
        main,
        ["run", "examples/music_report.py", "music_report", "--min-ms", "200000", "--blob-dir", str(blobs)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "n0      music_report.long_tracks        succeeded" in result.output
    assert (blobs / "n0" / "template.pb").exists()  # the SQL task ran through flyweight-execute
    report = result.output.split("o0 =", 1)[1]
    _check(report, 200_000)


def test_the_console_script_runs_and_packages_the_example(at_root: Path, tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "flyweight"
    done = subprocess.run(
        [str(script), "run", "examples/music_report.py", "music_report", "--min-ms", "300000"],
        cwd=at_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    _check(done.stdout.split("o0 =", 1)[1], 300_000)
    archive = tmp_path / "flyte-package.tgz"
    packaged = subprocess.run(
        [
            str(script),
            "package",
            "examples/music_report.py",
            "-o",
            str(archive),
            "--image",
            "ghcr.io/acme/demo:v1",
        ],
        cwd=at_root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert packaged.returncode == 0, packaged.stderr
    assert "3_examples.music_report.music_report_2.pb" in packaged.stdout
    assert archive.stat().st_size > 0
