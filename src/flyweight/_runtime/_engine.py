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

This module schedules nodes and runs the graph-shaped ones (sub-workflows, launch plans, conditionals);
task nodes are run by :class:`~flyweight._runtime._task_nodes.TaskNodes`, map tasks, maps over launch
plans and dynamic tasks by :class:`~flyweight._runtime._fan_out.FanOutNodes`, which the graph extends.
"""

from __future__ import annotations

import collections
import contextvars
import queue
import threading
import time
from typing import NamedTuple

from flyweight import _idl
from flyweight._context import FlyteContext
from flyweight._runtime import _interrupt
from flyweight._runtime._attempt import USER, AttemptFailure
from flyweight._runtime._bindings import resolve_bindings
from flyweight._runtime._entities import RunnableWorkflow
from flyweight._runtime._fan_out import FanOutNodes
from flyweight._runtime._gates import run_gate
from flyweight._runtime._options import FAILED, PENDING, RUNNING, SUCCEEDED, EventValue, RunOptions
from flyweight._runtime._outcomes import GraphFailed, NodeFailed, Stopped, lookup_failure
from flyweight._runtime._task_nodes import node_settings, overridden_metadata
from flyweight._tasks import Task
from flyweight._tasks._map import ArrayNodeMapTask
from flyweight._tasks._mocked import mocked_task
from flyweight._workflows import (
    ARRAY,
    BRANCH,
    GLOBAL_INPUT_NODE_ID,
    LAUNCH_PLAN,
    Branch,
    CalledLaunchPlan,
    DynamicTask,
    Gate,
    Node,
    ReferenceEntity,
    SubWorkflow,
    WorkflowFailurePolicy,
)
from flyweight.errors import PlatformError
from flyweight.types import FlyteError, TypeEngine

__all__ = ["GraphFailed", "NodeFailed", "run_graph"]

# How long an interrupted graph waits for the nodes running in its threads once their subprocesses are
# ended; an in-process task cannot be stopped, so one still running then is left to finish on its own.
_THREADS_GRACE = 2.0
_POLL = 0.5  # seconds between checks for signals while this thread waits for the pool


class _Outcome(NamedTuple):
    """How a node ended: its outputs, or the failure (or stop) it raised."""

    value: _idl.LiteralMap | None
    error: NodeFailed | GraphFailed | Stopped | None


class _Graph(FanOutNodes):
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
        if self.options.report is not None:
            self.options.report.graph(self.prefix, nodes, after)
        if self.options.on_event is not None:
            for n in nodes:
                self.options.emit(self.prefix + n.id, PENDING, {"entity": n.entity_name, "kind": n.kind})
        failures: list[NodeFailed] = []
        # Worker threads take nodes from `todo` and put what each gave into `done`. Whichever thread finds
        # `lock` free records the outcomes and queues the nodes they made ready; a thread that finds it
        # taken goes on (the holder looks at `done` again before letting go), so threads never wait for
        # each other or for this one on a fan-out. This thread runs a node itself when it is the only one
        # ready and nothing else runs (a chain pays no hand-off), and otherwise waits until all is done.
        todo: queue.SimpleQueue[tuple[Node, _idl.LiteralMap] | None] = queue.SimpleQueue()
        done: queue.SimpleQueue[tuple[Node, _Outcome]] = queue.SimpleQueue()
        lock = threading.Lock()
        idle = threading.Event()
        crashed: list[BaseException] = []
        out = [0]  # nodes queued or running whose outcome is not recorded yet
        threads: list[threading.Thread] = []
        base = contextvars.copy_context()

        def queue_ready() -> None:  # with `lock` held
            while ready and not self.stopping:
                node = ready.popleft()
                try:
                    inputs = resolve_bindings(node.bindings, self.outputs, f"node {node.id}")
                except (IndexError, KeyError) as e:  # a promise path into a value that lacks it
                    failures.append(self._unbound(node, e))
                    continue
                out[0] += 1
                todo.put((node, inputs))
            for _ in range(min(self.options.workers, out[0]) - len(threads)):
                thread = threading.Thread(
                    target=base.copy().run, args=(work,), name="flyweight-node", daemon=True
                )
                threads.append(thread)
                thread.start()
            if out[0]:
                idle.clear()
            else:
                idle.set()

        def record() -> None:  # record what `done` holds, if `lock` is free; never waits for it
            while not done.empty():
                if not lock.acquire(blocking=False):
                    return
                try:
                    while True:
                        try:
                            node, outcome = done.get_nowait()
                        except queue.Empty:
                            break
                        out[0] -= 1
                        if not crashed:
                            self._finish(node, outcome, waiting, dependents, ready, failures)
                    if not crashed:
                        queue_ready()
                except BaseException as e:  # an event handler that raised, a bug: the run ends
                    crashed.append(e)
                finally:
                    if crashed:
                        self._stop = True
                    if out[0] == 0 or crashed:
                        idle.set()
                    lock.release()

        def work() -> None:  # a worker thread: until told to stop (None)
            while (item := todo.get()) is not None:
                node, inputs = item
                outcome = _Outcome(None, Stopped())
                if not self.stopping:
                    try:
                        outcome = self._call(node, inputs)
                    except BaseException as e:  # not a node's failure: an event handler that raised, a bug
                        crashed.append(e)
                done.put((node, outcome))
                record()

        try:
            while True:
                inline: Node | None = None
                with lock:
                    if crashed:
                        raise crashed[0]
                    if out[0] == 0:
                        if not ready or self.stopping:
                            break
                        if len(ready) == 1:  # nothing to overlap with: run it here
                            inline = ready.popleft()
                        else:
                            queue_ready()
                if inline is not None:
                    try:
                        inputs = resolve_bindings(inline.bindings, self.outputs, f"node {inline.id}")
                    except (IndexError, KeyError) as e:
                        failures.append(self._unbound(inline, e))
                        continue
                    outcome = self._call(inline, inputs)
                    with lock:
                        self._finish(inline, outcome, waiting, dependents, ready, failures)
                    continue
                record()  # what a worker could not record while this thread held the lock
                idle.wait(_POLL)  # the timeout only lets this thread handle signals meanwhile
        except BaseException:  # an interrupt, or a broken event handler: end what runs, start nothing
            _interrupt.stopping()  # a second Ctrl-C must not cut the ending short (it is bounded)
            self._stop = True  # sub-workflows still running in threads start nothing more either
            self.options.subprocesses.end_all()
            for _ in threads:
                todo.put(None)
            deadline = time.monotonic() + _THREADS_GRACE  # subprocesses are ended; in-process tasks may not
            for thread in threads:
                thread.join(max(0.0, deadline - time.monotonic()))
            threads.clear()
            raise
        finally:
            for _ in threads:
                todo.put(None)
            for thread in threads:
                thread.join()
        if failures:
            failures.extend(self._on_failure(failures[0]))
            raise GraphFailed(failures)
        if len(self.outputs) <= len(nodes):  # some never ran: a graph above this one is stopping
            raise Stopped
        try:
            return resolve_bindings(self.workflow.output_bindings, self.outputs, "the workflow's outputs")
        except (IndexError, KeyError) as e:  # a promise path into an output that lacks it (Flyte's end node)
            end = NodeFailed(f"{self.prefix}end-node", self.workflow.name, lookup_failure(e), 0)
            raise GraphFailed([end]) from e

    def _on_failure(self, first: NodeFailed) -> list[NodeFailed]:
        """Run the workflow's failure node (``on_failure=``), if it has one, with the workflow's inputs and
        ``err`` telling it what failed; returns its own failure, if it failed too (the run fails anyway)."""
        handler = getattr(self.workflow, "failure_node", None)
        if not isinstance(handler, Node):
            return []
        try:
            inputs = resolve_bindings(handler.bindings, self.outputs, f"node {handler.id}")
            entity = handler.flyte_entity
            err_type = getattr(entity, "python_interface", None)
            err_py = err_type.inputs.get("err") if err_type is not None else None
            if err_py is not None:
                error = FlyteError(message=first.failure.message, failed_node_id=first.node_id)
                inputs.literals["err"].CopyFrom(TypeEngine.to_literal(self.ctx, error, err_py, None))
        except (IndexError, KeyError) as e:
            return [self._unbound(handler, e)]
        self._stop = False  # the handler must start although a node failed
        outcome = self._call(handler, inputs)
        if outcome.error is None or isinstance(outcome.error, Stopped):
            return []
        return outcome.error.failures if isinstance(outcome.error, GraphFailed) else [outcome.error]

    def _unbound(self, node: Node, error: LookupError) -> NodeFailed:
        """The failure of a node whose inputs cannot be resolved: the workflow's fault (USER), not ours."""
        failure = lookup_failure(error)
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

    def _call(self, node: Node, inputs: _idl.LiteralMap) -> _Outcome:
        """Run the node in this thread, with the outcome wrapped like a pool's."""
        try:
            return _Outcome(self._run_node(node, inputs), None)
        except (NodeFailed, GraphFailed, Stopped) as e:
            return _Outcome(None, e)

    def _finish(  # noqa: PLR0917
        self,
        node: Node,
        outcome: _Outcome,
        waiting: dict[str, int],
        dependents: dict[str, list[Node]],
        ready: collections.deque[Node],
        failures: list[NodeFailed],
    ) -> None:
        error = outcome.error
        if error is not None:
            if isinstance(error, (NodeFailed, GraphFailed)):  # a task node, or a sub-workflow's nodes
                self._failed()
                failures.extend(error.failures if isinstance(error, GraphFailed) else [error])
                return
            if isinstance(error, Stopped):  # this graph is stopping too: nothing to record
                return
            raise error
        assert outcome.value is not None  # an outcome holds a value or an error
        self.outputs[node.id] = outcome.value
        for d in dependents.get(node.id, ()):
            waiting[d.id] -= 1
            if waiting[d.id] == 0:
                ready.append(d)

    def _run_node(self, node: Node, inputs: _idl.LiteralMap) -> _idl.LiteralMap:
        node_id = self.prefix + node.id
        entity = node.flyte_entity
        if entity is None:
            raise PlatformError(f"{node.describe()} runs nothing (a bug of the local engine)")
        mocked = mocked_task(entity)
        if mocked is not None:  # flyweight.testing: the mock runs in the node's place, in this process
            local = node_settings(mocked, overridden_metadata(node))
            return self._run_task(node_id, mocked, inputs, local=local)
        if isinstance(entity, DynamicTask):
            return self._run_dynamic(node_id, entity, inputs)
        if isinstance(entity, ArrayNodeMapTask):
            return self._run_map(node_id, entity, inputs, node)
        if isinstance(entity, Task):
            return self._run_task(
                node_id, entity, inputs, local=node_settings(entity, overridden_metadata(node))
            )
        if isinstance(entity, Branch):
            return self._run_branch(node_id, entity, inputs)
        if isinstance(entity, ReferenceEntity):  # registered elsewhere: nothing here can run it
            error = entity.local_run_error()
            failure = AttemptFailure(str(error), False, USER, error)
            self._failed()
            info: dict[str, EventValue] = {"entity": entity.name, "kind": node.kind, "attempt": 1}
            done = {**info, "duration": 0.0, "error": failure.message, "timed_out": False}
            self.options.emit(node_id, FAILED, done)
            raise NodeFailed(node_id, entity.name, failure, 1) from error
        if isinstance(entity, Gate):  # sleep, wait_for_input, approve (flyweight._runtime._gates)
            return run_gate(node_id, entity, inputs, self.options, lambda: self.stopping, self._failed)
        if entity.node_kind == ARRAY:
            return self._run_array(node_id, entity, inputs)
        return self._run_subgraph(node_id, node, entity, inputs)

    def _subgraph(self, workflow: RunnableWorkflow, inputs: _idl.LiteralMap, prefix: str) -> _idl.LiteralMap:
        return _Graph(workflow, inputs, self.options, self.ctx, prefix, self).run()

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
            mocked = mocked_task(workflow)
            if mocked is not None:  # flyweight.testing: the plan's workflow is mocked, the mock runs
                return self._run_task(node_id, mocked, inputs, local=node_settings(mocked, None))
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
        # Stopped: left running, it is reported cancelled with the rest when the run finishes
        self.options.emit(node_id, SUCCEEDED, {**info, "duration": time.monotonic() - start})
        return out

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
                mocked = mocked_task(entity)
                if mocked is not None:  # flyweight.testing: the mock runs in the node's place
                    local = node_settings(mocked, overridden_metadata(chosen))
                    out = self._run_task(inner_id, mocked, chosen_inputs, local=local)
                elif isinstance(entity, Branch):  # a nested conditional
                    out = self._run_branch(inner_id, entity, chosen_inputs)
                elif isinstance(entity, ArrayNodeMapTask):
                    out = self._run_map(inner_id, entity, chosen_inputs, chosen)
                elif isinstance(entity, DynamicTask):
                    out = self._run_dynamic(inner_id, entity, chosen_inputs)
                elif isinstance(entity, Task):
                    local = node_settings(entity, overridden_metadata(chosen))
                    out = self._run_task(inner_id, entity, chosen_inputs, local=local)
                elif isinstance(entity, ReferenceEntity):  # fails the conditional, naming the reference
                    raise entity.local_run_error()
                elif isinstance(entity, Gate):
                    stopping = lambda: self.stopping  # noqa: E731
                    out = run_gate(inner_id, entity, chosen_inputs, self.options, stopping, self._failed)
                elif entity.node_kind == ARRAY:
                    out = self._run_array(inner_id, entity, chosen_inputs)
                else:  # a sub-workflow or a launch plan: its graph, as in a workflow's own node
                    out = self._run_subgraph(inner_id, chosen, entity, chosen_inputs)
                self.options.emit(node_id, SUCCEEDED, {**info, "duration": time.monotonic() - start})
                return _idl.LiteralMap(literals={k: out.literals[k] for k in branch.output_names})
            failure = AttemptFailure(f"conditional {branch.name!r} failed: {branch.error}", False, USER)
        except (NodeFailed, GraphFailed, Stopped):
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


def _run_after(node: Node) -> list[Node]:
    """The nodes ``node`` waits for: its upstream nodes, and for a branch node those its branches read."""
    entity = node.flyte_entity
    if isinstance(entity, Branch):
        return entity.run_after(node)
    return node.upstream_nodes


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
