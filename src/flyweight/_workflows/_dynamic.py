"""``@dynamic``: a task whose body runs with real input values and builds a workflow graph to run next.

A dynamic task is registered and called like a task (it is one: a ``python-task`` template that runs
``flyweight-execute``), but its body is a workflow body: calls of tasks, sub-workflows, launch plans and
conditionals become nodes, with the difference that the inputs are Python values, so the body may loop
over them or branch on them. The body needs the workflow compiler, which sits above tasks (ADR 0003), so
the class lives here; ``PythonFunctionTask(..., execution_mode=DYNAMIC)`` is made into one by name.

What happens to the graph depends on where the body runs (ADR 0019):

- in a container (``flyweight-execute``) it is serialized as a ``DynamicJobSpec`` (``futures.pb``) for
  Flyte to run (:mod:`flyweight._workflows._dynamic_spec`);
- in the local engine, the node runs the body (retried as a task is), then the graph as a sub-graph of
  the node (ids ``<node>-dn0`` …), with the run's parallelism and failure reporting;
- called directly (``t(n=3)``), the graph runs through the local engine like ``wf(...)`` does.

A body that creates no node has constant outputs and nothing to run.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flyweight import _idl
from flyweight._context import (
    ExecutionState,
    FlyteContext,
    FlyteContextManager,
    LazyDirectory,
    compiling,
    workflow_runner,
)
from flyweight._serialize import get_serializable, task_spec
from flyweight._tasks import PythonFunctionTask, TaskResolverMixin, task
from flyweight._tasks._plan import mark_task_failure
from flyweight._workflows._compiler import Compiler, _output_bindings
from flyweight._workflows._dynamic_spec import job_spec, runtime_settings, with_serialized_context
from flyweight._workflows._metadata import (
    WorkflowFailurePolicy,
    WorkflowMetadata,
    WorkflowMetadataDefaults,
)
from flyweight._workflows._workflow import WorkflowBase
from flyweight.errors import PlatformError, TaskDefinitionError, WorkflowCompileError

if TYPE_CHECKING:
    from flyweight._idl import DynamicJobSpec, LiteralMap, TaskSpec
    from flyweight._serialize import EntityMapping
    from flyweight._settings import SerializationSettings
    from flyweight._workflows._node import Binding, Node

__all__ = ["NODE_ID_PREFIX", "DynamicTask", "GeneratedWorkflow", "dynamic"]

T = TypeVar("T")

NODE_ID_PREFIX = "d"
"""What flytekit puts before the node ids of a generated graph (``dn0``, ``dn1`` …)."""


class GeneratedWorkflow(WorkflowBase):
    """The graph one run of a dynamic task's body built: nodes and output bindings, no inputs (the body
    read them as values). Named after the task; fails at the first failed node, as flytekit's does.

    Args:
        dynamic_task: the task whose body built it.
    """

    def __init__(self, dynamic_task: DynamicTask[Any]) -> None:
        iface = dynamic_task.python_interface
        super().__init__(
            dynamic_task.name,
            WorkflowMetadata(on_failure=WorkflowFailurePolicy.FAIL_IMMEDIATELY),
            WorkflowMetadataDefaults(interruptible=bool(dynamic_task.metadata.interruptible)),
            iface.remove_inputs(list(iface.inputs)),
        )
        self.task = dynamic_task

    def set_graph(self, nodes: list[Node], bindings: list[Binding]) -> None:
        """Keep what the body built (called once, by :meth:`DynamicTask.generate`)."""
        self._nodes = nodes
        self._output_bindings = bindings


class DynamicTask(PythonFunctionTask[T]):
    """A function task whose body builds a workflow at run time; usually made with :func:`dynamic`.

    The arguments are those of :class:`~flyweight.PythonFunctionTask`; ``execution_mode`` is always
    ``DYNAMIC`` and ``node_dependency_hints`` (tasks, workflows and launch plans the body may call) are
    registered with the task, since the body's calls are only known when it runs.
    """

    _builds_graph = True

    def __init__(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
        self,
        task_config: T | None,
        task_function: Callable[..., Any],
        task_type: str = "python-task",
        ignore_input_vars: list[str] | None = None,
        execution_mode: PythonFunctionTask.ExecutionBehavior = PythonFunctionTask.ExecutionBehavior.DYNAMIC,
        task_resolver: TaskResolverMixin | None = None,
        node_dependency_hints: Iterable[object] | None = None,
        pickle_untyped: bool = False,
        **kwargs: Any,
    ) -> None:
        if execution_mode is not PythonFunctionTask.ExecutionBehavior.DYNAMIC:
            raise TaskDefinitionError(
                f"DynamicTask {getattr(task_function, '__name__', task_function)!r}: execution_mode must be "
                f"DYNAMIC, got {execution_mode}; use PythonFunctionTask for other modes"
            )
        hints = None if node_dependency_hints is None else list(node_dependency_hints)
        super().__init__(
            task_config,
            task_function,
            task_type,
            ignore_input_vars,
            execution_mode,
            task_resolver,
            hints,
            pickle_untyped,
            **kwargs,
        )

    # -- registration -----------------------------------------------------------------------------
    def serialize_to_model(self, settings: SerializationSettings) -> _idl.TaskTemplate:
        """The task's template; its container carries the settings in ``_F_SS_C`` (flytekit's), so the
        body can serialize what it calls with them when it runs in the container."""
        return super().serialize_to_model(with_serialized_context(settings))

    def registration_spec(
        self, entity_mapping: EntityMapping, settings: SerializationSettings, options: object = None
    ) -> TaskSpec:
        """The task's ``TaskSpec``; its ``node_dependency_hints`` are registered first, with the same
        settings as the task's container (``_F_SS_C`` included, as flytekit does)."""
        for hint in self.node_dependency_hints or ():
            get_serializable(entity_mapping, with_serialized_context(settings), cast("Any", hint), options)
        return task_spec(self.serialize_to_model(settings), self.docs)

    def local_execution_mode(self) -> ExecutionState.Mode:
        """The mode the body runs in locally, as in flytekit."""
        return ExecutionState.Mode.LOCAL_DYNAMIC_TASK_EXECUTION

    # -- running the body ---------------------------------------------------------------------------
    def generate(self, ctx: FlyteContext | None, input_literal_map: LiteralMap) -> GeneratedWorkflow:
        """Run the body with these inputs (as Python values) under the compiler; return the graph.

        Locally the body runs in a fresh working directory, as a task does. An exception from the body is
        the user's (marked as a task failure is); a wrong call inside it is a
        :class:`~flyweight.errors.WorkflowCompileError` naming the task and the node.
        """
        outer = ctx if ctx is not None else FlyteContextManager.current_context()
        workdir: LazyDirectory | None = None
        if not _in_container(outer):
            workdir = LazyDirectory()
            params = outer.user_space_params.task_sandbox(workdir, outer.file_access)
            outer = FlyteContext(outer.file_access, ExecutionState.of(self.local_execution_mode(), params))
        else:  # flytekit compiles the body in a container under DYNAMIC_TASK_EXECUTION
            state = outer.execution_state.with_params(mode=ExecutionState.Mode.DYNAMIC_TASK_EXECUTION)
            outer = outer.with_execution_state(state).build()
        token = FlyteContextManager.push(outer)
        try:
            plan = self._interface_plan()
            kwargs = plan.read_inputs(outer, self.with_defaults(outer, input_literal_map))
            return self._compile(outer, kwargs)
        finally:
            FlyteContextManager.pop(token)
            if workdir is not None:
                workdir.cleanup()

    def _compile(self, ctx: FlyteContext, kwargs: dict[str, Any]) -> GeneratedWorkflow:
        generated = GeneratedWorkflow(self)
        compiler = Compiler(self.name, NODE_ID_PREFIX)
        try:
            self.pre_execute(ctx.user_space_params)
            with compiling(compiler):
                result = self.task_function(**kwargs)
            if compiler.section is not None:
                raise compiler.section.unfinished()
            bindings = _output_bindings(compiler, generated, result)
        except WorkflowCompileError as e:
            error = WorkflowCompileError(f"dynamic task {self.name!r}: {e}")
            mark_task_failure(error, self)
            raise error from e
        except BaseException as e:
            if sys.version_info >= (3, 11) and isinstance(e, Exception):
                e.add_note(f"(raised by the body of dynamic task {self.name!r})")
            mark_task_failure(e, self)
            raise
        generated.set_graph(compiler.nodes, bindings)
        return generated

    def dynamic_execute(
        self, ctx: FlyteContext | None, input_literal_map: LiteralMap, settings: SerializationSettings
    ) -> DynamicJobSpec | LiteralMap:
        """What the container writes: the ``DynamicJobSpec`` of the graph the body builds (its tasks and
        sub-workflows serialized with ``settings``), or the outputs when the body built no node."""
        return job_spec(self.generate(ctx, input_literal_map), settings)

    def dispatch_execute(self, ctx: FlyteContext | None, input_literal_map: LiteralMap) -> LiteralMap:
        """Run the body, then the graph it built, on this machine (the local engine, in-process) and
        return the outputs. In a container, only a body that builds no node can answer here: the graph
        is Flyte's to run (``flyweight-execute`` writes it with :meth:`dynamic_execute`).

        Raises:
            PlatformError: in a container, the body built nodes.
        """
        ctx = ctx if ctx is not None else FlyteContextManager.current_context()
        if _in_container(ctx):
            out = self.dynamic_execute(ctx, input_literal_map, runtime_settings(os.environ))
            if isinstance(out, _idl.LiteralMap):
                return out
            raise PlatformError(
                f"dynamic task {self.name!r} built a graph of {out.min_successes} node(s) in a container; it "
                "is Flyte's to run: flyweight-execute writes it as futures.pb (call dynamic_execute)"
            )
        generated = self.generate(ctx, input_literal_map)
        if not generated.nodes:
            return generated_outputs(generated)
        # flytekit runs the generated graph's tasks under LOCAL_DYNAMIC_TASK_EXECUTION
        local = ctx.execution_state.with_params(mode=ExecutionState.Mode.LOCAL_DYNAMIC_TASK_EXECUTION)
        with FlyteContextManager.with_context(ctx.with_execution_state(local)):
            values = workflow_runner()(generated, (), {})
        return self._interface_plan().write_outputs(ctx, values)


_CONTAINER_MODES = (ExecutionState.Mode.TASK_EXECUTION, ExecutionState.Mode.DYNAMIC_TASK_EXECUTION)


def _in_container(ctx: FlyteContext) -> bool:
    """Whether the body's graph is Flyte's to run (a container); outside any execution it runs here."""
    return ctx.execution_state.mode in _CONTAINER_MODES


def generated_outputs(generated: GeneratedWorkflow) -> LiteralMap:
    """The outputs of a graph without nodes (all constants)."""
    from flyweight._workflows._dynamic_spec import constant_outputs

    return constant_outputs(generated)


if TYPE_CHECKING:
    dynamic = task
else:

    def dynamic(_task_function: Callable[..., Any] | None = None, /, **options: Any) -> Any:
        """Make a dynamic task of a typed Python function: ``@dynamic`` or ``@dynamic(...)``.

        The options are :func:`~flyweight.task`'s (``retries``, ``cache``, ``requests``,
        ``node_dependency_hints`` …). The body runs when the task runs, with its inputs as Python values;
        the calls it makes become the nodes of a workflow that runs next.

        Raises:
            TaskDefinitionError: ``execution_mode`` was given, or an option is invalid.

        Example:
            >>> from flyweight import dynamic, task
            >>> @task
            ... def inc(a: int) -> int:
            ...     return a + 1
            >>> @dynamic
            ... def incs(n: int) -> list[int]:
            ...     return [inc(a=i) for i in range(n)]
            >>> incs(n=3)
            [1, 2, 3]
        """
        if "execution_mode" in options:
            raise TaskDefinitionError(
                "@dynamic(execution_mode=...): a dynamic task's mode is DYNAMIC; use @task to choose another"
            )
        return task(_task_function, execution_mode=PythonFunctionTask.ExecutionBehavior.DYNAMIC, **options)
