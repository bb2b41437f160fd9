"""``flyweight-execute``: the program a Flyte container runs for a flyweight task.

Why it exists: a registered template's container arguments name a program that loads the task, reads
``inputs.pb`` and leaves ``outputs.pb`` or ``error.pb`` under the output prefix. flytekit's
``pyflyte-execute`` does that, but it needs all of flytekit (seconds to import, hundreds of MB), crashes
without a raw output prefix, cannot report a bad ``--resolver`` and reports every executor failure
as a retryable system error. This module takes the same arguments, so templates work with either
program, and fixes those faults:

* a failure of task or executor code is reported as the user's (retried only for
  ``RecoverableError``); only failures of flyweight or the environment are the system's;
* every failure, a bad resolver included, ends in ``error.pb`` and exit status 0 (1 with
  ``FLYTE_FAIL_ON_ERROR``), and an executor's ``IgnoreOutputs`` writes nothing;
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
    from flyweight.entrypoint import _argv

    sys.stderr.write(f"{_argv.usage()}{_argv.PROG}: error: {reason}\n")
    prefix = _argv.guess_output_prefix(argv)
    if prefix:
        # Best effort: leave Flyte a reason too, not just a failed pod.
        import os

        from flyweight._storage import FileAccess
        from flyweight.entrypoint._errors import SYSTEM, Classification
        from flyweight.entrypoint._run import write_error

        message = f"{_argv.PROG} was started with invalid arguments: {reason}\narguments: {list(argv)}"
        write_error(FileAccess(), prefix, message, Classification(SYSTEM, False, SYSTEM), os.environ)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run one task attempt as described by ``argv`` (default: ``sys.argv[1:]``); return the exit status.

    Returns 0 when ``outputs.pb`` or ``error.pb`` was written (or nothing, for ``IgnoreOutputs`` and
    ``--test``), 1 when an error could not be written or ``FLYTE_FAIL_ON_ERROR`` is true and an error
    was written, and 2 for invalid arguments.
    """
    from flyweight.entrypoint import _argv

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

    from flyweight.entrypoint._run import run

    return run(args)
