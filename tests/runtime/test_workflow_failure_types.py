"""What an ``except`` clause around a local workflow call catches when a task in it fails: flyweight
against flytekit 1.16.14 (the oracle).

flytekit re-raises the task's own exception object, its message rewritten to ``Error encountered while
executing '<task>':\\n  <message>``, with no ``__cause__``: ``except ValueError`` catches a task's
``ValueError`` (and ``except RuntimeError`` only a task's ``RuntimeError``). flyweight raises
:class:`~flyweight.errors.WorkflowExecutionError` — a ``UserError`` with no builtin base, so no clause
written for another error catches a workflow failure by accident — with the task's exception, unchanged,
as ``__cause__`` and ``failures[0].cause``; through ``flyweight-execute`` (``isolated=True``) there is no
exception object in this process, and the message carries its type and text.

Each case runs the same failing workflow under both SDKs and records, for a table of except clauses,
which ones catch the error (an ``except C`` clause catches exactly the instances of ``C``).

flytekit comes from the ``flytekit`` fixture (``tests/conftest.py``): without it these tests are
skipped, unless ``FLYWEIGHT_REQUIRE_ORACLE=1``, in which case they fail.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flyweight import task, workflow
from flyweight._runtime import run_workflow
from flyweight.errors import FlyweightError, UserError, WorkflowExecutionError

pytestmark = pytest.mark.oracle


class TaskError(Exception):
    """A task's own exception class."""


# The tasks are flyweight's, at module level so flyweight-execute can load them; flytekit decorates the
# same functions (``task_function``). Each has a ``return``, which flytekit requires.
@task
def raise_value_error(x: int) -> int:
    if x > 0:
        raise ValueError(f"bad input {x}")
    return x


@task
def raise_runtime_error(x: int) -> int:
    if x > 0:
        raise RuntimeError(f"bad input {x}")
    return x


@task
def raise_task_error(x: int) -> int:
    if x > 0:
        raise TaskError(f"bad input {x}")
    return x


@workflow
def value_error_wf(x: int) -> int:
    return raise_value_error(x=x)


@workflow
def runtime_error_wf(x: int) -> int:
    return raise_runtime_error(x=x)


@workflow
def task_error_wf(x: int) -> int:
    return raise_task_error(x=x)


CASES: dict[str, tuple[type[Exception], Any, Any]] = {
    "ValueError": (ValueError, raise_value_error, value_error_wf),
    "RuntimeError": (RuntimeError, raise_runtime_error, runtime_error_wf),
    "TaskError": (TaskError, raise_task_error, task_error_wf),
}

# What flyweight's error is caught by, whatever the task raised.
FLYWEIGHT_CAUGHT_BY = {"Exception", "FlyweightError", "UserError", "WorkflowExecutionError"}


def _clauses() -> dict[str, type[BaseException]]:
    """The except clauses of the table, by the name a user writes."""
    from flytekit.exceptions.base import FlyteException
    from flytekit.exceptions.user import FlyteUserException, FlyteUserRuntimeException

    return {
        "ValueError": ValueError,
        "RuntimeError": RuntimeError,
        "TaskError": TaskError,
        "Exception": Exception,
        "FlyweightError": FlyweightError,
        "UserError": UserError,
        "WorkflowExecutionError": WorkflowExecutionError,
        "FlyteException": FlyteException,
        "FlyteUserException": FlyteUserException,
        "FlyteUserRuntimeException": FlyteUserRuntimeException,
    }


def _caught_by(error: BaseException, clauses: dict[str, type[BaseException]]) -> set[str]:
    return {name for name, cls in clauses.items() if isinstance(error, cls)}


def _failure(call: Callable[[], Any]) -> BaseException:
    try:
        call()
    except Exception as e:
        return e
    raise AssertionError("the workflow did not fail")


def _flytekit_workflow(fk: Any, flyweight_task: Any) -> Any:
    """The same one-node workflow, with flytekit's decorators around the same function."""
    fk_task = fk.task(flyweight_task.task_function)

    def body(x: int) -> int:
        return fk_task(x=x)  # type: ignore[no-any-return]

    return fk.workflow(body)


@pytest.mark.parametrize("raised", sorted(CASES))
def test_what_except_clauses_catch_around_a_failing_local_workflow_call(raised: str, flytekit: Any) -> None:
    fk = flytekit
    clauses = _clauses()
    kind, flyweight_task, flyweight_wf = CASES[raised]

    theirs = _failure(lambda: _flytekit_workflow(fk, flyweight_task)(x=1))
    ours = _failure(lambda: flyweight_wf(x=1))

    # flytekit: the task's own exception object, its message rewritten, no cause.
    assert type(theirs) is kind
    assert str(theirs).startswith("Error encountered while executing '")
    assert str(theirs).endswith(f".{flyweight_task.task_function.__name__}':\n  bad input 1")
    assert theirs.__cause__ is None
    assert _caught_by(theirs, clauses) == {raised, "Exception"}

    # flyweight: one error type, whatever the task raised; the task's exception unchanged as the cause.
    assert type(ours) is WorkflowExecutionError
    assert _caught_by(ours, clauses) == FLYWEIGHT_CAUGHT_BY
    assert type(ours.__cause__) is kind
    assert str(ours.__cause__) == "bad input 1"
    assert ours.failures[0].cause is ours.__cause__
    assert f"{kind.__name__}: bad input 1" in str(ours)

    # The cause is what a handler looks at for the task's own error.
    try:
        flyweight_wf(x=1)
    except WorkflowExecutionError as e:
        assert isinstance(e.__cause__, kind)


@pytest.mark.usefixtures("flytekit")  # the same table as the oracle test
@pytest.mark.parametrize("raised", sorted(CASES))
def test_through_the_entrypoint_the_error_has_no_cause_but_the_same_type(raised: str, tmp_path: Path) -> None:
    clauses = _clauses()
    kind, _, flyweight_wf = CASES[raised]
    ours = _failure(lambda: run_workflow(flyweight_wf, {"x": 1}, isolated=True, blob_dir=tmp_path))
    assert type(ours) is WorkflowExecutionError
    assert _caught_by(ours, clauses) == FLYWEIGHT_CAUGHT_BY
    assert ours.__cause__ is None
    assert f"{kind.__name__}: bad input 1" in str(ours)
