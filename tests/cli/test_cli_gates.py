"""``flyweight run ... --gate NAME=VALUE --gate-file FILE --skip-sleep``: gate values given up front; a
gate without one (no terminal under the test runner) fails the run naming the gate and how to give it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tests.cli.cli_fixtures import invoke, project
from tests.cli.cli_run_sources import write

__all__ = ["project"]

GATES = """
import datetime

from flyweight import approve, sleep, task, wait_for_input, workflow


@task
def add(a: int, b: int) -> int:
    return a + b


@workflow
def gated(a: int) -> int:
    n = wait_for_input("count", timeout=datetime.timedelta(hours=1), expected_type=int)
    total = add(a=a, b=n)
    return approve(total, "ok", timeout=datetime.timedelta(hours=1))


@workflow
def sleepy(a: int) -> int:
    pause = sleep(datetime.timedelta(hours=5))
    out = add(a=a, b=1)
    pause >> out
    return out
"""


@pytest.fixture
def gates_file(project: Path) -> Path:
    return write(project, "gates", GATES)


def test_gate_values_from_the_command_line(gates_file: Path) -> None:
    result = invoke("run", "gates.py", "gated", "--a", "1", "--gate", "count=41", "--gate", "ok=yes")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = 42"


def test_gate_values_from_a_file_the_command_line_wins(gates_file: Path, project: Path) -> None:
    (project / "gates.json").write_text(json.dumps({"count": 5, "ok": "no"}))
    result = invoke("run", "gates.py", "gated", "--a", "1", "--gate-file", "gates.json", "--gate", "ok=y")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = 6"
    denied = invoke("run", "gates.py", "gated", "--a", "1", "--gate-file", "gates.json")
    assert denied.exit_code == 1
    assert "approval gate 'ok' (node n2) was not approved (denied)" in denied.output


def test_a_missing_gate_value_fails_naming_the_gate_and_the_option(gates_file: Path) -> None:
    result = invoke("run", "gates.py", "gated", "--a", "1", "--gate", "ok=yes")
    assert result.exit_code == 1
    assert (
        "input gate 'count' (node n0) is waiting for a value of type int and none was given" in result.output
    )
    assert "--gate count=VALUE" in result.output


def test_skip_sleep(gates_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flyweight._runtime import _engine

    original = _engine.run_gate

    def run_gate(*args: Any) -> Any:  # a run that would wait five hours fails here instead of hanging
        assert args[3].skip_sleep, "--skip-sleep did not reach the run"
        return original(*args)

    monkeypatch.setattr(_engine, "run_gate", run_gate)
    result = invoke("run", "gates.py", "sleepy", "--a", "1", "--skip-sleep")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = 2"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--gate", "count"], "expected NAME=VALUE, got 'count'"),
        (["--gate", "=3"], "expected NAME=VALUE, got '=3'"),
        (["--gate-file", "list.json"], "holds a JSON list; expected an object of gate values"),
        (["--gate-file", "broken.json"], "cannot read 'broken.json' as JSON"),
    ],
)
def test_bad_gate_options_are_usage_errors(
    gates_file: Path, project: Path, args: list[str], message: str
) -> None:
    (project / "list.json").write_text("[1]")
    (project / "broken.json").write_text("{")
    result = invoke("run", "gates.py", "gated", "--a", "1", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_help_lists_the_gate_options(gates_file: Path) -> None:
    result = invoke("run", "gates.py", "gated", "--help")
    assert result.exit_code == 0
    for option in ("--gate NAME=VALUE", "--gate-file", "--skip-sleep"):
        assert option in result.output
