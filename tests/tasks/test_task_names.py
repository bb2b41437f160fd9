"""A task's name does not depend on how Python was started.

A task made inside a function (here: a test function) is named after its function's module, as in
flytekit: ``pkg.test_made_inside.t1`` whether the tests run under ``python -m pytest`` or the
``pytest`` console script. (The launcher's ``__main__`` is the outermost module frame while the test
runs, but the task was not made by its module-level code.) Names reach templates and cache keys.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

_TEST_MODULE = textwrap.dedent(
    """
    import os

    import flyweight


    def test_names():
        @flyweight.task
        def t1(a: int) -> int:
            return a

        names = [t1.name]
        if os.environ.get("WITH_ORACLE") == "1":
            import flytekit

            names.append(flytekit.task(t1.task_function).name)
        print("NAMES", *names)
    """
)

_LAUNCHERS = {
    "python -m pytest": [sys.executable, "-m", "pytest"],
    "pytest": [str(Path(sys.executable).parent / "pytest")],
}


def _names(tmp_path: Path, launcher: list[str], oracle: bool = False) -> list[str]:
    (tmp_path / "pkg").mkdir(exist_ok=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "test_made_inside.py").write_text(_TEST_MODULE)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env.update(PYTEST_DISABLE_PLUGIN_AUTOLOAD="1", WITH_ORACLE="1" if oracle else "0")
    proc = subprocess.run(
        [*launcher, "-q", "-s", "-p", "no:cacheprovider", "pkg/test_made_inside.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = [line.split()[1:] for line in proc.stdout.splitlines() if line.startswith("NAMES ")]
    assert len(lines) == 1, proc.stdout
    return lines[0]


@pytest.mark.parametrize("how", list(_LAUNCHERS))
def test_a_task_made_in_a_test_function_is_named_after_its_module(tmp_path: Path, how: str) -> None:
    assert _names(tmp_path, _LAUNCHERS[how]) == ["pkg.test_made_inside.t1"]


def test_the_name_is_flytekits(tmp_path: Path, flytekit: ModuleType) -> None:
    ours, theirs = _names(tmp_path, _LAUNCHERS["python -m pytest"], oracle=True)
    assert ours == theirs == "pkg.test_made_inside.t1"
