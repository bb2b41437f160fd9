"""``flyweight-execute`` gives a task its checkpoint (``--checkpoint-path`` / ``--prev-checkpoint``, as
pyflyte-execute takes them) and its execution ids from the environment Flyte sets.

The real console script runs in a subprocess, as in a Flyte pod; attempts are chained by hand as Flyte
chains them: each attempt's ``--prev-checkpoint`` is the previous attempt's ``--checkpoint-path``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flyteidl.core import errors_pb2, execution_pb2
from tests.entrypoint import checkpoint_tasks as cp_tasks
from tests.entrypoint.test_execute_function import Attempt, prepare

USER = execution_pb2.ExecutionError.USER
SYSTEM = execution_pb2.ExecutionError.SYSTEM
RECOVERABLE = errors_pb2.ContainerError.RECOVERABLE
NON_RECOVERABLE = errors_pb2.ContainerError.NON_RECOVERABLE


def _attempt(
    root: Path, task: Any, inputs: dict[str, Any], checkpoint: str | None, prev: str | None
) -> Attempt:
    root.mkdir(parents=True, exist_ok=True)
    attempt = prepare(root, task, inputs, checkpoints=False)
    if checkpoint is not None:
        attempt.replace("{{.checkpointOutputPrefix}}", checkpoint)
    attempt.replace("{{.prevCheckpointPrefix}}", '""' if prev is None else prev)
    return attempt


def test_the_documented_example_resumes_from_its_checkpoint_on_each_retry(tmp_path: Path) -> None:
    prev: str | None = None
    errors = []
    for n in range(cp_tasks.RETRIES + 1):
        checkpoint = (tmp_path / f"cp{n}").as_uri()  # file://…
        result = _attempt(
            tmp_path / str(n), cp_tasks.use_checkpoint, {"n_iterations": 10}, checkpoint, prev
        ).run()
        if n < cp_tasks.RETRIES:
            error = result.error()
            assert (error.kind, error.origin) == (RECOVERABLE, USER), error.message
            errors.append(error.message)
        else:
            assert result.outputs() == {"o0": 9}
        assert (tmp_path / f"cp{n}" / "_dst_cp").read_bytes() == str(min(3 * (n + 1), 10)).encode()
        prev = checkpoint
    assert [
        "at iteration 3," in errors[0],
        "at iteration 6," in errors[1],
        "at iteration 9," in errors[2],
    ] == [True] * 3


def test_a_plain_path_works_as_well_as_a_file_uri(tmp_path: Path) -> None:
    first = _attempt(tmp_path / "a", cp_tasks.write_checkpoint, {"text": "hello"}, str(tmp_path / "cp"), None)
    assert first.run().outputs() == {"o0": "hello"}
    second = _attempt(
        tmp_path / "b", cp_tasks.read_checkpoint, {}, str(tmp_path / "cp2"), str(tmp_path / "cp")
    )
    assert second.run().outputs() == {"o0": "hello"}


def test_a_first_attempt_has_no_previous_checkpoint(tmp_path: Path) -> None:
    attempt = _attempt(tmp_path, cp_tasks.prev_exists, {}, str(tmp_path / "cp"), None)
    assert attempt.run().outputs() == {"o0": False}
    attempt = _attempt(tmp_path / "r", cp_tasks.read_checkpoint, {}, str(tmp_path / "cp"), None)
    assert attempt.run().outputs() == {"o0": "<none>"}


def test_without_a_checkpoint_path_the_checkpoint_is_not_available_as_in_flytekit(tmp_path: Path) -> None:
    attempt = _attempt(tmp_path, cp_tasks.prev_exists, {}, None, None)  # the placeholder left unreplaced
    error = attempt.run().error()
    assert (error.origin, error.kind) == (USER, NON_RECOVERABLE)
    assert "NotSupportedError" in error.message and "--checkpoint-path" in error.message, error.message


def test_a_previous_checkpoint_that_does_not_exist_is_a_clear_user_error(tmp_path: Path) -> None:
    missing = (tmp_path / "nowhere").as_uri()
    attempt = _attempt(tmp_path, cp_tasks.read_checkpoint, {}, str(tmp_path / "cp"), missing)
    error = attempt.run().error()
    assert (error.origin, error.kind) == (USER, NON_RECOVERABLE)
    assert "--prev-checkpoint" in error.message and "does not exist" in error.message, error.message


def test_an_unwritable_checkpoint_path_is_a_recoverable_storage_error(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    attempt = _attempt(
        tmp_path, cp_tasks.write_checkpoint, {"text": "x"}, str(tmp_path / "a-file" / "cp"), None
    )
    error = attempt.run().error()
    assert (error.origin, error.kind) == (SYSTEM, RECOVERABLE)
    assert "a-file" in error.message, error.message


def test_a_checkpoint_that_is_never_used_costs_nothing(tmp_path: Path) -> None:
    from tests.entrypoint import function_tasks

    attempt = _attempt(
        tmp_path, function_tasks.add, {"x": 1, "y": 2}, str(tmp_path / "cp"), str(tmp_path / "x")
    )
    assert attempt.run().outputs() == {"o0": 3}
    assert not (tmp_path / "cp").exists()


# --- execution ids --------------------------------------------------------------------------------------


def _ids(tmp_path: Path, env: dict[str, str]) -> list[str]:
    attempt = _attempt(tmp_path, cp_tasks.ids, {}, str(tmp_path / "cp"), None)
    return str(attempt.run(env).outputs()["o0"]).split("\n")


def test_the_ids_come_from_the_environment_flyte_sets(tmp_path: Path) -> None:
    env = {
        "FLYTE_INTERNAL_EXECUTION_PROJECT": "flytesnacks",
        "FLYTE_INTERNAL_EXECUTION_DOMAIN": "development",
        "FLYTE_INTERNAL_EXECUTION_ID": "a1b2c3",
        "FLYTE_INTERNAL_TASK_PROJECT": "flytesnacks",
        "FLYTE_INTERNAL_TASK_DOMAIN": "production",
        "FLYTE_INTERNAL_TASK_NAME": "tests.entrypoint.checkpoint_tasks.ids",
        "FLYTE_INTERNAL_TASK_VERSION": "v7",
    }
    lines = _ids(tmp_path, env)
    assert lines[0] == "flytesnacks|development|a1b2c3"
    assert lines[1] == "flytesnacks|production|tests.entrypoint.checkpoint_tasks.ids|v7"
    assert lines[2] == str(tmp_path / "raw")  # --raw-output-data-prefix
    assert lines[3] == str(tmp_path / "out")  # --output-prefix, as flytekit's output_metadata_prefix
    assert lines[4:] == ["True", "flyweight.user"]


def test_the_short_names_work_too_and_missing_ones_are_empty(tmp_path: Path) -> None:
    # flytekit's get_one_of: the long name first, then the short one; neither gives "".
    env = {"_F_PRJ": "p", "_F_DM": "d", "_F_NM": "n", "_F_TK_NM": "t", "FLYTE_INTERNAL_TASK_VERSION": "v"}
    assert _ids(tmp_path, env)[:2] == ["p|d|n", "||t|v"]
