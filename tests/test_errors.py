"""The error tree of DESIGN.md: FlyweightError → UserError / PlatformError, leaves also builtins."""

from __future__ import annotations

import pytest

from flyweight import errors


def test_tree_shape() -> None:
    assert issubclass(errors.UserError, errors.FlyweightError)
    assert issubclass(errors.PlatformError, errors.FlyweightError)
    assert not issubclass(errors.UserError, errors.PlatformError)
    assert errors.UserError.kind == "USER"
    assert errors.PlatformError.kind == "SYSTEM"


@pytest.mark.parametrize(
    ("leaf", "branch", "builtins"),
    [
        (errors.TypeTransformerFailedError, errors.UserError, (TypeError, ValueError, AssertionError)),
        (errors.UnsupportedTypeError, errors.UserError, (TypeError,)),
        (errors.TransformerRegistrationError, errors.UserError, (ValueError,)),
        (errors.TaskDefinitionError, errors.UserError, (ValueError, AssertionError)),
        (errors.TemplateTooLargeError, errors.TaskDefinitionError, (ValueError,)),
        (errors.TaskLoadError, errors.UserError, (ImportError,)),
        (errors.TaskExecutionError, errors.UserError, (RuntimeError,)),
        (errors.WorkflowExecutionError, errors.UserError, ()),  # no builtin on purpose: see its docstring
        (errors.SecretNotFoundError, errors.UserError, (ValueError,)),
        (errors.CheckpointError, errors.UserError, (TypeError, ValueError)),
        (errors.PackagingError, errors.UserError, (ValueError,)),
        (errors.NotSupportedError, errors.UserError, (NotImplementedError,)),
        (errors.RecoverableError, errors.UserError, ()),
        (errors.TemplateError, errors.PlatformError, (ValueError,)),
        (errors.StorageError, errors.PlatformError, (OSError,)),
        (errors.UnsupportedLocationError, errors.StorageError, (OSError,)),
    ],
)
def test_leaves_subclass_their_branch_and_the_natural_builtin(
    leaf: type[Exception], branch: type[Exception], builtins: tuple[type[Exception], ...]
) -> None:
    assert issubclass(leaf, branch)
    for b in builtins:
        assert issubclass(leaf, b)


def test_every_public_error_is_in_the_tree_drawn_in_the_docstring() -> None:
    doc = errors.__doc__ or ""
    for name in errors.__all__:
        obj = getattr(errors, name)
        assert name in doc, f"{name} is missing from the tree in errors.py's docstring"
        if not isinstance(obj, type):
            assert callable(obj)
            continue
        if name == "IgnoreOutputs":
            assert not issubclass(obj, errors.FlyweightError)
            continue
        assert issubclass(obj, errors.FlyweightError)


def test_path_segments_render_outermost_first() -> None:
    e = errors.TypeTransformerFailedError("expected int, got str 'x'")
    assert str(e) == "expected int, got str 'x'"
    e.at(".qty").at("[2]").at("items")
    assert str(e) == "expected int, got str 'x' at items[2].qty"
    assert e.args == (str(e),)
    assert e.reason == "expected int, got str 'x'"


def test_recoverable_flags() -> None:
    assert errors.RecoverableError.recoverable is True
    assert errors.StorageError.recoverable is True
    assert errors.TemplateError.recoverable is False
    assert errors.FlyteRecoverableException is errors.RecoverableError


def test_user_code_mark_keeps_the_exception_unchanged() -> None:
    e = ValueError("boom")
    assert not errors.raised_by_user_code(e)
    assert errors.mark_user_code(e) is e
    assert errors.raised_by_user_code(e)
    assert str(e) == "boom" and type(e) is ValueError
    assert errors.raised_by_user_code(errors.TaskLoadError("x"))
    assert not errors.raised_by_user_code(errors.StorageError("x"))
    assert not errors.raised_by_user_code(errors.mark_user_code(errors.StorageError("outage")))


@pytest.mark.parametrize(
    ("attempts", "said"),
    [(0, "before it could start"), (1, "on its first attempt"), (3, "after 3 attempts")],
)
def test_a_workflow_execution_error_says_how_many_attempts_ran(attempts: int, said: str) -> None:
    e = errors.WorkflowExecutionError("wf", "n0", "t", "boom", attempts=attempts)
    assert f"node n0 ('t') failed {said} with a USER error" in str(e)


def test_a_workflow_execution_error_lists_every_failed_node() -> None:
    node = errors.WorkflowExecutionError.NodeFailure
    slow = node("n0", "m.slow", "task 'm.slow' timed out after 2s and was ended", timed_out=True, timeout=2.0)
    bad = node("n2", "m.bad", "ValueError: no good\nsecond line", "USER", 3)
    e = errors.WorkflowExecutionError("wf", "n0", "m.slow", slow.error_message, failures=[slow, bad])
    assert e.failures == (slow, bad)
    assert (e.node_id, e.attempts) == ("n0", 1)
    assert str(e) == (
        "workflow 'wf' failed: 2 nodes failed:\n"
        "node n0 ('m.slow') timed out after 2s on its first attempt:\n"
        "  task 'm.slow' timed out after 2s and was ended\n"
        "node n2 ('m.bad') failed after 3 attempts with a USER error:\n"
        "  ValueError: no good\n"
        "  second line"
    )


def test_a_workflow_execution_error_made_the_old_way_has_one_failure() -> None:
    e = errors.WorkflowExecutionError("wf", "n1", "t", "boom", "SYSTEM", 2, "/runs/r1")
    (only,) = e.failures
    assert (only.node_id, only.entity_name, only.error_message, only.origin, only.attempts) == (
        "n1",
        "t",
        "boom",
        "SYSTEM",
        2,
    )
    assert not only.timed_out
    assert str(e) == (
        "workflow 'wf' failed: node n1 ('t') failed after 2 attempts with a SYSTEM error; "
        "the run's files are in /runs/r1:\nboom"
    )
    assert not isinstance(e, (RuntimeError, ValueError))  # never caught by a clause meant for another error
