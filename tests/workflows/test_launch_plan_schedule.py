"""Launch plan schedules, notifications, concurrency policies and registration options against
flytekit 1.16.14.

The launch plans of ``schedule_source.py`` are built once with each SDK under the same module name and
their registration ``LaunchPlan`` messages must have equal deterministic bytes; ``Options`` given to
``get_serializable`` override a plan's own as flytekit's do. Bad input is refused when written, with
a message naming what was expected and what came. ``get_or_create`` returns a cached plan, or refuses
the name, in the same cases as flytekit. ``flyweight package`` and ``pyflyte package`` agree on a module
with a scheduled, concurrency-limited launch plan.
"""

from __future__ import annotations

import datetime
import shutil
import sys
from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.cli.test_cli_package_oracle import _diff, _run, identity_map, members, normalized, parse
from tests.serialize.test_workflow_oracle import diff, get_fk_serializable, settings_pair
from tests.workflows.sdk_switch import load_source

import flyweight
from flyweight import (
    ConcurrencyLimitBehavior,
    ConcurrencyPolicy,
    CronSchedule,
    Email,
    FixedRate,
    LaunchPlan,
    Options,
    PagerDuty,
    Slack,
    WorkflowExecutionPhase as P,
    task,
    workflow,
)
from flyweight._serialize import get_serializable
from flyweight.errors import WorkflowCompileError

SOURCE = Path(__file__).with_name("schedule_source.py")
MODULE = "tests.workflows.schedule_source"
BIN = Path(sys.executable).parent


def load(sdk: ModuleType) -> ModuleType:
    return load_source(SOURCE, MODULE, sdk=sdk)


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    flytekit.LaunchPlan.CACHE.clear()
    return load(flytekit)


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:
    return load(flyweight)


SHAPES = [
    "alias",
    "auto_activate",
    "bare_alias",
    "combined",
    "concurrency_five",
    "concurrency_fixed",
    "concurrency_notified",
    "concurrency_one",
    "concurrency_scheduled",
    "cron",
    "email",
    "fixed_and_scheduled",
    "kickoff",
    "offset",
    "pager_duty",
    "rate_days",
    "rate_hours",
    "rate_minutes",
    "slack",
]


def _both(their_lp: Any, our_lp: Any, fk_options: Any = None, options: Any = None) -> tuple[Any, Any]:
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    fk_settings, settings = settings_pair()
    if fk_options is None:
        expected = get_fk_serializable(OrderedDict(), fk_settings, their_lp).to_flyte_idl()
    else:
        expected = fk_get_serializable(
            OrderedDict(), fk_settings, their_lp, options=fk_options
        ).to_flyte_idl()
    got = get_serializable(OrderedDict(), settings, our_lp, options=options)
    return expected, got


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_launch_plan_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    assert sorted(ours.PLANS) == SHAPES
    expected, got = _both(theirs.PLANS[shape], ours.PLANS[shape])
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )
    assert got.spec.entity_metadata.HasField("schedule") == (ours.PLANS[shape].schedule is not None)
    assert got.spec.HasField("concurrency_policy") == (ours.PLANS[shape].concurrency is not None)


def _fk_options(flytekit: Any, **kwargs: Any) -> Any:
    from flytekit.models.common import Annotations, Labels, RawOutputDataConfig

    wrap = {"labels": Labels, "annotations": Annotations, "raw_output_data_config": RawOutputDataConfig}
    return flytekit.Options(**{k: wrap[k](v) if k in wrap else v for k, v in kwargs.items()})


OPTION_SHAPES: dict[str, dict[str, Any]] = {
    "labels_annotations": {"labels": {"l": "1"}, "annotations": {"a": "2"}},
    "raw_output": {"raw_output_data_config": "s3://bucket/prefix"},
    "parallelism_cache": {"max_parallelism": 9, "overwrite_cache": True},
    "notifications": {"notifications": "phases"},
    "security": {"security_context": "secret"},
}


@pytest.mark.oracle
@pytest.mark.parametrize("shape", sorted(OPTION_SHAPES))
@pytest.mark.parametrize("plan", ["combined", "concurrency_notified", "cron"])
def test_options_override_as_flytekits(
    flytekit: Any, theirs: ModuleType, ours: ModuleType, shape: str, plan: str
) -> None:
    def values(sdk: Any) -> dict[str, Any]:
        out = dict(OPTION_SHAPES[shape])
        if "notifications" in out:
            out["notifications"] = [sdk.Email([sdk.WorkflowExecutionPhase.ABORTED], ["o@example.com"])]
        if "security_context" in out:
            out["security_context"] = sdk.SecurityContext(secrets=[sdk.Secret(group="og", key="ok")])
        return out

    mine = values(flyweight)
    if shape == "labels_annotations":  # flytekit's classes, as ported code passes them
        mine = {
            "labels": flyweight.Labels(mine["labels"]),
            "annotations": flyweight.Annotations(mine["annotations"]),
        }
    expected, got = _both(
        theirs.PLANS[plan],
        ours.PLANS[plan],
        _fk_options(flytekit, **values(flytekit)),
        Options(**mine),
    )
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )
    # the override is visible: the plan's own value is not what was written
    _, plain = _both(theirs.PLANS[plan], ours.PLANS[plan])
    assert got != plain


def test_get_or_create_returns_the_same_plan_for_the_same_options(ours: ModuleType) -> None:
    lp = ours.PLANS["combined"]
    again = LaunchPlan.get_or_create(
        ours.daily,
        "schedule_source.combined",
        schedule=CronSchedule(schedule="30 2 1 * *", kickoff_time_input_arg="at"),
        notifications=[
            Email([P.SUCCEEDED, P.FAILED, P.ABORTED, P.TIMED_OUT], ["team@example.com"]),
            Slack([P.FAILED], ["s@example.com"]),
            PagerDuty([P.TIMED_OUT], ["p@example.com"]),
        ],
        max_parallelism=4,
        overwrite_cache=True,
        auto_activate=True,
        labels=flyweight.Labels({"team": "data"}),  # equal to the plan's own Labels
        annotations=flyweight.Annotations({"owner": "ops"}),
    )
    assert again is lp
    assert lp.should_auto_activate and lp.schedule == CronSchedule(
        schedule="30 2 1 * *", kickoff_time_input_arg="at"
    )
    with pytest.raises(WorkflowCompileError, match="other options"):
        LaunchPlan.get_or_create(
            ours.daily, "schedule_source.combined", schedule=CronSchedule(schedule="@daily")
        )


def _concurrency_cases(sdk: Any) -> list[tuple[str, Any, Any]]:
    """(case, the first plan's policy, the second request's policy) with ``sdk``'s classes."""
    policy, skip = sdk.ConcurrencyPolicy, sdk.ConcurrencyLimitBehavior.SKIP
    return [
        ("same", policy(2), policy(2)),
        ("same_with_the_default_behavior_spelled_out", policy(2), policy(2, behavior=skip)),
        ("none_twice", None, None),
        ("other_max", policy(2), policy(3)),
        ("added", None, policy(1)),
        ("dropped", policy(1), None),
    ]


@pytest.mark.oracle
@pytest.mark.parametrize("case", [c for c, _, _ in _concurrency_cases(flyweight)])
def test_get_or_create_compares_concurrency_as_flytekit(flytekit: Any, case: str) -> None:
    def outcome(sdk: Any) -> str:
        _, first, second = next(c for c in _concurrency_cases(sdk) if c[0] == case)

        @sdk.task
        def one(n: int) -> int:
            return n

        @sdk.workflow
        def limited(n: int = 1) -> int:
            return one(n=n)

        name = f"concurrency_cache_{case}"
        sdk.LaunchPlan.CACHE.pop(name, None)
        lp = sdk.LaunchPlan.get_or_create(limited, name, concurrency=first)
        try:
            again = sdk.LaunchPlan.get_or_create(limited, name, concurrency=second)
        except AssertionError as e:  # flytekit's AssertionError; flyweight's WorkflowCompileError is one
            assert "'concurrency'" in str(e) or "other options" in str(e)
            return "refused"
        assert again.concurrency == first
        return "same plan" if again is lp else "another plan"

    theirs = outcome(flytekit)
    assert outcome(flyweight) == theirs
    assert theirs == ("same plan" if case.startswith(("same", "none")) else "refused")


def test_the_default_launch_plan_takes_no_concurrency() -> None:
    # flytekit silently drops concurrency= without a name; flyweight refuses it, as the other options
    with pytest.raises(WorkflowCompileError, match=r"options \(concurrency\) need a name"):
        LaunchPlan.get_or_create(_needs, concurrency=ConcurrencyPolicy(1))


def test_a_concurrency_policy_has_no_local_effect(ours: ModuleType) -> None:
    lp = ours.PLANS["concurrency_one"]
    assert lp.concurrency == ConcurrencyPolicy(max_concurrency=1, behavior=ConcurrencyLimitBehavior.SKIP)
    assert [lp(), lp(n=5)] == [3, 5]  # each call is one execution and runs
    at = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
    assert ours.PLANS["concurrency_fixed"](at=at) == f"{at.isoformat()} 4"
    assert ours.PLANS["cron"].concurrency is None


def test_a_local_call_runs_the_workflow_once_with_the_kickoff_input(ours: ModuleType) -> None:
    at = datetime.datetime(2024, 1, 2, 3, 4, tzinfo=datetime.timezone.utc)
    assert ours.PLANS["kickoff"](at=at) == f"{at.isoformat()} 1"
    assert ours.PLANS["fixed_and_scheduled"](at=at) == f"{at.isoformat()} 2"
    with pytest.raises(
        WorkflowCompileError, match=r"pass it: schedule_source\.kickoff\(at=datetime\.now\(\)\)"
    ):
        ours.PLANS["kickoff"]()


# -- bad input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("60 * * * *", "minute field: 60 is out of range 0-59"),
        ("* * * *", "4 field"),
        ("0 0 * * * *", "6 field"),
        ("", "0 field"),
        ("*/0 * * * *", "step '0'"),
        ("0 0 30 2 *", "never occurs"),
        ("5-1 * * * *", "starts after it ends"),
        ("0 0 * foo *", "'foo' is not a number or a name"),
        ("0 ? * * *", "only allowed for a day field"),
        ("@reboot", "1 field"),
        ("0 0 L * *", "'L' is not a number"),
    ],
)
def test_an_invalid_cron_schedule_is_named(schedule: str, message: str) -> None:
    with pytest.raises(WorkflowCompileError, match="is not a valid cron schedule") as info:
        CronSchedule(schedule=schedule)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)  # flytekit raises ValueError


@pytest.mark.parametrize(
    "schedule",
    [
        "0 0 * * *",
        "*/5 * * * *",
        "0 0 * * MON-FRI",
        "0 0 1 jan *",
        "@hourly",
        "HOURLY",
        "weeks",
        "@midnight",
        "0 0 ? * *",
        "0 0 * * 7",
        "0 0 * * 1-5/2",
        "0 0 1,15 * *",
        "  0 0 * * *",
        "5/10 * * * *",
        "0 0 29 2 *",
    ],
)
def test_valid_cron_schedules_are_accepted(schedule: str) -> None:
    assert CronSchedule(schedule=schedule).schedule == schedule


def test_other_cron_mistakes() -> None:
    with pytest.raises(WorkflowCompileError, match="cron_expression is deprecated"):
        CronSchedule(cron_expression="0 0 ? * * *")
    with pytest.raises(WorkflowCompileError, match="schedule= is required"):
        CronSchedule()
    with pytest.raises(WorkflowCompileError, match="not an ISO 8601 duration"):
        CronSchedule(schedule="@daily", offset="1 hour")
    with pytest.raises(WorkflowCompileError, match="expected a str"):
        CronSchedule(schedule=5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        (datetime.timedelta(seconds=90), "not a whole number of minutes"),
        (datetime.timedelta(minutes=1, microseconds=1), "not a whole number of minutes"),
        (datetime.timedelta(0), "must be positive"),
        (datetime.timedelta(minutes=-5), "must be positive"),
        (5, "must be a datetime.timedelta, got int 5"),
        ("10m", "must be a datetime.timedelta, got str"),
    ],
)
def test_a_bad_fixed_rate_is_named(duration: Any, message: str) -> None:
    with pytest.raises(WorkflowCompileError, match="FixedRate") as info:
        FixedRate(duration)
    assert message in str(info.value)


def test_fixed_rate_units() -> None:
    assert FixedRate(datetime.timedelta(minutes=90)).rate == (90, "MINUTE")
    assert FixedRate(datetime.timedelta(hours=3)).rate == (3, "HOUR")
    assert FixedRate(datetime.timedelta(days=1)).rate == (1, "DAY")
    assert FixedRate(datetime.timedelta(hours=48)).rate == (2, "DAY")


@pytest.mark.parametrize("kind", [Email, Slack, PagerDuty])
@pytest.mark.parametrize(
    ("phases", "recipients", "message"),
    [
        ([], ["a@b"], "non-empty list of terminal phases"),
        ([P.RUNNING], ["a@b"], "invalid phase RUNNING"),
        ([99], ["a@b"], "invalid phase 99"),
        (["FAILED"], ["a@b"], "invalid phase 'FAILED'"),
        (P.FAILED, ["a@b"], "non-empty list"),
        ([P.FAILED], [], "recipients_email is empty"),
        ([P.FAILED], "a@b", "must be a list of addresses, got str"),
        ([P.FAILED], [""], "not a non-empty str"),
    ],
)
def test_a_bad_notification_is_named(kind: Any, phases: Any, recipients: Any, message: str) -> None:
    with pytest.raises(WorkflowCompileError, match=kind.__name__) as info:
        kind(phases, recipients)
    assert message in str(info.value)
    assert isinstance(info.value, AssertionError)  # flytekit raises AssertionError for phases


def test_flytekit_phase_numbers_are_accepted() -> None:
    assert Email([6, 4], ["a@b"]).phases == (P.FAILED, P.SUCCEEDED)


@task
def _use(at: datetime.datetime, when: str, n: int) -> str:
    return f"{at} {when} {n}"


@workflow
def _needs(at: datetime.datetime, when: str, n: int = 1) -> str:
    return _use(at=at, when=when, n=n)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"schedule": CronSchedule(schedule="@daily", kickoff_time_input_arg="nope")},
            "'nope' is not an input",
        ),
        (
            {
                "schedule": CronSchedule(schedule="@daily", kickoff_time_input_arg="when"),
                "default_inputs": {"at": datetime.datetime(2024, 1, 1)},
            },
            "'when' must name a datetime input, but it is str",
        ),
        (
            {
                "schedule": FixedRate(datetime.timedelta(hours=1), kickoff_time_input_arg="at"),
                "fixed_inputs": {"at": datetime.datetime(2024, 1, 1), "when": "x"},
            },
            "'at' is a fixed input",
        ),
        ({"schedule": CronSchedule(schedule="@daily", kickoff_time_input_arg="at")}, "input(s) 'when'"),
        ({"schedule": "@daily"}, "schedule must be a flyweight.CronSchedule or FixedRate, got str"),
        ({"notifications": Email([P.FAILED], ["a@b"])}, None),
        ({"notifications": ["a@b"]}, "notifications[0] is str"),
        ({"notifications": "a@b"}, "notifications must be a list"),
    ],
)
def test_a_bad_schedule_or_notification_of_a_plan_is_named(
    kwargs: dict[str, Any], message: str | None
) -> None:
    name = f"bad_{abs(hash(repr(kwargs)))}"
    if message is None:  # a single notification is accepted, as a list of one
        assert len(LaunchPlan.get_or_create(_needs, name, **kwargs).notifications) == 1
        return
    with pytest.raises(WorkflowCompileError) as info:
        LaunchPlan.get_or_create(_needs, name, **kwargs)
    assert message in str(info.value)
    assert f"launch plan {name!r}" in str(info.value)


@pytest.mark.parametrize(
    ("max_concurrency", "behavior", "message"),
    [
        (0, None, "must be from 1 to 2147483647, got 0; a limit of 0 would never let an execution start"),
        (-1, None, "must be from 1 to 2147483647, got -1"),
        (2**31, None, "must be from 1 to 2147483647, got 2147483648"),
        (True, None, "max_concurrency must be an int, got bool"),
        (1.5, None, "max_concurrency must be an int, got float"),
        ("1", None, "max_concurrency must be an int, got str"),
        (None, None, "max_concurrency must be an int, got NoneType"),
        (1, 0, "unknown behavior 0"),
        (1, 2, "unknown behavior 2"),
        (1, "SKIP", "unknown behavior 'SKIP'"),
        (1, True, "unknown behavior True"),
    ],
)
def test_a_bad_concurrency_policy_is_named(max_concurrency: Any, behavior: Any, message: str) -> None:
    with pytest.raises(WorkflowCompileError, match="ConcurrencyPolicy") as info:
        ConcurrencyPolicy(max_concurrency, behavior)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


@pytest.mark.oracle
def test_concurrency_values_match_flytekits(flytekit: Any) -> None:
    from flytekit.models.concurrency import ConcurrencyLimitBehavior as FkBehavior

    assert ConcurrencyLimitBehavior.SKIP == FkBehavior.SKIP
    for value in (FkBehavior.SKIP, 0, 999):
        assert ConcurrencyLimitBehavior.enum_to_string(value) == FkBehavior.enum_to_string(value)
    # flytekit's SKIP is a plain int: a policy written with it is the same policy
    assert ConcurrencyPolicy(4, FkBehavior.SKIP) == ConcurrencyPolicy(4)
    assert ConcurrencyPolicy(4) != ConcurrencyPolicy(5)


@pytest.mark.parametrize(
    ("concurrency", "message"),
    [
        (1, "concurrency must be a flyweight.ConcurrencyPolicy, got int 1"),
        ({"max_concurrency": 1}, "got dict"),
        (object(), "got object <object object"),
    ],
)
def test_a_bad_concurrency_of_a_plan_is_named(concurrency: Any, message: str) -> None:
    name = f"bad_concurrency_{type(concurrency).__name__}"
    with pytest.raises(WorkflowCompileError) as info:
        LaunchPlan.get_or_create(_needs, name, concurrency=concurrency)
    assert message in str(info.value)
    assert f"launch plan {name!r}" in str(info.value)
    assert name not in LaunchPlan.CACHE


@pytest.mark.oracle
def test_flytekits_policy_object_is_refused_with_the_fix(flytekit: Any) -> None:
    with pytest.raises(
        WorkflowCompileError,
        match=r"got flytekit\.models\.concurrency\.ConcurrencyPolicy; write concurrency=flyweight\.Conc",
    ):
        LaunchPlan.get_or_create(
            _needs, "bad_concurrency_flytekit", concurrency=flytekit.ConcurrencyPolicy(1)
        )


def test_triggers_are_still_refused() -> None:
    with pytest.raises(NotImplementedError, match="trigger= is not supported"):
        LaunchPlan.get_or_create(_needs, "triggered", trigger=object())


def test_options_must_be_options(ours: ModuleType) -> None:
    _, settings = settings_pair()
    with pytest.raises(WorkflowCompileError, match="must be a flyweight.Options, got dict"):
        get_serializable(OrderedDict(), settings, ours.PLANS["cron"], options={"labels": {}})


# -- flyweight package / pyflyte package ------------------------------------------------------------

PACKAGE_SOURCE = """\
import datetime

from {sdk} import (
    ConcurrencyPolicy,
    CronSchedule,
    Email,
    FixedRate,
    LaunchPlan,
    Slack,
    WorkflowExecutionPhase,
    task,
    workflow,
)


@task
def stamp(at: datetime.datetime, n: int) -> str:
    return f"{{at}} {{n}}"


@workflow
def nightly(at: datetime.datetime, n: int = 1) -> str:
    return stamp(at=at, n=n)


every_night = LaunchPlan.get_or_create(
    nightly,
    "nightly_cron",
    schedule=CronSchedule(schedule="0 2 * * *", kickoff_time_input_arg="at"),
    notifications=[Email([WorkflowExecutionPhase.FAILED], ["team@example.com"])],
    auto_activate=True,
    concurrency=ConcurrencyPolicy(max_concurrency=1),
)
hourly = LaunchPlan.get_or_create(
    nightly,
    "nightly_rate",
    default_inputs={{"n": 3}},
    schedule=FixedRate(datetime.timedelta(hours=1), kickoff_time_input_arg="at"),
    notifications=[
        Slack([WorkflowExecutionPhase.SUCCEEDED, WorkflowExecutionPhase.TIMED_OUT], ["s@example.com"]),
    ],
)
"""


@pytest.mark.oracle
def test_package_members_equal_pyflytes(tmp_path: Path, flytekit: Any) -> None:
    image, project = "ghcr.io/acme/app:v1", tmp_path / "project"
    project.mkdir()
    (project / "scheduled.py").write_text(PACKAGE_SOURCE.format(sdk="flytekit"))
    _run(
        [
            str(BIN / "pyflyte"),
            "--pkgs",
            "scheduled",
            "package",
            "--image",
            image,
            "-o",
            str(tmp_path / "t.tgz"),
        ],
        project,
    )
    shutil.rmtree(project)
    project.mkdir()
    (project / "scheduled.py").write_text(PACKAGE_SOURCE.format(sdk="flyweight"))
    _run(
        [str(BIN / "flyweight"), "package", "scheduled.py", "--image", image, "-o", str(tmp_path / "o.tgz")],
        project,
    )
    theirs = sorted(members(tmp_path / "t.tgz"))
    ours = members(tmp_path / "o.tgz")
    assert [n for n, _ in ours] == [n for n, _ in theirs]
    assert any("nightly_cron" in n for n, _ in ours) and any("nightly_rate" in n for n, _ in ours)
    for (name, their_bytes), (_, our_bytes) in zip(theirs, ours, strict=True):
        expected = identity_map(parse(name, their_bytes), str(flytekit.__version__), image)
        got = normalized(parse(name, our_bytes))
        assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
            f"{name}:\n{_diff(expected, got)}"
        )


@pytest.mark.parametrize("cls", [flyweight.Labels, flyweight.Annotations])
@pytest.mark.parametrize("bad", [["team"], {"team": 1}, {2: "x"}, "team=data"])
def test_labels_and_annotations_take_a_dict_of_str(cls: Any, bad: Any) -> None:
    with pytest.raises(WorkflowCompileError, match=f"{cls.__name__} takes a dict of str to str"):
        cls(bad)


def test_labels_read_like_flytekits() -> None:
    labels = flyweight.Labels({"team": "data"})
    assert labels.values == {"team": "data"}
    assert labels == flyweight.Labels({"team": "data"}) != flyweight.Annotations({"team": "data"})
    assert Options(labels=labels).labels == {"team": "data"}
