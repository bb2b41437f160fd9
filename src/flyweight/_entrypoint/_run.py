"""One task attempt: load the task, read its inputs, run it, write ``outputs.pb`` or ``error.pb``.

Everything from loading the resolver to writing ``outputs.pb`` happens inside one capturing block,
so any failure — a resolver that cannot be imported included — ends in an error document rather than
a bare traceback. ``outputs.pb`` is serialized completely before anything is written and is written
atomically, so Flyte never reads a partial file; if writing it fails, ``error.pb`` is written
instead. Every path (template, inputs, output and raw data prefixes) may be local, ``file://`` or
remote (``s3://``, ``gs://``…): all reads and writes go through one ``FileAccess``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from flyweight import _idl
from flyweight._context import (
    CheckpointPaths,
    ExecutionId,
    ExecutionParameters,
    ExecutionState,
    FlyteContext,
    FlyteContextManager,
    LazyDirectory,
    TaskId,
)
from flyweight._entrypoint._argv import Arguments
from flyweight._entrypoint._errors import error_file_name
from flyweight._entrypoint._signals import StopGuard
from flyweight._failure import Failure, classify, describe, error_document, normalize, safe_str
from flyweight._settings._image_spec import RUNTIME_PACKAGES_ENV_VAR
from flyweight._storage import FileAccess

if TYPE_CHECKING:
    from flyweight._settings import SerializationSettings
from flyweight.errors import FlyweightError, PlatformError, TaskLoadError, TemplateError, mark_user_code

__all__ = [
    "ExecutableTask",
    "ExecutionId",
    "Reporter",
    "TaskId",
    "TaskResolver",
    "join_uri",
    "load_resolver",
    "run",
    "say",
    "write_error",
]

OUTPUTS_FILE = "outputs.pb"
FUTURES_FILE = "futures.pb"  # a dynamic task's DynamicJobSpec: the graph Flyte runs next (ADR 0019)

# Both name the template resolver: flyweight's public location and flytekit's (templates made with
# flytekit run unchanged). They are mapped here rather than imported, which is also faster.
TEMPLATE_RESOLVER_ALIASES = frozenset(
    {
        "flyweight.extend.default_task_template_resolver",
        "flytekit.core.python_customized_container_task.default_task_template_resolver",
    }
)

# The same for the resolver of function tasks (module and name as loader arguments).
FUNCTION_RESOLVER_ALIASES = frozenset(
    {
        "flyweight.extend.default_task_resolver",
        "flytekit.core.python_auto_container.default_task_resolver",
    }
)

# The map task resolver (flytekit's class path too: flytekit instantiates it), and flytekit's legacy one.
MAP_RESOLVER_ALIASES = frozenset(
    {"flyweight.extend.map_task_resolver", "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver"}
)
LEGACY_MAP_RESOLVER = "flytekit.core.legacy_map_task.MapTaskResolver"

_TRUE = frozenset({"true", "t", "1"})


def _env(environ: Mapping[str, str], *names: str) -> str:
    for name in names:
        if name in environ:
            return environ[name]
    return ""


def execution_ids(environ: Mapping[str, str]) -> tuple[ExecutionId, TaskId]:
    """The execution and task ids from Flyte's environment variables (long name first, then short)."""
    execution = ExecutionId(
        project=_env(environ, "FLYTE_INTERNAL_EXECUTION_PROJECT", "_F_PRJ"),
        domain=_env(environ, "FLYTE_INTERNAL_EXECUTION_DOMAIN", "_F_DM"),
        name=_env(environ, "FLYTE_INTERNAL_EXECUTION_ID", "_F_NM"),
    )
    task = TaskId(
        project=_env(environ, "FLYTE_INTERNAL_TASK_PROJECT", "_F_TK_PRJ"),
        domain=_env(environ, "FLYTE_INTERNAL_TASK_DOMAIN", "_F_TK_DM"),
        name=_env(environ, "FLYTE_INTERNAL_TASK_NAME", "_F_TK_NM"),
        version=_env(environ, "FLYTE_INTERNAL_TASK_VERSION", "_F_TK_V"),
    )
    return execution, task


def _checkpoint_paths(args: Arguments) -> CheckpointPaths | None:
    """The checkpoint's locations, as pyflyte-execute takes them: none without ``--checkpoint-path``
    (``current_context().checkpoint`` then raises, as flytekit's); the module is imported on first use."""
    dest, src = args.checkpoint_path, args.prev_checkpoint
    if dest is None:
        return None

    def paths() -> tuple[str, str | None]:
        return dest, src

    return paths


def join_uri(prefix: str, name: str) -> str:
    """``prefix`` and a file name joined by exactly one ``/`` (prefixes may be URIs)."""
    return prefix + name if prefix.endswith("/") else f"{prefix}/{name}"


def fail_on_error(environ: Mapping[str, str]) -> bool:
    """Whether ``FLYTE_FAIL_ON_ERROR`` asks for exit status 1 after an error document."""
    return environ.get("FLYTE_FAIL_ON_ERROR", "").strip().lower() in _TRUE


def _ensure_cwd_importable() -> None:
    # Console scripts do not put the working directory on sys.path; executors often live there.
    cwd = os.getcwd()
    real = os.path.realpath(cwd)
    if not any(os.path.realpath(entry or os.curdir) == real for entry in sys.path):
        sys.path.append(cwd)


# What an attempt needs from the objects it loads by name. Both come from a dotted path on the command line
# and user code, so they are checked (isinstance) when loaded. They live here, not in a module of their
# own, because every module an attempt imports counts against its start-up budget.


@runtime_checkable
class TaskResolver(Protocol):
    """Loads the task of an attempt from the loader arguments written in its template."""

    def load_task(self, loader_args: list[str]) -> object:
        """The task ``loader_args`` name (checked to be an :class:`ExecutableTask` by the caller)."""
        ...


@runtime_checkable
class ExecutableTask(Protocol):
    """A task as an attempt runs it: input literals in, output literals out."""

    def dispatch_execute(
        self, ctx: FlyteContext | None, input_literal_map: _idl.LiteralMap
    ) -> _idl.LiteralMap: ...


@runtime_checkable
class DynamicExecutableTask(Protocol):
    """A dynamic task: its body builds a graph, serialized with the registration's settings."""

    def dynamic_execute(
        self, ctx: FlyteContext | None, input_literal_map: _idl.LiteralMap, settings: SerializationSettings
    ) -> _idl.DynamicJobSpec | _idl.LiteralMap: ...


def _is_flyweight_object(obj: object) -> bool:
    module = type(obj).__module__
    return module == "flyweight" or module.startswith("flyweight.")


def load_resolver(path: str) -> TaskResolver:
    """The resolver object at ``path`` (a dotted path; flytekit's two default resolvers are aliases).

    Raises:
        TaskLoadError: nothing importable is there, or it has no ``load_task``.
    """
    from flyweight import _tasks as tasks

    if path in TEMPLATE_RESOLVER_ALIASES:
        return tasks.default_task_template_resolver
    if path in FUNCTION_RESOLVER_ALIASES:
        return tasks.default_task_resolver
    if path in MAP_RESOLVER_ALIASES:
        from flyweight._tasks._map_element import map_task_resolver

        return map_task_resolver
    if path == LEGACY_MAP_RESOLVER:
        raise TaskLoadError(
            f"--resolver {path}: this template is flytekit's legacy map task, which Flyte runs with its "
            "container_array plugin; flyweight runs map tasks as ArrayNodes (flytekit's map_task since "
            "1.12): register the workflow again with map_task"
        )
    try:
        resolver = tasks.load_object_from_module(path)
    except TaskLoadError as e:
        raise TaskLoadError(f"--resolver: {e}") from e
    if not isinstance(resolver, TaskResolver) or not callable(resolver.load_task):
        raise TaskLoadError(
            f"--resolver {path!r} is of type {type(resolver).__name__}, not a task resolver "
            "(an object with load_task(loader_args))"
        )
    return resolver


def _load_task(args: Arguments) -> ExecutableTask:
    resolver = load_resolver(args.resolver)
    try:
        task = resolver.load_task(list(args.loader_args))
    except FlyweightError:
        raise
    except BaseException as e:
        # A resolver of the user's own (not flyweight's) is user code.
        if not _is_flyweight_object(resolver):
            mark_user_code(e)
        raise
    if not isinstance(task, ExecutableTask) or not callable(task.dispatch_execute):
        raise TaskLoadError(
            f"the resolver {args.resolver} returned a value of type {type(task).__name__} for "
            f"{list(args.loader_args)}, not a task (an object with dispatch_execute(ctx, inputs))"
        )
    return task


def _read_inputs(file_access: FileAccess, uri: str) -> _idl.LiteralMap:
    from google.protobuf.message import DecodeError

    data = file_access.read_bytes(uri)
    try:
        return _idl.LiteralMap.FromString(data)
    except DecodeError as e:
        raise TemplateError(f"the inputs file {uri!r} is not a serialized flyteidl LiteralMap: {e}") from e


def _outputs(ctx: FlyteContext, args: Arguments, environ: Mapping[str, str]) -> tuple[str, bytes]:
    """The file the attempt writes and its bytes: ``outputs.pb``, or ``futures.pb`` for a dynamic task
    whose body built a graph (nothing is written here)."""
    task = _load_task(args)
    inputs = _read_inputs(ctx.file_access, args.inputs)
    out: object
    if isinstance(task, DynamicExecutableTask):
        from flyweight._workflows._dynamic_spec import runtime_settings

        out = task.dynamic_execute(ctx, inputs, runtime_settings(environ))
        if isinstance(out, _idl.DynamicJobSpec):
            return FUTURES_FILE, out.SerializeToString(deterministic=True)
    else:
        out = task.dispatch_execute(ctx, inputs)  # a task type's own may return anything
    if not isinstance(out, _idl.LiteralMap):
        raise PlatformError(
            f"task {getattr(task, 'name', '?')!r} returned a value of type {type(out).__name__} from "
            "dispatch_execute, not a LiteralMap, so there is nothing to write as outputs.pb"
        )
    return OUTPUTS_FILE, out.SerializeToString(deterministic=True)


def say(text: str) -> None:
    """Write a line of diagnostics to stderr, whatever task code did to it (closed it, or a broken pipe)."""
    data = text if text.endswith("\n") else text + "\n"
    for stream in (sys.stderr, sys.__stderr__):
        try:
            if stream is not None and not stream.closed:
                stream.write(data)
                stream.flush()
                return
        except Exception:
            continue
    with contextlib.suppress(OSError):
        os.write(2, data.encode("utf-8", "backslashreplace"))


def write_error(
    file_access: FileAccess, output_prefix: str, message: str, how: Failure, environ: Mapping[str, str]
) -> bool:
    """Write the error document under ``output_prefix``; False (reason on stderr) if that failed."""
    name, worker = error_file_name(environ)
    try:
        data = error_document(message, how, worker).SerializeToString()
        file_access.write_bytes(join_uri(output_prefix, name), data)
    except Exception as e:
        say(f"flyweight-execute: could not write {name} under {output_prefix!r}: {safe_str(e)}")
        return False
    return True


class Reporter:
    """Writes the attempt's one result, ``outputs.pb`` (``futures.pb``) or ``error.pb``, exactly once.

    The main thread and the stop guard's deadline thread may both try; a lock makes the first one win,
    and the exit status it chose is what the process ends with.
    """

    def __init__(self, file_access: FileAccess, output_prefix: str, environ: Mapping[str, str]) -> None:
        self._file_access = file_access
        self._prefix = output_prefix
        self._env = environ
        self._lock = threading.RLock()
        self.status: int | None = None

    def outputs(self, payload: bytes, name: str = OUTPUTS_FILE) -> int:
        """Write ``outputs.pb`` (or ``name``: ``futures.pb``); if that fails, the error document instead."""
        with self._lock:
            if self.status is not None:
                return self.status
            try:
                self._file_access.write_bytes(join_uri(self._prefix, name), payload)
            except BaseException as e:
                return self.failure(e)
            self.status = 0
            return 0

    def failure(self, exc: BaseException) -> int:
        """Report ``exc`` by the error contract; returns the exit status."""
        exc = normalize(exc)
        how = classify(exc)
        with self._lock:
            if self.status is not None:
                return self.status
            if how is None:  # IgnoreOutputs: this attempt's outputs are not wanted
                self.status = 0
                return 0
            message = describe(exc)
            say(f"flyweight-execute: {how.origin} error ({how.kind.lower()}, code {how.code})\n{message}")
            written = write_error(self._file_access, self._prefix, message, how, self._env)
            self.status = 1 if not written or fail_on_error(self._env) else 0
            return self.status


# ``deck.html`` goes where Flyte's console looks for it, under the output metadata prefix, as flytekit writes
# it. A page published while the task runs (``Deck.publish()``) is written at once; the final page waits
# until ``outputs.pb`` or ``error.pb`` is written, so a slow or failing store can delay or lose the page,
# never the outcome. A page that cannot be written is reported on stderr; the exit status stays.
class ContainerDeck:
    """The deck sink of one attempt (``flyweight._deck.deliver_to``); see the comment above."""

    def __init__(self, file_access: FileAccess, output_prefix: str, say: Callable[[str], None]) -> None:
        self._file_access = file_access
        self._say = say
        sep = "" if output_prefix.endswith("/") else "/"
        self.uri = f"{output_prefix}{sep}deck.html"  # flytekit's DECK_FILE_NAME
        self._final: str | None = None

    def __call__(self, task_name: str, html: str, final: bool) -> None:
        if final:
            self._final = html
        else:
            self._write(html)

    def flush(self) -> None:
        """Write the final page, if the task made one (after the attempt's outcome is written)."""
        html, self._final = self._final, None
        if html is not None:
            self._write(html)

    def _write(self, html: str) -> None:
        try:
            self._file_access.write_bytes(self.uri, html.encode("utf-8"))
        except Exception as e:
            self._say(f"flyweight-execute: the deck page could not be written to {self.uri!r}: {safe_str(e)}")


def run(args: Arguments, environ: Mapping[str, str] | None = None) -> int:
    """Run the attempt described by ``args``; returns the process exit status.

    Whatever happens — an exception of any kind from task code, a signal, a write that fails — the
    attempt ends with ``outputs.pb`` or ``error.pb`` (nothing only for ``IgnoreOutputs``).
    """
    env = os.environ if environ is None else environ
    _ensure_cwd_importable()
    file_access = FileAccess(raw_output_prefix=args.raw_output_data_prefix)
    reporter = Reporter(file_access, args.output_prefix, env)
    execution_id, task_id = execution_ids(env)
    working_dir = LazyDirectory()
    params = ExecutionParameters(
        working_dir=working_dir,
        raw_output_prefix=args.raw_output_data_prefix,
        output_metadata_prefix=args.output_prefix,
        execution_id=execution_id,
        task_id=task_id,
        checkpoint_paths=_checkpoint_paths(args),
        local=False,
        file_access=file_access,
    )
    deck = ContainerDeck(file_access, args.output_prefix, say)
    params = params.sending_decks_to(deck)
    ctx = FlyteContext(file_access, ExecutionState.of(ExecutionState.CONTAINER, params))
    with StopGuard(reporter.failure, env) as guard:
        failure: BaseException | None = None
        try:
            with FlyteContextManager.with_context(ctx):
                with guard.task_running():
                    if RUNTIME_PACKAGES_ENV_VAR in env:  # ImageSpec.runtime_packages: pip, first
                        from flyweight._entrypoint._runtime_packages import install_runtime_packages

                        install_runtime_packages(env)
                    name, payload = _outputs(ctx, args, env)
                status = reporter.outputs(payload, name)
        except BaseException as e:
            failure = e
        finally:
            with contextlib.suppress(Exception):
                working_dir.cleanup()
        if failure is None:
            deck.flush()
            return status
        if guard.stopped is not None:
            guard.end_children()
        status = reporter.failure(failure)
        deck.flush()
        return status
