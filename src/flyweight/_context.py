"""The execution context: what running task code can reach (working directory, secrets, file access).

flytekit keeps a global stack of contexts; flyweight keeps one ``contextvars.ContextVar``, so threads
and asyncio tasks each see their own execution and nothing leaks between local calls. Outside any
execution, :meth:`FlyteContextManager.current_context` returns a process-wide default context for
local use.

Secrets are read by ``flyweight._secrets``, and calls dispatched (compiled or run) by ``flyweight._dispatch``;
both are re-exported here.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime
import enum
import logging
import os
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, cast

from flyweight._dispatch import (
    NodeCompiler,
    WorkflowRunner,
    compiling,
    current_compiler,
    running_workflows_with,
    workflow_runner,
)
from flyweight._storage import FileAccess
from flyweight._storage._files import LazyDirectory
from flyweight.errors import NotSupportedError

if TYPE_CHECKING:
    from types import ModuleType

    from flyweight._deck import Deck, DeckSink, TimeLineDeck
    from flyweight._secrets import SecretGroup, SecretsManager
    from flyweight._settings import SerializationSettings
    from flyweight._storage._checkpoint import Checkpoint

__all__ = [
    "LOCAL_EXECUTION_ID",
    "LOCAL_TASK_ID",
    "CheckpointPaths",
    "ContextStackError",
    "ExecutionId",
    "ExecutionParameters",
    "ExecutionState",
    "FlyteContext",
    "FlyteContextManager",
    "LazyDirectory",
    "MissingParameterError",
    "NodeCompiler",
    "SecretGroup",
    "SecretsManager",
    "TaskId",
    "WorkflowRunner",
    "compiling",
    "current_compiler",
    "current_context",
    "running_workflows_with",
    "workflow_runner",
]

user_space_logger = logging.getLogger("flyweight.user")


@dataclasses.dataclass(frozen=True)
class ExecutionId:
    """The workflow execution a task runs in (flytekit's ``WorkflowExecutionIdentifier`` fields); empty
    strings when Flyte did not say, ``local`` for each in a local execution."""

    project: str
    domain: str
    name: str

    def __str__(self) -> str:
        return f"ex:{self.project}:{self.domain}:{self.name}"


@dataclasses.dataclass(frozen=True)
class TaskId:
    """The task being run, as registered (flytekit's ``Identifier`` fields); ``local`` for each locally."""

    project: str
    domain: str
    name: str
    version: str
    resource_type: str = "TASK"

    def __str__(self) -> str:
        return f"{self.resource_type}:{self.project}:{self.domain}:{self.name}:{self.version}"


LOCAL_EXECUTION_ID = ExecutionId("local", "local", "local")
"""The execution id of a local execution, as in flytekit."""
LOCAL_TASK_ID = TaskId("local", "local", "local", "local")
"""The task id of a local execution, as in flytekit."""

CheckpointPaths = Callable[[], "tuple[str, str | None]"]
"""Gives, when the checkpoint is first used, where it is written and where the previous attempt's is."""

_CHECKPOINT_DIR = "__cp"  # flytekit's name for a local task's checkpoint directory (in its working dir)


def _in_working_dir() -> tuple[str, str | None]:
    raise AssertionError("a marker: ExecutionParameters.checkpoint computes these paths itself")


_IN_WORKING_DIR: CheckpointPaths = _in_working_dir
"""The checkpoint paths of a local task: ``__cp`` in its working directory, no previous checkpoint."""

_FIELDS = {
    "working_dir": "_working_dir",
    "raw_output_prefix": "_raw_output_prefix",
    "file_access": "_file_access",
    "output_metadata_prefix": "output_metadata_prefix",
    "execution_id": "execution_id",
    "task_id": "task_id",
    "execution_date": "_execution_date",
    "secrets": "_secrets",
    "checkpoint": "_checkpoint",
    "checkpoint_paths": "_checkpoint_paths",
    "logging": "logging",
    "local": "_local",
}
"""``ExecutionParameters`` keyword arguments → the attributes holding them (``_copy``)."""


class ExecutionParameters:
    """What task code sees while it runs (``current_context()``): ids, directories, secrets, logging,
    the checkpoint.

    Outside a container the ids are flytekit's local ones (``local`` everywhere); in a container they come
    from the environment Flyte sets. The working directory is made on first use and removed when a local
    call ends. ``checkpoint`` is made on first use too (its module is imported only then).
    """

    def __init__(
        self,
        *,
        working_dir: LazyDirectory | None = None,
        raw_output_prefix: str | None = None,
        output_metadata_prefix: str | None = None,
        execution_id: Any = LOCAL_EXECUTION_ID,
        task_id: Any = LOCAL_TASK_ID,
        execution_date: datetime.datetime | None = None,
        secrets: SecretsManager | None = None,
        checkpoint: Any = None,
        checkpoint_paths: CheckpointPaths | None = None,
        logging: logging.Logger = user_space_logger,
        local: bool | None = None,
        file_access: FileAccess | None = None,
        **attrs: Any,
    ) -> None:
        self._attrs = attrs
        self._working_dir = working_dir or LazyDirectory()
        self._raw_output_prefix = raw_output_prefix
        self._file_access = file_access
        self.output_metadata_prefix = output_metadata_prefix
        self.execution_id = execution_id
        self.task_id = task_id
        self._execution_date = execution_date
        self._secrets = secrets
        self._checkpoint = checkpoint
        self._checkpoint_paths = checkpoint_paths
        self._next_checkpoint: CheckpointPaths | None = None
        self.logging = logging
        self._local = local
        self._decks: list[Deck] | None = None
        self._timeline: TimeLineDeck | None = None
        self._enable_deck = False
        self._deck_sink: DeckSink | None = None
        self._deck_task = ""

    @property
    def working_directory(self) -> str:
        return self._working_dir.path

    @property
    def raw_output_prefix(self) -> str | None:
        """Where offloaded output data goes; taken from the file access on first use, so a call that
        writes no data creates no directory for it."""
        if self._raw_output_prefix is None and self._file_access is not None:
            self._raw_output_prefix = self._file_access.raw_output_prefix
        return self._raw_output_prefix

    @raw_output_prefix.setter
    def raw_output_prefix(self, value: str | None) -> None:
        self._raw_output_prefix = value

    @property
    def execution_date(self) -> datetime.datetime:
        if self._execution_date is None:
            self._execution_date = datetime.datetime.now(datetime.timezone.utc)
        return self._execution_date

    @property
    def secrets(self) -> SecretsManager:
        if self._secrets is None:
            self._secrets = _secrets_module().SecretsManager(local=self._local)
        return self._secrets

    @property
    def checkpoint(self) -> Checkpoint:
        """The task's checkpoint (flytekit's ``SyncCheckpoint`` API: ``read``, ``write``, ``save``,
        ``restore``, ``prev_exists``).

        Raises:
            NotSupportedError: (a ``NotImplementedError``, as flytekit's) no checkpoint is configured:
                outside a task, or in a container started without ``--checkpoint-path``.
        """
        if self._checkpoint is None:
            if self._checkpoint_paths is None:
                raise NotSupportedError(
                    "Checkpointing is not available here: a checkpoint exists while a task runs (locally, "
                    "or in a container started with --checkpoint-path, which Flyte fills in)"
                )
            from flyweight._storage._checkpoint import SyncCheckpoint

            if self._checkpoint_paths is _IN_WORKING_DIR:  # a local task's: <working dir>/__cp, no previous
                dest, src = os.path.join(self._working_dir.path, _CHECKPOINT_DIR), None
            else:
                dest, src = self._checkpoint_paths()
            self._checkpoint = SyncCheckpoint(dest, src, file_access=self._file_access or FileAccess())
        return cast("Checkpoint", self._checkpoint)

    @checkpoint.setter
    def checkpoint(self, value: Checkpoint | None) -> None:
        self._checkpoint = value

    # -- decks ------------------------------------------------------------------------------------
    @property
    def decks(self) -> list[Deck]:
        """The decks of the running task's page, in the order they were made (``deck.html``'s tabs)."""
        if self._decks is None:
            self._decks = []
        return self._decks

    @property
    def default_deck(self) -> Deck:
        """The deck named ``default`` (made and added on first use; flytekit makes a new one each time,
        and its page keeps only the last)."""
        from flyweight._deck._model import Deck

        for deck in self.decks:
            if deck.name == "default" and type(deck) is Deck:
                return deck
        return Deck("default")

    @property
    def timeline_deck(self) -> TimeLineDeck:
        """The timeline deck (``timeit`` adds to it): the page's, else this task's own (shown on the page
        only when the task's ``deck_fields`` include the timeline)."""
        from flyweight._deck._model import TimeLineDeck

        for deck in self.decks:
            if isinstance(deck, TimeLineDeck):
                return deck
        if self._timeline is None:
            self._timeline = TimeLineDeck(auto_add_to_deck=False)
        return self._timeline

    @property
    def enable_deck(self) -> bool:
        """Whether the running task writes a deck page."""
        return self._enable_deck

    @property
    def deck_sink(self) -> DeckSink | None:
        """Where the deck pages of tasks run with these parameters go (None: the caller's choice, else a
        temporary file)."""
        return self._deck_sink

    def sending_decks_to(self, sink: DeckSink | None) -> ExecutionParameters:
        """A copy whose tasks send their deck pages to ``sink`` (a runner's: the container's
        ``deck.html``, a report's directory)."""
        params = self._copy()
        params._deck_sink = sink
        return params

    def with_decks(self, task_name: str, sink: DeckSink, timeline: bool) -> ExecutionParameters:
        """A copy for a task that writes a deck page: a fresh page (holding the timeline deck when
        ``timeline``), sent to ``sink`` by ``Deck.publish()`` and when the task ends."""
        params = self._copy()
        params._decks = []
        params._timeline = None
        params._enable_deck = True
        params._deck_sink = sink
        params._deck_task = task_name
        if timeline:
            params._decks.append(params.timeline_deck)
        return params

    def publish_decks(self) -> None:
        """Send the page of :attr:`decks` to the task's sink now (``Deck.publish()``)."""
        from flyweight._deck._page import render_page
        from flyweight._deck._sink import LocalDeckFile

        sink = self._deck_sink or LocalDeckFile()
        sink(self._deck_task or "local", render_page(self.decks, self._deck_task), False)

    def offering_checkpoint(self, paths: CheckpointPaths) -> ExecutionParameters:
        """A copy whose next task sandbox (:meth:`task_sandbox`) checkpoints to ``paths`` instead of a fresh
        local directory: how the local engine hands an attempt the previous attempt's checkpoint."""
        params = self._copy()
        params._next_checkpoint = paths
        return params

    def task_sandbox(
        self, working_dir: LazyDirectory, file_access: FileAccess | None = None
    ) -> ExecutionParameters:
        """The parameters of a task run locally in this context: the same ids, date and logging;
        ``working_dir``; ``file_access`` (None: this context's); fresh secrets; and a checkpoint in
        ``<working dir>/__cp`` with no previous one (as flytekit's), unless one was offered
        (:meth:`offering_checkpoint`)."""
        params = object.__new__(ExecutionParameters)  # as _copy, written out: one per task call
        state = params.__dict__
        state.update(self.__dict__)
        state["_attrs"] = dict(self._attrs)
        state["_working_dir"] = working_dir
        state["_secrets"] = state["_checkpoint"] = state["_next_checkpoint"] = None
        state["_decks"] = state["_timeline"] = None  # a task's page is its own; where pages go is kept
        state["_enable_deck"] = False
        state["_checkpoint_paths"] = self._next_checkpoint or _IN_WORKING_DIR
        if file_access is not None and file_access is not self._file_access:
            state["_file_access"] = file_access
            state["_raw_output_prefix"] = None
        return params

    def with_task_sandbox(self) -> ExecutionParameters.Builder:
        """A builder of these parameters with a fresh working directory (made lazily in the platform's temp
        dir) and a checkpoint in its ``__cp``, as flytekit's: ``params.with_task_sandbox().build()``."""
        return ExecutionParameters.Builder(self.task_sandbox(LazyDirectory()))

    @staticmethod
    def new_builder(current: ExecutionParameters | None = None) -> ExecutionParameters.Builder:
        """A builder starting from ``current`` (None: flytekit's local defaults)."""
        return ExecutionParameters.Builder(current)

    def builder(self) -> ExecutionParameters.Builder:
        """A builder starting from these parameters (``params.builder().add_attr("KEY", v).build()``)."""
        return ExecutionParameters.Builder(self)

    def has_attr(self, attr_name: str) -> bool:
        """Whether a task type's extra parameter (``Builder.add_attr``) is set; the name in any case."""
        return attr_name.upper() in self._attrs

    def get(self, key: str) -> Any:
        """A task type's extra parameter (``Builder.add_attr``), as ``params.<key>`` gives it."""
        return self._extra(key)

    def _extra(self, name: str) -> Any:
        key = name.upper()
        if key in self._attrs:
            return self._attrs[key]
        raise MissingParameterError(
            f"{key} not available as a parameter in Flyte context - are you in right task-type? (a task type "
            "sets it in its pre_execute: return user_params.builder().add_attr(...).build())"
        )

    def __getattr__(self, name: str) -> Any:
        """A task type's extra parameter by attribute (``current_context().spark_session``), as flytekit's."""
        if name.startswith("_"):
            raise AttributeError(name)
        from flyweight._context_hints import params_hint  # a rare error: its messages load only then

        hint = params_hint(name)
        if hint is not None:
            raise AttributeError(f"flyweight's ExecutionParameters has no {name!r}: {hint}")
        return self._extra(name)

    def __repr__(self) -> str:
        return (
            f"ExecutionParameters(execution_date={self._execution_date}, execution_id={self.execution_id}, "
            f"task_id={self.task_id}, attrs={self._attrs})"
        )

    def _copy(self, **changes: Any) -> ExecutionParameters:
        """A copy with ``changes`` (keyword arguments of the constructor); made without ``__init__``: a
        task call makes one."""
        params = object.__new__(ExecutionParameters)
        state = params.__dict__
        state.update(self.__dict__)
        state["_attrs"] = dict(self._attrs)
        state["_next_checkpoint"] = None
        for name, value in changes.items():
            state[_FIELDS[name]] = value
        return params

    class Builder:
        """flytekit's ``ExecutionParameters.Builder``: set fields, ``add_attr``, then :meth:`build`.

        It starts from the parameters given (or flytekit's local defaults); what is not set stays as
        there. ``working_dir`` takes a path (made on :meth:`build`, never removed by flyweight).
        """

        def __init__(self, current: ExecutionParameters | None = None) -> None:
            base = current if current is not None else ExecutionParameters()
            self._base = base
            self._working: LazyDirectory = base._working_dir
            self.execution_date: datetime.datetime | None = base._execution_date
            self.execution_id: Any = base.execution_id
            self.task_id: Any = base.task_id
            self.logging: logging.Logger = base.logging
            self.checkpoint: Any = base._checkpoint
            self.raw_output_prefix: str | None = base._raw_output_prefix
            self.output_metadata_prefix: str | None = base.output_metadata_prefix
            # flytekit's builder shares the extra parameters of the parameters it starts from: a task
            # type's pre_execute that adds one is seen through current_context() in the task too
            self.attrs: dict[str, Any] = base._attrs
            self.decks: list[Deck] = base.decks  # shared, as flytekit's
            self.enable_deck: bool = base._enable_deck

        @property
        def working_dir(self) -> str:
            return self._working.path

        @working_dir.setter
        def working_dir(self, path: str | os.PathLike[str] | LazyDirectory) -> None:
            self._working = path if isinstance(path, LazyDirectory) else LazyDirectory.at(path)

        def with_enable_deck(self, enable_deck: bool) -> ExecutionParameters.Builder:
            """Turn the deck page on or off for the parameters built."""
            self.enable_deck = enable_deck
            return self

        def add_attr(self, key: str, v: Any) -> ExecutionParameters.Builder:
            """An extra parameter of a task type (read as ``params.<key>`` or ``params.get(key)``)."""
            self.attrs[key] = v
            return self

        def build(self) -> ExecutionParameters:
            base = self._base
            same_checkpoint = self.checkpoint is base._checkpoint
            if self._working._given:
                self._working.path  # noqa: B018 - flytekit makes a given working directory on build
            fields: dict[str, Any] = {
                "working_dir": self._working,
                "raw_output_prefix": self.raw_output_prefix,
                "output_metadata_prefix": self.output_metadata_prefix,
                "execution_id": self.execution_id,
                "task_id": self.task_id,
                "execution_date": self.execution_date,
                "logging": self.logging,
                "checkpoint": self.checkpoint,
            }
            if not same_checkpoint:
                fields["checkpoint_paths"] = None
            params = base._copy(**fields)
            params._attrs = dict(self.attrs)
            params._decks = self.decks
            params._enable_deck = self.enable_deck
            return params


class MissingParameterError(AttributeError, AssertionError):
    """An extra parameter no task type set (``current_context().spark_session`` outside a Spark task).

    flytekit raises an ``AssertionError``; this is one, and an ``AttributeError`` too, so ``hasattr`` and
    ``getattr(params, name, default)`` work."""


class ExecutionState:
    """How the current code runs (flytekit's ``ExecutionState``): ``mode``, an :class:`ExecutionState.Mode`
    or None outside any execution, and the ``user_space_params`` task code sees.

    flyweight sets the modes flytekit does: ``LOCAL_TASK_EXECUTION`` while a task runs on this machine
    (called directly or as a node of a workflow run locally), ``LOCAL_DYNAMIC_TASK_EXECUTION`` while a
    dynamic task's body runs locally, ``TASK_EXECUTION`` in a container (``flyweight-execute``), and
    ``LOCAL_WORKFLOW_EXECUTION`` while the local engine runs a workflow. ``ExecutionState.LOCAL`` and
    ``ExecutionState.CONTAINER`` are flyweight's short names for ``Mode.LOCAL_TASK_EXECUTION`` and
    ``Mode.TASK_EXECUTION``.

    Made as flytekit's (``ExecutionState(working_dir, mode=..., user_space_params=...)``, every argument
    optional here); flyweight's older ``ExecutionState(mode, user_space_params)`` is accepted too. Without
    ``user_space_params`` the process's default parameters are used (flytekit leaves None there).
    """

    class Mode(enum.Enum):
        """flytekit's execution modes, same names and values."""

        TASK_EXECUTION = 1
        LOCAL_WORKFLOW_EXECUTION = 2
        LOCAL_TASK_EXECUTION = 3
        DYNAMIC_TASK_EXECUTION = 4
        EAGER_EXECUTION = 5
        EAGER_LOCAL_EXECUTION = 6
        LOCAL_DYNAMIC_TASK_EXECUTION = 7

    LOCAL: ClassVar[ExecutionState.Mode] = Mode.LOCAL_TASK_EXECUTION
    CONTAINER: ClassVar[ExecutionState.Mode] = Mode.TASK_EXECUTION

    def __init__(
        self,
        working_dir: str | os.PathLike[str] | ExecutionState.Mode | None = None,
        mode: ExecutionState.Mode | ExecutionParameters | None = None,
        engine_dir: str | os.PathLike[str] | None = None,
        user_space_params: ExecutionParameters | None = None,
    ) -> None:
        legacy = working_dir is None or isinstance(working_dir, ExecutionState.Mode)
        if legacy and isinstance(mode, ExecutionParameters) and user_space_params is None:
            working_dir, mode, user_space_params = None, working_dir, mode  # ExecutionState(mode, params)
        if isinstance(working_dir, ExecutionState.Mode):
            raise TypeError(
                f"ExecutionState: the first argument is the working directory (as in flytekit), got the mode "
                f"{working_dir}; pass it by name: ExecutionState(mode={working_dir})"
            )
        if mode is not None and not isinstance(mode, ExecutionState.Mode):
            raise TypeError(
                f"ExecutionState: mode must be an ExecutionState.Mode (TASK_EXECUTION, LOCAL_TASK_EXECUTION, "
                f"…) or None, got {type(mode).__name__} {mode!r}"
            )
        if user_space_params is not None and not isinstance(user_space_params, ExecutionParameters):
            raise TypeError(
                "ExecutionState: user_space_params must be ExecutionParameters, got "
                f"{type(user_space_params).__name__}"
            )
        self.mode: ExecutionState.Mode | None = mode
        self._working_dir = os.fspath(working_dir) if working_dir else None
        self._engine_dir = os.fspath(engine_dir) if engine_dir else None
        self._params = user_space_params

    @classmethod
    def of(cls, mode: ExecutionState.Mode | None, params: ExecutionParameters) -> ExecutionState:
        """The state of ``mode`` with ``params``, made without the constructor's checks: what flyweight
        itself makes for each task call."""
        state = object.__new__(cls)
        state.mode = mode
        state._working_dir = None
        state._engine_dir = None
        state._params = params
        return state

    @property
    def user_space_params(self) -> ExecutionParameters:
        """What task code sees as ``current_context()``."""
        if self._params is None:
            return _root_context().execution_state.user_space_params
        return self._params

    @user_space_params.setter
    def user_space_params(self, value: ExecutionParameters) -> None:
        self._params = value

    @property
    def working_dir(self) -> str:
        """The directory given when the state was made, else the task's working directory."""
        if self._working_dir is not None:
            return self._working_dir
        return self.user_space_params.working_directory

    @property
    def engine_dir(self) -> str:
        """flytekit's engine directory: the one given, else ``<working_dir>/engine_dir`` (made on use)."""
        if self._engine_dir is None:
            path = os.path.join(self.working_dir, "engine_dir")
            os.makedirs(path, exist_ok=True)
            return path
        return self._engine_dir

    def with_params(
        self,
        working_dir: str | os.PathLike[str] | None = None,
        mode: ExecutionState.Mode | None = None,
        engine_dir: str | os.PathLike[str] | None = None,
        user_space_params: ExecutionParameters | None = None,
    ) -> ExecutionState:
        """A copy with the arguments given replaced (those left out, or None, are kept), as flytekit's."""
        return ExecutionState(
            working_dir=working_dir or self._working_dir,
            mode=mode or self.mode,
            engine_dir=engine_dir or self._engine_dir,
            user_space_params=user_space_params or self._params,
        )

    def is_local_execution(self) -> bool:
        """Whether this runs on this machine as a local task, workflow or dynamic task (flytekit's rule:
        False outside any execution, where the mode is None, and in a container)."""
        return self.mode in _LOCAL_MODES

    def __getattr__(self, name: str) -> Any:
        from flyweight._context_hints import state_hint  # a rare error: its messages load only then

        hint = state_hint(name)
        if hint is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        raise AttributeError(f"flyweight's ExecutionState has no {name!r}: {hint}")

    def __repr__(self) -> str:
        return f"ExecutionState(mode={self.mode}, working_dir={self._working_dir!r})"


_LOCAL_MODES = frozenset(
    {
        ExecutionState.Mode.LOCAL_TASK_EXECUTION,
        ExecutionState.Mode.LOCAL_WORKFLOW_EXECUTION,
        ExecutionState.Mode.EAGER_LOCAL_EXECUTION,
        ExecutionState.Mode.LOCAL_DYNAMIC_TASK_EXECUTION,
    }
)


class FlyteContext:
    """The context object plugin code receives as ``ctx`` (flytekit's ``FlyteContext`` names).

    ``file_access``, ``execution_state`` (with ``user_space_params``), ``serialization_settings``,
    ``level`` and ``compilation_state`` (read-only: what compiles a workflow body now, or None). A changed
    context is made as in flytekit, through a builder: ``ctx.with_execution_state(es)``,
    ``ctx.with_file_access(fa)``, ``ctx.with_serialization_settings(ss)`` or ``ctx.new_builder()``, then
    ``.build()`` or ``FlyteContextManager.with_context(builder)``.

    Example:
        >>> ctx = FlyteContextManager.current_context()
        >>> es = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.TASK_EXECUTION)
        >>> with FlyteContextManager.with_context(ctx.with_execution_state(es)) as inner:
        ...     inner.execution_state.mode
        <Mode.TASK_EXECUTION: 1>
    """

    def __init__(
        self,
        file_access: FileAccess,
        execution_state: ExecutionState | None = None,
        *,
        level: int = 0,
        serialization_settings: SerializationSettings | None = None,
    ) -> None:
        if execution_state is not None and not isinstance(execution_state, ExecutionState):
            raise TypeError(
                "FlyteContext: execution_state must be an ExecutionState, got "
                f"{type(execution_state).__name__} {execution_state!r}; pass the other fields by name "
                "(FlyteContext(file_access, level=1))"
            )
        self.file_access = file_access
        self.execution_state = execution_state if execution_state is not None else ExecutionState()
        self.level = level
        self.serialization_settings = serialization_settings

    @property
    def user_space_params(self) -> ExecutionParameters:
        return self.execution_state.user_space_params

    @property
    def compilation_state(self) -> NodeCompiler | None:
        """While a workflow body is being compiled, what compiles it (flytekit's ``CompilationState``):
        ``nodes`` are the nodes the body has made so far, in call order (``ctx.compilation_state.nodes[1]``
        can be ordered with ``>>``), ``prefix`` what their ids start with; else None."""
        return current_compiler()

    @staticmethod
    def current_context() -> FlyteContext:
        """The current context, as :meth:`FlyteContextManager.current_context` gives it; callable on the
        class (``FlyteContext.current_context()``) or on an instance, as in flytekit."""
        return FlyteContextManager.current_context()

    def new_builder(self) -> FlyteContext.Builder:
        """A builder holding this context's fields."""
        return FlyteContext.Builder(
            file_access=self.file_access,
            level=self.level,
            execution_state=self.execution_state,
            serialization_settings=self.serialization_settings,
        )

    def with_execution_state(self, es: ExecutionState) -> FlyteContext.Builder:
        return self.new_builder().with_execution_state(es)

    def with_file_access(self, fa: FileAccess) -> FlyteContext.Builder:
        return self.new_builder().with_file_access(fa)

    def with_serialization_settings(self, ss: SerializationSettings) -> FlyteContext.Builder:
        return self.new_builder().with_serialization_settings(ss)

    def new_execution_state(self, working_dir: str | os.PathLike[str] | None = None) -> ExecutionState:
        """A state with no mode, this context's ``user_space_params`` and ``working_dir`` (default: the
        file access's local sandbox directory), as flytekit's; set the mode with ``with_params``."""
        return ExecutionState(
            working_dir=working_dir or self.file_access.local_sandbox_dir,
            user_space_params=self.user_space_params,
        )

    def get_deck(self) -> str:
        """The deck page (HTML) of this context's decks, as it would be written now."""
        from flyweight._deck._page import render_page

        return render_page(self.user_space_params.decks)

    def __getattr__(self, name: str) -> Any:
        from flyweight._context_hints import context_hint  # a rare error: its messages load only then

        raise context_hint("FlyteContext", name)

    def __repr__(self) -> str:
        return f"FlyteContext(level={self.level}, execution_state={self.execution_state!r})"

    @dataclasses.dataclass
    class Builder:
        """flytekit's ``FlyteContext.Builder``: ``with_*`` set a field and return the builder; :meth:`build`
        makes the context (one level deeper)."""

        file_access: FileAccess
        level: int = 0
        execution_state: ExecutionState | None = None
        serialization_settings: SerializationSettings | None = None

        def build(self) -> FlyteContext:
            return FlyteContext(
                self.file_access,
                self.execution_state,
                level=self.level + 1,
                serialization_settings=self.serialization_settings,
            )

        def with_execution_state(self, es: ExecutionState) -> FlyteContext.Builder:
            self.execution_state = es
            return self

        def with_file_access(self, fa: FileAccess) -> FlyteContext.Builder:
            self.file_access = fa
            return self

        def with_serialization_settings(self, ss: SerializationSettings) -> FlyteContext.Builder:
            self.serialization_settings = ss
            return self

        def new_execution_state(self, working_dir: str | os.PathLike[str] | None = None) -> ExecutionState:
            """A state with no mode and ``working_dir`` (default: a new directory of the file access)."""
            return ExecutionState(working_dir=working_dir or self.file_access.get_random_local_directory())

        def __getattr__(self, name: str) -> Any:
            from flyweight._context_hints import context_hint

            raise context_hint("FlyteContext.Builder", name)


_CURRENT: contextvars.ContextVar[tuple[FlyteContext, ...]] = contextvars.ContextVar(
    "flyweight_context", default=()
)
_DEFAULT: list[FlyteContext] = []


def _root_context() -> FlyteContext:
    """The process's default context: local ids, no mode (made on first use)."""
    if not _DEFAULT:
        file_access = FileAccess()
        params = ExecutionParameters(
            file_access=file_access, execution_date=datetime.datetime.now(datetime.timezone.utc)
        )
        _DEFAULT.append(FlyteContext(file_access, ExecutionState(user_space_params=params)))
    return _DEFAULT[0]


class ContextStackError(AssertionError):
    """``pop_context`` with no context pushed (flytekit raises an ``AssertionError`` there too)."""


class FlyteContextManager:
    """The stack of :class:`FlyteContext` (flytekit's name and methods, so plugin code ports unchanged).

    The stack lives in a ``contextvars.ContextVar``: each thread and asyncio task has its own, and below
    the contexts pushed there is the process's default one (local ids, no mode).
    """

    @staticmethod
    def current_context() -> FlyteContext:
        stack = _CURRENT.get()
        if stack:
            return stack[-1]
        return _root_context()

    @staticmethod
    def push_context(ctx: FlyteContext, f: object = None) -> FlyteContext:
        """Make ``ctx`` current until :meth:`pop_context`; prefer :meth:`with_context`."""
        _CURRENT.set((*_CURRENT.get(), _context_of(ctx, "push_context")))
        return ctx

    @staticmethod
    def pop_context() -> FlyteContext:
        """Remove the context pushed last and return it.

        Raises:
            ContextStackError: (an ``AssertionError``, as flytekit's) nothing was pushed in this thread or
                task; the default context stays.
        """
        stack = _CURRENT.get()
        if not stack:
            raise ContextStackError(
                "FlyteContextManager.pop_context: no context was pushed (in this thread or asyncio task); "
                "pair each push_context with one pop_context, or use "
                "`with FlyteContextManager.with_context(...)`"
            )
        _CURRENT.set(stack[:-1])
        return stack[-1]

    @staticmethod
    @contextlib.contextmanager
    def with_context(b: FlyteContext.Builder | FlyteContext) -> Iterator[FlyteContext]:
        """Make the context ``b`` builds (or ``b``, a context) current inside the ``with`` block.

        On leaving, even by an exception, the stack is what it was: contexts pushed inside the block and
        never popped are dropped too (as flytekit does).
        """
        ctx = _context_of(b, "with_context")
        saved = _CURRENT.get()
        token = _CURRENT.set((*saved, ctx))
        try:
            yield ctx
        finally:
            try:
                _CURRENT.reset(token)
            except ValueError:  # left in another contextvars.Context than it was entered in
                _CURRENT.set(saved)

    @staticmethod
    def size() -> int:
        """How many contexts are on the stack, the default one included (as flytekit counts)."""
        return len(_CURRENT.get()) + 1

    @staticmethod
    def initialize() -> None:
        """Empty this thread's stack and make a fresh default context (flytekit's ``initialize``)."""
        _CURRENT.set(())
        _DEFAULT.clear()

    @staticmethod
    def push(ctx: FlyteContext) -> contextvars.Token[tuple[FlyteContext, ...]]:
        """Make ``ctx`` current; :meth:`pop` with the token returned restores the stack as it was."""
        return _CURRENT.set((*_CURRENT.get(), ctx))

    @staticmethod
    def pop(token: contextvars.Token[tuple[FlyteContext, ...]]) -> None:
        _CURRENT.reset(token)


def _context_of(value: object, caller: str) -> FlyteContext:
    if isinstance(value, FlyteContext.Builder):
        return value.build()
    if isinstance(value, FlyteContext):
        return value
    raise TypeError(
        f"FlyteContextManager.{caller} takes a FlyteContext or a FlyteContext.Builder "
        f"(ctx.with_execution_state(...), ctx.new_builder()), got {type(value).__name__} {value!r}"
    )


def current_context() -> ExecutionParameters:
    """The running task's :class:`ExecutionParameters` (working directory, secrets, ids, logging, decks)."""
    return FlyteContextManager.current_context().user_space_params


def _task_runs_locally() -> bool:
    return FlyteContextManager.current_context().execution_state.is_local_execution()


def _secrets_module() -> ModuleType:
    """``flyweight._secrets``, imported on first use (a task that reads no secret never loads it), told how
    to see whether a task runs locally (which adds the unprefixed variable to the lookup)."""
    from flyweight import _secrets

    _secrets.set_local_check(_task_runs_locally)
    return _secrets


def __getattr__(name: str) -> Any:
    """``SecretsManager`` and ``SecretGroup`` (from ``flyweight._secrets``), loaded when first asked for."""
    if name in ("SecretsManager", "SecretGroup"):
        return getattr(_secrets_module(), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
