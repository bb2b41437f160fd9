"""One local run of a workflow, from Python inputs to Python outputs: :func:`run_workflow`.

The graph itself runs in :mod:`flyweight._runtime._engine`; this module is what surrounds it: the inputs
checked and converted, the run's options, the signals a run in the main thread takes over
(:mod:`flyweight._runtime._interrupt`), the nodes left unfinished reported ``cancelled``, and the failed
nodes turned into one :class:`~flyweight.errors.WorkflowExecutionError`. :class:`LocalRun` keeps what
``flyweight run`` needs afterwards: the blob directory the run used and its output literals.
"""

from __future__ import annotations

import logging
import os
import signal
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flyweight import _idl
from flyweight._context import ExecutionState, FlyteContextManager
from flyweight._runtime import _interrupt
from flyweight._runtime._checks import check_arguments
from flyweight._runtime._engine import GraphFailed, run_graph
from flyweight._runtime._entities import Runnable, RunnableWorkflow
from flyweight._runtime._options import BlobDir, EventHandler, RunOptions
from flyweight._runtime._report_record import RunReport
from flyweight._workflows import LAUNCH_PLAN
from flyweight.errors import WorkflowExecutionError
from flyweight.types import TypeEngine

if TYPE_CHECKING:
    from flyweight._runtime._cache import LocalCache
    from flyweight._runtime._image_env import ImageEnvironments

__all__ = ["LocalRun", "call_workflow", "run_workflow"]

logger = logging.getLogger("flyweight")


def _image_environments(source_root: Path | None) -> ImageEnvironments:
    from flyweight._runtime._image_env import ImageEnvironments

    return ImageEnvironments(source_root)


def _report_file(report: object, run_name: str) -> Path:
    """The report's file: ``report``, or ``<report>/<run name>.html`` when it is a directory."""
    if not isinstance(report, (str, os.PathLike)) or not os.fspath(report):
        raise TypeError(
            f"run_workflow(report=...): expected the report's file path (a str or os.PathLike), got "
            f"{type(report).__name__} {report!r}"
        )
    path = Path(report)
    return path / f"{run_name}.html" if path.is_dir() else path


class LocalRun:
    """One run of a workflow on this machine: :func:`run_workflow` (same arguments and behaviour), with the
    blob directory the run used and its output literals kept for the caller (``flyweight run`` removes
    the directory of a successful run, unless an output points into it). ``source_root``: the user's code
    an ``in_image`` run puts on its tasks' path (default: the working directory)."""

    def __init__(
        self,
        workflow: Runnable,
        inputs: Mapping[str, Any] | None = None,
        *,
        in_process: bool = False,
        isolated: bool = False,
        workers: int | None = None,
        blob_dir: str | os.PathLike[str] | None = None,
        on_event: EventHandler | None = None,
        cache: LocalCache | None = None,
        gate_inputs: Mapping[str, Any] | None = None,
        skip_sleep: bool = False,
        in_image: bool = False,
        source_root: Path | None = None,
        report: str | os.PathLike[str] | None = None,
    ) -> None:
        check_arguments(workflow, inputs, workers)
        if in_image and in_process:
            raise ValueError("in_image runs every task in its image's environment; it cannot be in_process")
        wf: RunnableWorkflow
        saved: Mapping[str, Any] = {}
        if workflow.node_kind == LAUNCH_PLAN:
            fixed = sorted(workflow.fixed_input_names & set(inputs or {}))
            if fixed:
                raise TypeError(
                    f"launch plan {workflow.name!r} fixes input(s) {', '.join(fixed)}; "
                    "leave them out of the inputs"
                )
            wf, saved = workflow.workflow, workflow.saved_inputs
        else:
            wf = workflow
        wf.compile()
        iface = wf.python_interface
        bound = iface.bind((), {**saved, **dict(inputs or {})}, owner=wf.name)
        outer = FlyteContextManager.current_context()
        if outer.execution_state.mode is ExecutionState.Mode.LOCAL_DYNAMIC_TASK_EXECUTION:
            self._ctx = outer  # a dynamic task's graph: its tasks run in its mode, as in flytekit
        else:  # flytekit runs a workflow locally in this mode
            local = outer.execution_state.with_params(mode=ExecutionState.Mode.LOCAL_WORKFLOW_EXECUTION)
            self._ctx = outer.with_execution_state(local).build()
        lts = {k: v.type for k, v in wf._interface_idl.inputs.variables.items()}
        self._inputs = TypeEngine.values_to_literal_map(
            self._ctx, bound, iface.inputs, f"workflow {wf.name!r}", "inputs", lts
        )
        self.workflow = wf
        run_name = f"r{uuid.uuid4().hex[:12]}"
        self.report = None if report is None else RunReport(_report_file(report, run_name), wf.name, run_name)
        if self.report is not None:
            on_event = self.report.forwarding(on_event)
        self.options = RunOptions(
            in_process=in_process,
            isolated=isolated,
            workers=workers or os.cpu_count() or 1,
            blob=BlobDir(blob_dir),
            on_event=on_event,
            run_name=run_name,
            cache=cache,
            gate_inputs=dict(gate_inputs or {}),
            skip_sleep=skip_sleep,
            images=_image_environments(source_root) if in_image else None,
            report=self.report,
        )
        self.outputs: _idl.LiteralMap | None = None
        """The output literals, once the run has succeeded."""
        self.report_error: str | None = None
        """Why the report could not be written (None: it was, or none was asked for)."""

    @property
    def blob_dir(self) -> Path | None:
        """The run's blob directory: the one given, or the temporary one made for the first subprocess
        attempt; None if none was made."""
        return self.options.blob.path if self.options.blob.made else None

    def run(self) -> Any:
        """Run the workflow once; see :func:`run_workflow` for the outcome, the errors and the signals."""
        terminated: int | None = None
        with _interrupt.handling_signals() as taken:
            try:
                out = run_graph(self.workflow, self._inputs, self.options, self._ctx)
            except GraphFailed as e:
                self.options.finish("the run failed")
                error = self._error(e)
                self._write_report("failed", str(error))
                raise error from e.failures[0].failure.cause
            except BaseException as e:
                number = _interrupt.signal_of(e)
                self.options.finish("the run was interrupted" if number is not None else "the run stopped")
                if number is not None:
                    self._write_report(
                        "interrupted", f"the run was interrupted by {signal.Signals(number).name}"
                    )
                else:
                    self._write_report("stopped", f"{type(e).__name__}: {e}")
                if number is None or number not in taken or number == signal.SIGINT:
                    raise
                terminated = number  # SIGTERM, with our handler: end as SIG_DFL would, now that all is ended
            else:
                self.options.finish("the run ended")
                self._write_report("succeeded", None, out)
        if terminated is not None:
            _interrupt.die_by(terminated)
        self.outputs = out
        outputs = self.workflow.python_interface.outputs
        if not outputs:
            return None
        owner = f"workflow {self.workflow.name!r}"
        values = TypeEngine.literal_map_to_values(self._ctx, out, outputs, owner, "outputs")
        if len(values) == 1:
            return next(iter(values.values()))
        return self.workflow.python_interface.output_tuple(**values)

    def _write_report(self, status: str, error: str | None, outputs: _idl.LiteralMap | None = None) -> None:
        """Write the run's report, if it keeps one; a report that cannot be written is logged (the run's
        outcome stands) and :attr:`report_error` says why."""
        if self.report is None:
            return
        try:
            self.report.write(status, error, self._inputs, outputs)
        except Exception as e:
            self.report_error = f"{type(e).__name__}: {e}"
            logger.warning("the run's report could not be written: %s", self.report_error)

    def _error(self, failed: GraphFailed) -> WorkflowExecutionError:
        records = [
            WorkflowExecutionError.NodeFailure(
                f.node_id,
                f.entity,
                f.failure.message,
                f.failure.origin,
                f.attempts,
                timed_out=f.failure.timed_out,
                timeout=f.timeout,
                cause=f.failure.cause,
                recoverable=f.failure.recoverable,
                code=f.failure.classification.code,
            )
            for f in failed.failures
        ]
        first = records[0]
        blob = self.blob_dir
        return WorkflowExecutionError(
            self.workflow.name,
            first.node_id,
            first.entity_name,
            first.error_message,
            first.origin,
            first.attempts,
            str(blob) if blob is not None else None,
            failures=records,
        )


def run_workflow(
    workflow: Runnable,
    inputs: Mapping[str, Any] | None = None,
    *,
    in_process: bool = False,
    isolated: bool = False,
    workers: int | None = None,
    blob_dir: str | os.PathLike[str] | None = None,
    on_event: EventHandler | None = None,
    cache: LocalCache | None = None,
    gate_inputs: Mapping[str, Any] | None = None,
    skip_sleep: bool = False,
    in_image: bool = False,
    report: str | os.PathLike[str] | None = None,
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
            serialized by a lock, and an exception from it ends the run. Nodes the run did not finish get
            a last ``cancelled`` event.
        cache: where results of ``cache=True`` tasks are looked up before they run and stored after
            (default: ``flyweight._runtime._cache.default_cache()``, configured by the environment); a hit
            is reported as ``cached`` and the task does not run.
        gate_inputs: gate name → the value of a ``wait_for_input`` gate (a value of its type, or text as
            ``flyweight run --gate`` takes it) or the decision of an ``approve`` gate (``True`` /
            ``False``, ``"yes"`` / ``"no"``). A gate without one asks on a terminal (standard input a
            TTY), else fails naming the gate (ADR 0021).
        skip_sleep: ``sleep`` gates succeed at once instead of waiting their duration (a sleep that
            waits stops as soon as the run stops).
        in_image: run every task through ``flyweight-execute`` in the environment its image describes
            instead of this one (an ``ImageSpec``: a virtual environment of its packages; flyweight's own
            images: what they hold; another image: the image, through docker or podman), with only the
            working directory's code on its path, so a task that works only because of something in
            this environment fails here rather than on the cluster. A task whose environment cannot be
            made fails, saying why.
        report: write an HTML report of the run to this file (a directory: ``<run id>.html`` in it) when
            it ends (succeeded, failed or interrupted): the workflow graph, a timeline of every node's
            attempts (queued, running, retried, cached, failed; how long; which worker thread or process),
            each node's inputs and outputs in short form, errors in full, and links to each node's deck
            page, kept in ``<stem>_decks/`` beside it. The page loads nothing from the network. A report
            that cannot be written is logged; the run's outcome stands.

    Returns:
        None (no outputs), the value (one output) or a named tuple (several), as a call of the workflow.

    Raises:
        WorkflowExecutionError: nodes failed; names the workflow and, for each failed node (``failures``),
            the node, its task, its attempts and the error.
        KeyboardInterrupt: Ctrl-C (SIGINT) stopped the run (see below).
        TypeError: the inputs do not fit the workflow's signature, or ``workflow`` is not a workflow.
        ValueError: ``workers`` is less than 1.
        StorageError: ``blob_dir`` cannot be created or written.

    Signals:
        Called in the main thread, the run takes over SIGINT and SIGTERM where they have Python's default
        disposition (a handler of the program's own, or an ignored signal, is left alone) and restores
        the previous handlers when it ends. Either signal stops the run: the process group of each of its
        subprocesses gets SIGTERM (``flyweight-execute`` writes its ``error.pb`` and stops what the task
        started) and, if still there a few seconds later, SIGKILL; nodes running in threads get a short
        while to end; the nodes left pending or running are reported ``cancelled``. Then SIGINT is
        raised to the caller as ``KeyboardInterrupt`` (left uncaught, Python exits with status 130), and
        SIGTERM ends the process as SIGTERM would have (status 143; the code after the call does not run).
        A second signal while the run is stopping is ignored: stopping is bounded. An in-process task
        cannot be stopped: one running in a worker thread keeps running after the run has returned, and
        Python waits for it before it exits (use ``isolated=True`` for tasks that must be stoppable).
        Outside the main thread no handler is installed. If the process dies, even by SIGKILL, its
        ``flyweight-execute`` subprocesses see the pipe the run holds for them close, and stop too.

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
    return LocalRun(
        workflow,
        inputs,
        in_process=in_process,
        isolated=isolated,
        workers=workers,
        blob_dir=blob_dir,
        on_event=on_event,
        cache=cache,
        gate_inputs=gate_inputs,
        skip_sleep=skip_sleep,
        in_image=in_image,
        report=report,
    ).run()


def call_workflow(workflow: RunnableWorkflow, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """What ``wf(...)`` outside a workflow body does: :func:`run_workflow` in-process (plugin tasks too,
    as a task's own local call runs them), function tasks in this process, one worker per core."""
    if args:
        kwargs = workflow.python_interface.bind(args, kwargs, owner=workflow.name)
    return run_workflow(workflow, kwargs, in_process=True)
