"""Failure nodes (``on_failure=``) and failure policies, after flytesnacks
``development_lifecycle/failure_node.py``."""

import typing

from flytekit import WorkflowFailurePolicy, task, workflow
from flytekit.types.error.error import FlyteError

EVENTS: list[str] = []


@task
def create_cluster(name: str):
    EVENTS.append(f"create {name}")


@task
def t1(a: int, b: str):
    EVENTS.append(f"t1 {a} {b}")
    raise ValueError("Fail!")


@task
def delete_cluster(name: str):
    EVENTS.append(f"delete {name}")


@task
def clean_up(name: str, err: typing.Optional[FlyteError] = None):
    EVENTS.append(f"clean_up {name}")


@workflow(on_failure=clean_up)
def subwf(name: str):
    c = create_cluster(name=name)
    t = t1(a=1, b="2")
    d = delete_cluster(name=name)
    c >> t >> d


@workflow(on_failure=clean_up, failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
def wf1(name: str = "my_cluster"):
    c = create_cluster(name=name)
    subwf(name="another_cluster")
    t = t1(a=1, b="2")
    d = delete_cluster(name=name)
    c >> t >> d


@workflow
def clean_up_wf(name: str):
    return clean_up(name=name)


@workflow(on_failure=clean_up_wf)
def wf2(name: str = "my_cluster"):
    c = create_cluster(name=name)
    t = t1(a=1, b="2")
    d = delete_cluster(name=name)
    c >> t >> d


@task
def provision(name: str) -> str:
    EVENTS.append(f"provision {name}")
    return f"cluster-{name}"


@workflow(on_failure=clean_up)
def healthy(name: str = "ok") -> str:
    return provision(name=name)
