"""Nodes that fan out in a local run: map tasks, maps over launch plans, dynamic tasks.

:class:`FanOutNodes` extends the task-node runner with the nodes whose work is many runs: a map task's
elements (in parallel, counted against ``min_success_ratio``; ADR 0018), a map over a launch plan (one
graph per element), and a dynamic task (its body, then the graph it built; ADR 0019). Sub-graphs are run
by the graph itself (:meth:`FanOutNodes._subgraph`).
"""

from __future__ import annotations

import time

from flyweight import _idl
from flyweight._failure import Interrupted
from flyweight._runtime._array import Element, ElementRun, Elements, Outcome
from flyweight._runtime._attempt import USER, AttemptFailure, failure_of
from flyweight._runtime._cache_key import entry_version
from flyweight._runtime._entities import RunnableWorkflow
from flyweight._runtime._options import CACHED, FAILED, RETRIED, RUNNING, SUCCEEDED, EventValue
from flyweight._runtime._outcomes import GraphFailed, NodeFailed, Stopped, seconds
from flyweight._runtime._task_nodes import TaskNodes, node_settings, overridden_metadata
from flyweight._tasks._map import ArrayNodeMapTask
from flyweight._tasks._map_batch import ElementBatch
from flyweight._workflows import (
    ARRAY,
    LAUNCH_PLAN,
    ArrayNode,
    DynamicTask,
    GeneratedWorkflow,
    Node,
    ReferenceEntity,
    generated_outputs,
)

__all__ = ["FanOutNodes"]


class FanOutNodes(TaskNodes):
    """Runs map, array and dynamic nodes for a graph (see the module docstring)."""

    def _subgraph(self, workflow: RunnableWorkflow, inputs: _idl.LiteralMap, prefix: str) -> _idl.LiteralMap:
        """Run ``workflow`` as a graph inside this one, its node ids prefixed by ``prefix`` (the graph's)."""
        raise NotImplementedError

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
            key = (task.name, entry_version(metadata.cache_version, task._interface_idl), inputs)
            ignore = metadata.cache_ignore_input_vars
            hit = cache.get(*key, ignore=ignore, outputs=task._interface_idl.outputs)
            if hit is not None:
                self.options.emit(node_id, CACHED, info)
                return hit
        start = time.monotonic()
        with self.options.slots:
            if self.stopping:
                raise Stopped
            generated, attempt = self._generate(node_id, task, inputs, info)
        done = {**info, "attempt": attempt}
        if not generated.nodes:
            out = generated_outputs(generated)
        else:
            try:
                out = self._subgraph(generated, _idl.LiteralMap(), f"{node_id}-")
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
                    raise Stopped from e
                raise NodeFailed(node_id, task.name, failure, attempt + 1) from e
        raise AssertionError("unreachable: every attempt returns or raises")

    def _run_map(
        self, node_id: str, task: ArrayNodeMapTask, inputs: _idl.LiteralMap, node: Node | None = None
    ) -> _idl.LiteralMap:
        """A map task: its elements as task attempts (``<node>-<index>``), at most ``concurrency`` (and the
        run's ``workers``) at once; it succeeds when enough of them do (``min_success_ratio``)."""
        info: dict[str, EventValue] = {"entity": task.name, "kind": "task"}
        self.options.emit(node_id, RUNNING, {**info, "attempt": 1})
        start = time.monotonic()
        elements = Elements(task, inputs, self.options.workers)
        inner = elements.inner
        local = node_settings(inner, overridden_metadata(node))  # with_overrides: the sub-node's
        batched = (
            not self._in_subprocess(inner)
            and ElementBatch.runs(inner)
            and not local.cache
            and not self.options.blob.given
            and local.timeout == seconds(inner.metadata.timeout)
        )
        if elements.error is None and batched:
            attempts = 1 + max(local.retries, 0)
            stopping = lambda: self.stopping  # noqa: E731
            elements.run_batch(self.ctx, attempts, stopping, self.options.emit, node_id, self.options.slots)
        elif elements.error is None:

            def one(index: int) -> Outcome:
                element = Element(task, index, inputs, node_id)
                try:
                    return self._run_task(
                        f"{node_id}-{index}", elements.inner, elements.inputs(index), element, local
                    )
                except NodeFailed as e:
                    return e.failure
                except Stopped:
                    return None

            elements.run(one, lambda: self.stopping)
        failure = elements.failure()
        report = self.options.report
        if report is not None:  # the map node's inputs and outputs (none when it failed)
            report.io(node_id, inputs, elements.outputs() if failure is None else None)
        if failure is None:
            self.options.emit(node_id, SUCCEEDED, {**info, "duration": time.monotonic() - start})
            return elements.outputs()
        if elements.stopped:
            raise Stopped
        self._failed()
        done = {**info, "duration": time.monotonic() - start, "error": failure.message, "timed_out": False}
        self.options.emit(node_id, FAILED, done)
        raise NodeFailed(node_id, task.name, failure, 1) from failure.cause

    def _run_array(self, node_id: str, array: ArrayNode, inputs: _idl.LiteralMap) -> _idl.LiteralMap:
        """A map over a launch plan: each element runs the plan's workflow with the plan's fixed inputs, as a
        graph of its own (``<node>-<index>``, its nodes ``<node>-<index>-n0`` …), at most ``concurrency``
        (and the run's ``workers``) at once; it succeeds when enough elements do (``min_successes`` /
        ``min_success_ratio``). An element's failure does not stop the run: the map decides. A map over a
        reference launch plan fails at once, as a node calling the reference does (its code is not here)."""
        plan = array.launch_plan
        info: dict[str, EventValue] = {"entity": array.name, "kind": ARRAY}
        if isinstance(plan, ReferenceEntity):
            error = plan.local_run_error()
            self._failed()
            done = {**info, "attempt": 1, "duration": 0.0, "error": str(error), "timed_out": False}
            self.options.emit(node_id, FAILED, done)
            reason = AttemptFailure(str(error), False, USER, error)
            raise NodeFailed(node_id, array.name, reason, 1) from error
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
                out = self._subgraph(plan.workflow, merged, f"{element_id}-")
            except GraphFailed as e:
                done = {**element_info, "duration": time.monotonic() - began, "error": str(e)}
                self.options.emit(element_id, FAILED, done)
                first = e.failures[0].failure
                return AttemptFailure(str(e), False, first.origin, first.cause, code=first.code)
            except Stopped:
                return None
            self.options.emit(element_id, SUCCEEDED, {**element_info, "duration": time.monotonic() - began})
            return out

        if elements.error is None:
            elements.run(one, lambda: self.stopping)
        failure = elements.failure()
        report = self.options.report
        if report is not None:  # the map node's inputs and outputs (none when it failed)
            report.io(node_id, inputs, elements.outputs() if failure is None else None)
        if failure is None:
            self.options.emit(node_id, SUCCEEDED, {**info, "duration": time.monotonic() - start})
            return elements.outputs()
        if elements.stopped:
            raise Stopped
        self._failed()
        done = {**info, "duration": time.monotonic() - start, "error": failure.message, "timed_out": False}
        self.options.emit(node_id, FAILED, done)
        raise NodeFailed(node_id, array.name, failure, 1) from failure.cause
