"""The rule for optional test dependencies (``tests/oracle.py``, the ``flytekit`` fixture of
``tests/conftest.py``): a missing one skips the test, unless ``FLYWEIGHT_REQUIRE_ORACLE=1``, where it
fails. Checked on the helpers directly, and end to end in pytest subprocesses where flytekit cannot be
imported (``sys.modules["flytekit"] = None``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from tests.oracle import REQUIRE_ENV, load_flytekit, missing, require

REPO = Path(__file__).resolve().parents[1]
ABSENT = "flyweight_test_dependency_that_is_not_installed"


def _env(required: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != REQUIRE_ENV}
    if required:
        env[REQUIRE_ENV] = "1"
    return env


# --- the helpers ------------------------------------------------------------------------------------------


def test_a_missing_module_skips_without_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match=ABSENT):
        require(ABSENT)
    with pytest.raises(pytest.skip.Exception, match="pyflyte"):
        missing("pyflyte is not installed")


@pytest.mark.parametrize("value", ["", "0", "yes"])
def test_only_the_value_1_turns_on_the_rule(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(REQUIRE_ENV, value)
    with pytest.raises(pytest.skip.Exception):
        require(ABSENT)


def test_a_missing_module_fails_with_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match=f"{REQUIRE_ENV}=1 but {ABSENT} .*cannot be imported"):
        require(ABSENT)
    with pytest.raises(pytest.fail.Exception, match="pyflyte"):
        missing("pyflyte is not installed")


@pytest.mark.parametrize("required", [False, True])
def test_flytekit_made_unimportable(monkeypatch: pytest.MonkeyPatch, required: bool) -> None:
    monkeypatch.setitem(sys.modules, "flytekit", None)
    monkeypatch.setitem(sys.modules, "moto.server", None)
    if required:
        monkeypatch.setenv(REQUIRE_ENV, "1")
    else:
        monkeypatch.delenv(REQUIRE_ENV, raising=False)
    outcome = pytest.fail.Exception if required else pytest.skip.Exception
    with pytest.raises(outcome, match="flytekit"):
        load_flytekit()
    with pytest.raises(outcome, match="moto"):
        require("moto.server", why="moto[server], for the S3 tests")


def test_a_present_module_is_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    assert require("json") is sys.modules["json"]


# --- end to end: the fixture, and a module-level require, in a pytest subprocess ---------------------


@pytest.mark.oracle
def test_the_fixture_gives_the_flytekit_module(flytekit: ModuleType) -> None:
    assert flytekit.__name__ == "flytekit"
    assert flytekit is sys.modules["flytekit"]


_WITHOUT_FLYTEKIT = (
    "import sys; sys.modules['flytekit'] = None; import pytest; raise SystemExit(pytest.main(sys.argv[1:]))"
)


def _pytest_without_flytekit(*args: str, required: bool, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _WITHOUT_FLYTEKIT, "-q", "-rsf", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=_env(required),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("required", [False, True])
def test_the_fixture_without_flytekit(required: bool) -> None:
    test = f"{Path(__file__).relative_to(REPO).as_posix()}::test_the_fixture_gives_the_flytekit_module"
    done = _pytest_without_flytekit(test, required=required, cwd=REPO)
    report = done.stdout + done.stderr
    if required:
        assert done.returncode == pytest.ExitCode.TESTS_FAILED, report
        assert "1 error" in report, report  # an error in the fixture's setup: a failure, not a skip
        assert f"{REQUIRE_ENV}=1 but flytekit (the oracle) cannot be imported" in report, report
    else:
        assert done.returncode == pytest.ExitCode.OK, report
        assert "1 skipped" in report, report
        assert "flytekit (the oracle) cannot be imported" in report, report


@pytest.mark.parametrize("required", [False, True])
def test_a_module_level_require(required: bool, tmp_path: Path) -> None:
    (tmp_path / "test_needs_it.py").write_text(
        f"from tests.oracle import require\n\nrequire({ABSENT!r})\n\n\ndef test_x():\n    pass\n"
    )
    env = {**_env(required), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rsf", "-p", "no:cacheprovider", "test_needs_it.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    report = done.stdout + done.stderr
    if required:
        assert done.returncode == pytest.ExitCode.INTERRUPTED, report  # a collection error
        assert "1 error" in report, report
        assert f"{REQUIRE_ENV}=1 but {ABSENT} cannot be imported" in report, report
    else:
        assert done.returncode == pytest.ExitCode.NO_TESTS_COLLECTED, report  # the module is skipped
        assert "1 skipped" in report, report
