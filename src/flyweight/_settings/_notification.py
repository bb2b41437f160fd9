"""Launch plan notifications: who Flyte emails when an execution ends in a given phase.

Why here: notifications are plain data (phases and email addresses) that the serializer turns into
Flyte's ``Notification`` messages, so they live with the other plain settings and import no protobuf.
As in flytekit, ``Email``, ``Slack`` and ``PagerDuty`` all send email; the kind tells Flyte which
integration the addresses belong to. Only terminal phases can notify (flytekit's rule); flyweight also
refuses an empty or non-list recipient list, which flytekit accepts and Flyte cannot deliver.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from flyweight.errors import WorkflowCompileError

__all__ = ["Email", "Notification", "PagerDuty", "Slack", "WorkflowExecutionPhase"]


class WorkflowExecutionPhase(enum.IntEnum):
    """The phases of a workflow execution, with Flyte's numbers (``flyteidl`` ``WorkflowExecution.Phase``).

    Plain ints compare equal to them, so flytekit's ``WorkflowExecutionPhase.FAILED`` (an int) works too.
    """

    UNDEFINED = 0
    QUEUED = 1
    RUNNING = 2
    SUCCEEDING = 3
    SUCCEEDED = 4
    FAILING = 5
    FAILED = 6
    ABORTED = 7
    TIMED_OUT = 8
    ABORTING = 9

    @classmethod
    def enum_to_string(cls, int_value: int) -> str:
        """The phase's name (flytekit's helper), or the number as text when it is not a phase."""
        try:
            return cls(int_value).name
        except ValueError:
            return str(int_value)


_TERMINAL = (
    WorkflowExecutionPhase.SUCCEEDED,
    WorkflowExecutionPhase.FAILED,
    WorkflowExecutionPhase.ABORTED,
    WorkflowExecutionPhase.TIMED_OUT,
)


@dataclass(frozen=True, init=False)
class Notification:
    """Base of :class:`Email`, :class:`Slack` and :class:`PagerDuty`: phases and recipients.

    Raises:
        WorkflowCompileError: no phase, a phase that is not terminal or not a phase, or recipients
            that are not a non-empty list of str.
    """

    KIND: ClassVar[str] = "email"
    phases: tuple[WorkflowExecutionPhase, ...]
    recipients_email: tuple[str, ...]

    def __init__(self, phases: Sequence[int], recipients_email: Sequence[str]) -> None:
        kind = type(self).__name__
        if isinstance(phases, (str, bytes, int)) or not isinstance(phases, Sequence) or not phases:
            raise WorkflowCompileError(
                f"{kind}: phases must be a non-empty list of terminal phases, got {phases!r}; write "
                "phases=[WorkflowExecutionPhase.FAILED]"
            )
        checked = []
        for phase in phases:
            if isinstance(phase, bool) or not isinstance(phase, int) or phase not in _TERMINAL:
                shown = (
                    WorkflowExecutionPhase.enum_to_string(phase)
                    if isinstance(phase, int) and not isinstance(phase, bool)
                    else repr(phase)
                )
                raise WorkflowCompileError(
                    f"{kind}: invalid phase {shown}: only terminal phases can notify "
                    f"({', '.join(p.name for p in _TERMINAL)} of WorkflowExecutionPhase)"
                )
            checked.append(WorkflowExecutionPhase(phase))
        if isinstance(recipients_email, (str, bytes)) or not isinstance(recipients_email, Sequence):
            raise WorkflowCompileError(
                f"{kind}: recipients_email must be a list of addresses, got "
                f"{type(recipients_email).__name__} {recipients_email!r}; "
                "write recipients_email=['team@example.com']"
            )
        if not recipients_email:
            raise WorkflowCompileError(f"{kind}: recipients_email is empty; give at least one address")
        for r in recipients_email:
            if not isinstance(r, str) or not r:
                raise WorkflowCompileError(
                    f"{kind}: recipient {r!r} is not a non-empty str (an email address)"
                )
        object.__setattr__(self, "phases", tuple(checked))
        object.__setattr__(self, "recipients_email", tuple(recipients_email))


class Email(Notification):
    """Email the recipients when an execution reaches one of ``phases``.

    Example:
        >>> Email([WorkflowExecutionPhase.FAILED], ["team@example.com"]).phases
        (<WorkflowExecutionPhase.FAILED: 6>,)
    """

    KIND = "email"


class Slack(Notification):
    """Email Slack addresses (a channel's email integration) when an execution reaches one of ``phases``."""

    KIND = "slack"


class PagerDuty(Notification):
    """Email PagerDuty addresses (a service's integration) when an execution reaches one of ``phases``."""

    KIND = "pager_duty"
