"""``flyweight run`` and its HTML report: one per run by default under ``$FLYWEIGHT_REPORT_DIR``, named on
stderr as ``report: <path>`` at the end (after a failure too); ``--report PATH`` puts it there,
``--no-report`` writes none; a task's deck page is linked from it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.cli.cli_fixtures import invoke, project
from tests.runtime.test_report_record import report_data

__all__ = ["project"]

REPORT_WF = """
from flyweight import task, workflow


@task
def add_one(x: int) -> int:
    return x + 1


@task(enable_deck=True)
def decked(x: int) -> int:
    return x * 2


@task
def explode(x: int) -> int:
    raise ValueError(f"no good: {x}\\nsecond line")


@workflow
def chain(x: int) -> int:
    return decked(x=add_one(x=x))


@workflow
def failing(x: int) -> int:
    return explode(x=add_one(x=x))
"""

REPORT_LINE = re.compile(r"^report: (.+)$", re.M)


@pytest.fixture
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh ``$FLYWEIGHT_REPORT_DIR`` (and local cache) for the test."""
    directory = tmp_path / "reports"
    monkeypatch.setenv("FLYWEIGHT_REPORT_DIR", str(directory))
    monkeypatch.setenv("FLYWEIGHT_CACHE_DIR", str(tmp_path / "cache"))
    return directory


@pytest.fixture
def wf_file(project: Path, reports: Path) -> Path:
    path = project / "report_wf.py"
    path.write_text(REPORT_WF)
    return path


def reported(stderr: str) -> Path:
    """The one report path named on ``stderr``."""
    found = REPORT_LINE.findall(stderr)
    assert len(found) == 1, f"expected one 'report: <path>' line on stderr, got {found}:\n{stderr}"
    return Path(found[0])


def test_a_run_writes_its_report_under_the_report_directory(wf_file: Path, reports: Path) -> None:
    result = invoke("run", "report_wf.py", "chain", "--x", "1")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "o0 = 4"
    assert result.stderr.rstrip().splitlines()[-1].startswith("report: ")  # at the end
    path = reported(result.stderr)
    assert path.is_file()
    assert path.name == "report.html"
    assert path.parent.parent == reports
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", path.parent.name)
    data = report_data(path)
    assert data["run"]["status"] == "succeeded"
    assert data["run"]["workflow"] == "report_wf.chain"
    assert data["run"]["inputs"] == {"x": "int 1"} and data["run"]["outputs"] == {"o0": "int 4"}
    assert [n["id"] for n in data["nodes"]] == ["n0", "n1"]
    # a second run gets a report of its own
    again = invoke("run", "report_wf.py", "chain", "--x", "2")
    assert again.exit_code == 0, again.output
    other = reported(again.stderr)
    assert other != path and other.is_file() and path.is_file()


def test_the_report_links_the_deck_page_of_a_task_with_decks(wf_file: Path) -> None:
    result = invoke("run", "report_wf.py", "chain", "--x", "1")
    assert result.exit_code == 0, result.output
    path = reported(result.stderr)
    decks = report_data(path)["decks"]
    assert decks == {"n1": {"1": "report_decks/n1/1/deck.html"}}
    page = path.parent / decks["n1"]["1"]
    assert page.is_file()
    assert 'data-deck="Input"' in page.read_text(encoding="utf-8")


def test_report_path_writes_there(wf_file: Path, reports: Path, tmp_path: Path) -> None:
    target = tmp_path / "mine" / "run.html"
    result = invoke("run", "report_wf.py", "chain", "--x", "1", "--report", str(target))
    assert result.exit_code == 0, result.output
    assert reported(result.stderr) == target
    assert target.is_file()
    assert report_data(target)["decks"] == {"n1": {"1": "run_decks/n1/1/deck.html"}}
    assert (target.parent / "run_decks" / "n1" / "1" / "deck.html").is_file()
    assert not reports.exists() or not any(reports.iterdir())


def test_no_report_writes_none(wf_file: Path, reports: Path, project: Path) -> None:
    result = invoke("run", "report_wf.py", "chain", "--x", "1", "--no-report")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "o0 = 4"
    assert not REPORT_LINE.search(result.stderr)
    assert "report" not in result.stderr
    assert not reports.exists() or not any(reports.iterdir())
    assert not list(project.rglob("*.html"))


def test_a_failed_run_names_its_report_and_exits_non_zero(wf_file: Path) -> None:
    result = invoke("run", "report_wf.py", "failing", "--x", "1")
    assert result.exit_code == 1, result.output
    path = reported(result.stderr)
    assert path.is_file()
    assert result.stderr.index("report: ") < result.stderr.index("no good: 2")  # before the error
    data = report_data(path)
    assert data["run"]["status"] == "failed"
    assert "no good: 2\nsecond line" in data["run"]["error"]
    failed = [e for e in data["events"] if e[1] == "failed"]
    assert [e[0] for e in failed] == ["n1"]
    assert "ValueError: no good: 2\nsecond line" in failed[0][3]["error"]


def test_an_unwritable_report_says_why_and_the_run_succeeds(wf_file: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    result = invoke("run", "report_wf.py", "chain", "--x", "1", "--report", str(blocker / "r.html"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "o0 = 4"
    assert not REPORT_LINE.search(result.stderr)
    assert "flyweight run: the report could not be written: StorageError" in result.stderr


def test_the_console_script_names_the_report_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "report_wf.py").write_text(REPORT_WF)
    reports = tmp_path / "reports"
    env = {**os.environ, "FLYWEIGHT_REPORT_DIR": str(reports), "FLYWEIGHT_CACHE_DIR": str(tmp_path / "cache")}
    script = Path(sys.executable).parent / "flyweight"
    ok = subprocess.run(
        [str(script), "run", "report_wf.py", "chain", "--x", "3"],
        cwd=tmp_path, capture_output=True, text=True, check=False, env=env, timeout=300,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "report:" not in ok.stdout
    path = reported(ok.stderr)
    assert path.is_file() and path.parent.parent == reports
    failed = subprocess.run(
        [str(script), "run", "report_wf.py", "failing", "--x", "3"],
        cwd=tmp_path, capture_output=True, text=True, check=False, env=env, timeout=300,
    )  # fmt: skip
    assert failed.returncode == 1
    path = reported(failed.stderr)
    assert report_data(path)["run"]["status"] == "failed"
