"""Exceptions → Flyte's ``ErrorDocument``: who must act (origin), whether to retry (kind), and a code.

The rule is the error tree of :mod:`flyweight.errors`: failures of task or executor code are the
user's, failures of flyweight or its environment the system's, checked in this order:

* a ``PlatformError`` → origin SYSTEM, code ``"SYSTEM"``, kind as the error says, even when it was
  raised inside task or executor code (a storage outage during an executor's download is not the
  user's fault);
* any other exception from user code (a ``UserError``, or anything the task layer marked with
  ``mark_user_code``) → origin USER, kind RECOVERABLE only for ``RecoverableError`` (or any exception
  with a true ``recoverable`` attribute), code its ``error_code`` or ``"USER:RuntimeError"``;
* anything else (a bug of flyweight, a broken environment) → origin SYSTEM, RECOVERABLE, ``"SYSTEM"``.

flytekit reports every executor failure as SYSTEM/RECOVERABLE, so Flyte retries a task that can
never succeed against the system retry budget; this module is where flyweight does not.
"""

from __future__ import annotations

import dataclasses
import os
import textwrap
import traceback
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

from flyweight.errors import IgnoreOutputs, PlatformError, raised_by_user_code

if TYPE_CHECKING:
    from flyweight._idl import ErrorDocument

__all__ = [
    "SYSTEM",
    "USER",
    "USER_RUNTIME_ERROR",
    "Classification",
    "classify",
    "describe",
    "error_document",
    "error_file_name",
]

USER = "USER"
SYSTEM = "SYSTEM"
USER_RUNTIME_ERROR = "USER:RuntimeError"

ERROR_FILE = "error.pb"


@dataclasses.dataclass(frozen=True)
class Classification:
    """What an ``ErrorDocument`` says about a failure besides its message."""

    origin: str
    """``"USER"`` or ``"SYSTEM"``: who has to act."""
    recoverable: bool
    """Whether Flyte may retry the attempt."""
    code: str
    """Short machine-readable code (``"USER:Recoverable"``, ``"SYSTEM"`` …)."""


def _user_error_code(exc: BaseException) -> str:
    code = getattr(exc, "error_code", None)
    if isinstance(code, str) and code:
        return code
    if isinstance(code, int) and not isinstance(code, bool):
        return str(code)
    return USER_RUNTIME_ERROR


def classify(exc: BaseException) -> Classification | None:
    """How ``exc`` is reported; None for :class:`~flyweight.errors.IgnoreOutputs` (report nothing).

    Example:
        >>> classify(ValueError("boom"))
        Classification(origin='SYSTEM', recoverable=True, code='SYSTEM')
    """
    if isinstance(exc, IgnoreOutputs):
        return None
    if raised_by_user_code(exc):
        return Classification(USER, bool(getattr(exc, "recoverable", False)), _user_error_code(exc))
    if isinstance(exc, PlatformError):
        return Classification(SYSTEM, bool(exc.recoverable), SYSTEM)
    return Classification(SYSTEM, True, SYSTEM)


def _indent(text: str) -> str:
    return textwrap.indent(text, "    ")


def describe(exc: BaseException) -> str:
    """The readable message: the traceback (with its causes), then ``Type: message``."""
    trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return f"Trace:\n\n{_indent(trace)}\nMessage:\n\n{_indent(f'{type(exc).__name__}: {exc}')}"


def error_document(message: str, how: Classification, worker: str = "") -> ErrorDocument:
    """An ``ErrorDocument`` with the current time."""
    from flyweight import _idl

    kinds = _idl.ContainerError.Kind
    origins = _idl.ExecutionError.ErrorKind
    doc = _idl.ErrorDocument(
        error=_idl.ContainerError(
            code=how.code,
            message=message,
            kind=kinds.RECOVERABLE if how.recoverable else kinds.NON_RECOVERABLE,
            origin=origins.USER if how.origin == USER else origins.SYSTEM,
            worker=worker,
        )
    )
    doc.error.timestamp.GetCurrentTime()
    return doc


def _first_of(environ: Mapping[str, str], *names: str) -> str:
    for name in names:
        if name in environ:
            return environ[name]
    return ""


def error_file_name(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The error file's name and the worker name to put in it.

    With a distributed error strategy (``FLYTE_INTERNAL_DIST_ERROR_STRATEGY`` / ``_F_DES``) each
    worker of a job writes its own ``error-<hex>.pb`` naming itself (``FLYTE_INTERNAL_WORKER_NAME`` /
    ``_F_WN``); otherwise the file is ``error.pb`` and the worker is empty.
    """
    env = os.environ if environ is None else environ
    if not _first_of(env, "FLYTE_INTERNAL_DIST_ERROR_STRATEGY", "_F_DES"):
        return ERROR_FILE, ""
    stem, ext = os.path.splitext(ERROR_FILE)
    return f"{stem}-{uuid.uuid4().hex}{ext}", _first_of(env, "FLYTE_INTERNAL_WORKER_NAME", "_F_WN")
