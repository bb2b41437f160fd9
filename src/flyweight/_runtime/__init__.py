"""The local engine: runs tasks and workflows on this machine, with a persistent local cache.

:func:`run_workflow` runs a compiled workflow graph (independent nodes in parallel, plugin tasks through
``flyweight-execute`` in a subprocess unless ``in_process``, function tasks in-process unless
``isolated``); a workflow called outside a body runs through :func:`call_workflow` (ADR 0012).
"""

from __future__ import annotations

from flyweight._runtime._options import (
    CACHED,
    CANCELLED,
    FAILED,
    PENDING,
    RETRIED,
    RUNNING,
    SUCCEEDED,
    EventHandler,
    EventValue,
)
from flyweight._runtime._run import call_workflow, run_workflow

__all__ = [
    "CACHED",
    "CANCELLED",
    "FAILED",
    "PENDING",
    "RETRIED",
    "RUNNING",
    "SUCCEEDED",
    "EventHandler",
    "EventValue",
    "call_workflow",
    "run_workflow",
]
