"""The imperative ``Workflow``, after flytesnacks ``basics/imperative_workflow.py``."""

import typing

from flytekit import Workflow, task
from flytekit.types.error import FlyteError

HANDLED: list[str] = []


@task
def slope(x: list[int], y: list[int]) -> float:
    sum_xy = sum([x[i] * y[i] for i in range(len(x))])
    sum_x_squared = sum([x[i] ** 2 for i in range(len(x))])
    n = len(x)
    return (n * sum_xy - sum(x) * sum(y)) / (n * sum_x_squared - sum(x) ** 2)


@task
def intercept(x: list[int], y: list[int], slope: float) -> float:
    mean_x = sum(x) / len(x)
    mean_y = sum(y) / len(y)
    return mean_y - slope * mean_x


imperative_wf = Workflow(name="imperative_workflow")
imperative_wf.add_workflow_input("x", list[int])
imperative_wf.add_workflow_input("y", list[int])
node_t1 = imperative_wf.add_entity(slope, x=imperative_wf.inputs["x"], y=imperative_wf.inputs["y"])
node_t2 = imperative_wf.add_entity(
    intercept, x=imperative_wf.inputs["x"], y=imperative_wf.inputs["y"], slope=node_t1.outputs["o0"]
)
imperative_wf.add_workflow_output("wf_output", node_t2.outputs["o0"])


@task
def check_positive(x: int) -> int:
    if x < 0:
        raise ValueError(f"negative: {x}")
    return x


@task
def report(x: int, err: typing.Optional[FlyteError] = None):
    HANDLED.append(f"{x}: {err.message if err else None}")


guarded_wf = Workflow(name="guarded_workflow")
guarded_wf.add_workflow_input("x", int)
checked = guarded_wf.add_entity(check_positive, x=guarded_wf.inputs["x"])
guarded_wf.add_workflow_output("out", checked.outputs["o0"], python_type=int)
guarded_wf.add_on_failure_handler(report)
