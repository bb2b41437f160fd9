"""Checks shared by the things users configure with plain dicts (a task's ``environment``, labels and
annotations of tasks and launch plans): each must map str to str, or Flyte refuses it later."""

from __future__ import annotations

from collections.abc import Mapping

from flyweight.errors import TaskDefinitionError, UserError

__all__ = ["str_dict"]


def str_dict(
    what: str, value: object, error: type[UserError] = TaskDefinitionError, example: str = "'NAME': 'value'"
) -> dict[str, str]:
    """``value`` as a ``dict[str, str]``; ``error`` naming ``what`` (and the fix) if it is not one.

    Example:
        >>> str_dict("environment", {"A": "1"})
        {'A': '1'}
    """
    if not isinstance(value, Mapping):
        raise error(
            f"{what} must be a dict of str to str, got {type(value).__name__} {value!r}; write "
            f"{what.rsplit(' ', 1)[-1]}={{{example}}}"
        )
    for k, v in value.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise error(
                f"{what}: {k!r}: {v!r} must be str to str, got {type(k).__name__} to {type(v).__name__}; "
                f"quote it: {{{str(k)!r}: {str(v)!r}}}"
            )
    return dict(value)
