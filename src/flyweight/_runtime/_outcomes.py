"""How a node of a local run ends other than with outputs: stopped, failed, or a graph with failed nodes.

Shared by the engine (:mod:`flyweight._runtime._engine`) and the node runners it is built from
(:mod:`flyweight._runtime._task_nodes`, :mod:`flyweight._runtime._fan_out`).
"""

from __future__ import annotations

import datetime

from flyweight._runtime._attempt import USER, AttemptFailure

__all__ = ["GraphFailed", "NodeFailed", "Stopped", "lookup_failure", "seconds"]


class Stopped(Exception):
    """A node did not run, or was ended, because the run is stopping (a node failed elsewhere, or an
    interrupt); it is reported ``cancelled`` when the run finishes."""


class NodeFailed(Exception):
    """One node failed for good: its id, the task (or launch plan) it ran, the failure of its last
    attempt, how many attempts ran and the task's timeout in seconds (None without one)."""

    def __init__(
        self, node_id: str, entity: str, failure: AttemptFailure, attempts: int, timeout: float | None = None
    ) -> None:
        super().__init__(failure.message)
        self.node_id = node_id
        self.entity = entity
        self.failure = failure
        self.attempts = attempts
        self.timeout = timeout


class GraphFailed(Exception):
    """A graph ended with failed nodes: every one of them (sub-workflows' included), in the order they
    failed."""

    def __init__(self, failures: list[NodeFailed]) -> None:
        super().__init__("; ".join(f"node {f.node_id} failed: {f.failure.message}" for f in failures))
        self.failures = failures


def seconds(timeout: datetime.timedelta | float | None) -> float | None:
    if timeout is None:
        return None
    seconds = timeout.total_seconds() if isinstance(timeout, datetime.timedelta) else float(timeout)
    return seconds if seconds > 0 else None


def lookup_failure(error: LookupError) -> AttemptFailure:
    """A promise path into a value that lacks the index or key: the workflow's fault (USER), not ours."""
    return AttemptFailure(
        f"{type(error).__name__}: {error.args[0] if error.args else error}", False, USER, error
    )
