"""One attempt of one task node: in this process, or through ``flyweight-execute`` in a subprocess.

In-process, the task's own local path runs (``sandbox_execute``: literals in, a fresh working directory,
checked literals out). In a subprocess, the task is serialized — the same bytes a container receives —
and the template's container arguments are run with Flyte's placeholders filled in against a local blob
directory; the attempt's result is read back from ``outputs.pb`` or ``error.pb``, so a local run proves
that the template carries everything the task needs. Either way a failure becomes an
:class:`AttemptFailure` saying whether a retry may help (Flyte's RECOVERABLE kind).
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, TYPE_CHECKING

from flyweight import _failure, _idl
from flyweight._context import FlyteContext
from flyweight._runtime._entities import RunnableTask
from flyweight._runtime._interrupt import shielded
from flyweight._serialize._container import primary_container
from flyweight._settings import placeholder_settings
from flyweight._tasks._map_element import INDEX_VAR_NAME, PROPELLER_INDEX_VAR
from flyweight.errors import IgnoreOutputs, NotSupportedError, TaskExecutionError

if TYPE_CHECKING:
    from flyweight._runtime._image_env import ImageEnvironments

__all__ = [
    "AttemptCancelled",
    "AttemptFailed",
    "AttemptFailure",
    "Subprocesses",
    "run_in_process",
    "run_in_subprocess",
]

USER = _failure.USER
SYSTEM = _failure.SYSTEM

_PLACEHOLDER = re.compile(r"\{\{\s*[.$](\w+)\s*\}\}")
_ENTRYPOINTS = frozenset({"flyweight-execute", "pyflyte-execute", "pyflyte-map-execute"})
_RUN_ENTRYPOINT = "import sys; from flyweight._entrypoint import main; sys.exit(main())"
_STDERR_TAIL = 2000
PARENT_FD_ENV = "FLYWEIGHT_PARENT_FD"  # read by flyweight-execute: the read end of the driver's pipe
STOP_GRACE = 5.0  # seconds between SIGTERM to a subprocess's group and SIGKILL
_REAP_WITHIN = 10.0  # seconds to wait for a killed subprocess to be reaped


@dataclasses.dataclass
class AttemptFailure:
    """Why an attempt failed, as Flyte's ``ErrorDocument`` would say it (:mod:`flyweight._failure`)."""

    message: str
    recoverable: bool
    origin: str = USER
    cause: BaseException | None = None
    timed_out: bool = False
    code: str = ""
    """The error code (``"USER:RuntimeError"``, ``"SYSTEM"``…); empty means the origin's default."""

    @classmethod
    def of(cls, how: _failure.Failure, message: str, cause: BaseException | None = None) -> AttemptFailure:
        return cls(message, how.recoverable, how.origin, cause, code=how.code)

    @property
    def classification(self) -> _failure.Failure:
        """The failure as the error contract states it: origin, kind and code."""
        default = _failure.USER_RUNTIME_ERROR if self.origin == USER else SYSTEM
        return _failure.Failure(self.origin, self.recoverable, self.code or default)


class AttemptFailed(Exception):
    """Raised by an attempt that failed; carries the :class:`AttemptFailure`."""

    def __init__(self, failure: AttemptFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def failure_of(exc: BaseException) -> AttemptFailure:
    """How an exception raised in this process is reported: the one error contract of
    :mod:`flyweight._failure`, as ``flyweight-execute`` writes it into ``error.pb``."""
    exc = _failure.normalize(exc)
    how, message = _failure.failure_of(exc)
    return AttemptFailure.of(how, message, exc)


def _ignored(task: RunnableTask, cause: BaseException | None) -> _idl.LiteralMap:
    """The result of an attempt that ignored its outputs (``IgnoreOutputs``): the same on every path."""
    error = _failure.ignored_outputs(f"task {task.name!r}", list(task.python_interface.outputs))
    if error is None:
        return _idl.LiteralMap()
    error.__cause__ = cause
    raise AttemptFailed(failure_of(error))


def run_in_process(task: RunnableTask, inputs: _idl.LiteralMap, ctx: FlyteContext) -> _idl.LiteralMap:
    """The task's local path with these input literals; a failure raises :class:`AttemptFailed`.

    ``KeyboardInterrupt`` is not a failure of the task here: in this process it is the user pressing
    Ctrl-C, and it stops the run.
    """
    out: object  # a task type's own sandbox_execute may return anything: checked below
    try:
        out = task.sandbox_execute(ctx, inputs)
    except IgnoreOutputs as e:  # a task whose sandbox_execute does not honour it itself
        return _ignored(task, e)
    except (KeyboardInterrupt, _failure.Interrupted):
        raise
    except BaseException as e:
        raise AttemptFailed(failure_of(e)) from e
    if not isinstance(out, _idl.LiteralMap):
        raise AttemptFailed(
            AttemptFailure(
                f"task {task.name!r} returned {type(out).__name__}, not a LiteralMap", False, SYSTEM
            )
        )
    return out


def container_args(task: RunnableTask) -> tuple[_idl.TaskTemplate, list[str]]:
    """The task's template (placeholder settings, as local calls use) and its container arguments.

    Raises:
        NotSupportedError: the template has no container, or its program is not ``flyweight-execute``
            / ``pyflyte-execute`` (running other images needs a container runtime, not supported yet).
    """
    template = task.serialize_to_model(placeholder_settings())
    args, _ = _primary_container(template)
    if not args or os.path.basename(args[0]) not in _ENTRYPOINTS:
        program = args[0] if args else "no container"
        raise NotSupportedError(
            f"task {task.name!r}: the local engine runs templates whose container runs flyweight-execute "
            f"(or pyflyte-execute); this one has {program!r}. Running other images locally is not supported "
            "yet; run it in-process (in_process=True) or on Flyte"
        )
    return template, args


def _primary_container(template: _idl.TaskTemplate) -> tuple[list[str], dict[str, str]]:
    """The arguments and environment of the container that runs the task: the template's ``container``, or
    with a pod template (``k8s_pod``) the pod's primary container (named by ``k8s_pod.primary_container_name``
    or ``config["primary_container_name"]``); nothing when there is neither."""
    if template.HasField("container"):
        return list(template.container.args), {kv.key: kv.value for kv in template.container.env}
    if not template.HasField("k8s_pod"):
        return [], {}
    pod = template.k8s_pod
    fields = primary_container(
        pod, pod.primary_container_name or template.config.get("primary_container_name", "")
    )
    if fields is None:
        return [], {}
    args = [v.string_value for v in fields["args"].list_value.values] if "args" in fields else []
    env: dict[str, str] = {}
    for e in fields["env"].list_value.values if "env" in fields else []:
        var = e.struct_value.fields
        if "name" in var and "value" in var:  # valueFrom (secrets, field refs) needs a cluster
            env[var["name"].string_value] = var["value"].string_value
    return args, env


def _fill(args: list[str], values: dict[str, str]) -> list[str]:
    def sub(m: re.Match[str]) -> str:
        return values.get(m.group(1).lower(), m.group(0))

    return [_PLACEHOLDER.sub(sub, a) for a in args]


def _environment(template: _idl.TaskTemplate, run_name: str, task_name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_INTERNAL_", "_F_"))}
    env.pop("FLYTE_FAIL_ON_ERROR", None)
    env.pop(PARENT_FD_ENV, None)  # this process's own driver pipe (a run inside a task); start() sets ours
    env.update(_primary_container(template)[1])
    # The subprocess imports what this process can import (the caller's sys.path, working directory first).
    paths = [os.getcwd(), *(p for p in sys.path if p and os.path.isdir(p))]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env.update(
        {
            "FLYTE_INTERNAL_EXECUTION_PROJECT": "local",
            "FLYTE_INTERNAL_EXECUTION_DOMAIN": "local",
            "FLYTE_INTERNAL_EXECUTION_ID": run_name,
            "FLYTE_INTERNAL_TASK_PROJECT": "local",
            "FLYTE_INTERNAL_TASK_DOMAIN": "local",
            "FLYTE_INTERNAL_TASK_NAME": task_name,
            "FLYTE_INTERNAL_TASK_VERSION": "local",
        }
    )
    return env


def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, sig)
        elif proc.returncode is None:  # pragma: no cover - Windows: no process groups
            proc.kill()
    except (ProcessLookupError, PermissionError):  # the group is gone (or already another's)
        pass


def _exited(proc: subprocess.Popen[bytes]) -> bool:
    """Whether the subprocess has exited; it is left unreaped when possible, so its process group id cannot
    be given to another process before the group has been killed."""
    if proc.returncode is not None:
        return True
    waitid = getattr(os, "waitid", None)
    if waitid is None:  # pragma: no cover - macOS, Windows
        return proc.poll() is not None
    try:
        return waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:  # reaped meanwhile by the thread waiting for it
        return True


def _end(*procs: subprocess.Popen[bytes]) -> None:
    """End subprocesses and everything they started (each leads its own process group), all at once.

    SIGTERM to each group first, so ``flyweight-execute`` can write its ``error.pb`` and stop what the
    task started; SIGKILL to each group after at most :data:`STOP_GRACE` seconds; then each is reaped,
    waiting at most ``_REAP_WITHIN`` seconds (a process stuck in the kernel cannot be waited for longer).
    """
    for proc in procs:
        _signal_group(proc, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    for proc in procs:
        while not _exited(proc) and time.monotonic() < deadline:
            time.sleep(0.02)
    for proc in procs:
        _signal_group(proc, getattr(signal, "SIGKILL", signal.SIGTERM))
        try:
            proc.wait(timeout=_REAP_WITHIN)
        except subprocess.TimeoutExpired:
            pass


class AttemptCancelled(Exception):
    """The attempt did not start, or was ended, because the run is stopping (an interrupt): not a failure
    of the task."""


class Subprocesses:
    """The subprocesses of one run that are still going, so a run that stops can end them all.

    Each starts in a session of its own (a terminal's Ctrl-C reaches only the driver, which decides) and
    gets the read end of a pipe whose write end this process holds until the attempt has ended: its
    number is in ``FLYWEIGHT_PARENT_FD``, and ``flyweight-execute`` takes end-of-file on it for the death
    of the driver (even by SIGKILL), and stops too.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[subprocess.Popen[bytes], int | None] = {}  # → the write end of its pipe
        self._stopped = False

    @property
    def stopped(self) -> bool:
        """Whether :meth:`end_all` was called: the run is stopping."""
        return self._stopped

    def start(
        self, command: list[str], env: dict[str, str], out: IO[bytes], err: IO[bytes]
    ) -> subprocess.Popen[bytes]:
        """Start ``command``; raises :class:`AttemptCancelled` once the run is stopping."""
        # Shielded: an interrupt must not come between the start and the record, or nothing would end it.
        with shielded(), self._lock:
            if self._stopped:
                raise AttemptCancelled("the run is stopping")
            if os.name != "posix":  # pragma: no cover - no fds to pass: the subprocess cannot watch us
                proc = subprocess.Popen(command, stdout=out, stderr=err, env=env, start_new_session=True)
                self._running[proc] = None
                return proc
            read, write = os.pipe()  # not inheritable: only this subprocess gets `read`, none gets `write`
            try:
                proc = subprocess.Popen(
                    command,
                    stdout=out,
                    stderr=err,
                    env={**env, PARENT_FD_ENV: str(read)},
                    start_new_session=True,
                    pass_fds=(read,),
                )
            except BaseException:
                os.close(write)
                raise
            finally:
                os.close(read)
            self._running[proc] = write
            return proc

    def done(self, proc: subprocess.Popen[bytes]) -> None:
        """The attempt has ended: forget it and close the write end of its pipe."""
        with self._lock:
            write = self._running.pop(proc, None)
        if write is not None:
            os.close(write)

    def end_all(self) -> None:
        """End every running subprocess (see :func:`_end`) and refuse to start new ones."""
        with self._lock:
            self._stopped = True
            running = list(self._running)
        _end(*running)
        for proc in running:
            self.done(proc)


def _tail(path: Path) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return text[-_STDERR_TAIL:]


def run_in_subprocess(  # noqa: PLR0917
    task: RunnableTask,
    inputs: _idl.LiteralMap,
    node_dir: Path,
    attempt: int,
    timeout: float | None,
    run_name: str,
    subprocesses: Subprocesses,
    array_index: int | None = None,
    images: ImageEnvironments | None = None,
) -> _idl.LiteralMap:
    """Run one attempt through ``flyweight-execute`` under ``node_dir/<attempt>/``.

    The directory keeps ``inputs.pb``, ``outputs.pb`` or ``error.pb``, the raw output data, ``stdout`` and
    ``stderr``; ``node_dir/template.pb`` is the serialized template. A run longer than ``timeout`` seconds
    is ended (with what it started) and reported as a recoverable timeout. Once the run is stopping (its
    subprocesses ended by :meth:`Subprocesses.end_all`), the attempt raises :class:`AttemptCancelled`.

    With ``array_index``, ``task`` is a map task and the attempt is one element of its ``ArrayNode``, run
    as Flyte's propeller runs it: under ``node_dir/<index>/<attempt>/``, with the whole ``inputs.pb``
    (``node_dir/inputs.pb``), the template with its outputs typed as elements, and the index in
    ``FLYTE_K8S_ARRAY_INDEX`` (named by ``BATCH_JOB_ARRAY_INDEX_VAR_NAME``). ADR 0018.

    With ``images``, the attempt runs in the task's image environment (``in_image``): its interpreter, and
    only the user's code on its path; an environment that cannot be made fails the attempt for good.
    """
    interpreter = None
    if images is not None:
        try:
            interpreter = images.for_task(task)
        except (NotSupportedError, TaskExecutionError) as e:
            raise AttemptFailed(AttemptFailure(str(e), recoverable=False, origin=USER)) from None
    template, args = container_args(task)
    base = node_dir if array_index is None else node_dir / str(array_index)
    attempt_dir = base / str(attempt)
    attempt_dir.mkdir(parents=True, exist_ok=True)
    _clear_results(attempt_dir)  # a blob directory given again keeps an earlier run's files here
    template_path = node_dir / "template.pb"
    if array_index is None:
        template_path.write_bytes(template.SerializeToString())
        inputs_path = attempt_dir / "inputs.pb"
        inputs_path.write_bytes(inputs.SerializeToString(deterministic=True))
    else:  # elements run at once in several threads: each writes whole files, none reads a partial one
        _write_atomically(template_path, _element_outputs(template).SerializeToString())
        inputs_path = node_dir / "inputs.pb"
        _write_atomically(inputs_path, inputs.SerializeToString(deterministic=True))
    previous = base / str(attempt - 1) / "checkpoint"
    filled = _fill(
        args,
        {
            "input": str(inputs_path),
            "inputprefix": str(attempt_dir),
            "outputprefix": str(attempt_dir),
            "rawoutputdataprefix": str(attempt_dir / "raw"),
            "checkpointoutputprefix": str(attempt_dir / "checkpoint"),
            "prevcheckpointprefix": str(previous) if previous.exists() else '""',
            "tasktemplatepath": str(template_path),
        },
    )
    env = _environment(template, run_name, task.name)
    if array_index is not None:
        env.update({INDEX_VAR_NAME: PROPELLER_INDEX_VAR, PROPELLER_INDEX_VAR: str(array_index)})
    if interpreter is None:
        command = [sys.executable, "-c", _RUN_ENTRYPOINT, *filled[1:]]
    else:
        env["PYTHONPATH"] = os.pathsep.join(interpreter.pythonpath)  # the user's code, not this environment
        command = interpreter.command(filled, env, [node_dir], _RUN_ENTRYPOINT)
    stderr_path = attempt_dir / "stderr"
    with open(attempt_dir / "stdout", "wb") as out, open(stderr_path, "wb") as err:
        proc = subprocesses.start(command, env, out, err)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end(proc)
            raise AttemptFailed(
                AttemptFailure(
                    f"task {task.name!r} timed out after {timeout:g}s and was ended",
                    recoverable=True,
                    origin=USER,
                    timed_out=True,
                )
            ) from None
        except BaseException:  # an interrupt in this thread: the run stops, all of its subprocesses at once
            subprocesses.end_all()
            raise
        finally:
            subprocesses.done(proc)
    if subprocesses.stopped:  # ended by end_all(): what it left says nothing about the task
        raise AttemptCancelled(f"task {task.name!r} was ended: the run is stopping")
    return _result(task, attempt_dir, code, stderr_path)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` through a file of this thread's own, renamed over it."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _element_outputs(template: _idl.TaskTemplate) -> _idl.TaskTemplate:
    """The template an ``ArrayNode``'s element reads: each list-typed output typed as its element, as
    propeller's ``arrayTaskReader`` gives it (inputs stay lists)."""
    out = _idl.TaskTemplate()
    out.CopyFrom(template)
    for var in out.interface.outputs.variables.values():
        if var.type.HasField("collection_type"):
            element = _idl.LiteralType()
            element.CopyFrom(var.type.collection_type)
            var.type.CopyFrom(element)
    return out


def _clear_results(attempt_dir: Path) -> None:
    """Remove what an earlier run left in ``attempt_dir`` that this attempt would read as its own."""
    for stale in [attempt_dir / "outputs.pb", *attempt_dir.glob("error*.pb")]:
        stale.unlink(missing_ok=True)
    shutil.rmtree(attempt_dir / "checkpoint", ignore_errors=True)


def _result(task: RunnableTask, attempt_dir: Path, code: int, stderr_path: Path) -> _idl.LiteralMap:
    outputs = attempt_dir / "outputs.pb"
    if outputs.exists():
        return _idl.LiteralMap.FromString(outputs.read_bytes())
    errors = sorted(attempt_dir.glob("error*.pb"))
    if errors:
        how, message = _failure.from_error_document(_idl.ErrorDocument.FromString(errors[0].read_bytes()))
        raise AttemptFailed(AttemptFailure.of(how, message))
    if code == 0:  # neither file and a clean exit: the attempt ignored its outputs (IgnoreOutputs)
        return _ignored(task, None)
    raise AttemptFailed(
        AttemptFailure(
            f"flyweight-execute exited with status {code} and wrote neither outputs.pb nor error.pb "
            f"under {attempt_dir}; its stderr ends with:\n{_tail(stderr_path)}",
            recoverable=False,
            origin=SYSTEM,
        )
    )
