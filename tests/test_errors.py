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
        assert issubclass(getattr(errors, name), errors.FlyweightError)
        assert name in doc, f"{name} is missing from the tree in errors.py's docstring"


def test_path_segments_render_outermost_first() -> None:
    e = errors.TypeTransformerFailedError("expected int, got str 'x'")
    assert str(e) == "expected int, got str 'x'"
    e.at(".qty").at("[2]").at("items")
    assert str(e) == "expected int, got str 'x' at items[2].qty"
    assert e.args == (str(e),)
    assert e.reason == "expected int, got str 'x'"
