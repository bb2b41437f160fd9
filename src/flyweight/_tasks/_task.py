"""``Task`` and ``PythonTask``: the authoring objects every task type builds on.

A task knows its typed interface, metadata and hooks (``get_container``, ``get_custom`` …), turns into
a template through the one serializer (:meth:`Task.serialize_to_model`), and can be called like a
function: arguments are bound to the interface (defaults applied), converted with the declared types,
run in a fresh sandbox, and the outputs converted back with the declared types.
"""

from __future__ import annotations

import contextlib
import datetime
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from flyweight import _idl
from flyweight._context import (
    ExecutionParameters,
    ExecutionState,
    FlyteContext,
    FlyteContextManager,
    LazyDirectory,
    current_compiler,
)
from flyweight._failure import ignored_outputs
from flyweight._interface import Interface, typed_interface
from flyweight._serialize import security_context, task_metadata, task_template
from flyweight._settings import SecurityContext, SerializationSettings
from flyweight._tasks._metadata import (
    DEFAULT_DECK_FIELDS,
    DeckField,
    Documentation,
    TaskMetadata,
    deck_settings,
)
from flyweight._tasks._mocks import mock_of, run_mock
from flyweight._tasks._plan import TaskPlan, mark_task_failure, run_plan
from flyweight._tasks._tracker import TrackedInstance
from flyweight.errors import IgnoreOutputs, WorkflowCompileError

if TYPE_CHECKING:
    from flyweight._tasks._model_views import TypedInterfaceView

__all__ = ["PythonTask", "Task", "mark_task_failure"]


T = TypeVar("T")

_MOVED_TO_METADATA = {
    "retries",
    "timeout",
    "cache",
    "cache_version",
    "cache_serialize",
    "cache_ignore_input_vars",
    "interruptible",
    "deprecated",
    "pod_template_name",
}


def refuse_unknown_kwargs(owner: type, kwargs: Mapping[str, object]) -> None:
    """flytekit drops unknown keyword arguments silently; flyweight names them."""
    if not kwargs:
        return
    names = ", ".join(sorted(kwargs))
    hint = ""
    if any(k in _MOVED_TO_METADATA for k in kwargs):
        hint = "; retries, timeout and cache settings go in metadata=TaskMetadata(...)"
    raise TypeError(f"{owner.__name__}() got unexpected keyword argument(s): {names}{hint}")


class Task:
    """The base of every task: a type, a name, a typed interface and metadata.

    Unknown keyword arguments are an error (``TypeError`` naming them).
    """

    def __init__(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
        self,
        task_type: str,
        name: str,
        interface: Interface | None = None,
        metadata: TaskMetadata | None = None,
        task_type_version: int = 0,
        security_ctx: SecurityContext | None = None,
        docs: Documentation | None = None,
        **kwargs: object,
    ) -> None:
        refuse_unknown_kwargs(type(self), kwargs)
        if not isinstance(name, str) or not name:
            raise TypeError(f"{type(self).__name__}() needs a non-empty str name, got {name!r}")
        self._task_type = task_type
        self._name = name
        self._python_interface = interface if interface is not None else Interface()
        self._typed_interface: _idl.TypedInterface | None = None
        self._metadata = metadata if metadata is not None else TaskMetadata()
        self._task_type_version = task_type_version
        self._security_ctx = security_ctx
        self._docs = docs

    # -- identity -------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def task_type(self) -> str:
        return self._task_type

    @property
    def task_type_version(self) -> int:
        return self._task_type_version

    @property
    def metadata(self) -> TaskMetadata:
        return self._metadata

    @property
    def security_context(self) -> SecurityContext | None:
        return self._security_ctx

    @property
    def docs(self) -> Documentation | None:
        return self._docs

    @property
    def python_interface(self) -> Interface:
        return self._python_interface

    @property
    def interface(self) -> TypedInterfaceView:
        """Flyte's ``TypedInterface`` of this task as flytekit's model reads: ``inputs`` and ``outputs``
        map names (in declaration order) to variables; ``to_flyte_idl()`` gives the message (ADR 0022)."""
        from flyweight._tasks._model_views import TypedInterfaceView  # loaded when user code reads it

        iface = self._python_interface
        return TypedInterfaceView(self._interface_idl, iface.inputs, iface.outputs)

    @property
    def _interface_idl(self) -> _idl.TypedInterface:
        """The ``TypedInterface`` message itself (computed once): what flyweight's own code reads."""
        if self._typed_interface is None:
            self._typed_interface = typed_interface(self._python_interface, owner=f"task {self._name!r}")
        return self._typed_interface

    @property
    def enable_deck(self) -> bool:
        return False

    @property
    def node_kind(self) -> Literal["task"]:
        """What a call of this task in a workflow body becomes: a task node."""
        return "task"

    # -- hooks (overridden by task types) -------------------------------------------------------
    def get_container(self, settings: SerializationSettings) -> object:
        """The ``Container`` that runs the task on Flyte, or None."""
        return None

    def get_k8s_pod(self, settings: SerializationSettings) -> object:
        """A ``K8sPod`` that runs the task on Flyte, or None."""
        return None

    def get_sql(self, settings: SerializationSettings) -> object:
        """An ``Sql`` definition for SQL engines, or None."""
        return None

    def get_custom(self, settings: SerializationSettings) -> dict[str, Any] | None:
        """Plugin-specific data for the template's ``custom`` field (JSON-like), or None."""
        return None

    def get_config(self, settings: SerializationSettings) -> dict[str, str] | None:
        """String key/value configuration for the template's ``config`` field, or None."""
        return None

    def get_extended_resources(self, settings: SerializationSettings) -> object:
        """``ExtendedResources`` (accelerators, shared memory), or None."""
        return None

    def get_type_for_input_var(self, k: str, v: Any) -> Any:
        return type(v)

    def get_type_for_output_var(self, k: str, v: Any) -> Any:
        return type(v)

    def get_input_types(self) -> dict[str, Any] | None:
        return None

    def local_execution_mode(self) -> ExecutionState.Mode:
        """The mode this task runs in when called on this machine (flytekit's LOCAL_TASK_EXECUTION)."""
        return ExecutionState.Mode.LOCAL_TASK_EXECUTION

    def _mode_in(self, outer: FlyteContext) -> ExecutionState.Mode:
        """The mode a local run of this task sees: the enclosing local one (a workflow run locally), else
        :meth:`local_execution_mode` (flytekit runs a task on the context it is called in)."""
        state = outer.execution_state
        if state.mode is not None and state.is_local_execution():
            return state.mode
        return self.local_execution_mode()

    # -- serialization ----------------------------------------------------------------------------
    def serialize_to_model(self, settings: SerializationSettings) -> _idl.TaskTemplate:
        """This task's ``flyteidl.core.TaskTemplate`` for ``settings``: the only serialization path.

        The registration form (``flyweight._serialize.task_spec``) wraps this same template. Secrets
        reach ``security_context`` and ``enable_deck`` reaches ``metadata.generates_deck``; the task
        itself is not changed.
        """
        container = self.get_container(settings)
        custom = self.get_custom(settings)
        return task_template(
            name=self.name,
            settings=settings,
            task_type=self.task_type,
            task_type_version=self.task_type_version,
            metadata=task_metadata(
                self.metadata, generates_deck=self.metadata.generates_deck or self.enable_deck
            ),
            interface=self._interface_idl,
            custom=custom,
            container=container,
            k8s_pod=self.get_k8s_pod(settings),
            sql=self.get_sql(settings),
            extended_resources=self.get_extended_resources(settings),
            config=self.get_config(settings),
            security=security_context(self.security_context),
            output_order=list(self.python_interface.outputs),
        )

    # -- execution --------------------------------------------------------------------------------
    def pre_execute(self, user_params: ExecutionParameters | None) -> ExecutionParameters | None:
        return user_params

    def post_execute(self, user_params: ExecutionParameters | None, rval: Any) -> Any:
        return rval

    def execute(self, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement execute(**kwargs)")

    def is_transient(self, error: BaseException) -> bool:
        """Whether ``error``, raised by this task's code, is transient: retrying may succeed.

        Override it to name your library's transient failures (a lock held by another writer, a service
        that is briefly unavailable). A transient failure is reported as USER and RECOVERABLE, so Flyte's
        retry budget (the task's ``retries``) applies; everything else the task raises is NON_RECOVERABLE.
        ``ConnectionError``, ``TimeoutError`` and DNS errors are always transient (ADR 0014).

        Example:
            >>> class Upload(PythonTask):
            ...     def is_transient(self, error: BaseException) -> bool:
            ...         return "503" in str(error)
        """
        return False

    def dispatch_execute(
        self, ctx: FlyteContext | None, input_literal_map: _idl.LiteralMap
    ) -> _idl.LiteralMap:
        """Inputs (literals) → Python values (declared types) → ``execute`` → checked output literals."""
        mock = mock_of(self)
        if mock is not None:  # flyweight.testing: a mock stands in for the task (a map task's elements)
            return run_mock(self, mock, ctx, input_literal_map)
        return run_plan(self, ctx, input_literal_map, self._execution_plan(), (self,))

    def _interface_plan(self) -> TaskPlan[Interface]:
        """The plan of this task's Python interface, made once (again if the interface or name changes)."""
        plan: TaskPlan[Interface] | None = self.__dict__.get("_interface_plan_cache")
        iface = self.python_interface
        name = self.name
        if plan is None or plan.source is not iface or plan.name != name:
            plan = TaskPlan.from_interface(name, iface, self._interface_idl)
            self._interface_plan_cache = plan
        return plan

    def _execution_plan(self) -> TaskPlan[object]:
        """The plan ``dispatch_execute`` runs: the Python interface's (a template's for template tasks)."""
        return self._interface_plan()

    def sandbox_execute(
        self, ctx: FlyteContext | None, input_literal_map: _idl.LiteralMap
    ) -> _idl.LiteralMap:
        """``dispatch_execute`` in a fresh working directory, made on first use and removed afterwards.

        ``IgnoreOutputs`` is honoured as in a container: a task with no outputs returns an empty map; one
        that declares outputs fails with a :class:`~flyweight.errors.TaskExecutionError` (ADR 0014).
        """
        mock = mock_of(self)
        if mock is not None:  # flyweight.testing: a mock stands in for the task, whatever its type
            return run_mock(self, mock, ctx, input_literal_map)
        # The same as `with self.sandbox(ctx)`, written out: this runs once per task call.
        outer = ctx if ctx is not None else FlyteContextManager.current_context()
        workdir = LazyDirectory()
        params = outer.user_space_params.task_sandbox(workdir, outer.file_access)
        inner = FlyteContext(outer.file_access, ExecutionState.of(self._mode_in(outer), params))
        token = FlyteContextManager.push(inner)
        try:
            return self.dispatch_execute(inner, input_literal_map)
        except IgnoreOutputs as e:
            error = ignored_outputs(f"task {self.name!r}", list(self.python_interface.outputs))
            if error is None:
                return _idl.LiteralMap()
            raise error from e
        finally:
            FlyteContextManager.pop(token)
            workdir.cleanup()

    @contextlib.contextmanager
    def sandbox(self, ctx: FlyteContext | None) -> Iterator[FlyteContext]:
        """A context of this task's local execution mode with a fresh working directory (made on first
        use, removed afterwards), current while the block runs."""
        outer = ctx if ctx is not None else FlyteContextManager.current_context()
        workdir = LazyDirectory()
        params = outer.user_space_params.task_sandbox(workdir, outer.file_access)
        inner = FlyteContext(outer.file_access, ExecutionState.of(self._mode_in(outer), params))
        token = FlyteContextManager.push(inner)
        try:
            yield inner
        finally:
            FlyteContextManager.pop(token)
            workdir.cleanup()

    def local_execute(self, ctx: FlyteContext | None, **kwargs: Any) -> _idl.LiteralMap:
        """Run locally with Python input values (already bound); returns the output literals."""
        if ctx is None:
            ctx = FlyteContextManager.current_context()
        return self.sandbox_execute(ctx, self._interface_plan().write_inputs(ctx, kwargs))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run the task locally: defaults applied, inputs and outputs checked against the declared types.

        Returns None (no outputs), the value (one output) or a NamedTuple (several). Inside a workflow body
        being compiled, the call adds a node instead (:meth:`compile`) and returns promises.
        """
        if current_compiler() is not None:
            return self.compile(None, *args, **kwargs)
        plan = self._interface_plan()
        iface = plan.source
        bound = iface.bind(args, kwargs, owner=plan.name)
        ctx = FlyteContextManager.current_context()
        out = self.local_execute(ctx, **bound)
        names = plan.output_names
        if not names:
            return None
        values = plan.read_outputs(ctx, out)
        if len(names) == 1:
            return values[names[0]]
        return iface.output_tuple(**values)

    def compile(self, ctx: object, *args: Any, **kwargs: Any) -> object:
        """Add this task as a node of the workflow being compiled; return its outputs as promises.

        ``ctx`` is accepted for flytekit's signature and not used: the workflow being compiled is found in
        the context (``flyweight._context.current_compiler``).

        Raises:
            WorkflowCompileError: no workflow body is being compiled, or the arguments do not fit the
                task's inputs.
        """
        compiler = current_compiler()
        if compiler is None:
            raise WorkflowCompileError(
                f"task {self.name!r}: compile() adds a node to the workflow being compiled, and no workflow "
                "body is being compiled; call the task inside a @workflow function, or call it directly "
                "outside one to run it"
            )
        return compiler.add_entity(self, args, kwargs)

    def construct_node_metadata(self) -> _idl.NodeMetadata:
        """The ``NodeMetadata`` of a workflow node running this task: the last part of its name (after the
        last ``.``), its timeout, retries and interruptible flag."""
        meta = _idl.NodeMetadata(name=self.name.rsplit(".", 1)[-1])
        timeout = self.metadata.timeout
        if isinstance(timeout, datetime.timedelta) and timeout:
            meta.timeout.FromTimedelta(timeout)
        meta.retries.retries = self.metadata.retries
        if self.metadata.interruptible is not None:
            meta.interruptible = self.metadata.interruptible
        return meta

    def __repr__(self) -> str:
        kind = type(self).__name__
        return f"{kind}(name={self.name!r}, type={self.task_type!r}, interface={self.python_interface!r})"


class PythonTask(TrackedInstance, Task, Generic[T]):
    """A task defined in Python, with a Python interface, a task config and deck flags.

    Args:
        task_type: the Flyte task type string (``"python-task"`` for plain container tasks).
        name: the task's unique name.
        task_config: plugin configuration (available as ``task_config``).
        interface: the Python interface; None means no inputs and no outputs.
        environment: environment variables for the task's container.
        disable_deck: deprecated; use ``enable_deck``.
        enable_deck: whether the task renders decks (sets ``metadata.generates_deck`` in the template).
        deck_fields: which decks to render when enabled.
    """

    def __init__(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
        self,
        task_type: str,
        name: str,
        task_config: T | None = None,
        interface: Interface | None = None,
        environment: dict[str, str] | None = None,
        disable_deck: bool | None = None,
        enable_deck: bool | None = None,
        deck_fields: tuple[DeckField | str, ...] | None = DEFAULT_DECK_FIELDS,
        **kwargs: Any,
    ) -> None:
        super().__init__(task_type=task_type, name=name, interface=interface, **kwargs)
        self._task_config = task_config
        self._environment: dict[str, str] = dict(environment or {})
        self._disable_deck, self._deck_fields = deck_settings(enable_deck, disable_deck, deck_fields)

    @property
    def task_config(self) -> T | None:
        """The plugin configuration given at construction."""
        return self._task_config

    @property
    def environment(self) -> dict[str, str]:
        """Environment variables set in the task's container."""
        return self._environment

    @property
    def enable_deck(self) -> bool:
        return not self._disable_deck

    @property
    def disable_deck(self) -> bool:
        import warnings

        warnings.warn("disable_deck is deprecated; use enable_deck", DeprecationWarning, stacklevel=2)
        return self._disable_deck

    @property
    def deck_fields(self) -> list[DeckField]:
        return list(self._deck_fields)

    def get_type_for_input_var(self, k: str, v: Any) -> Any:
        return self.python_interface.inputs[k]

    def get_type_for_output_var(self, k: str, v: Any) -> Any:
        return self.python_interface.outputs[k]

    def get_input_types(self) -> dict[str, Any]:
        return self.python_interface.inputs
