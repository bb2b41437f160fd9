"""Task nodes of a local run: attempts in this process or through ``flyweight-execute``, retries, the cache.

:class:`TaskNodes` is the part of the engine's graph (:mod:`flyweight._runtime._engine`) that runs one task
node, or one element of a map task (whose failure is the map's to judge, not the graph's): the cache is
looked up, a worker slot held, attempts run until one succeeds or a failure is final, and each step
reported through the run's events.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import NamedTuple

from flyweight import _idl
from flyweight._context import ExecutionState, FlyteContext
from flyweight._runtime._array import Element
from flyweight._runtime._attempt import AttemptCancelled, AttemptFailed, run_in_process, run_in_subprocess
from flyweight._runtime._cache_key import entry_version
from flyweight._runtime._entities import RunnableTask, RunnableWorkflow
from flyweight._runtime._options import CACHED, FAILED, RETRIED, RUNNING, SUCCEEDED, EventValue, RunOptions
from flyweight._runtime._outcomes import NodeFailed, Stopped, seconds
from flyweight._tasks import ExecutableTemplateShimTask, PythonFunctionTask
from flyweight._tasks._mocks import mock_of
from flyweight._workflows import Node

__all__ = ["LocalSettings", "TaskNodes", "node_settings", "overridden_metadata"]


class TaskNodes:
    """Runs task nodes for a graph: what it needs of the graph is declared here, the graph provides it."""

    options: RunOptions
    ctx: FlyteContext
    workflow: RunnableWorkflow
    prefix: str

    @property
    def stopping(self) -> bool:
        """Whether no new node may start (the graph's)."""
        raise NotImplementedError

    def _failed(self) -> None:
        """Tell the graph a node failed for good (the graph's)."""
        raise NotImplementedError

    def _in_subprocess(self, task: RunnableTask) -> bool:
        if mock_of(task) is not None:  # flyweight.testing: a mock lives in this process only
            return False
        if self.options.images is not None:  # in_image: every task in its image's environment
            return True
        if isinstance(task, PythonFunctionTask):
            return self.options.isolated
        return isinstance(task, ExecutableTemplateShimTask) and not self.options.in_process

    def _task_info(self, task: RunnableTask) -> dict[str, EventValue]:
        where = "subprocess" if self._in_subprocess(task) else "in-process"
        return {"entity": task.name, "kind": "task", "where": where}

    def _run_task(
        self,
        node_id: str,
        task: RunnableTask,
        inputs: _idl.LiteralMap,
        element: Element | None = None,
        local: LocalSettings | None = None,
    ) -> _idl.LiteralMap:
        """A task node (or, with ``element``, one element of a map task: its failure does not stop the
        graph, the map decides), by ``local`` settings (default: the task's, or the node's overrides)."""
        metadata = task.metadata
        if local is None:
            local = node_settings(task, None)
        attempts = 1 + max(local.retries, 0)
        timeout = local.timeout
        cache = self.options.local_cache() if local.cache and mock_of(task) is None else None
        if cache is not None:
            key = (task.name, entry_version(local.cache_version, task._interface_idl), inputs)
            ignore = metadata.cache_ignore_input_vars
            hit = cache.get(*key, ignore=ignore, outputs=task._interface_idl.outputs)
            if hit is not None:
                self.options.emit(node_id, CACHED, self._task_info(task))
                if self.options.report is not None:
                    self.options.report.io(node_id, inputs, hit)
                return hit
        with self.options.slots:
            if self.stopping:  # waited for a slot while another node failed: do not start
                raise Stopped
            out = self._attempts(node_id, task, inputs, attempts, timeout, element)
        if cache is not None:
            cache.put(*key, out, ignore=metadata.cache_ignore_input_vars)
        return out

    def _attempts(  # noqa: PLR0917
        self,
        node_id: str,
        task: RunnableTask,
        inputs: _idl.LiteralMap,
        attempts: int,
        timeout: float | None,
        element: Element | None = None,
    ) -> _idl.LiteralMap:
        """Run the task until an attempt succeeds, fails for good, or ``attempts`` run out.

        In a subprocess, an ``element`` of a map task runs the map task's template with the whole inputs
        and its array index, as on Flyte."""
        sub = self._in_subprocess(task)
        report = self.options.report
        emit = self.options.emit
        events = self.options.on_event is not None  # no handler: no event dicts to build
        info = self._task_info(task) if events else {}
        for attempt in range(attempts):
            if events:
                emit(node_id, RUNNING, {**info, "attempt": attempt + 1})
            start = time.monotonic()
            try:
                if sub and element is not None:
                    element_dir = self.options.blob.path / element.node_id
                    try:
                        out = run_in_subprocess(
                            element.task,
                            element.inputs,
                            element_dir,
                            attempt,
                            timeout,
                            self.options.run_name,
                            self.options.subprocesses,
                            array_index=element.array_index,
                            images=self.options.images,
                        )
                    finally:
                        if report is not None:
                            where = element_dir / str(element.array_index) / str(attempt)
                            report.copy_deck(node_id, attempt, where)
                elif sub:
                    node_dir = self.options.blob.path / node_id
                    try:
                        out = run_in_subprocess(
                            task,
                            inputs,
                            node_dir,
                            attempt,
                            timeout,
                            self.options.run_name,
                            self.options.subprocesses,
                            images=self.options.images,
                        )
                    finally:
                        if report is not None:
                            report.copy_deck(node_id, attempt, node_dir / str(attempt))
                else:
                    out = run_in_process(task, inputs, self._attempt_context(node_id, attempt, element))
                    if self.options.blob.given:
                        _keep(self.options.blob.path / node_id / str(attempt), inputs, out)
            except AttemptCancelled as e:  # the run is stopping: reported cancelled when it finishes
                raise Stopped from e
            except AttemptFailed as e:
                failure = e.failure
                if report is not None:
                    report.io(node_id, inputs, None)
                done = {
                    **(info or self._task_info(task)),
                    "attempt": attempt + 1,
                    "duration": time.monotonic() - start,
                }
                done.update(error=failure.message, timed_out=failure.timed_out)
                retry = failure.recoverable and attempt + 1 < attempts
                if retry and not self.stopping:
                    emit(node_id, RETRIED, done)
                    continue
                if element is None:  # a map decides whether its elements' failures fail the run
                    self._failed()
                emit(node_id, FAILED, done)
                if retry:  # not retried only because another node failed: that one is the run's error
                    raise Stopped from e
                raise NodeFailed(node_id, task.name, failure, attempt + 1, timeout) from e
            if report is not None:
                report.io(node_id, inputs, out)
            if events:
                emit(
                    node_id, SUCCEEDED, {**info, "attempt": attempt + 1, "duration": time.monotonic() - start}
                )
            return out
        raise AssertionError("unreachable: every attempt returns or raises")

    def _attempt_context(self, node_id: str, attempt: int, element: Element | None) -> FlyteContext:
        """The context an in-process attempt runs in: the run's, offering the task a checkpoint in the
        attempt's directory of the blob directory (``<node>/<attempt>/checkpoint``, as an attempt through
        ``flyweight-execute`` has it) and the previous attempt's as the one to resume from. The blob
        directory is touched only when the task uses its checkpoint."""
        blob = self.options.blob
        if blob.given:  # a directory given again: what an earlier run left must not pass for this one's
            shutil.rmtree(self._attempt_dir(node_id, attempt, element) / "checkpoint", ignore_errors=True)

        def paths() -> tuple[str, str | None]:
            previous = self._attempt_dir(node_id, attempt - 1, element) / "checkpoint"
            here = self._attempt_dir(node_id, attempt, element) / "checkpoint"
            return str(here), str(previous) if attempt > 0 and previous.exists() else None

        ctx = self.ctx
        params = ctx.user_space_params.offering_checkpoint(paths)
        report = self.options.report
        if report is not None:  # the attempt's deck page goes beside the run's report
            params = params.sending_decks_to(report.deck_sink(node_id, attempt))
        return FlyteContext(ctx.file_access, ExecutionState.of(ctx.execution_state.mode, params))

    def _attempt_dir(self, node_id: str, attempt: int, element: Element | None) -> Path:
        if element is None:
            return self.options.blob.path / node_id / str(attempt)
        return self.options.blob.path / element.node_id / str(element.array_index) / str(attempt)


class LocalSettings(NamedTuple):
    """What a task node runs by locally: the task's settings, or the node's ``with_overrides``."""

    retries: int
    timeout: float | None
    cache: bool
    cache_version: str


def overridden_metadata(node: Node | None) -> _idl.NodeMetadata | None:
    """The metadata ``with_overrides`` gave ``node`` (a map task's: its sub-node's), or None."""
    overrides = None if node is None else node.overrides
    if node is None or overrides is None:
        return None
    return node.metadata if overrides.sub_node_metadata is None else overrides.sub_node_metadata


def node_settings(task: RunnableTask, overridden: _idl.NodeMetadata | None) -> LocalSettings:
    """The retries, timeout and cache of a node running ``task``; ``overridden`` (the node's metadata after
    ``with_overrides``, or a map task's sub-node metadata) wins over the task's: its retries, its timeout
    when set, ``cacheable`` and ``cache_version`` when set (flytekit's node-level precedence)."""
    metadata = task.metadata
    local = LocalSettings(
        metadata.retries, seconds(metadata.timeout), bool(metadata.cache), metadata.cache_version or ""
    )
    if overridden is None:
        return local
    timeout = seconds(overridden.timeout.ToTimedelta()) if overridden.HasField("timeout") else local.timeout
    return LocalSettings(
        overridden.retries.retries,
        timeout,
        overridden.cacheable if overridden.HasField("cacheable") else local.cache,
        overridden.cache_version if overridden.HasField("cache_version") else local.cache_version,
    )


def _keep(attempt_dir: Path, inputs: _idl.LiteralMap, outputs: _idl.LiteralMap) -> None:
    attempt_dir.mkdir(parents=True, exist_ok=True)
    (attempt_dir / "inputs.pb").write_bytes(inputs.SerializeToString(deterministic=True))
    (attempt_dir / "outputs.pb").write_bytes(outputs.SerializeToString(deterministic=True))
