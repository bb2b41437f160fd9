"""Launch plan schedules: a cron schedule or a fixed rate, checked when written.

Why here: a schedule is plain data that the serializer (a higher layer) turns into Flyte's ``Schedule``
message, so it lives with the other plain settings and imports no protobuf. flytekit validates cron
strings with the ``croniter`` library; flyweight does not depend on it and checks them itself
(:func:`check_cron`): the standard five fields (minute, hour, day of month, month, day of week) with
``*``, ``?``, numbers, month and weekday names, ranges, steps and lists, or an alias such as ``@hourly``.
That is what Flyte's native scheduler runs. Quartz extensions croniter also takes (``L``, ``W``, ``#``,
six- and seven-field forms) are refused with the reason (docs/compatibility.md).

A schedule runs nothing locally: a local call of a scheduled launch plan runs its workflow once.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from flyweight.errors import WorkflowCompileError

__all__ = ["CRON_ALIASES", "CronSchedule", "FixedRate", "check_cron"]

#: The aliases flytekit accepts (case-insensitive), plus ``@midnight`` (croniter and Flyte take it).
CRON_ALIASES = frozenset(
    {
        "hourly",
        "hours",
        "@hourly",
        "daily",
        "days",
        "@daily",
        "weekly",
        "weeks",
        "@weekly",
        "monthly",
        "months",
        "@monthly",
        "annually",
        "@annually",
        "yearly",
        "years",
        "@yearly",
        "@midnight",
    }
)

_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# name, lowest, highest, names (their index + lowest is their number)
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day of month", 1, 31, ()),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _DAYS),  # 7 is Sunday too
)
_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
# flytekit's own pattern for an ISO 8601 duration offset
_OFFSET = re.compile(r"([-+]?)P([-+0-9YMWD]+)?(T([-+0-9HMS.,]+)?)?")


def _number(text: str, field: str, low: int, high: int, names: tuple[str, ...]) -> int:
    lowered = text.lower()
    if lowered in names:
        return names.index(lowered) + (low if field == "month" else 0)
    if not text.isdigit():
        raise ValueError(
            f"{field} field: {text!r} is not a number" + (f" or a name ({names[0]}…)" if names else "")
        )
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{field} field: {value} is out of range {low}-{high}")
    return value


def _field(text: str, field: str, low: int, high: int, names: tuple[str, ...]) -> set[int]:
    """The values one cron field allows; ValueError names what is wrong."""
    out: set[int] = set()
    for part in text.split(","):
        if not part:
            raise ValueError(f"{field} field: empty item in {text!r}")
        base, slash, step_text = part.partition("/")
        step = 1
        if slash:
            if not step_text.isdigit() or int(step_text) == 0:
                raise ValueError(f"{field} field: step {step_text!r} must be a whole number above 0")
            step = int(step_text)
        if base in {"*", "?"}:
            if base == "?" and field not in {"day of month", "day of week"}:
                raise ValueError(f"{field} field: '?' is only allowed for a day field")
            first, last = low, high
        elif "-" in base:
            a, _, b = base.partition("-")
            first, last = _number(a, field, low, high, names), _number(b, field, low, high, names)
            if first > last:
                raise ValueError(f"{field} field: range {base!r} starts after it ends")
        else:
            first = _number(base, field, low, high, names)
            last = high if slash else first
        out.update(range(first, last + 1, step))
    return out


def check_cron(schedule: str) -> None:
    """Check a cron schedule: an alias, or five standard fields.

    Raises:
        WorkflowCompileError: (also a ``ValueError``, as flytekit's) naming the field and what is wrong.

    Example:
        >>> check_cron("*/15 9-17 * * MON-FRI")
        >>> check_cron("@daily")
    """
    if not isinstance(schedule, str):
        raise WorkflowCompileError(
            f"CronSchedule schedule: expected a str such as '0 * * * *' or '@hourly', got "
            f"{type(schedule).__name__} {schedule!r}"
        )
    if schedule.lower() in CRON_ALIASES:
        return
    fields = schedule.split()
    try:
        if len(fields) != len(_FIELDS):
            raise ValueError(
                f"{len(fields)} field(s), expected 5 (minute hour day-of-month month day-of-week) or "
                f"an alias "
                f"({', '.join(sorted(a for a in CRON_ALIASES if a.startswith('@')))})"
            )
        values = [_field(text, *spec) for text, spec in zip(fields, _FIELDS, strict=True)]
        days, months = values[2], values[3]
        restricted_days = fields[2] not in {"*", "?"}
        if (
            restricted_days
            and fields[4] in {"*", "?"}
            and min(days) > max(_DAYS_IN_MONTH[m - 1] for m in months)
        ):
            raise ValueError("the day of month never occurs in the months given")
    except ValueError as e:
        raise WorkflowCompileError(
            f"CronSchedule: schedule {schedule!r} is not a valid cron schedule: {e}"
        ) from e


@dataclass(frozen=True, init=False)
class CronSchedule:
    """Run a launch plan on a cron schedule (Flyte's native scheduler).

    Args:
        cron_expression: refused, as flytekit refuses it (the deprecated AWS form); use ``schedule``.
        schedule: five cron fields (``"*/5 * * * *"``) or an alias (``"@hourly"``, ``"daily"`` …).
        offset: an ISO 8601 duration (``"PT1H"``) added to each scheduled time.
        kickoff_time_input_arg: the workflow's ``datetime`` input that receives the scheduled time.

    Raises:
        WorkflowCompileError: no schedule, an invalid one, ``cron_expression``, or an invalid offset.

    Example:
        >>> CronSchedule(schedule="0 6 * * *", kickoff_time_input_arg="at").schedule
        '0 6 * * *'
    """

    schedule: str
    offset: str | None
    kickoff_time_input_arg: str | None

    def __init__(
        self,
        cron_expression: str | None = None,
        schedule: str | None = None,
        offset: str | None = None,
        kickoff_time_input_arg: str | None = None,
    ) -> None:
        if cron_expression:
            raise WorkflowCompileError(
                f"CronSchedule(cron_expression={cron_expression!r}): cron_expression is deprecated (flytekit "
                "refuses it too); write CronSchedule(schedule='*/5 * * * *') with five fields"
            )
        if schedule is None:
            raise WorkflowCompileError(
                "CronSchedule: schedule= is required, e.g. CronSchedule(schedule='0 * * * *') or '@daily'"
            )
        check_cron(schedule)
        if offset is not None and (not isinstance(offset, str) or _OFFSET.fullmatch(offset) is None):
            raise WorkflowCompileError(
                f"CronSchedule: offset {offset!r} is not an ISO 8601 duration; write e.g. offset='PT1H'"
            )
        _check_kickoff(kickoff_time_input_arg)
        object.__setattr__(self, "schedule", schedule)
        object.__setattr__(self, "offset", offset)
        object.__setattr__(self, "kickoff_time_input_arg", kickoff_time_input_arg)

    @property
    def cron_expression(self) -> None:
        """Always None: the deprecated AWS form is refused."""
        return None


@dataclass(frozen=True, init=False)
class FixedRate:
    """Run a launch plan every ``duration`` (whole minutes; written in days, hours or minutes, the
    largest unit that divides it, as flytekit does).

    Raises:
        WorkflowCompileError: ``duration`` is not a ``timedelta``, not positive, or not whole minutes.

    Example:
        >>> FixedRate(datetime.timedelta(hours=2)).rate
        (2, 'HOUR')
    """

    duration: datetime.timedelta
    kickoff_time_input_arg: str | None

    def __init__(self, duration: datetime.timedelta, kickoff_time_input_arg: str | None = None) -> None:
        if not isinstance(duration, datetime.timedelta):
            raise WorkflowCompileError(
                f"FixedRate: duration must be a datetime.timedelta, got {type(duration).__name__} "
                f"{duration!r}; write FixedRate(timedelta(minutes=10))"
            )
        if duration.microseconds or duration.seconds % 60:
            raise WorkflowCompileError(
                f"FixedRate: {duration} is not a whole number of minutes; Flyte schedules at most once a "
                "minute"
            )
        if duration <= datetime.timedelta(0):
            raise WorkflowCompileError(f"FixedRate: duration must be positive, got {duration}")
        _check_kickoff(kickoff_time_input_arg)
        object.__setattr__(self, "duration", duration)
        object.__setattr__(self, "kickoff_time_input_arg", kickoff_time_input_arg)

    @property
    def rate(self) -> tuple[int, str]:
        """``(value, unit)`` with unit ``"DAY"``, ``"HOUR"`` or ``"MINUTE"``."""
        seconds = int(self.duration.total_seconds())
        for unit, size in (("DAY", 86400), ("HOUR", 3600)):
            if seconds % size == 0:
                return seconds // size, unit
        return seconds // 60, "MINUTE"


def _check_kickoff(name: object) -> None:
    if name is not None and (not isinstance(name, str) or not name.isidentifier()):
        raise WorkflowCompileError(
            f"kickoff_time_input_arg must name a datetime input of the workflow (a str), got {name!r}"
        )
