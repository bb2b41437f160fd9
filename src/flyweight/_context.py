"""The execution context: what running task code can reach (working directory, secrets, file access).

flytekit keeps a global stack of contexts; flyweight keeps one ``contextvars.ContextVar``, so threads
and asyncio tasks each see their own execution and nothing leaks between local calls. Outside any
execution, :meth:`FlyteContextManager.current_context` returns a process-wide default context for
local use.

A second context variable holds the :class:`NodeCompiler` of the workflow body being compiled, if any:
calling a task (or a workflow, or a launch plan) while it is set adds a node to that workflow instead of
running the task. The tasks layer checks it without knowing what a workflow is (ADR 0010).

A third one holds the :class:`WorkflowRunner` a workflow called outside a body runs with: the local
engine lives in ``flyweight._runtime``, above workflows, so a call reaches it through this hook; when
none is set, the engine's default runner is imported by name on first use (ADR 0012).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime
import importlib
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, cast, overload

from flyweight._storage import FileAccess
from flyweight.errors import NotSupportedError, SecretNotFoundError

if TYPE_CHECKING:
    from flyweight._storage._checkpoint import Checkpoint

__all__ = [
    "LOCAL_EXECUTION_ID",
    "LOCAL_TASK_ID",
    "CheckpointPaths",
    "ExecutionId",
    "ExecutionParameters",
    "ExecutionState",
    "FlyteContext",
    "FlyteContextManager",
    "LazyDirectory",
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


class LazyDirectory:
    """A temporary directory made on first use and removed by :meth:`cleanup` (only if it was made)."""

    __slots__ = ("_parent", "_path")

    def __init__(self, parent: str | None = None) -> None:
        self._parent = parent
        self._path: str | None = None

    @property
    def path(self) -> str:
        if self._path is None:
            self._path = tempfile.mkdtemp(prefix="flyweight-", dir=self._parent)
        return self._path

    @property
    def created(self) -> bool:
        return self._path is not None

    def cleanup(self) -> None:
        if self._path is not None:
            shutil.rmtree(self._path, ignore_errors=True)
            self._path = None


_SECRET_MODES = frozenset({"r", "rb"})


def _secret_part(name: str, value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"secrets: {name} must be a str or None, got {type(value).__name__} {value!r}")


class SecretsManager:
    """Finds secrets as Flyte mounts them (flytekit's ``SecretsManager``, same names and order).

    1. The environment variable ``<prefix><GROUP>_<GROUP_VERSION>_<KEY>`` (the parts given, upper case,
       joined by ``_``; the prefix is ``FLYTE_SECRETS_ENV_PREFIX``, default ``_FSEC_``). While a task
       runs locally the same name without the prefix is tried too.
    2. The file ``<dir>/<group>/<group_version>/<file prefix><key>`` (the parts given, lower case; the
       directory is ``FLYTE_SECRETS_DEFAULT_DIR``, default ``/etc/secrets``, the file prefix
       ``FLYTE_SECRETS_FILE_PREFIX``, default empty).

    The variables are read when the manager is made (once per task execution). ``secrets.<group>.<key>``
    is ``get(group, key)``. Attribute names starting with ``_`` or ``get_`` are never taken for a group:
    an unknown one is an :class:`AttributeError` (a misspelt method must not read a secret group).

    Example:
        >>> import os
        >>> os.environ["_FSEC_DB_PASSWORD"] = "s3cret"
        >>> SecretsManager().get("db", "password")
        's3cret'
    """

    def __init__(self, local: bool | None = None) -> None:
        self._local = local
        # As flytekit's configuration: an empty variable counts as unset; the value is then stripped.
        env = os.environ
        self._env_prefix = (env.get("FLYTE_SECRETS_ENV_PREFIX") or "_FSEC_").strip()
        self._base_dir = (
            env.get("FLYTE_SECRETS_DEFAULT_DIR") or os.path.join(os.sep, "etc", "secrets")
        ).strip()
        self._file_prefix = (env.get("FLYTE_SECRETS_FILE_PREFIX") or "").strip()

    @staticmethod
    def _parts(group: object, key: object, group_version: object) -> list[str]:
        parts = [
            p
            for p in (
                _secret_part("group", group),
                _secret_part("group_version", group_version),
                _secret_part("key", key),
            )
            if p
        ]
        if not parts:
            raise TypeError("secrets: give a group, a key or both (get(group='db', key='password'))")
        return parts

    def get_secrets_env_var(
        self, group: str | None = None, key: str | None = None, group_version: str | None = None
    ) -> str:
        """The environment variable the secret is looked for in (with the prefix)."""
        return self._env_prefix + "_".join(p.upper() for p in self._parts(group, key, group_version))

    def get_secrets_file(
        self, group: str | None = None, key: str | None = None, group_version: str | None = None
    ) -> str:
        """The file the secret is looked for in, when no environment variable holds it."""
        parts = [p.lower() for p in self._parts(group, key, group_version)]
        parts[-1] = self._file_prefix + parts[-1]
        return os.path.join(self._base_dir, *parts)

    def _is_local(self) -> bool:
        """Whether a task runs locally now (as flytekit decides it: not outside every task, not in a
        container)."""
        if self._local is not None:
            return self._local
        mode = FlyteContextManager.current_context().execution_state.mode
        return mode is not None and mode != ExecutionState.CONTAINER

    @overload
    def get(
        self,
        group: str | None = None,
        key: str | None = None,
        group_version: str | None = None,
        encode_mode: Literal["r"] = "r",
    ) -> str: ...

    @overload
    def get(
        self,
        group: str | None = None,
        key: str | None = None,
        group_version: str | None = None,
        encode_mode: str = "r",
    ) -> str | bytes: ...

    def get(
        self,
        group: str | None = None,
        key: str | None = None,
        group_version: str | None = None,
        encode_mode: str = "r",
    ) -> str | bytes:
        """The secret's value, stripped of surrounding whitespace.

        ``encode_mode="rb"`` reads a file secret as bytes; a secret in the environment is a str either
        way (as in flytekit).

        Raises:
            SecretNotFoundError: (a ``ValueError``) neither the variable nor the file exists, or the file
                cannot be read (not a file, no permission, not UTF-8 text in mode ``"r"``).
            TypeError: a part is not a str, or no part is given.
            ValueError: ``encode_mode`` is neither ``"r"`` nor ``"rb"``.
        """
        parts = self._parts(group, key, group_version)
        if encode_mode not in _SECRET_MODES:
            raise ValueError(
                f"secrets.get: encode_mode must be 'r' (text) or 'rb' (bytes), got {encode_mode!r}"
            )
        name = "_".join(p.upper() for p in parts)
        names = [self._env_prefix + name]
        if self._is_local():
            names.append(name)
        for var in names:
            value = os.environ.get(var)
            if value is not None:
                return value.strip()
        path = self.get_secrets_file(group, key, group_version)
        if os.path.exists(path):
            try:
                with open(path, encode_mode) as f:
                    content: str | bytes = f.read()
            except (OSError, UnicodeDecodeError) as e:
                raise SecretNotFoundError(
                    f"secret group={group!r} key={key!r}: the file {path} exists but cannot be read "
                    f"({type(e).__name__}: {e}); mount the secret as a readable file"
                    + (
                        ", or read it as bytes with encode_mode='rb'"
                        if isinstance(e, UnicodeDecodeError)
                        else ""
                    )
                ) from e
            return content.strip()
        raise SecretNotFoundError(
            f"secret group={group!r} key={key!r} not found: looked for the environment variable "
            f"{names[0]} and the file {path}; request it with secret_requests=[Secret(group=..., key=...)] "
            "in @task"
        )

    def __getattr__(self, group: str) -> SecretGroup:
        """``secrets.<group>.<key>``: the secret ``get(group, key)``."""
        if group.startswith(("_", "get_")):
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {group!r}: its methods are get, "
                "get_secrets_env_var and get_secrets_file; secrets.<group>.<key> reads a secret, and a "
                "group read that way never starts with '_' or 'get_' (use get(group, key) for one that does)"
            )
        return SecretGroup(self, group)


class SecretGroup:
    """The secrets of one group, as attributes (``secrets.db.password``)."""

    __slots__ = ("_group", "_manager")

    def __init__(self, manager: SecretsManager, group: str) -> None:
        self._manager = manager
        self._group = group

    def __getattr__(self, key: str) -> str:
        if key.startswith("__"):
            raise AttributeError(key)
        return self._manager.get(self._group, key)

    def __repr__(self) -> str:
        return f"SecretGroup({self._group!r})"


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
    ) -> None:
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
            self._secrets = SecretsManager(local=self._local)
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

            dest, src = self._checkpoint_paths()
            self._checkpoint = SyncCheckpoint(dest, src, file_access=self._file_access or FileAccess())
        return cast("Checkpoint", self._checkpoint)

    @checkpoint.setter
    def checkpoint(self, value: Checkpoint | None) -> None:
        self._checkpoint = value

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
        paths = self._next_checkpoint
        if paths is None:

            def paths() -> tuple[str, str | None]:
                return os.path.join(working_dir.path, _CHECKPOINT_DIR), None

        changes: dict[str, Any] = {"working_dir": working_dir, "secrets": None, "checkpoint": None}
        if file_access is not None and file_access is not self._file_access:
            changes.update(file_access=file_access, raw_output_prefix=None)
        return self._copy(checkpoint_paths=paths, **changes)

    def with_task_sandbox(self) -> ExecutionParameters:
        """A copy whose working directory is a fresh one (made lazily) inside the platform's temp dir."""
        return self.task_sandbox(LazyDirectory())

    def _copy(self, **changes: Any) -> ExecutionParameters:
        fields: dict[str, Any] = {
            "working_dir": self._working_dir,
            "raw_output_prefix": self._raw_output_prefix,
            "file_access": self._file_access,
            "output_metadata_prefix": self.output_metadata_prefix,
            "execution_id": self.execution_id,
            "task_id": self.task_id,
            "execution_date": self.execution_date,
            "secrets": self._secrets,
            "checkpoint": self._checkpoint,
            "checkpoint_paths": self._checkpoint_paths,
            "logging": self.logging,
            "local": self._local,
        }
        fields.update(changes)
        return ExecutionParameters(**fields)


class ExecutionState:
    """How the current code runs: ``mode`` is ``"local"`` (a call on this machine) or ``"container"``."""

    LOCAL = "local"
    CONTAINER = "container"

    def __init__(self, mode: str | None, user_space_params: ExecutionParameters) -> None:
        self.mode = mode
        self.user_space_params = user_space_params

    @property
    def working_dir(self) -> str:
        return self.user_space_params.working_directory

    def is_local_execution(self) -> bool:
        return self.mode != self.CONTAINER


class FlyteContext:
    """The context object plugin code receives as ``ctx`` (flytekit's ``FlyteContext`` names)."""

    def __init__(self, file_access: FileAccess, execution_state: ExecutionState) -> None:
        self.file_access = file_access
        self.execution_state = execution_state

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


_CURRENT: contextvars.ContextVar[FlyteContext | None] = contextvars.ContextVar(
    "flyweight_context", default=None
)
_DEFAULT: list[FlyteContext] = []


class FlyteContextManager:
    """Access to the current :class:`FlyteContext` (flytekit's name, so plugin code ports unchanged)."""

    @staticmethod
    def current_context() -> FlyteContext:
        ctx = _CURRENT.get()
        if ctx is not None:
            return ctx
        if not _DEFAULT:
            file_access = FileAccess()
            params = ExecutionParameters(
                file_access=file_access, execution_date=datetime.datetime.now(datetime.timezone.utc)
            )
            _DEFAULT.append(FlyteContext(file_access, ExecutionState(None, params)))
        return _DEFAULT[0]

    @staticmethod
    @contextlib.contextmanager
    def with_context(ctx: FlyteContext) -> Iterator[FlyteContext]:
        token = _CURRENT.set(ctx)
        try:
            yield ctx
        finally:
            _CURRENT.reset(token)

    @staticmethod
    def push(ctx: FlyteContext) -> contextvars.Token[FlyteContext | None]:
        return _CURRENT.set(ctx)

    @staticmethod
    def pop(token: contextvars.Token[FlyteContext | None]) -> None:
        _CURRENT.reset(token)


def current_context() -> ExecutionParameters:
    """The running task's :class:`ExecutionParameters` (working directory, secrets, ids, logging)."""
    return FlyteContextManager.current_context().user_space_params


class NodeCompiler(Protocol):
    """What compiles a workflow body: each call of a task, workflow or launch plan becomes a node.

    The workflows layer implements it and sets it (:func:`compiling`) while a body runs; ``Task.__call__``
    and ``Task.compile`` hand their arguments to :meth:`add_entity` and return what it returns (promises).
    """

    @property
    def nodes(self) -> Sequence[Any]:
        """The nodes made so far, in call order."""
        ...

    @property
    def prefix(self) -> str:
        """What the node ids start with (``""`` in a workflow body)."""
        ...

    def add_entity(self, entity: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> object:
        """Add a node calling ``entity`` with these arguments; return its outputs as promises.

        ``entity`` is a task, a workflow or a launch plan, which this layer does not know: the compiler
        states the type it takes. ``args`` and ``kwargs`` are the call's: any values, or promises."""
        ...


_COMPILER: contextvars.ContextVar[NodeCompiler | None] = contextvars.ContextVar(
    "flyweight_compiler", default=None
)

current_compiler = _COMPILER.get
"""The compiler of the workflow body being compiled in this thread or task, or None (one lookup)."""


@contextlib.contextmanager
def compiling(compiler: NodeCompiler | None) -> Iterator[NodeCompiler | None]:
    """Make ``compiler`` the one calls are dispatched to inside the ``with`` block (None: run calls)."""
    token = _COMPILER.set(compiler)
    try:
        yield compiler
    finally:
        _COMPILER.reset(token)


class WorkflowRunner(Protocol):
    """What runs a workflow called outside a workflow body (the local engine, with its switches)."""

    def __call__(self, workflow: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Run ``workflow`` with these call arguments; return its outputs as Python values."""
        ...


_RUNNER: contextvars.ContextVar[WorkflowRunner | None] = contextvars.ContextVar(
    "flyweight_workflow_runner", default=None
)

# The engine sits above this layer (flyweight._runtime); it is found by name, only when a workflow is called.
_DEFAULT_RUNNER = ("flyweight._runtime", "call_workflow")


def workflow_runner() -> WorkflowRunner:
    """The runner set with :func:`running_workflows_with`, else the local engine's default (in-process)."""
    runner = _RUNNER.get()
    if runner is not None:
        return runner
    module, name = _DEFAULT_RUNNER
    found: WorkflowRunner = getattr(importlib.import_module(module), name)
    return found


@contextlib.contextmanager
def running_workflows_with(runner: WorkflowRunner | None) -> Iterator[WorkflowRunner | None]:
    """Make ``runner`` run the workflows called inside the ``with`` block (None: the default runner)."""
    token = _RUNNER.set(runner)
    try:
        yield runner
    finally:
        _RUNNER.reset(token)
