"""The local engine: runs a compiled workflow graph on this machine, independent nodes in parallel.

A workflow's nodes (ADR 0010) are scheduled as soon as the nodes they depend on have finished, on a pool
of worker threads; a node whose inputs are ready while nothing else is runs in the calling thread, so a
chain of small tasks pays no hand-off between threads. Each task node runs in-process or through
``flyweight-execute`` in a subprocess (:mod:`flyweight._runtime._attempt`), is retried for RECOVERABLE
failures up to its ``retries``, and reports its progress through ``on_event``. Sub-workflows and launch
plans run as nested graphs, each with its own pool; a running task holds one of the run's ``workers``
slots, so nesting never runs more tasks at once than the run allows.

The first failed node stops the run (unless the workflow's failure policy says to finish what can run):
no new node starts (in sub-workflows either), running ones finish, and :class:`GraphFailed` lists every
node that failed. An interrupt (``KeyboardInterrupt``, SIGTERM as :class:`~flyweight._failure.Interrupted`,
or an exception from ``on_event``) ends the run's subprocesses at once and waits a short while for nodes
running in threads; the nodes left pending or running are reported ``cancelled`` by
:meth:`RunOptions.finish <flyweight._runtime._options.RunOptions.finish>` (:mod:`flyweight._runtime._run`).
"""

from __future__ import annotations

import collections
import contextvars
import datetime
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from flyweight import _idl
from flyweight._context import FlyteContext
from flyweight._failure import Interrupted
from flyweight._runtime import _interrupt
from flyweight._runtime._array import Element, ElementRun, Elements, Outcome
from flyweight._runtime._attempt import (
    USER,
    AttemptCancelled,
    AttemptFailed,
    AttemptFailure,
    failure_of,
    run_in_process,
    run_in_subprocess,
)
from flyweight._runtime._bindings import resolve_bindings
from flyweight._runtime._cache_key import entry_version
from flyweight._runtime._entities import RunnableTask, RunnableWorkflow
from flyweight._runtime._options import (
    CACHED,
    FAILED,
    PENDING,
    RETRIED,
    RUNNING,
    SUCCEEDED,
    EventValue,
    RunOptions,
)
from flyweight._tasks import ExecutableTemplateShimTask, PythonFunctionTask, Task
from flyweight._tasks._map import ArrayNodeMapTask
from flyweight._tasks._map_batch import ElementBatch
from flyweight._workflows import (
    ARRAY,
    BRANCH,
    GLOBAL_INPUT_NODE_ID,
    LAUNCH_PLAN,
    ArrayNode,
    Branch,
    CalledLaunchPlan,
    DynamicTask,
    GeneratedWorkflow,
    Node,
    SubWorkflow,
    WorkflowFailurePolicy,
    generated_outputs,
)
from flyweight.errors import PlatformError

__all__ = ["GraphFailed", "NodeFailed", "run_graph"]

# How long an interrupted graph waits for the nodes running in its threads once their subprocesses are
# ended; an in-process task cannot be stopped, so one still running then is left to finish on its own.
_THREADS_GRACE = 2.0


class _Stopped(Exception):
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


def _seconds(timeout: datetime.timedelta | float | None) -> float | None:
    if timeout is None:
        return None
    seconds = timeout.total_seconds() if isinstance(timeout, datetime.timedelta) else float(timeout)
    return seconds if seconds > 0 else None


class _Graph:
    """One execution of one workflow graph (the top workflow, or a sub-workflow inside a node)."""

    def __init__(  # noqa: PLR0917
        self,
        workflow: RunnableWorkflow,
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
        nodes = self.workflow.nodes
        after = {n.id: _run_after(n) for n in nodes}
        waiting = {n.id: len(after[n.id]) for n in nodes}
        dependents: dict[str, list[Node]] = collections.defaultdict(list)
        for n in nodes:
            for up in after[n.id]:
                dependents[up.id].append(n)
        ready = collections.deque(n for n in nodes if not after[n.id])
        for n in nodes:
            self.options.emit(self.prefix + n.id, PENDING, {"entity": n.entity_name, "kind": n.kind})
        failures: list[NodeFailed] = []
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
            _interrupt.stopping()  # a second Ctrl-C must not cut the ending short (it is bounded)
            self._stop = True  # sub-workflows still running in the pool start nothing more either
            self.options.subprocesses.end_all()
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
                wait(running, timeout=_THREADS_GRACE)  # subprocesses are ended; in-process tasks may not end
                pool = None
            raise
        finally:
            if pool is not None:
                pool.shutdown(wait=True)
        if failures:
            raise GraphFailed(failures)
        if len(self.outputs) <= len(nodes):  # some never ran: a graph above this one is stopping
            raise _Stopped
        try:
            return resolve_bindings(self.workflow.output_bindings, self.outputs, "the workflow's outputs")
        except (IndexError, KeyError) as e:  # a promise path into an output that lacks it (Flyte's end node)
            end = NodeFailed(f"{self.prefix}end-node", self.workflow.name, _lookup_failure(e), 0)
            raise GraphFailed([end]) from e

    def _unbound(self, node: Node, error: LookupError) -> NodeFailed:
        """The failure of a node whose inputs cannot be resolved: the workflow's fault (USER), not ours."""
        failure = _lookup_failure(error)
        info: dict[str, EventValue] = {
            "entity": node.entity_name,
            "kind": node.kind,
            "attempt": 0,
            "duration": 0.0,
        }
        self._failed()
        self.options.emit(
            self.prefix + node.id, FAILED, {**info, "error": failure.message, "timed_out": False}
        )
        return NodeFailed(self.prefix + node.id, node.entity_name, failure, 0)

    def _call(self, node: Node, inputs: _idl.LiteralMap) -> Future[_idl.LiteralMap]:
        """Run the node in this thread, with the outcome wrapped like a pool's."""
        future: Future[_idl.LiteralMap] = Future()
        try:
            future.set_result(self._run_node(node, inputs))
        except (NodeFailed, GraphFailed, _Stopped) as e:
            future.set_exception(e)
        return future

    def _finish(  # noqa: PLR0917
        self,
        node: Node,
        future: Future[_idl.LiteralMap],
        waiting: dict[str, int],
        dependents: dict[str, list[Node]],
        ready: collections.deque[Node],
        failures: list[NodeFailed],
    ) -> None:
        error = future.exception()
        if error is not None:
            if isinstance(error, (NodeFailed, GraphFailed)):  # a task node, or a sub-workflow's nodes
                self._failed()
                failures.extend(error.failures if isinstance(error, GraphFailed) else [error])
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
        entity = node.flyte_entity
        if entity is None:
            raise PlatformError(f"{node.describe()} runs nothing (a bug of the local engine)")
        if isinstance(entity, DynamicTask):
            return self._run_dynamic(node_id, entity, inputs)
        if isinstance(entity, ArrayNodeMapTask):
            return self._run_map(node_id, entity, inputs)
        if isinstance(entity, Task):
            return self._run_task(node_id, entity, inputs)
        if isinstance(entity, Branch):
            return self._run_branch(node_id, entity, inputs)
        if entity.node_kind == ARRAY:
            return self._run_array(node_id, entity, inputs)
        return self._run_subgraph(node_id, node, entity, inputs)

    def _run_subgraph(
        self, node_id: str, node: Node, entity: SubWorkflow | CalledLaunchPlan, inputs: _idl.LiteralMap
    ) -> _idl.LiteralMap:
        """A sub-workflow or launch plan node: its workflow's graph, its node ids prefixed by ``node_id``."""
        workflow: RunnableWorkflow
        if entity.node_kind == LAUNCH_PLAN:  # a launch plan runs its workflow, with its fixed inputs
            workflow = entity.workflow
            merged = _idl.LiteralMap(literals=dict(entity.fixed_inputs.literals))
            for k, v in inputs.literals.items():
                merged.literals[k].CopyFrom(v)
            inputs = merged
        else:
            workflow = entity
        info: dict[str, EventValue] = {"entity": entity.name, "kind": node.kind}
        self.options.emit(node_id, RUNNING, {**info, "attempt": 1})
        start = time.monotonic()
        try:
            out = _Graph(workflow, inputs, self.options, self.ctx, f"{node_id}-", self).run()
        except GraphFailed as e:
            self._failed()
            duration = time.monotonic() - start
            self.options.emit(node_id, FAILED, {**info, "duration": duration, "error": str(e)})
            raise
        # _Stopped: left running, it is reported cancelled with the rest when the run finishes
        self.options.emit(node_id, SUCCEEDED, {**info, "duration": time.monotonic() - start})
        return out

    def _run_dynamic(
        self, node_id: str, task: DynamicTask[object], inputs: _idl.LiteralMap
    ) -> _idl.LiteralMap:
        """A dynamic task node: its body runs in-process with the real inputs (holding a slot, retried as a
        task's attempts are), then the graph it built runs as a sub-graph of the node (ids
        ``<node>-dn0`` …); a body that built no node gives its constant outputs. Cached as a task is."""
        metadata = task.metadata
        cache = self.options.local_cache() if metadata.cache else None
        info: dict[str, EventValue] = {"entity": task.name, "kind": "task", "where": "in-process"}
        if cache is not None:
            key = (task.name, entry_version(metadata.cache_version, task.interface), inputs)
            hit = cache.get(*key, ignore=metadata.cache_ignore_input_vars, outputs=task.interface.outputs)
            if hit is not None:
                self.options.emit(node_id, CACHED, info)
                return hit
        start = time.monotonic()
        with self.options.slots:
            if self.stopping:
                raise _Stopped
            generated, attempt = self._generate(node_id, task, inputs, info)
        done = {**info, "attempt": attempt}
        if not generated.nodes:
            out = generated_outputs(generated)
        else:
            try:
                out = _Graph(generated, _idl.LiteralMap(), self.options, self.ctx, f"{node_id}-", self).run()
            except GraphFailed as e:
                self._failed()
                duration = time.monotonic() - start
                self.options.emit(node_id, FAILED, {**done, "duration": duration, "error": str(e)})
                raise
        if cache is not None:
            cache.put(*key, out, ignore=metadata.cache_ignore_input_vars)
        self.options.emit(node_id, SUCCEEDED, {**done, "duration": time.monotonic() - start})
        return out

    def _generate(
        self, node_id: str, task: DynamicTask[object], inputs: _idl.LiteralMap, info: dict[str, EventValue]
    ) -> tuple[GeneratedWorkflow, int]:
        """Run the body until an attempt builds its graph; a RECOVERABLE failure is retried up to the task's
        ``retries``. Returns the graph and the number of the attempt that built it."""
        attempts = 1 + max(task.metadata.retries, 0)
        emit = self.options.emit
        for attempt in range(attempts):
            emit(node_id, RUNNING, {**info, "attempt": attempt + 1})
            start = time.monotonic()
            try:
                return task.generate(self.ctx, inputs), attempt + 1
            except (KeyboardInterrupt, Interrupted):
                raise
            except BaseException as e:
                failure = failure_of(e)
                done = {**info, "attempt": attempt + 1, "duration": time.monotonic() - start}
                done.update(error=failure.message, timed_out=False)
                retry = failure.recoverable and attempt + 1 < attempts
                if retry and not self.stopping:
                    emit(node_id, RETRIED, done)
                    continue
                self._failed()
                emit(node_id, FAILED, done)
                if retry:
                    raise _Stopped from e
                raise NodeFailed(node_id, task.name, failure, attempt + 1) from e
        raise AssertionError("unreachable: every attempt returns or raises")

    def _run_branch(self, node_id: str, branch: Branch, inputs: _idl.LiteralMap) -> _idl.LiteralMap:
        """A conditional: the first branch whose condition holds on the real values runs (else the
        ``else`` branch, or the run fails with the message of ``else_().fail``)."""
        info: dict[str, EventValue] = {"entity": branch.name, "kind": BRANCH}
        self.options.emit(node_id, RUNNING, {**info, "attempt": 1})
        start = time.monotonic()
        failure: AttemptFailure | None = None
        try:
            chosen = branch.choose(inputs)
            entity = None if chosen is None else chosen.flyte_entity
            if chosen is not None and entity is not None:
                inner_id = f"{node_id}-{chosen.id}"
                self.options.emit(inner_id, PENDING, {"entity": entity.name, "kind": chosen.kind})
                chosen_inputs = resolve_bindings(chosen.bindings, self.outputs, f"node {inner_id}")
                if isinstance(entity, Branch):  # a nested conditional
                    out = self._run_branch(inner_id, entity, chosen_inputs)
                elif isinstance(entity, ArrayNodeMapTask):
                    out = self._run_map(inner_id, entity, chosen_inputs)
                elif isinstance(entity, DynamicTask):
                    out = self._run_dynamic(inner_id, entity, chosen_inputs)
                elif isinstance(entity, Task):
                    out = self._run_task(inner_id, entity, chosen_inputs)
                elif entity.node_kind == ARRAY:
                    out = self._run_array(inner_id, entity, chosen_inputs)
                else:  # a sub-workflow or a launch plan: its graph, as in a workflow's own node
                    out = self._run_subgraph(inner_id, chosen, entity, chosen_inputs)
                self.options.emit(node_id, SUCCEEDED, {**info, "duration": time.monotonic() - start})
                return _idl.LiteralMap(literals={k: out.literals[k] for k in branch.output_names})
            failure = AttemptFailure(f"conditional {branch.name!r} failed: {branch.error}", False, USER)
        except (NodeFailed, GraphFailed, _Stopped):
            self.options.emit(
                node_id, FAILED, {**info, "duration": time.monotonic() - start, "error": "a branch"}
            )
            raise
        except Exception as e:  # values that do not compare (None < 1), a path into a value that lacks it
            failure = AttemptFailure(f"conditional {branch.name!r}: {type(e).__name__}: {e}", False, USER, e)
        self._failed()
        done = {**info, "duration": time.monotonic() - start, "error": failure.message, "timed_out": False}
        self.options.emit(node_id, FAILED, done)
        raise NodeFailed(node_id, branch.name, failure, 1) from failure.cause

    def _run_map(self, node_id: str, task: ArrayNodeMapTask, inputs: _idl.LiteralMap) -> _idl.LiteralMap:
        """A map task: its elements as task attempts (``<node>-<index>``), at most ``concurrency`` (and the
        run's ``workers``) at once; it succeeds when enough of them do (``min_success_ratio``)."""
        info: dict[str, EventValue] = {"entity": task.name, "kind": "task"}
        self.options.emit(node_id, RUNNING, {**info, "attempt": 1})
        start = time.monotonic()
        elements = Elements(task, inputs, self.options.workers)
        inner = elements.inner
        batched = (
            not self._in_subprocess(inner)
            and ElementBatch.runs(inner)
            and not inner.metadata.cache
            and not self.options.blob.given
        )
        if elements.error is None and batched:
            attempts = 1 + max(inner.metadata.retries, 0)
            stopping = lambda: self.stopping  # noqa: E731
            elements.run_batch(self.ctx, attempts, stopping, self.options.emit, node_id, self.options.slots)
        elif elements.error is None:

            def one(index: int) -> Outcome:
                element = Element(task, index, inputs, node_id)
                try:
                    return self._run_task(
                        f"{node_id}-{index}", elements.inner, elements.inputs(index), element
                    )
                except NodeFailed as e:
                    return e.failure
                except _Stopped:
                    return None

            elements.run(one, lambda: self.stopping)
        failure = elements.failure()
        if failure is None:
            self.options.emit(node_id, SUCCEEDED, {**info, "duration": time.monotonic() - start})
            return elements.outputs()
        if elements.stopped:
            raise _Stopped
        self._failed()
        done = {**info, "duration": time.monotonic() - start, "error": failure.message, "timed_out": False}
        self.options.emit(node_id, FAILED, done)
        raise NodeFailed(node_id, task.name, failure, 1) from failure.cause

    def _run_array(self, node_id: str, array: ArrayNode, inputs: _idl.LiteralMap) -> _idl.LiteralMap:
        """A map over a launch plan: each element runs the plan's workflow with the plan's fixed inputs, as a
        graph of its own (``<node>-<index>``, its nodes ``<node>-<index>-n0`` …), at most ``concurrency``
        (and the run's ``workers``) at once; it succeeds when enough elements do (``min_successes`` /
        ``min_success_ratio``). An element's failure does not stop the run: the map decides."""
        plan = array.launch_plan
        info: dict[str, EventValue] = {"entity": array.name, "kind": ARRAY}
        self.options.emit(node_id, RUNNING, {**info, "attempt": 1})
        start = time.monotonic()
        label = f"map over launch plan {array.name!r}"
        elements = ElementRun(array, inputs, self.options.workers, label)
        element_info: dict[str, EventValue] = {"entity": plan.name, "kind": LAUNCH_PLAN}

        def one(index: int) -> Outcome:
            element_id = f"{node_id}-{index}"
            merged = _idl.LiteralMap(literals=dict(plan.fixed_inputs.literals))
            for k, v in elements.inputs(index).literals.items():
                merged.literals[k].CopyFrom(v)
            self.options.emit(element_id, RUNNING, {**element_info, "attempt": 1})
            began = time.monotonic()
            try:
                out = _Graph(plan.workflow, merged, self.options, self.ctx, f"{element_id}-", self).run()
            except GraphFailed as e:
                done = {**element_info, "duration": time.monotonic() - began, "error": str(e)}
                self.options.emit(element_id, FAILED, done)
                first = e.failures[0].failure
                return AttemptFailure(str(e), False, first.origin, first.cause, code=first.code)
            except _Stopped:
                return None
            self.options.emit(element_id, SUCCEEDED, {**element_info, "duration": time.monotonic() - began})
            return out

        if elements.error is None:
            elements.run(one, lambda: self.stopping)
        failure = elements.failure()
        if failure is None:
            self.options.emit(node_id, SUCCEEDED, {**info, "duration": time.monotonic() - start})
            return elements.outputs()
        if elements.stopped:
            raise _Stopped
        self._failed()
        done = {**info, "duration": time.monotonic() - start, "error": failure.message, "timed_out": False}
        self.options.emit(node_id, FAILED, done)
        raise NodeFailed(node_id, array.name, failure, 1) from failure.cause

    def _in_subprocess(self, task: RunnableTask) -> bool:
        if isinstance(task, PythonFunctionTask):
            return self.options.isolated
        return isinstance(task, ExecutableTemplateShimTask) and not self.options.in_process

    def _task_info(self, task: RunnableTask) -> dict[str, EventValue]:
        where = "subprocess" if self._in_subprocess(task) else "in-process"
        return {"entity": task.name, "kind": "task", "where": where}

    def _run_task(
        self, node_id: str, task: RunnableTask, inputs: _idl.LiteralMap, element: Element | None = None
    ) -> _idl.LiteralMap:
        """A task node (or, with ``element``, one element of a map task: its failure does not stop the
        graph, the map decides)."""
        metadata = task.metadata
        attempts = 1 + max(metadata.retries, 0)
        timeout = _seconds(metadata.timeout)
        cache = self.options.local_cache() if metadata.cache else None
        if cache is not None:
            key = (task.name, entry_version(metadata.cache_version, task.interface), inputs)
            hit = cache.get(*key, ignore=metadata.cache_ignore_input_vars, outputs=task.interface.outputs)
            if hit is not None:
                self.options.emit(node_id, CACHED, self._task_info(task))
                return hit
        with self.options.slots:
            if self.stopping:  # waited for a slot while another node failed: do not start
                raise _Stopped
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
        info = self._task_info(task)
        emit = self.options.emit
        for attempt in range(attempts):
            emit(node_id, RUNNING, {**info, "attempt": attempt + 1})
            start = time.monotonic()
            try:
                if sub and element is not None:
                    out = run_in_subprocess(
                        element.task,
                        element.inputs,
                        self.options.blob.path / element.node_id,
                        attempt,
                        timeout,
                        self.options.run_name,
                        self.options.subprocesses,
                        array_index=element.array_index,
                    )
                elif sub:
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
            except AttemptCancelled as e:  # the run is stopping: reported cancelled when it finishes
                raise _Stopped from e
            except AttemptFailed as e:
                failure = e.failure
                done = {**info, "attempt": attempt + 1, "duration": time.monotonic() - start}
                done.update(error=failure.message, timed_out=failure.timed_out)
                retry = failure.recoverable and attempt + 1 < attempts
                if retry and not self.stopping:
                    emit(node_id, RETRIED, done)
                    continue
                if element is None:  # a map decides whether its elements' failures fail the run
                    self._failed()
                emit(node_id, FAILED, done)
                if retry:  # not retried only because another node failed: that one is the run's error
                    raise _Stopped from e
                raise NodeFailed(node_id, task.name, failure, attempt + 1, timeout) from e
            emit(node_id, SUCCEEDED, {**info, "attempt": attempt + 1, "duration": time.monotonic() - start})
            return out
        raise AssertionError("unreachable: every attempt returns or raises")


def _run_after(node: Node) -> list[Node]:
    """The nodes ``node`` waits for: its upstream nodes, and for a branch node those its branches read."""
    entity = node.flyte_entity
    if isinstance(entity, Branch):
        return entity.run_after(node)
    return node.upstream_nodes


def _keep(attempt_dir: Path, inputs: _idl.LiteralMap, outputs: _idl.LiteralMap) -> None:
    attempt_dir.mkdir(parents=True, exist_ok=True)
    (attempt_dir / "inputs.pb").write_bytes(inputs.SerializeToString(deterministic=True))
    (attempt_dir / "outputs.pb").write_bytes(outputs.SerializeToString(deterministic=True))


def _lookup_failure(error: LookupError) -> AttemptFailure:
    """A promise path into a value that lacks the index or key: the workflow's fault (USER), not ours."""
    return AttemptFailure(
        f"{type(error).__name__}: {error.args[0] if error.args else error}", False, USER, error
    )


def run_graph(
    workflow: RunnableWorkflow, inputs: _idl.LiteralMap, options: RunOptions, ctx: FlyteContext
) -> _idl.LiteralMap:
    """Run the compiled ``workflow`` as the top graph of a run and return its output literals.

    Raises:
        GraphFailed: nodes failed; every one of them, in the order they failed.
        BaseException: an interrupt (or an exception from ``on_event``), once the run's subprocesses are
            ended and its threads had a short while to stop.
    """
    return _Graph(workflow, inputs, options, ctx, "").run()
