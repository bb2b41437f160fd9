"""``flyweight-execute``: the program a Flyte container runs for a flyweight task.

Why it exists: a registered template's container arguments name a program that loads the task, reads
``inputs.pb`` and leaves ``outputs.pb`` or ``error.pb`` under the output prefix. flytekit's
``pyflyte-execute`` does that, but it needs all of flytekit (seconds to import, hundreds of MB), crashes
without a raw output prefix, cannot report a bad ``--resolver`` and reports every executor failure
as a retryable system error. This module takes the same arguments, so templates work with either
program, and fixes those faults:

* a failure of task or executor code is reported as the user's (retried only when transient or
  ``RecoverableError``); only failures of flyweight or the environment are the system's — the one error
  contract of :mod:`flyweight._failure` (ADR 0014), shared with local runs;
* every failure — a bad resolver, any ``BaseException``, an exception whose ``__str__`` raises, streams
  the task closed, arguments that are not UTF-8, SIGTERM from Kubernetes — ends in ``error.pb`` and exit
  status 0 (1 with ``FLYTE_FAIL_ON_ERROR``), and an executor's ``IgnoreOutputs`` writes nothing;
* an argument holding a placeholder Flyte never filled in (``{{.outputPrefix}}``…) is refused;
* on SIGTERM or SIGINT the task's child processes are ended and a result is written in bounded time
  (``FLYWEIGHT_STOP_GRACE`` seconds, default 10, for a task stuck in a C call);
* ``outputs.pb`` is written whole or not at all.

Usage (as written into a template's container arguments)::

    flyweight-execute --inputs {{.input}} --output-prefix {{.outputPrefix}}
        --raw-output-data-prefix {{.rawOutputDataPrefix}}
        --resolver flyweight.extend.default_task_template_resolver
        -- {{.taskTemplatePath}} my_plugin.executors.MyExecutor

Only the argument parser is imported until the arguments are known to be good, so ``--help`` and
usage errors are instant.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

__all__ = ["main"]


def _register_faulthandler() -> None:
    # `kill -USR1 <pid>` prints every thread's stack: the way to see where a stuck task is.
    import faulthandler
    import signal

    sigusr1 = getattr(signal, "SIGUSR1", None)
    if sigusr1 is not None:
        try:
            faulthandler.register(sigusr1, all_threads=True)
        except (ValueError, OSError, RuntimeError):
            pass


def _usage_error(argv: Sequence[str], reason: str) -> int:
    from flyweight._entrypoint import _argv

    sys.stderr.write(f"{_argv.usage()}{_argv.PROG}: error: {reason}\n")
    prefix = _argv.guess_output_prefix(argv)
    if prefix:
        # Best effort: leave Flyte a reason too, not just a failed pod.
        import os

        from flyweight._entrypoint._run import write_error
        from flyweight._failure import SYSTEM, Failure
        from flyweight._storage import FileAccess

        message = f"{_argv.PROG} was started with invalid arguments: {reason}\narguments: {list(argv)}"
        write_error(FileAccess(), prefix, message, Failure(SYSTEM, False, SYSTEM), os.environ)
    return 2


def _settle_streams() -> None:
    """Flush stdout and stderr now; if task code closed them or they are a broken pipe, point their file
    descriptors at /dev/null, so the interpreter's own flush at exit cannot turn a reported result into
    exit status 120."""
    import os

    for stream, fd in ((sys.stdout, 1), (sys.stderr, 2)):
        try:
            if stream is not None and not stream.closed:
                stream.flush()
            os.fstat(fd)
            continue
        except (OSError, ValueError):
            pass
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)
        except OSError:
            pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run one task attempt as described by ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Returns 0 when ``outputs.pb`` or ``error.pb`` was written (or nothing, for ``IgnoreOutputs`` and
    ``--test``), 1 when an error could not be written or ``FLYTE_FAIL_ON_ERROR`` is true and an error
    was written, and 2 for invalid arguments.
    """
    from flyweight._entrypoint import _argv

    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _argv.parse_args(args_list)
    except _argv.HelpRequested:
        return 0
    except _argv.UsageError as e:
        return _usage_error(args_list, str(e))
    if args.test:
        return 0
    _register_faulthandler()

    from flyweight._entrypoint._run import run

    try:
        return run(args)
    finally:
        _settle_streams()
