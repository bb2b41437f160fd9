"""Map tasks over tasks with a pod template (``pod_template=`` and/or ``pod_template_name=``), loaded once
with flytekit's names and once with flyweight's (see ``test_map_pod_template.py``): ``task``, ``workflow``,
``map_task``, ``Resources``, ``PodTemplate`` and ``k8s`` (pod spec builders: Kubernetes model objects for
flytekit, plain dicts for flyweight) are put into this module's namespace before it runs."""

# ruff: noqa: F821, UP006  (the SDK's names are injected by the loader; flytekit-style List annotations)
from __future__ import annotations

import functools
from typing import List, Optional  # noqa: UP035


@task(
    pod_template=PodTemplate(pod_spec=k8s.full_spec(), labels={"team": "ml"}, annotations={"note": "x"}),
    requests=Resources(cpu="1", mem="1Gi"),
    limits=Resources(cpu="2", mem="2Gi"),
    environment={"TASK_ENV": "1"},
    retries=2,
)
def pod_square(x: int) -> int:
    return x * x


@task(pod_template=PodTemplate(pod_spec=k8s.sidecar_only(), primary_container_name="main"))
def custom_primary(x: int, y: int) -> int:
    if x < 0:
        raise ValueError(f"negative input {x}")
    return x + y


@task(pod_template_name="gpu-template")
def named(x: int) -> str:
    return f"n{x}"


@task(pod_template=PodTemplate(annotations={"a": "b"}), pod_template_name="base", interruptible=True)
def both(x: int) -> float:
    return x / 2


@task(pod_template=PodTemplate())
def default_pod(x: int) -> None:
    print(x)


@task
def total(xs: List[Optional[int]]) -> int:
    return sum(x for x in xs if x is not None)


@workflow
def plain(xs: List[int]) -> List[int]:
    return map_task(pod_square)(x=xs)


@workflow
def partial_primary(xs: List[int]) -> List[int]:
    return map_task(functools.partial(custom_primary, y=10), concurrency=2)(x=xs)


@workflow
def ratio(xs: List[int], ys: List[int]) -> int:
    return total(xs=map_task(custom_primary, min_success_ratio=0.5)(x=xs, y=ys))


@workflow
def template_name(xs: List[int]) -> List[str]:
    return map_task(named)(x=xs)


@workflow
def template_and_name(xs: List[int]) -> List[float]:
    return map_task(both)(x=xs)


@workflow
def no_outputs(xs: List[int]) -> None:
    map_task(default_pod)(x=xs)


@workflow
def chained(xs: List[int]) -> List[str]:
    return map_task(named)(x=map_task(pod_square)(x=xs))
