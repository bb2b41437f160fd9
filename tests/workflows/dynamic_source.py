"""Dynamic workflows written once, loaded with flyweight or with flytekit (``test_dynamic.py``).

``task``, ``workflow``, ``dynamic``, ``conditional`` and ``LaunchPlan`` are not imported here: the loader
puts the chosen SDK's into the module before running it, so both SDKs build the same source under the
same module name.
"""

from __future__ import annotations

import threading
from typing import Any, NamedTuple, Optional

task: Any = globals()["task"]
workflow: Any = globals()["workflow"]
dynamic: Any = globals()["dynamic"]
conditional: Any = globals()["conditional"]
LaunchPlan: Any = globals()["LaunchPlan"]

CALLS: dict[str, int] = {}
"""How many times ``flaky`` (and ``flaky_body``) ran, per key (the retry tests read it)."""

MEETING = threading.Barrier(2, timeout=60)
"""``meet`` waits here for a second task: only tasks that run at the same time get past it."""


class Stats(NamedTuple):
    total: int
    label: str


@task
def add_one(a: int) -> int:
    return a + 1


@task
def double(a: int) -> int:
    return 2 * a


@task
def square(a: int) -> int:
    return a * a


@task
def negate(a: int) -> int:
    return -a


@task
def label_of(a: int) -> str:
    return f"a={a}"


@task
def sink(a: int) -> None:
    CALLS[f"sink-{a}"] = CALLS.get(f"sink-{a}", 0) + 1


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@task
def boom(a: int) -> int:
    if a == 3:
        raise ValueError(f"boom at {a}")
    return a


@task(retries=2)
def flaky(key: str) -> int:
    from flyweight.errors import FlyteRecoverableException as Ours

    CALLS[key] = CALLS.get(key, 0) + 1
    if CALLS[key] < 3:
        raise Ours(f"attempt {CALLS[key]} of {key} failed")
    return CALLS[key]


@task
def meet(i: int) -> int:
    MEETING.wait()  # a run that starts one task at a time breaks the barrier (BrokenBarrierError)
    return i


@workflow
def inner_wf(a: int) -> int:
    return double(a=add_one(a=a))


inner_lp = LaunchPlan.get_or_create(inner_wf, name="dynamic_source.inner_lp", fixed_inputs={})


# -- the dynamic tasks ----------------------------------------------------------------------------------


@dynamic
def fan_out(n: int) -> list[int]:
    """One node per element: a loop over the real value of ``n``."""
    return [add_one(a=i) for i in range(n)]


@dynamic
def chained(x: int) -> int:
    a = add_one(a=x)
    b = double(a=a)
    return square(a=b)


@dynamic
def with_sub_workflow(x: int) -> tuple[int, int]:
    first = inner_wf(a=x)
    return first, inner_wf(a=first)


@dynamic
def with_launch_plan(x: int) -> int:
    return inner_lp(a=x)


@dynamic
def nested(n: int) -> int:
    """A dynamic task calling another: the inner one becomes a task node of the generated graph."""
    return total(xs=fan_out(n=n))


@dynamic
def deeper(n: int) -> list[int]:
    return [nested(n=i) for i in range(1, n + 1)]


@dynamic
def with_conditional(x: int) -> int:
    p = add_one(a=x)
    return conditional("sign").if_(p > 0).then(double(a=p)).else_().then(negate(a=p))


@dynamic
def constants(n: int) -> Stats:
    """No node at all: the outputs are constants (written as outputs.pb, not futures.pb)."""
    return Stats(n * 2, f"n={n}")


@dynamic
def list_of_promises(n: int) -> tuple[list[int], dict[str, int], int]:
    xs = [add_one(a=i) for i in range(n)]
    return [*xs, 100], {"first": xs[0], "const": 7}, n


@dynamic
def no_outputs(n: int) -> None:
    for i in range(n):
        sink(a=i)


@dynamic
def branchy(x: int, names: list[str], flag: bool, label: Optional[str] = None) -> str:
    """Uses its inputs as Python values: ``if``, ``len``, string methods."""
    if flag and x > 2:
        return label_of(a=x + len(names))
    return label or ",".join(n.upper() for n in names)


@dynamic
def failing_inside(n: int) -> list[int]:
    return [boom(a=i) for i in range(n)]


@dynamic
def failing_body(n: int) -> int:
    if n > 1:
        raise RuntimeError(f"the body refuses n={n}")
    return add_one(a=n)


@dynamic
def retried_inside(key: str) -> int:
    return flaky(key=key)


@dynamic
def meet_all(n: int) -> list[int]:
    return [meet(i=i) for i in range(n)]


@dynamic(retries=1)
def flaky_body(key: str) -> int:
    from flyweight.errors import FlyteRecoverableException as Ours

    CALLS[key] = CALLS.get(key, 0) + 1
    if CALLS[key] == 1:
        raise Ours(f"the body of {key} failed once")
    return add_one(a=CALLS[key])


@dynamic(
    retries=3,
    interruptible=True,
    timeout=120,
    cache=True,
    cache_version="2",
    environment={"MODE": "dyn"},
    node_dependency_hints=[add_one, inner_wf],
)
def with_options(x: int) -> int:
    return add_one(a=x)


@workflow
def uses_dynamic(n: int) -> int:
    xs = fan_out(n=n)
    return total(xs=xs)


@workflow
def uses_two(n: int, x: int) -> tuple[int, int, str]:
    c = constants(n=x)
    return nested(n=n), with_options(x=x), c.label


@workflow
def uses_failing(n: int) -> list[int]:
    return failing_inside(n=n)


@workflow
def uses_meet_all(n: int) -> int:
    return total(xs=meet_all(n=n))


@workflow
def uses_deeper(n: int) -> list[int]:
    return deeper(n=n)


@workflow
def in_branch(x: int) -> int:
    p = add_one(a=x)
    return conditional("big").if_(p > 2).then(chained(x=p)).else_().then(negate(a=p))
