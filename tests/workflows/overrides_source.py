"""``with_overrides(...)`` written once, loaded with flyweight or with flytekit (``test_with_overrides.py``).

``task``, ``workflow``, ``LaunchPlan``, ``Resources``, ``create_node`` and ``map_task`` are not imported
here: the loader puts the chosen SDK's into the module before running it, so both SDKs compile the same
source under the same module name.
"""

from __future__ import annotations

import datetime
from typing import Any

task: Any = globals()["task"]
workflow: Any = globals()["workflow"]
LaunchPlan: Any = globals()["LaunchPlan"]
Resources: Any = globals()["Resources"]
create_node: Any = globals()["create_node"]
map_task: Any = globals()["map_task"]


@task(retries=1, timeout=100)
def inc(a: int) -> int:
    return a + 1


@task
def pair(a: int) -> tuple[int, str]:
    return a, str(a)


@task
def side(a: int) -> None:
    print(a)


@workflow
def sub(a: int) -> int:
    return inc(a=a)


sub_lp = LaunchPlan.get_or_create(sub, name="overrides_sub_lp")


@workflow
def retries_timeout(a: int) -> int:
    return inc(a=a).with_overrides(retries=3, timeout=60)


@workflow
def timedelta_interruptible_name(a: int) -> int:
    return inc(a=a).with_overrides(timeout=datetime.timedelta(minutes=2), interruptible=True, name="renamed")


@workflow
def timeout_none(a: int) -> int:
    return inc(a=a).with_overrides(timeout=None, retries=0)


@workflow
def node_name(a: int) -> int:
    b = inc(a=a).with_overrides(node_name="My_First.Node")
    return inc(a=b).with_overrides(node_name="second")


@workflow
def aliases(a: int) -> int:
    return inc(a=a).with_overrides(aliases={"o0": "result"})


@workflow
def requests_limits(a: int) -> int:
    return inc(a=a).with_overrides(requests=Resources(cpu="1", mem="1Gi"), limits=Resources(cpu="2", gpu=0))


@workflow
def resources_pair(a: int) -> int:
    return inc(a=a).with_overrides(resources=Resources(cpu=("1", "2"), mem="1Gi", ephemeral_storage="1Gi"))


@workflow
def requests_only(a: int) -> int:
    return inc(a=a).with_overrides(requests=Resources(ephemeral_storage="2Gi", cpu=1))


@workflow
def image_shared_memory(a: int) -> int:
    b = inc(a=a).with_overrides(container_image="repo/img:1", shared_memory=True)
    return inc(a=b).with_overrides(shared_memory="1Gi")


@workflow
def cache(a: int) -> int:
    b = inc(a=a).with_overrides(cache=True, cache_version="2", cache_serialize=True)
    return inc(a=b).with_overrides(cache=False)


@workflow
def chained(a: int) -> int:
    return (
        inc(a=a)
        .with_overrides(
            cache=False, shared_memory=True, requests=Resources(cpu="1"), limits=Resources(cpu="2")
        )
        .with_overrides(retries=5, requests=Resources(mem="1Gi"))
    )


@workflow
def multi_output(a: int) -> str:
    _x, y = pair(a=a).with_overrides(retries=2, node_name="pair-node", limits=Resources(mem="2Gi"))
    return y


@workflow
def void(a: int) -> None:
    side(a=a).with_overrides(retries=4, container_image="img:2")


@workflow
def created_node(a: int) -> int:
    n = create_node(inc, a=a).with_overrides(retries=2, requests=Resources(cpu="3"), node_name="made")
    return n.o0


@workflow
def sub_workflow(a: int) -> int:
    return sub(a=a).with_overrides(
        timeout=30, retries=2, interruptible=False, node_name="sub-node", requests=Resources(cpu="1")
    )


@workflow
def launch_plan(a: int) -> int:
    return sub_lp(a=a).with_overrides(retries=1, name="lp", aliases={"o0": "x"}, container_image="i:1")


@workflow
def mapped(xs: list[int]) -> list[int]:
    return map_task(inc)(a=xs).with_overrides(
        retries=2,
        timeout=10,
        name="mapped-inc",
        node_name="the_map",
        requests=Resources(cpu="1"),
        container_image="repo/map:1",
        shared_memory="64Mi",
    )


@workflow
def everything(a: int) -> int:
    return inc(a=a).with_overrides(
        node_name="all",
        aliases={"o0": "out"},
        requests=Resources(cpu="1", mem="1Gi"),
        limits=Resources(cpu="2", mem="2Gi"),
        timeout=datetime.timedelta(seconds=90),
        retries=7,
        interruptible=True,
        name="everything-node",
        container_image="repo/all:3",
        cache=True,
        cache_version="9",
        shared_memory=True,
    )
