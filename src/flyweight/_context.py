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
import datetime
import importlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any, Literal, Protocol, overload

from flyweight._storage import FileAccess
from flyweight.errors import SecretNotFoundError

__all__ = [
    "ExecutionParameters",
    "ExecutionState",
    "FlyteContext",
    "FlyteContextManager",
    "LazyDirectory",
    "NodeCompiler",
    "SecretGroup",
    "SecretsManager",
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


class SecretsManager:
    """Finds secrets as Flyte mounts them: an environment variable ``_FSEC_<GROUP>_<KEY>`` (upper case),
    else the file ``/etc/secrets/<group>/<key>`` (lower case). Local runs also accept the variable
    without the prefix. The prefix and directory follow flytekit's ``FLYTE_SECRETS_ENV_PREFIX``,
    ``FLYTE_SECRETS_DEFAULT_DIR`` and ``FLYTE_SECRETS_FILE_PREFIX``.

    Example:
        >>> import os
        >>> os.environ["_FSEC_DB_PASSWORD"] = "s3cret"
        >>> SecretsManager().get("db", "password")
        's3cret'
    """

    def __init__(self, local: bool = False) -> None:
        self._local = local
        self._env_prefix = os.environ.get("FLYTE_SECRETS_ENV_PREFIX", "_FSEC_").strip()
        self._dir = os.environ.get("FLYTE_SECRETS_DEFAULT_DIR", "/etc/secrets").strip()
        self._file_prefix = os.environ.get("FLYTE_SECRETS_FILE_PREFIX", "").strip()

    def env_var(self, group: str | None, key: str | None = None, group_version: str | None = None) -> str:
        return self._env_prefix + "_".join(p.upper() for p in (group, group_version, key) if p)

    def file_path(self, group: str | None, key: str | None = None, group_version: str | None = None) -> str:
        parts = [p.lower() for p in (group, group_version) if p]
        return os.path.join(self._dir, *parts, f"{self._file_prefix}{(key or '').lower()}")

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
        """The secret's value (stripped); ``encode_mode="rb"`` reads a file secret as bytes (a secret in
        the environment is a str either way)."""
        names = [self.env_var(group, key, group_version)]
        if self._local:
            names.append("_".join(p.upper() for p in (group, group_version, key) if p))
        for name in names:
            value = os.environ.get(name)
            if value is not None:
                return value.strip()
        path = self.file_path(group, key, group_version)
        if os.path.exists(path):
            with open(path, encode_mode) as f:
                content: str | bytes = f.read()
                return content.strip()
        raise SecretNotFoundError(
            f"secret group={group!r} key={key!r} not found: looked for the environment variable "
            f"{names[0]} and the file {path}; request it with secret_requests=[Secret(group=..., key=...)]"
        )

    def __getattr__(self, group: str) -> SecretGroup:
        """``secrets.<group>.<key>``: the secret ``get(group, key)``."""
        if group.startswith("_"):
            raise AttributeError(group)
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


class ExecutionParameters:
    """What task code sees while it runs (``current_context()``): ids, directories, secrets, logging.

    The working directory is made on first use and removed when a local call ends.
    """

    def __init__(
        self,
        *,
        working_dir: LazyDirectory | None = None,
        raw_output_prefix: str | None = None,
        output_metadata_prefix: str | None = None,
        execution_id: Any = None,
        task_id: Any = None,
        execution_date: datetime.datetime | None = None,
        secrets: SecretsManager | None = None,
        checkpoint: Any = None,
        logging: logging.Logger = user_space_logger,
        local: bool = True,
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
        self.checkpoint = checkpoint
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

    def with_task_sandbox(self) -> ExecutionParameters:
        """A copy whose working directory is a fresh one (made lazily) inside the platform's temp dir."""
        return ExecutionParameters(
            raw_output_prefix=self._raw_output_prefix,
            file_access=self._file_access,
            output_metadata_prefix=self.output_metadata_prefix,
            execution_id=self.execution_id,
            task_id=self.task_id,
            execution_date=self._execution_date,
            secrets=self._secrets,
            checkpoint=self.checkpoint,
            logging=self.logging,
            local=self._local,
        )


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
            _DEFAULT.append(FlyteContext(FileAccess(), ExecutionState(None, ExecutionParameters())))
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
