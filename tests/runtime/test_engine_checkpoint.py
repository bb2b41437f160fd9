"""Intratask checkpoints in local runs: a retried attempt reads what the attempt before it saved, in this
process and through ``flyweight-execute``, as on Flyte. The task is Flyte's documented example
(``tests/entrypoint/checkpoint_tasks.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.entrypoint import checkpoint_tasks as cp_tasks

from flyweight import current_context, run_workflow, task, workflow
from flyweight.errors import RecoverableError, WorkflowExecutionError


@pytest.mark.parametrize("isolated", [False, True], ids=["in-process", "flyweight-execute"])
def test_the_documented_example_resumes_on_each_retry(tmp_path: Path, isolated: bool) -> None:
    out = run_workflow(
        cp_tasks.checkpointing_example, {"n_iterations": 10}, isolated=isolated, blob_dir=tmp_path
    )
    assert out == 9
    # one checkpoint per attempt, where a container attempt has it: <node>/<attempt>/checkpoint
    saved = {p.parent.parent.name: p.read_bytes() for p in sorted(tmp_path.glob("n0/*/checkpoint/_dst_cp"))}
    assert saved == {"0": b"3", "1": b"6", "2": b"9", "3": b"10"}


def test_a_plain_call_of_the_workflow_resumes_too() -> None:
    assert cp_tasks.checkpointing_example(n_iterations=10) == 9


def test_a_plain_call_of_the_task_is_one_attempt_as_in_flytekit() -> None:
    with pytest.raises(RecoverableError, match="Failed at iteration 3"):
        cp_tasks.use_checkpoint(n_iterations=10)


@task(retries=1)
def _fails_without_checkpointing() -> str:
    cp = current_context().checkpoint
    if not cp.prev_exists():
        raise RecoverableError("first attempt")
    return "second"


@workflow
def _no_checkpoint_wf() -> str:
    return _fails_without_checkpointing()


@task(retries=2)
def _checkpoint_in_the_first_attempt_only() -> str:
    cp = current_context().checkpoint
    if not cp.prev_exists():
        assert cp.restore() is None
        cp.write(b"from the first")
        raise RecoverableError("first")
    data = cp.read()
    return "none" if data is None else data.decode()


@workflow
def _resume_wf() -> str:
    return _checkpoint_in_the_first_attempt_only()


def test_an_attempt_that_saved_nothing_leaves_no_previous_checkpoint_to_the_next(tmp_path: Path) -> None:
    # the first attempt fails without writing: the second has no previous checkpoint, and fails too
    with pytest.raises(WorkflowExecutionError, match="first attempt"):
        run_workflow(_no_checkpoint_wf, in_process=True, blob_dir=tmp_path)
    assert not list(tmp_path.glob("**/checkpoint"))


def test_a_blob_dir_given_again_does_not_offer_an_earlier_runs_checkpoint(tmp_path: Path) -> None:
    stale = tmp_path / "n0" / "0" / "checkpoint"
    stale.mkdir(parents=True)
    (stale / "_dst_cp").write_bytes(b"stale")
    with pytest.raises(WorkflowExecutionError, match="first attempt"):
        run_workflow(_no_checkpoint_wf, in_process=True, blob_dir=tmp_path)
    assert not stale.exists()


def test_the_previous_attempts_checkpoint_is_restored_in_process(tmp_path: Path) -> None:
    assert run_workflow(_resume_wf, in_process=True, blob_dir=tmp_path) == "from the first"
