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
from pathlib import Path
from typing import Any

from flyweight import _idl
from flyweight._context import FlyteContext
from flyweight.errors import NotSupportedError, PlatformError, UserError, raised_by_user_code
from flyweight.settings import placeholder_settings

__all__ = ["AttemptFailed", "AttemptFailure", "Subprocesses", "run_in_process", "run_in_subprocess"]

USER = "USER"
SYSTEM = "SYSTEM"

_PLACEHOLDER = re.compile(r"\{\{\s*[.$](\w+)\s*\}\}")
_ENTRYPOINTS = frozenset({"flyweight-execute", "pyflyte-execute"})
_RUN_ENTRYPOINT = "import sys; from flyweight.entrypoint import main; sys.exit(main())"
_STDERR_TAIL = 2000


@dataclasses.dataclass
class AttemptFailure:
    """Why an attempt failed, as Flyte's ``ErrorDocument`` would say it."""

    message: str
    recoverable: bool
    origin: str = USER
    cause: BaseException | None = None
    timed_out: bool = False


class AttemptFailed(Exception):
    """Raised by an attempt that failed; carries the :class:`AttemptFailure`."""

    def __init__(self, failure: AttemptFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def failure_of(exc: BaseException) -> AttemptFailure:
    """How an exception raised in this process is reported (the rules of ``error.pb``): the user's code
    retried only when the exception says it is recoverable; a platform error as it says; anything else (a
    bug of flyweight) is not retried."""
    origin = USER if raised_by_user_code(exc) else SYSTEM
    recoverable = bool(getattr(exc, "recoverable", False))
    if origin == SYSTEM and not isinstance(exc, PlatformError):
        recoverable = False
    return AttemptFailure(f"{type(exc).__name__}: {exc}", recoverable, origin, exc)


def run_in_process(task: Any, inputs: _idl.LiteralMap, ctx: FlyteContext) -> _idl.LiteralMap:
    """The task's local path with these input literals; a failure raises :class:`AttemptFailed`."""
    try:
        out = task.sandbox_execute(ctx, inputs)
    except Exception as e:
        raise AttemptFailed(failure_of(e)) from e
    except SystemExit as e:  # as flyweight-execute reports it: a USER error, not the end of the caller
        error = UserError(f"the task's code called sys.exit({e.code!r}) instead of returning")
        error.__cause__ = e
        raise AttemptFailed(failure_of(error)) from e
    if not isinstance(out, _idl.LiteralMap):
        raise AttemptFailed(
            AttemptFailure(
                f"task {task.name!r} returned {type(out).__name__}, not a LiteralMap", False, SYSTEM
            )
        )
    return out


def container_args(task: Any) -> tuple[_idl.TaskTemplate, list[str]]:
    """The task's template (placeholder settings, as local calls use) and its container arguments.

    Raises:
        NotSupportedError: the template has no container, or its program is not ``flyweight-execute``
            / ``pyflyte-execute`` (running other images needs a container runtime, not supported yet).
    """
    template: _idl.TaskTemplate = task.serialize_to_model(placeholder_settings())
    args = list(template.container.args) if template.HasField("container") else []
    if not args or os.path.basename(args[0]) not in _ENTRYPOINTS:
        program = args[0] if args else "no container"
        raise NotSupportedError(
            f"task {task.name!r}: the local engine runs templates whose container runs flyweight-execute "
            f"(or pyflyte-execute); this one has {program!r}. Running other images locally is not supported "
            "yet; run it in-process (in_process=True) or on Flyte"
        )
    return template, args


def _fill(args: list[str], values: dict[str, str]) -> list[str]:
    def sub(m: re.Match[str]) -> str:
        return values.get(m.group(1).lower(), m.group(0))

    return [_PLACEHOLDER.sub(sub, a) for a in args]


def _environment(template: _idl.TaskTemplate, run_name: str, task_name: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_INTERNAL_", "_F_"))}
    env.pop("FLYTE_FAIL_ON_ERROR", None)
    env.update({kv.key: kv.value for kv in template.container.env})
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


def _end(proc: subprocess.Popen[bytes]) -> None:
    """End the subprocess and everything it started (its own process group)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except ProcessLookupError:
        pass
    proc.wait()


class Subprocesses:
    """The subprocesses of one run that are still going, so an interrupted run can end them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        self._stopped = False

    def start(self, command: list[str], env: dict[str, str], out: Any, err: Any) -> subprocess.Popen[bytes]:
        with self._lock:
            if self._stopped:
                raise AttemptFailed(AttemptFailure("the run was interrupted", False, SYSTEM))
            proc = subprocess.Popen(command, stdout=out, stderr=err, env=env, start_new_session=True)
            self._running.add(proc)
            return proc

    def done(self, proc: subprocess.Popen[bytes]) -> None:
        with self._lock:
            self._running.discard(proc)

    def end_all(self) -> None:
        """End every running subprocess and refuse to start new ones."""
        with self._lock:
            self._stopped = True
            running = list(self._running)
        for proc in running:
            _end(proc)


def _tail(path: Path) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return ""
    return text[-_STDERR_TAIL:]


def run_in_subprocess(  # noqa: PLR0917
    task: Any,
    inputs: _idl.LiteralMap,
    node_dir: Path,
    attempt: int,
    timeout: float | None,
    run_name: str,
    subprocesses: Subprocesses,
) -> _idl.LiteralMap:
    """Run one attempt through ``flyweight-execute`` under ``node_dir/<attempt>/``.

    The directory keeps ``inputs.pb``, ``outputs.pb`` or ``error.pb``, the raw output data, ``stdout`` and
    ``stderr``; ``node_dir/template.pb`` is the serialized template. A run longer than ``timeout`` seconds
    is ended (with what it started) and reported as a recoverable timeout.
    """
    template, args = container_args(task)
    attempt_dir = node_dir / str(attempt)
    attempt_dir.mkdir(parents=True, exist_ok=True)
    _clear_results(attempt_dir)  # a blob directory given again keeps an earlier run's files here
    template_path = node_dir / "template.pb"
    template_path.write_bytes(template.SerializeToString())
    inputs_path = attempt_dir / "inputs.pb"
    inputs_path.write_bytes(inputs.SerializeToString(deterministic=True))
    previous = node_dir / str(attempt - 1) / "checkpoint"
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
    command = [sys.executable, "-c", _RUN_ENTRYPOINT, *filled[1:]]
    env = _environment(template, run_name, task.name)
    stderr_path = attempt_dir / "stderr"
    with open(attempt_dir / "stdout", "wb") as out, open(stderr_path, "wb") as err:
        proc = subprocesses.start(command, env, out, err)
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _end(proc)
            raise AttemptFailed(
                AttemptFailure(
                    f"task {task.name!r} exceeded its timeout of {timeout:g}s and was ended",
                    recoverable=True,
                    origin=USER,
                    timed_out=True,
                )
            ) from None
        except BaseException:
            _end(proc)
            raise
        finally:
            subprocesses.done(proc)
    return _result(task, attempt_dir, code, stderr_path)


def _clear_results(attempt_dir: Path) -> None:
    """Remove what an earlier run left in ``attempt_dir`` that this attempt would read as its own."""
    for stale in [attempt_dir / "outputs.pb", *attempt_dir.glob("error*.pb")]:
        stale.unlink(missing_ok=True)
    shutil.rmtree(attempt_dir / "checkpoint", ignore_errors=True)


def _result(task: Any, attempt_dir: Path, code: int, stderr_path: Path) -> _idl.LiteralMap:
    outputs = attempt_dir / "outputs.pb"
    if outputs.exists():
        return _idl.LiteralMap.FromString(outputs.read_bytes())
    errors = sorted(attempt_dir.glob("error*.pb"))
    if errors:
        error = _idl.ErrorDocument.FromString(errors[0].read_bytes()).error
        raise AttemptFailed(
            AttemptFailure(
                error.message,
                recoverable=error.kind == _idl.ContainerError.Kind.RECOVERABLE,
                origin=USER if error.origin == _idl.ExecutionError.ErrorKind.USER else SYSTEM,
            )
        )
    if code == 0 and not task.python_interface.outputs:
        return _idl.LiteralMap()
    raise AttemptFailed(
        AttemptFailure(
            f"flyweight-execute exited with status {code} and wrote neither outputs.pb nor error.pb "
            f"under {attempt_dir}; its stderr ends with:\n{_tail(stderr_path)}",
            recoverable=False,
            origin=SYSTEM,
        )
    )
