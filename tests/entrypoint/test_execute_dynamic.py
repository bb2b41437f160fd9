"""``flyweight-execute`` running dynamic tasks: ``futures.pb`` as flytekit's ``pyflyte-execute`` writes it.

Each test serializes a task of ``tests.entrypoint.dynamic_tasks``, fills its container arguments and
environment (``_F_SS_C`` included) as Flyte does, and runs the real console script in a subprocess. The
same module is run by ``pyflyte-execute`` from the virtualenv (built with flytekit there), and the two
``futures.pb`` must be equal once flytekit's task templates are mapped to flyweight's (program, resolver,
runtime version: ``identity_map``) and ``upstream_node_ids`` are sorted (flytekit writes them in set
order). An attempt leaves exactly one of ``outputs.pb``, ``futures.pb`` and ``error.pb``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import dynamic_job_pb2, errors_pb2, literals_pb2
from tests.entrypoint import dynamic_tasks as tasks
from tests.entrypoint.test_execute_function import BIN, FLYTEKIT_RESOLVER, OURS, Attempt, prepare
from tests.serialize.test_workflow_oracle import diff, settings_pair
from tests.tasks.test_function_task_oracle import identity_map
from tests.workflows.test_dynamic import normalized_job

from flyweight._workflows._dynamic_spec import SERIALIZED_CONTEXT_ENV_VAR

FLYTE_ENV = {
    "FLYTE_INTERNAL_EXECUTION_PROJECT": "proj",
    "FLYTE_INTERNAL_EXECUTION_DOMAIN": "dev",
    "FLYTE_INTERNAL_EXECUTION_ID": "exec1",
    "FLYTE_INTERNAL_TASK_VERSION": "v1",
}


def attempt(root: Path, task: Any, inputs: dict[str, Any]) -> tuple[Attempt, dict[str, str]]:
    """The container arguments and environment Flyte would give ``task``'s pod."""
    _, settings = settings_pair()
    template = task.serialize_to_model(settings)
    env = {e.key: e.value for e in template.container.env}
    assert SERIALIZED_CONTEXT_ENV_VAR in env
    root.mkdir(parents=True, exist_ok=True)
    return prepare(root, task, inputs, list(template.container.args)), {**env, **FLYTE_ENV}


def files(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir()) if out.exists() else []


def futures(out: Path) -> dynamic_job_pb2.DynamicJobSpec:
    assert files(out) == ["futures.pb"], files(out)
    return dynamic_job_pb2.DynamicJobSpec.FromString((out / "futures.pb").read_bytes())


def run_pyflyte(root: Path, task: Any, inputs: dict[str, Any]) -> Path:
    """The same attempt through flytekit's ``pyflyte-execute`` (tasks built with flytekit)."""
    if shutil.which("pyflyte-execute", path=str(BIN)) is None:
        pytest.skip("pyflyte-execute is not installed next to this Python")
    theirs, env = attempt(root, task, inputs)
    theirs.replace("flyweight-execute", "pyflyte-execute")
    theirs.replace(OURS, FLYTEKIT_RESOLVER)
    result = theirs.run({**env, "DYNAMIC_TASKS_SDK": "flytekit"})
    assert result.returncode == 0, result.stderr
    return theirs.out


def expected_from(fk_spec: dynamic_job_pb2.DynamicJobSpec) -> dynamic_job_pb2.DynamicJobSpec:
    out = normalized_job(fk_spec)
    for tpl in out.tasks:
        outputs = list(getattr(tasks, tpl.id.name.rsplit(".", 1)[-1]).python_interface.outputs)
        tpl.CopyFrom(identity_map(tpl, outputs))
    return out


@pytest.mark.oracle
@pytest.mark.parametrize(("name", "inputs"), [("fan_out", {"n": 3}), ("mixed", {"n": 2})])
def test_futures_equal_pyflyte_executes(
    flytekit: Any, tmp_path: Path, name: str, inputs: dict[str, Any]
) -> None:
    task = getattr(tasks, name)
    ours, env = attempt(tmp_path / "ours", task, inputs)
    result = ours.run(env)
    assert result.returncode == 0, result.stderr
    got = futures(ours.out)
    theirs = futures(run_pyflyte(tmp_path / "theirs", task, inputs))
    expected = expected_from(theirs)
    got = normalized_job(got)
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )


def test_futures_are_deterministic_and_name_the_task_version(tmp_path: Path) -> None:
    written = []
    for i in range(2):
        ours, env = attempt(tmp_path / str(i), tasks.mixed, {"n": 3})
        result = ours.run(env)
        assert result.returncode == 0, result.stderr
        assert files(ours.out) == ["futures.pb"]
        written.append((ours.out / "futures.pb").read_bytes())
    assert written[0] == written[1]
    spec = dynamic_job_pb2.DynamicJobSpec.FromString(written[0])
    assert spec.min_successes == len(spec.nodes) == 5  # inner three times, fan_out, total
    assert {t.id.version for t in spec.tasks} == {"v1"}
    assert {w.id.name for w in spec.subworkflows} == {"tests.entrypoint.dynamic_tasks.inner"}
    assert [n.id for n in spec.nodes] == ["dn0", "dn1", "dn2", "dn3", "dn4"]


def test_the_task_version_comes_from_flyte(tmp_path: Path) -> None:
    ours, env = attempt(tmp_path, tasks.fan_out, {"n": 1})
    result = ours.run({**env, "FLYTE_INTERNAL_TASK_VERSION": "v7"})
    assert result.returncode == 0, result.stderr
    assert [t.id.version for t in futures(ours.out).tasks] == ["v7"]


@pytest.mark.oracle
def test_a_body_without_nodes_writes_outputs_as_pyflyte_execute(flytekit: Any, tmp_path: Path) -> None:
    ours, env = attempt(tmp_path / "ours", tasks.constant, {"n": 4})
    result = ours.run(env)
    assert result.returncode == 0, result.stderr
    assert files(ours.out) == ["outputs.pb"]
    got = literals_pb2.LiteralMap.FromString((ours.out / "outputs.pb").read_bytes())
    assert got.literals["o0"].scalar.primitive.string_value == "n=4"
    theirs = run_pyflyte(tmp_path / "theirs", tasks.constant, {"n": 4})
    assert files(theirs) == ["outputs.pb"]
    expected = literals_pb2.LiteralMap.FromString((theirs / "outputs.pb").read_bytes())
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True)


def test_a_failing_body_writes_error_pb_and_no_futures(tmp_path: Path) -> None:
    ours, env = attempt(tmp_path, tasks.refuses, {"n": 2})
    result = ours.run(env)
    assert result.returncode == 0, result.stderr
    assert files(ours.out) == ["error.pb"]
    error = errors_pb2.ErrorDocument.FromString((ours.out / "error.pb").read_bytes()).error
    assert "the body refuses n=2" in error.message
    assert error.kind == errors_pb2.ContainerError.NON_RECOVERABLE
    assert error.code.startswith("USER")


def test_the_same_body_builds_a_graph_when_it_may(tmp_path: Path) -> None:
    ours, env = attempt(tmp_path, tasks.refuses, {"n": 1})
    result = ours.run(env)
    assert result.returncode == 0, result.stderr
    spec = futures(ours.out)
    assert [t.id.name for t in spec.tasks] == ["tests.entrypoint.dynamic_tasks.add_one"]


def test_without_serialized_settings_the_execution_ids_are_used(tmp_path: Path) -> None:
    ours, env = attempt(tmp_path, tasks.fan_out, {"n": 1})
    env.pop(SERIALIZED_CONTEXT_ENV_VAR)
    result = ours.run(env)
    assert result.returncode == 0, result.stderr
    (tpl,) = futures(ours.out).tasks
    assert (tpl.id.project, tpl.id.domain, tpl.id.version) == ("proj", "dev", "v1")
