"""The local engine: runs a compiled workflow graph on this machine, independent nodes in parallel.

A workflow's nodes (ADR 0010) are scheduled as soon as the nodes they depend on have finished, on a pool
of worker threads; a node whose inputs are ready while nothing else is runs in the calling thread, so a
chain of small tasks pays no hand-off between threads. Each task node runs in-process or through
``flyweight-execute`` in a subprocess (:mod:`flyweight.runtime._attempt`), is retried for RECOVERABLE
failures up to its ``retries``, and reports its progress through ``on_event``. Sub-workflows and launch
plans run as nested graphs, each with its own pool; a running task holds one of the run's ``workers``
slots, so nesting never runs more tasks at once than the run allows. The first failed node stops the
run (unless the workflow's failure policy says to finish what can run): no new node starts (in
sub-workflows either), running ones finish, and :class:`~flyweight.errors.WorkflowExecutionError` names
the node, its task and the error.
"""

from __future__ import annotations

import collections
import contextvars
import os
import time
import uuid
from collections.abc import Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flyweight import _idl
from flyweight._context import FlyteContext, FlyteContextManager
from flyweight.errors import WorkflowExecutionError
from flyweight.runtime._attempt import (
    USER,
    AttemptFailed,
    AttemptFailure,
    run_in_process,
    run_in_subprocess,
)
from flyweight.runtime._bindings import resolve_bindings
from flyweight.runtime._cache_key import entry_version
from flyweight.runtime._checks import check_arguments
from flyweight.runtime._options import (
    CACHED,
    FAILED,
    PENDING,
    RETRIED,
    RUNNING,
    SUCCEEDED,
    BlobDir,
    EventHandler,
    RunOptions,
)
from flyweight.tasks import ExecutableTemplateShimTask, PythonFunctionTask
from flyweight.types import TypeEngine
from flyweight.workflows import GLOBAL_INPUT_NODE_ID, Node, WorkflowFailurePolicy

if TYPE_CHECKING:
    from flyweight.runtime._cache import LocalCache

__all__ = [
    "CACHED",
    "FAILED",
    "PENDING",
    "RETRIED",
    "RUNNING",
    "SUCCEEDED",
    "EventHandler",
    "call_workflow",
    "run_workflow",
]


class _Stopped(Exception):
    """A sub-workflow left nodes unrun because the run is stopping (a node failed elsewhere)."""


class _NodeFailed(Exception):
    def __init__(self, node_id: str, entity: str, failure: AttemptFailure, attempts: int) -> None:
        super().__init__(failure.message)
        self.node_id = node_id
        self.entity = entity
        self.failure = failure
        self.attempts = attempts


def _seconds(timeout: Any) -> float | None:
    if timeout is None:
        return None
    seconds = timeout.total_seconds() if hasattr(timeout, "total_seconds") else float(timeout)
    return seconds if seconds > 0 else None


class _Graph:
    """One execution of one workflow graph (the top workflow, or a sub-workflow inside a node)."""

    def __init__(  # noqa: PLR0917
        self,
        workflow: Any,
        inputs: _idl.LiteralMap,
        options: RunOptions,
        ctx: FlyteContext,
        prefix: str,
        parent: _Graph | None = None,
    ) -> None:
        self.workflow = workflow
        self.parent = parent
        self._stop = False
        self.options = options
        self.ctx = ctx
        self.prefix = prefix
        self.outputs: dict[str, _idl.LiteralMap] = {GLOBAL_INPUT_NODE_ID: inputs}
        self.fail_fast = workflow.workflow_metadata.on_failure != (
            WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE
        )

    @property
    def stopping(self) -> bool:
        """Whether no new node may start: a node of this graph failed (fail-fast), or of a graph above."""
        return self._stop or (self.parent is not None and self.parent.stopping)

    def _failed(self) -> None:
        """Called (in any thread) as soon as a node has failed, before its ``failed`` event."""
        if self.fail_fast:
            self._stop = True

    def run(self) -> _idl.LiteralMap:
        nodes: list[Node] = self.workflow.nodes
        waiting = {n.id: len(n.upstream_nodes) for n in nodes}
        dependents: dict[str, list[Node]] = collections.defaultdict(list)
        for n in nodes:
            for up in n.upstream_nodes:
                dependents[up.id].append(n)
        ready = collections.deque(n for n in nodes if not n.upstream_nodes)
        for n in nodes:
            self.options.emit(self.prefix + n.id, PENDING, {"entity": _entity_name(n), "kind": n.kind})
        failures: list[_NodeFailed] = []
        running: dict[Future[_idl.LiteralMap], Node] = {}
        pool: ThreadPoolExecutor | None = None
        try:
            while ready or running:
                # At most `workers` nodes are handed out, so a failure stops the rest before they start.
                while ready and len(running) < self.options.workers and not self.stopping:
                    node = ready.popleft()
                    try:
                        inputs = resolve_bindings(node.bindings, self.outputs, f"node {node.id}")
                    except (IndexError, KeyError) as e:  # a promise path into a value that lacks it
                        failures.append(self._unbound(node, e))
                        continue
                    if not running and not ready:  # nothing to overlap with: run it here
                        self._finish(node, self._call(node, inputs), waiting, dependents, ready, failures)
                        continue
                    if pool is None:
                        pool = ThreadPoolExecutor(self.options.workers, thread_name_prefix="flyweight-node")
                    ctx = contextvars.copy_context()
                    running[pool.submit(ctx.run, self._run_node, node, inputs)] = node
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    node = running.pop(future)
                    self._finish(node, future, waiting, dependents, ready, failures)
        except BaseException:  # an interrupt, or a broken event handler: end what runs, start nothing
            self._stop = True  # sub-workflows still running in the pool start nothing more either
            self.options.subprocesses.end_all()
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
                pool = None
            raise
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
        if failures:
            raise failures[0]
        if len(self.outputs) <= len(nodes):  # some never ran: a graph above this one is stopping
            raise _Stopped
        try:
            return resolve_bindings(self.workflow.output_bindings, self.outputs, "the workflow's outputs")
        except (IndexError, KeyError) as e:  # a promise path into an output that lacks it (Flyte's end node)
            raise _NodeFailed(f"{self.prefix}end-node", self.workflow.name, _lookup_failure(e), 0) from e

    def _unbound(self, node: Node, error: LookupError) -> _NodeFailed:
        """The failure of a node whose inputs cannot be resolved: the workflow's fault (USER), not ours."""
        failure = _lookup_failure(error)
        info = {"entity": _entity_name(node), "kind": node.kind, "attempt": 0, "duration": 0.0}
        self._failed()
        self.options.emit(
            self.prefix + node.id, FAILED, {**info, "error": failure.message, "timed_out": False}
        )
        return _NodeFailed(self.prefix + node.id, _entity_name(node), failure, 0)

    def _call(self, node: Node, inputs: _idl.LiteralMap) -> Future[_idl.LiteralMap]:
        """Run the node in this thread, with the outcome wrapped like a pool's."""
        future: Future[_idl.LiteralMap] = Future()
        try:
            future.set_result(self._run_node(node, inputs))
        except (_NodeFailed, _Stopped) as e:
            future.set_exception(e)
        return future

    def _finish(  # noqa: PLR0917
        self,
        node: Node,
        future: Future[_idl.LiteralMap],
        waiting: dict[str, int],
        dependents: dict[str, list[Node]],
        ready: collections.deque[Node],
        failures: list[_NodeFailed],
    ) -> None:
        error = future.exception()
        if error is not None:
            if isinstance(error, _NodeFailed):
                self._failed()
                failures.append(error)
                return
            if isinstance(error, _Stopped):  # this graph is stopping too: nothing to record
                return
            raise error
        self.outputs[node.id] = future.result()
        for d in dependents.get(node.id, ()):
            waiting[d.id] -= 1
            if waiting[d.id] == 0:
                ready.append(d)

    def _run_node(self, node: Node, inputs: _idl.LiteralMap) -> _idl.LiteralMap:
        node_id = self.prefix + node.id
        if node.kind == "task":
            return self._run_task(node_id, node.flyte_entity, inputs)
        entity = node.flyte_entity
        workflow = getattr(entity, "workflow", entity)  # a launch plan runs its workflow
        fixed = getattr(entity, "fixed_inputs", None)
        if fixed is not None:
            merged = _idl.LiteralMap(literals=dict(fixed.literals))
            for k, v in inputs.literals.items():
                merged.literals[k].CopyFrom(v)
            inputs = merged
        info = {"entity": entity.name, "kind": node.kind}
        self.options.emit(node_id, RUNNING, {**info, "attempt": 1})
        start = time.monotonic()
        try:
            out = _Graph(workflow, inputs, self.options, self.ctx, f"{node_id}-", self).run()
        except (_NodeFailed, _Stopped) as e:
            self._failed()
            error = "stopped: another node of the run failed" if isinstance(e, _Stopped) else str(e)
            self.options.emit(node_id, FAILED, {**info, "duration": time.monotonic() - start, "error": error})
            raise
        self.options.emit(node_id, SUCCEEDED, {**info, "duration": time.monotonic() - start})
        return out

    def _in_subprocess(self, task: Any) -> bool:
        if isinstance(task, PythonFunctionTask):
            return self.options.isolated
        return isinstance(task, ExecutableTemplateShimTask) and not self.options.in_process

    def _task_info(self, task: Any) -> dict[str, Any]:
        where = "subprocess" if self._in_subprocess(task) else "in-process"
        return {"entity": task.name, "kind": "task", "where": where}

    def _run_task(self, node_id: str, task: Any, inputs: _idl.LiteralMap) -> _idl.LiteralMap:
        metadata = task.metadata
        attempts = 1 + max(int(getattr(metadata, "retries", 0) or 0), 0)
        timeout = _seconds(getattr(metadata, "timeout", None))
        cache = self.options.local_cache() if getattr(metadata, "cache", False) else None
        if cache is not None:
            key = (task.name, entry_version(metadata.cache_version, task.interface), inputs)
            hit = cache.get(*key, ignore=metadata.cache_ignore_input_vars)
            if hit is not None:
                self.options.emit(node_id, CACHED, self._task_info(task))
                return hit
        with self.options.slots:
            if self.stopping:  # waited for a slot while another node failed: do not start
                raise _Stopped
            out = self._attempts(node_id, task, inputs, attempts, timeout)
        if cache is not None:
            cache.put(*key, out, ignore=metadata.cache_ignore_input_vars)
        return out

    def _attempts(
        self, node_id: str, task: Any, inputs: _idl.LiteralMap, attempts: int, timeout: float | None
    ) -> _idl.LiteralMap:
        """Run the task until an attempt succeeds, fails for good, or ``attempts`` run out."""
        sub = self._in_subprocess(task)
        info = self._task_info(task)
        emit = self.options.emit
        for attempt in range(attempts):
            emit(node_id, RUNNING, {**info, "attempt": attempt + 1})
            start = time.monotonic()
            try:
                if sub:
                    node_dir = self.options.blob.path / node_id
                    out = run_in_subprocess(
                        task,
                        inputs,
                        node_dir,
                        attempt,
                        timeout,
                        self.options.run_name,
                        self.options.subprocesses,
                    )
                else:
                    out = run_in_process(task, inputs, self.ctx)
                    if self.options.blob.given:
                        _keep(self.options.blob.path / node_id / str(attempt), inputs, out)
            except AttemptFailed as e:
                failure = e.failure
                done = {**info, "attempt": attempt + 1, "duration": time.monotonic() - start}
                done.update(error=failure.message, timed_out=failure.timed_out)
                retry = failure.recoverable and attempt + 1 < attempts
                if retry and not self.stopping:
                    emit(node_id, RETRIED, done)
                    continue
                self._failed()
                emit(node_id, FAILED, done)
                if retry:  # not retried only because another node failed: that one is the run's error
                    raise _Stopped from e
                raise _NodeFailed(node_id, task.name, failure, attempt + 1) from e
            emit(node_id, SUCCEEDED, {**info, "attempt": attempt + 1, "duration": time.monotonic() - start})
            return out
        raise AssertionError("unreachable: every attempt returns or raises")


def _keep(attempt_dir: Path, inputs: _idl.LiteralMap, outputs: _idl.LiteralMap) -> None:
    attempt_dir.mkdir(parents=True, exist_ok=True)
    (attempt_dir / "inputs.pb").write_bytes(inputs.SerializeToString(deterministic=True))
    (attempt_dir / "outputs.pb").write_bytes(outputs.SerializeToString(deterministic=True))


def _lookup_failure(error: LookupError) -> AttemptFailure:
    """A promise path into a value that lacks the index or key: the workflow's fault (USER), not ours."""
    return AttemptFailure(
        f"{type(error).__name__}: {error.args[0] if error.args else error}", False, USER, error
    )


def _entity_name(node: Node) -> str:
    return str(getattr(node.flyte_entity, "name", "?"))


def run_workflow(
    workflow: Any,
    inputs: Mapping[str, Any] | None = None,
    *,
    in_process: bool = False,
    isolated: bool = False,
    workers: int | None = None,
    blob_dir: str | os.PathLike[str] | None = None,
    on_event: EventHandler | None = None,
    cache: LocalCache | None = None,
) -> Any:
    """Run ``workflow`` (or a launch plan) on this machine and return its outputs as Python values.

    Args:
        workflow: a ``@workflow`` (compiled on first use) or a ``LaunchPlan``.
        inputs: the workflow's inputs by name (defaults fill the rest).
        in_process: run plugin tasks in this process instead of through ``flyweight-execute``.
        isolated: run function tasks through ``flyweight-execute`` too (their module must be importable).
            A task's ``timeout`` is enforced only in a subprocess (ended when it runs over); an in-process
            task cannot be stopped, so its timeout is not checked.
        workers: how many tasks may run at once, sub-workflows included (default: the number of cores).
        blob_dir: where subprocess attempts keep their files (``<node>/<attempt>/inputs.pb``,
            ``outputs.pb`` / ``error.pb``, ``raw/``, ``stderr``); given, it is kept and in-process nodes
            write their inputs and outputs there too. Default: a temporary directory made when the first
            subprocess starts; it is kept (outputs may point into it) and named in a failure's message.
        on_event: called as ``on_event(node_id, state, info)`` (see :data:`EventHandler`); calls are
            serialized by a lock, and an exception from it ends the run.
        cache: where results of ``cache=True`` tasks are looked up before they run and stored after
            (default: ``flyweight.runtime._cache.default_cache()``, configured by the environment); a hit
            is reported as ``cached`` and the task does not run.

    Returns:
        None (no outputs), the value (one output) or a named tuple (several), as a call of the workflow.

    Raises:
        WorkflowExecutionError: a node failed; names the workflow, the node, its task and the error.
        TypeError: the inputs do not fit the workflow's signature, or ``workflow`` is not a workflow.
        ValueError: ``workers`` is less than 1.
        StorageError: ``blob_dir`` cannot be created or written.

    Example:
        >>> from flyweight import task, workflow
        >>> @task
        ... def double(x: int) -> int:
        ...     return 2 * x
        >>> @workflow
        ... def quadruple(x: int) -> int:
        ...     return double(x=double(x=x))
        >>> run_workflow(quadruple, {"x": 3}, in_process=True)
        12
    """
    check_arguments(workflow, inputs, workers)
    saved = dict(getattr(workflow, "saved_inputs", None) or {})
    fixed = sorted(set(getattr(workflow, "fixed_input_names", ())) & set(inputs or {}))
    if fixed:
        raise TypeError(
            f"launch plan {workflow.name!r} fixes input(s) {', '.join(fixed)}; leave them out of the inputs"
        )
    wf = getattr(workflow, "workflow", workflow)
    wf.compile()
    iface = wf.python_interface
    owner = f"workflow {wf.name!r}"
    bound = iface.bind((), {**saved, **dict(inputs or {})}, owner=wf.name)
    ctx = FlyteContextManager.current_context()
    lts = {k: v.type for k, v in wf.interface.inputs.variables.items()}
    literals = TypeEngine.values_to_literal_map(ctx, bound, iface.inputs, owner, "inputs", lts)
    options = RunOptions(
        in_process=in_process,
        isolated=isolated,
        workers=workers or os.cpu_count() or 1,
        blob=BlobDir(blob_dir),
        on_event=on_event,
        run_name=f"r{uuid.uuid4().hex[:12]}",
        cache=cache,
    )
    try:
        out = _Graph(wf, literals, options, ctx, "").run()
    except _NodeFailed as e:
        blob = str(options.blob.path) if options.blob.made else None
        raise WorkflowExecutionError(
            wf.name, e.node_id, e.entity, e.failure.message, e.failure.origin, e.attempts, blob
        ) from e.failure.cause
    outputs = iface.outputs
    if not outputs:
        return None
    values = TypeEngine.literal_map_to_values(ctx, out, outputs, owner, "outputs")
    if len(values) == 1:
        return next(iter(values.values()))
    return iface.output_tuple(**values)


def call_workflow(workflow: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """What ``wf(...)`` outside a workflow body does: :func:`run_workflow` in-process (plugin tasks too,
    as a task's own local call runs them), function tasks in this process, one worker per core."""
    if args:
        kwargs = workflow.python_interface.bind(args, kwargs, owner=workflow.name)
    return run_workflow(workflow, kwargs, in_process=True)
