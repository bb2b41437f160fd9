"""The elements of a map in a local run: sliced, run in parallel, counted, gathered.

The engine (:mod:`flyweight._runtime._engine`) runs each element of a map task as a task attempt of its
own, and each element of a map over a launch plan as the plan's workflow; this module decides how
many run at once (the map's ``concurrency`` and the run's ``workers``), hands out the indices, stops
handing them out once too many have failed for the map to succeed (``min_successes`` /
``min_success_ratio``, propeller's rule), and gathers the outputs, with None for each failed element
when failures are allowed. A failure names the elements that failed. ADR 0018.
"""

from __future__ import annotations

import contextvars
import itertools
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Generic, NamedTuple, Protocol, TypeVar

from flyweight import _idl
from flyweight._context import FlyteContext
from flyweight._failure import Interrupted, ignored_outputs
from flyweight._runtime._attempt import USER, AttemptFailure, failure_of
from flyweight._runtime._options import FAILED, RETRIED, EventValue
from flyweight._tasks._map import ArrayNodeMapTask, gather_outputs
from flyweight._tasks._map_batch import ElementBatch
from flyweight._tasks._map_element import element_inputs, mapped_size
from flyweight.errors import IgnoreOutputs, TemplateError, TypeTransformerFailedError

if TYPE_CHECKING:
    from flyweight._interface import Interface

__all__ = ["Element", "ElementRun", "Elements", "Mapped"]

_NAMED = 3  # failed elements named in the map's error; the rest are counted


class Element(NamedTuple):
    """One element of a map task run by the engine: the map task (whose template a subprocess runs), the
    index, the map's whole inputs and the map node's id (its directory holds the elements')."""

    task: ArrayNodeMapTask
    array_index: int
    inputs: _idl.LiteralMap
    node_id: str


Outcome = _idl.LiteralMap | AttemptFailure | None
"""What running one element gave: its outputs, its failure, or None when the run is stopping."""


class Mapped(Protocol):
    """What is mapped, as its elements are counted: a map task, or an ``ArrayNode`` over a launch plan."""

    @property
    def name(self) -> str: ...

    @property
    def concurrency(self) -> int | None:
        """At most this many elements at once (0 or None: no limit but the run's workers)."""
        ...

    @property
    def mapped_inputs(self) -> list[str]:
        """The inputs sliced element by element (the others pass whole)."""
        ...

    @property
    def python_interface(self) -> Interface: ...

    def required_successes(self, size: int) -> int:
        """How many of ``size`` elements must succeed."""
        ...


M = TypeVar("M", bound=Mapped)


class ElementRun(Generic[M]):
    """The elements of one map node: how many, how many must succeed, and what each gave.

    Args:
        task: what is mapped.
        inputs: the map node's inputs (the whole lists).
        workers: the run's workers (at most this many elements run at once).
        label: how a failure names the map (default ``map task '<name>'``).
    """

    def __init__(self, task: M, inputs: _idl.LiteralMap, workers: int, label: str | None = None) -> None:
        self.task = task
        self.label = label or f"map task {task.name!r}"
        self.mapped = task.mapped_inputs
        self._inputs = inputs
        self.error: AttemptFailure | None = None
        try:
            self.size = mapped_size(task.name, inputs, self.mapped)
        except TypeTransformerFailedError as e:
            self.error = AttemptFailure(f"{type(e).__name__}: {e}", False, USER, e)
            self.size = 0
        self.need = task.required_successes(self.size)
        limit = workers if not task.concurrency else min(workers, task.concurrency)
        self.threads = max(1, min(limit, self.size))
        self.results: list[_idl.LiteralMap | None] = [None] * self.size
        self.failed: list[tuple[int, AttemptFailure]] = []
        self.done = 0
        self._give_up = False
        self._lock = threading.Lock()
        self._outputs: _idl.LiteralMap | None = None

    def inputs(self, index: int) -> _idl.LiteralMap:
        """The inputs of element ``index``."""
        try:
            return element_inputs(self._inputs, self.mapped, index)
        except TemplateError as e:  # cannot happen once the size is known; kept as a clear error
            raise AssertionError(str(e)) from e

    def run(self, one: Callable[[int], Outcome], stopping: Callable[[], bool]) -> None:
        """Run ``one(index)`` for every element on up to :attr:`threads` threads (this one included)."""
        counter = itertools.count()

        def work() -> None:
            while not self._give_up and not stopping():
                index = next(counter)
                if index >= self.size:
                    return
                outcome = one(index)
                if outcome is None:  # the run is stopping
                    return
                if isinstance(outcome, AttemptFailure):
                    self._fail(index, outcome)
                else:
                    self.results[index] = outcome
                    self._count()

        self._spread(work)

    def _count(self) -> None:
        with self._lock:
            self.done += 1

    def _fail(self, index: int, failure: AttemptFailure) -> None:
        with self._lock:
            self.done += 1
            self.failed.append((index, failure))
            if self.size - len(self.failed) < self.need:
                self._give_up = True

    def _spread(self, work: Callable[[], None]) -> None:
        """Run ``work`` on :attr:`threads` threads, this one included; what a helper thread raises is
        raised here once all have ended."""
        errors: list[BaseException] = []

        def guarded() -> None:
            try:
                work()
            except BaseException as e:
                errors.append(e)
                self._give_up = True

        helpers = [
            threading.Thread(
                target=contextvars.copy_context().run, args=(guarded,), name="flyweight-map", daemon=True
            )
            for _ in range(self.threads - 1)
        ]
        for t in helpers:
            t.start()
        try:
            work()
        except BaseException:
            self._give_up = True
            raise
        finally:
            for t in helpers:
                t.join()
        if errors:
            raise errors[0]

    @property
    def stopped(self) -> bool:
        """Whether elements were left unrun because the run is stopping (not because the map gave up)."""
        return self.done < self.size and not self._give_up

    def failure(self) -> AttemptFailure | None:
        """Why the map failed, or None when it succeeded."""
        if self.error is not None:
            return self.error
        if not self._give_up and not self.stopped:
            return None
        if self.stopped:
            return AttemptFailure("the run is stopping", False, USER)
        self.failed.sort(key=lambda f: f[0])
        first = self.failed[0][1]
        named = "; ".join(f"element {i}: {f.message}" for i, f in self.failed[:_NAMED])
        more = f"; and {len(self.failed) - _NAMED} more" if len(self.failed) > _NAMED else ""
        message = (
            f"{self.label}: {len(self.failed)} of {self.size} elements failed and {self.need} "
            f"had to succeed; {named}{more}"
        )
        return AttemptFailure(message, False, first.origin, first.cause, code=first.code)

    def outputs(self) -> _idl.LiteralMap:
        """One list per output, None for each failed element."""
        if self._outputs is not None:
            return self._outputs
        return gather_outputs(list(self.task.python_interface.outputs), self.results)


class Elements(ElementRun[ArrayNodeMapTask]):
    """The elements of one map task node; they can also run as one batch in this process."""

    def __init__(self, task: ArrayNodeMapTask, inputs: _idl.LiteralMap, workers: int) -> None:
        super().__init__(task, inputs, workers)
        self.inner = task.python_function_task

    def run_batch(  # noqa: PLR0917
        self,
        ctx: FlyteContext,
        attempts: int,
        stopping: Callable[[], bool],
        emit: Callable[[str, str, dict[str, EventValue]], None],
        node_id: str,
        slot: AbstractContextManager[object],
    ) -> None:
        """Run every element in this process as one :class:`~flyweight._tasks._map.ElementBatch` (inputs and
        outputs converted as whole lists), retrying an element's recoverable failures up to ``attempts``.
        Only elements that fail or retry have events (``<node>-<index>``); each thread holds ``slot`` (one
        of the run's worker slots) while it runs elements."""
        try:
            batch = self.task.batch(ctx, self._inputs, self.size)
        except Exception as e:  # the inputs do not convert: the map's own failure
            self.error = failure_of(e)
            return
        counter = itertools.count()
        info: dict[str, EventValue] = {"entity": self.inner.name, "kind": "task", "where": "in-process"}

        def work() -> None:
            with slot, self.inner.sandbox(ctx) as inner_ctx:
                while not self._give_up and not stopping():
                    index = next(counter)
                    if index >= self.size:
                        return
                    for attempt in range(attempts):
                        failure = _element_failure(batch, index, inner_ctx)
                        if failure is None:
                            self._count()
                            break
                        done = {**info, "attempt": attempt + 1, "error": failure.message, "timed_out": False}
                        if failure.recoverable and attempt + 1 < attempts and not stopping():
                            emit(f"{node_id}-{index}", RETRIED, done)
                            continue
                        emit(f"{node_id}-{index}", FAILED, done)
                        self._fail(index, failure)
                        break

        self._spread(work)
        if self._give_up or self.stopped:
            return
        out, bad = batch.outputs(ctx, {i for i, _ in self.failed})
        for index, error in bad:  # a value the output type does not hold: that element failed
            self.done -= 1  # counted as a success above
            self._fail(index, failure_of(error))
        if not self._give_up and out is not None:
            self._outputs = out


def _element_failure(batch: ElementBatch, index: int, ctx: FlyteContext) -> AttemptFailure | None:
    """Run element ``index`` of ``batch`` once: None if it succeeded, else how it failed (the error
    contract of every attempt; ``IgnoreOutputs`` as in :func:`~flyweight._runtime._attempt.run_in_process`).
    An interrupt is not a failure of the element: it stops the run."""
    try:
        batch.run(index, ctx)
    except IgnoreOutputs as e:
        error = ignored_outputs(f"task {batch.inner.name!r}", list(batch.inner.python_interface.outputs))
        if error is None:
            return None
        error.__cause__ = e
        return failure_of(error)
    except (KeyboardInterrupt, Interrupted):
        raise
    except BaseException as e:
        return failure_of(e)
    return None
