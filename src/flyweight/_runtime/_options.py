"""What one local run carries to every node: its switches, its blob directory, its event handler (and each
node's last event, so that the run can report the nodes it did not finish), its cache and the
subprocesses it started — shared by the top workflow and its sub-workflows."""

from __future__ import annotations

import dataclasses
import os
import queue
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from flyweight._runtime._attempt import Subprocesses
from flyweight.errors import StorageError

if TYPE_CHECKING:
    from flyweight._runtime._cache import LocalCache
    from flyweight._runtime._image_env import ImageEnvironments
    from flyweight._runtime._report_record import RunReport

__all__ = [
    "CACHED",
    "CANCELLED",
    "FAILED",
    "PENDING",
    "RETRIED",
    "RUNNING",
    "SUCCEEDED",
    "BlobDir",
    "EventHandler",
    "RunOptions",
]

PENDING = "pending"
RUNNING = "running"
CACHED = "cached"
RETRIED = "retried"
SUCCEEDED = "succeeded"
FAILED = "failed"
CANCELLED = "cancelled"
_OPEN = frozenset({PENDING, RUNNING, RETRIED})  # states a node may still leave
_KEPT = ("entity", "kind", "attempt", "where")  # what a cancelled event repeats of the node's last one

EventValue: TypeAlias = str | int | float
"""A value in an event's ``info``: a name, a count, seconds, a flag (a bool is an int)."""

EventHandler: TypeAlias = Callable[[str, str, Mapping[str, EventValue]], None]
"""``on_event(node_id, state, info)``: ``info`` holds ``entity`` (the task or workflow name), ``kind``, and
per state ``attempt`` (running, retried, failed; cancelled if it had started), ``duration`` in seconds
(retried, succeeded, failed), ``error`` (retried, failed), ``timed_out`` and ``where`` (``"in-process"`` /
``"subprocess"``), ``reason`` (cancelled: ``"the run was interrupted"``, ``"the run failed"``, or
``"the run stopped"`` after an exception from ``on_event``).

``cancelled`` is the last event of a node the run did not finish: it never started (a node failed
elsewhere, or the run was interrupted), or it was running when the run was interrupted (its subprocess
was ended; an in-process task cannot be stopped, and its later events are dropped)."""


class Slots:
    """``n`` tokens a task holds while it runs, as ``with slots:``; waits while none is free.

    A ``threading.Semaphore`` would do the same through a Python-level condition (a few µs per task);
    a ``SimpleQueue`` of tokens is a C-level lock, so a chain of tiny tasks barely notices it.
    """

    def __init__(self, n: int) -> None:
        self._tokens: queue.SimpleQueue[None] = queue.SimpleQueue()
        for _ in range(n):
            self._tokens.put(None)

    def __enter__(self) -> None:
        self._tokens.get()

    def __exit__(self, *exc: object) -> None:
        self._tokens.put(None)


@dataclasses.dataclass
class RunOptions:
    """The settings and shared state of one run (see ``run_workflow`` for the switches)."""

    in_process: bool
    isolated: bool
    workers: int
    blob: BlobDir
    on_event: EventHandler | None
    run_name: str
    cache: LocalCache | None = None
    gate_inputs: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    """Values of ``wait_for_input`` gates and decisions of ``approve`` gates, by gate name."""
    skip_sleep: bool = False
    """Whether ``sleep`` gates succeed at once instead of waiting."""
    images: ImageEnvironments | None = None
    """``in_image``: where each task's image environment comes from (every task then runs through
    ``flyweight-execute`` in it)."""
    report: RunReport | None = None
    """What records the run for its HTML report (``run_workflow(report=...)``), or None."""
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    subprocesses: Subprocesses = dataclasses.field(default_factory=Subprocesses)
    slots: Slots = dataclasses.field(init=False)
    _last: dict[str, tuple[str, dict[str, EventValue]]] = dataclasses.field(
        default_factory=dict, init=False, repr=False
    )
    _finished: bool = dataclasses.field(default=False, init=False)

    def __post_init__(self) -> None:
        # Held by a task node while it runs: every graph of the run (sub-workflows have their own pools)
        # shares these, so at most `workers` tasks run at once in the whole run.
        self.slots = Slots(self.workers)

    def local_cache(self) -> LocalCache:
        """The cache given to the run, else the environment's (made when a cached task first runs)."""
        with self.lock:
            if self.cache is None:
                from flyweight._runtime._cache import default_cache

                self.cache = default_cache()
            return self.cache

    def emit(self, node_id: str, state: str, info: dict[str, EventValue]) -> None:
        if self.on_event is not None:
            with self.lock:
                if self._finished:  # an in-process task left running by an interrupted run
                    return
                self._last[node_id] = (state, info)
                self.on_event(node_id, state, info)

    def finish(self, reason: str) -> None:
        """End the run's events: each node still pending or running is reported ``cancelled`` with
        ``reason``, and events that come later are dropped.

        Called once the run has ended, whatever the outcome; the handler is not called again after it
        raises here (the run's own outcome is what the caller must see).
        """
        if self.on_event is None:
            return
        with self.lock:
            if self._finished:
                return
            self._finished = True
            for node_id, (state, info) in list(self._last.items()):
                if state not in _OPEN:
                    continue
                kept: dict[str, EventValue] = {k: info[k] for k in _KEPT if k in info}
                try:
                    self.on_event(node_id, CANCELLED, {**kept, "reason": reason})
                except Exception:
                    return


class BlobDir:
    """The run's local blob directory: given by the caller, or a temporary one made on first use. It is
    never removed by the engine: outputs (files, tables) may point into it."""

    def __init__(self, path: str | os.PathLike[str] | None) -> None:
        self.given = path is not None
        self._path = Path(path) if path is not None else None
        self._lock = threading.Lock()
        if self._path is not None:  # a directory given by the caller is checked before anything runs
            try:
                self._path.mkdir(parents=True, exist_ok=True)
                usable = os.access(self._path, os.W_OK | os.X_OK)
                reason = "it is not writable"
            except OSError as e:
                usable, reason = False, str(e)
            if not usable:
                raise StorageError(
                    f"blob_dir {str(self._path)!r} cannot be used as the run's blob directory ({reason}); "
                    "give a writable directory, or none for a temporary one"
                )

    @property
    def made(self) -> bool:
        return self._path is not None

    @property
    def path(self) -> Path:
        with self._lock:
            if self._path is None:
                try:
                    self._path = Path(tempfile.mkdtemp(prefix="flyweight-run-"))
                except OSError as e:
                    raise StorageError(
                        f"cannot make a temporary blob directory for the run ({e}); set TMPDIR to a "
                        "writable directory or give blob_dir"
                    ) from e
            return self._path
