"""``@eager``: flytekit's eager workflows, refused with a clear message.

An eager workflow is a Python ``async`` function whose calls are launched one by one *from inside a
running task* through Flyte's remote API (``FlyteRemote``), so it needs a Flyte admin connection and
credentials in the pod. flyweight has no remote API client; rather than fail with an ``ImportError`` on
``from flyweight import eager``, the decorator exists and refuses the function it is given, saying what
to use instead.
"""

from __future__ import annotations

from typing import Any

from flyweight.errors import NotSupportedError

__all__ = ["eager"]


def eager(_fn: Any = None, /, **kwargs: Any) -> Any:
    """flytekit's ``@eager`` (with or without options): not supported; raises when applied.

    Raises:
        NotSupportedError: always, naming the function, with the alternatives.

    Example:
        >>> @eager
        ... async def main(x: int) -> int:
        ...     return x
        Traceback (most recent call last):
        ...
        flyweight.errors.NotSupportedError: @eager 'main': ...
    """

    def refuse(fn: Any) -> Any:
        name = getattr(fn, "__name__", repr(fn))
        raise NotSupportedError(
            f"@eager {name!r}: eager workflows launch their calls from a running task through Flyte's remote "
            "API (FlyteRemote), which flyweight does not have; write the logic as a @dynamic task (its body "
            "runs with the real values and may loop and branch on them) or as a @workflow with conditional()"
        )

    if _fn is not None:
        return refuse(_fn)
    return refuse
