"""What the local engine refuses before anything runs: arguments a caller gets wrong, and a graph whose
``a >> b`` orderings make a cycle (its nodes would never start, and the run would end without them)."""

from __future__ import annotations

import collections
from collections.abc import Mapping
from typing import Any

from flyweight.errors import WorkflowCompileError
from flyweight.tasks import PythonTask
from flyweight.workflows import LaunchPlan, Node, WorkflowBase

__all__ = ["check_acyclic", "check_arguments"]


def check_arguments(workflow: Any, inputs: Any, workers: Any) -> None:
    """Refuse, with a message that says what was expected, the arguments a caller gets wrong."""
    if not isinstance(workflow, (WorkflowBase, LaunchPlan)):
        kind = "task" if isinstance(workflow, PythonTask) else type(workflow).__name__
        name = getattr(workflow, "name", getattr(workflow, "__name__", None))
        raise TypeError(
            f"run_workflow runs a workflow or a launch plan, got {kind}"
            + (f" {name!r}" if name else "")
            + "; call a task directly, or call it from a @workflow"
        )
    if inputs is not None and not isinstance(inputs, Mapping):
        raise TypeError(
            f"inputs must be a mapping of input names to values, got {type(inputs).__name__} {inputs!r}"
        )
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        error = ValueError if isinstance(workers, int) and not isinstance(workers, bool) else TypeError
        raise error(f"workers must be a positive int, got {type(workers).__name__} {workers!r}")


def check_acyclic(
    name: str, nodes: list[Node], ready: collections.deque[Node], dependents: dict[str, list[Node]]
) -> None:
    """Refuse a graph whose ``a >> b`` orderings make a cycle: those nodes would never start."""
    waiting = {n.id: len(n.upstream_nodes) for n in nodes}
    todo = list(ready)
    while todo:
        for d in dependents.get(todo.pop().id, ()):
            waiting[d.id] -= 1
            if waiting[d.id] == 0:
                todo.append(d)
    stuck = [n.id for n in nodes if waiting[n.id] > 0]
    if stuck:
        raise WorkflowCompileError(
            f"workflow {name!r}: nodes {', '.join(stuck)} wait for each other (or for a node that does), "
            "so none of them could start; remove the `a >> b` ordering that closes the cycle"
        )
