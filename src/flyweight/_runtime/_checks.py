"""What the local engine refuses before anything runs: the arguments a caller gets wrong. (A graph whose
``a >> b`` orderings make a cycle is refused earlier, when the body compiles.)"""

from __future__ import annotations

from collections.abc import Mapping

from flyweight._tasks import Task
from flyweight._workflows import LaunchPlan, WorkflowBase

__all__ = ["check_arguments"]


def check_arguments(workflow: object, inputs: object, workers: object) -> None:
    """Refuse, with a message that says what was expected, the arguments a caller gets wrong."""
    if not isinstance(workflow, (WorkflowBase, LaunchPlan)):
        name: str | None
        if isinstance(workflow, Task):
            kind, name = "task", workflow.name
        else:  # a function, most often: named by its __name__
            kind, name = type(workflow).__name__, getattr(workflow, "__name__", None)
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
