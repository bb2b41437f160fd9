"""Launch plan concurrency policies: how many executions of a launch plan Flyte runs at once.

Why here: a policy is plain data (a limit and what to do when it is reached) that the serializer turns
into Flyte's ``ConcurrencyPolicy`` message, so it lives with the other plain settings and imports no
protobuf. The names are flytekit's (``flytekit.models.concurrency``, also exported by ``flytekit``), so
ported code changes only its import.

Flyte (flyteadmin) counts the active executions of the launch plan's project, domain and name, across
its versions; when ``max_concurrency`` of them are running, a new one is handled as ``behavior`` says
(``SKIP``: it is not started). flytekit writes any ``max_concurrency`` it is given; flyweight refuses one
that is not a whole number from 1 to 2**31 - 1 (0 would never let an execution start, and Flyte's field
is an int32), and any behavior but ``SKIP``, when the policy is made.

A policy has no local effect: a local call of the launch plan is one execution and always runs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flyweight.errors import WorkflowCompileError

__all__ = ["ConcurrencyLimitBehavior", "ConcurrencyPolicy"]

_INT32_MAX = 2**31 - 1


class ConcurrencyLimitBehavior(enum.IntEnum):
    """What Flyte does with a new execution when the limit is reached, with Flyte's numbers
    (``flyteidl`` ``admin.ConcurrencyLimitBehavior``).

    Plain ints compare equal to them, so flytekit's ``ConcurrencyLimitBehavior.SKIP`` (the int 1) works too.
    """

    SKIP = 1
    """Do not start the new execution."""

    @classmethod
    def enum_to_string(cls, val: int) -> str:
        """The behavior's name, or ``"<UNKNOWN>"`` (flytekit's helper)."""
        return "SKIP" if val == cls.SKIP else "<UNKNOWN>"


@dataclass(frozen=True, init=False)
class ConcurrencyPolicy:
    """At most ``max_concurrency`` executions of a launch plan run at once on Flyte.

    Args:
        max_concurrency: the limit, a whole number from 1 to 2**31 - 1.
        behavior: what happens to an execution past the limit; ``ConcurrencyLimitBehavior.SKIP`` (the
            default, and the only one Flyte has) does not start it.

    Raises:
        WorkflowCompileError: (also a ``ValueError`` and ``TypeError``) ``max_concurrency`` is not a whole
            number from 1 to 2**31 - 1, or ``behavior`` is not ``ConcurrencyLimitBehavior.SKIP``.

    Locally a policy does nothing: a local call of the launch plan is one execution.

    Example:
        >>> ConcurrencyPolicy(max_concurrency=1).behavior
        <ConcurrencyLimitBehavior.SKIP: 1>
    """

    max_concurrency: int
    behavior: ConcurrencyLimitBehavior

    def __init__(self, max_concurrency: int, behavior: int | None = None) -> None:
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int):
            raise WorkflowCompileError(
                f"ConcurrencyPolicy: max_concurrency must be an int, got {type(max_concurrency).__name__} "
                f"{max_concurrency!r}; write ConcurrencyPolicy(max_concurrency=1)"
            )
        if not 1 <= max_concurrency <= _INT32_MAX:
            raise WorkflowCompileError(
                f"ConcurrencyPolicy: max_concurrency must be from 1 to {_INT32_MAX}, got {max_concurrency}"
                + ("; a limit of 0 would never let an execution start" if max_concurrency == 0 else "")
            )
        if behavior is None:
            behavior = ConcurrencyLimitBehavior.SKIP
        if (
            isinstance(behavior, bool)
            or not isinstance(behavior, int)
            or behavior != ConcurrencyLimitBehavior.SKIP
        ):
            raise WorkflowCompileError(
                f"ConcurrencyPolicy: unknown behavior {behavior!r}; the only one is "
                "ConcurrencyLimitBehavior.SKIP (the default)"
            )
        object.__setattr__(self, "max_concurrency", int(max_concurrency))
        object.__setattr__(self, "behavior", ConcurrencyLimitBehavior(behavior))
