"""Scheduled, notifying and concurrency-limited launch plans written once, loaded with flyweight or
with flytekit (``test_launch_plan_schedule.py``).

``sdk`` is not imported here: the loader puts the chosen SDK's top-level module into the module before
running it, so both SDKs build the same launch plans under the same module name.
"""

from __future__ import annotations

import datetime
from typing import Any

sdk: Any = globals()["sdk"]
P = sdk.WorkflowExecutionPhase
Limit = sdk.ConcurrencyPolicy  # flytekit exports it too (from flytekit.models.concurrency)


@sdk.task
def stamp(at: datetime.datetime, n: int) -> str:
    return f"{at.isoformat()} {n}"


@sdk.workflow
def daily(at: datetime.datetime, n: int = 1) -> str:
    return stamp(at=at, n=n)


@sdk.workflow
def plain(n: int = 3) -> int:
    return n


def _lp(wf: Any, name: str, **kwargs: Any) -> Any:
    return sdk.LaunchPlan.get_or_create(wf, f"schedule_source.{name}", **kwargs)


PLANS = {
    "cron": _lp(plain, "cron", schedule=sdk.CronSchedule(schedule="*/5 9-17 * * MON-FRI")),
    "alias": _lp(plain, "alias", schedule=sdk.CronSchedule(schedule="@hourly")),
    "bare_alias": _lp(plain, "bare_alias", schedule=sdk.CronSchedule(schedule="daily")),
    "offset": _lp(plain, "offset", schedule=sdk.CronSchedule(schedule="0 6 * * *", offset="PT1H")),
    "kickoff": _lp(
        daily, "kickoff", schedule=sdk.CronSchedule(schedule="0 0 * * *", kickoff_time_input_arg="at")
    ),
    "rate_minutes": _lp(plain, "rate_minutes", schedule=sdk.FixedRate(datetime.timedelta(minutes=90))),
    "rate_hours": _lp(plain, "rate_hours", schedule=sdk.FixedRate(datetime.timedelta(hours=6))),
    "rate_days": _lp(
        daily,
        "rate_days",
        schedule=sdk.FixedRate(datetime.timedelta(days=2), kickoff_time_input_arg="at"),
        default_inputs={"n": 7},
    ),
    "email": _lp(
        plain, "email", notifications=[sdk.Email([P.FAILED, P.TIMED_OUT], ["a@example.com", "b@ex.com"])]
    ),
    "slack": _lp(plain, "slack", notifications=[sdk.Slack([P.SUCCEEDED], ["chan@example.slack.com"])]),
    "pager_duty": _lp(
        plain, "pager_duty", notifications=[sdk.PagerDuty([P.ABORTED, P.FAILED], ["pd@example.com"])]
    ),
    "combined": _lp(
        daily,
        "combined",
        schedule=sdk.CronSchedule(schedule="30 2 1 * *", kickoff_time_input_arg="at"),
        notifications=[
            sdk.Email([P.SUCCEEDED, P.FAILED, P.ABORTED, P.TIMED_OUT], ["team@example.com"]),
            sdk.Slack([P.FAILED], ["s@example.com"]),
            sdk.PagerDuty([P.TIMED_OUT], ["p@example.com"]),
        ],
        max_parallelism=4,
        overwrite_cache=True,
        auto_activate=True,
        labels=sdk.Labels({"team": "data"}),
        annotations=sdk.Annotations({"owner": "ops"}),
    ),
    "fixed_and_scheduled": _lp(
        daily,
        "fixed_and_scheduled",
        fixed_inputs={"n": 2},
        schedule=sdk.FixedRate(datetime.timedelta(minutes=15), kickoff_time_input_arg="at"),
        security_context=sdk.SecurityContext(secrets=[sdk.Secret(group="g", key="k")]),
    ),
    "auto_activate": _lp(
        plain, "auto_activate", schedule=sdk.CronSchedule(schedule="@weekly"), auto_activate=True
    ),
    "concurrency_one": _lp(plain, "concurrency_one", concurrency=Limit(max_concurrency=1)),
    "concurrency_five": _lp(
        plain, "concurrency_five", concurrency=Limit(5, behavior=sdk.ConcurrencyLimitBehavior.SKIP)
    ),
    "concurrency_scheduled": _lp(
        daily,
        "concurrency_scheduled",
        schedule=sdk.CronSchedule(schedule="*/10 * * * *", kickoff_time_input_arg="at"),
        concurrency=Limit(max_concurrency=1),
        auto_activate=True,
    ),
    "concurrency_fixed": _lp(
        daily,
        "concurrency_fixed",
        fixed_inputs={"n": 4},
        concurrency=Limit(max_concurrency=3),
        max_parallelism=2,
    ),
    "concurrency_notified": _lp(
        plain,
        "concurrency_notified",
        default_inputs={"n": 8},
        notifications=[sdk.Email([P.FAILED], ["team@example.com"]), sdk.Slack([P.SUCCEEDED], ["s@ex.com"])],
        concurrency=Limit(max_concurrency=2**31 - 1),
    ),
}
