"""The execution state a task sees in a container: ``flyweight-execute`` against ``pyflyte-execute``.

Both console scripts run in a subprocess on the same task of ``tests.entrypoint.context_tasks`` (built
with flyweight, or with flytekit for ``pyflyte-execute``); the task returns its mode as a string, and the
two ``outputs.pb`` must be equal: ``TASK_EXECUTION`` for a task, ``DYNAMIC_TASK_EXECUTION`` for the body of
a dynamic task (compiled in the container), never a local mode.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import literals_pb2
from tests.entrypoint import context_tasks as tasks
from tests.entrypoint.test_execute_dynamic import FLYTE_ENV
from tests.entrypoint.test_execute_function import BIN, FLYTEKIT_RESOLVER, OURS, prepare
from tests.serialize.test_workflow_oracle import settings_pair

CASES = [
    (tasks.mode_seen, "TASK_EXECUTION|local=False|n=3"),
    (tasks.dynamic_mode_seen, "DYNAMIC_TASK_EXECUTION|local=False|n=3"),
]


def _run(root: Path, task: Any, sdk: str) -> str:
    _, settings = settings_pair()
    template = task.serialize_to_model(settings)
    env = {e.key: e.value for e in template.container.env}
    root.mkdir(parents=True, exist_ok=True)
    attempt = prepare(root, task, {"n": 3}, list(template.container.args))
    if sdk == "flytekit":
        attempt.replace("flyweight-execute", "pyflyte-execute")
        attempt.replace(OURS, FLYTEKIT_RESOLVER)
    result = attempt.run({**env, **FLYTE_ENV, "CONTEXT_TASKS_SDK": sdk})
    assert result.returncode == 0, result.stderr
    assert result.files() == ["outputs.pb"], (result.files(), result.stderr)
    lm = literals_pb2.LiteralMap.FromString((attempt.out / "outputs.pb").read_bytes())
    return str(lm.literals["o0"].scalar.primitive.string_value)


@pytest.mark.parametrize(("task", "expected"), CASES, ids=["task", "dynamic body"])
def test_the_mode_in_a_container(tmp_path: Path, task: Any, expected: str) -> None:
    assert _run(tmp_path, task, "flyweight") == expected


@pytest.mark.oracle
@pytest.mark.parametrize(("task", "expected"), CASES, ids=["task", "dynamic body"])
def test_the_mode_is_pyflyte_executes(flytekit: Any, tmp_path: Path, task: Any, expected: str) -> None:
    if not (BIN / "pyflyte-execute").exists():
        pytest.skip("pyflyte-execute is not installed next to this Python")
    assert (
        _run(tmp_path / "theirs", task, "flytekit") == _run(tmp_path / "ours", task, "flyweight") == expected
    )
