"""Workflows calling reference entities, written once, loaded with flyweight or with flytekit
(``test_reference_entities.py``).

The SDK's names (``task``, ``workflow``, ``conditional``, the three reference decorators and the three
reference classes) are not imported here: the loader puts the chosen SDK's into the module before running it,
so both SDKs compile the same source under the same module name.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Optional

task: Any = globals()["task"]
workflow: Any = globals()["workflow"]
conditional: Any = globals()["conditional"]
reference_task: Any = globals()["reference_task"]
reference_workflow: Any = globals()["reference_workflow"]
reference_launch_plan: Any = globals()["reference_launch_plan"]
ReferenceTask: Any = globals()["ReferenceTask"]
ReferenceLaunchPlan: Any = globals()["ReferenceLaunchPlan"]


class Stats(NamedTuple):
    total: int
    label: str


@reference_task(project="team-a", domain="production", name="remote.tasks.join", version="553018f")
def join(words: list[str], sep: str) -> str:
    """Joins words (the body never runs)."""
    raise AssertionError("a reference's body must not run")


@reference_task(project="team-a", domain="production", name="remote.tasks.stats", version="v2")
def stats(x: int, note: Optional[str]) -> Stats: ...


@reference_task(project="team-b", domain="staging", name="remote.tasks.ping", version="v3")
def ping() -> None: ...


@reference_launch_plan(project="team-c", domain="development", name="remote.plans.nightly", version="v9")
def nightly(day: str, limit: int) -> tuple[int, str]: ...


@reference_workflow(project="team-d", domain="development", name="remote.flows.wf", version="v1")
def remote_wf(x: int) -> int:
    return x


double = ReferenceTask("team-a", "production", "remote.tasks.double", "v4", {"x": int}, {"o0": int})
report = ReferenceLaunchPlan("team-c", "development", "remote.plans.report", "v5", {"n": int}, {})


@task
def plus_one(x: int) -> int:
    return x + 1


@task
def shout(s: str) -> str:
    return s.upper()


@workflow
def constants() -> str:
    return join(words=["a", "b"], sep="-")


@workflow
def promises(words: list[str], sep: str) -> str:
    return join(words=words, sep=sep)


@workflow
def mixed(x: int) -> str:
    y = plus_one(x=x)
    z = double(x=y)
    s = stats(x=z, note=None)
    return shout(s=s.label)


@workflow
def optional_left_out(x: int) -> int:
    return stats(x=x).total


@workflow
def launch_plans(day: str) -> str:
    n, label = nightly(day=day, limit=10)
    report(n=n)
    return label


@workflow
def ordered(x: int) -> int:
    p = ping()
    y = plus_one(x=x)
    p >> y
    return double(x=y)


@workflow
def positional(x: int) -> int:
    return double(x)


@workflow
def in_a_branch(x: int) -> int:
    return conditional("pick").if_(x > 3).then(double(x=x)).else_().then(plus_one(x=x))


@workflow
def twice(x: int) -> int:
    return double(x=double(x=x))


@workflow
def calls_a_reference_workflow(x: int) -> int:
    return remote_wf(x=x)


SHAPES = [
    "constants",
    "in_a_branch",
    "launch_plans",
    "mixed",
    "optional_left_out",
    "ordered",
    "positional",
    "promises",
    "twice",
]
