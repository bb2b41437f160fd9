"""The one error contract: how an exception raised while a task runs becomes Flyte's error.

Every path that runs a task uses this module and nothing else to decide what a failure is: a task's
local call (the exception it raises is the one classified here), the local engine in-process
(:mod:`flyweight._runtime`), the local engine through subprocesses (which reads the ``error.pb`` written
by the entrypoint back with :func:`from_error_document`), and ``flyweight-execute``
(:mod:`flyweight._entrypoint`), which writes :func:`error_document`. So the same exception is the same
failure wherever it happens.

The rules, in order (ADR 0014):

1. :class:`~flyweight.errors.IgnoreOutputs` is not a failure: the attempt's outputs are discarded
   (:func:`classify` returns None).
2. The process was stopped by a signal (SIGTERM from Kubernetes, SIGINT): SYSTEM, RECOVERABLE.
3. A :class:`~flyweight.errors.PlatformError` (storage, a malformed template, flyweight itself): SYSTEM,
   recoverable as the error says, even when it passed through task code.
4. Anything raised by task or executor code (a :class:`~flyweight.errors.UserError`, or an exception the
   task layer marked with :func:`~flyweight.errors.mark_user_code`): USER. It is RECOVERABLE when it is
   *transient* (see below) or says so itself (``RecoverableError``, or a true ``recoverable``
   attribute); every other exception, programming errors included, is NON_RECOVERABLE. Its code is its
   ``error_code`` (``"USER:Recoverable"`` for ``RecoverableError``), else ``"USER:RuntimeError"``.
5. Anything else is a fault of flyweight or of the machine: SYSTEM; RECOVERABLE only when transient.

An exception is *transient* when a retry of the same attempt may well succeed: ``ConnectionError``
(refused, reset, aborted, broken pipe), ``TimeoutError`` (``socket.timeout``), DNS failures
(``socket.gaierror``, ``socket.herror``), a ``urllib`` error whose reason is one of those, or an
exception the task or its plugin declares transient (``ShimTaskExecutor.is_transient`` /
``PythonTask.is_transient``, which mark it with :func:`~flyweight.errors.mark_transient`).
"""

from __future__ import annotations

import dataclasses
import sys
import textwrap
import traceback
from typing import TYPE_CHECKING

from flyweight.errors import (
    IgnoreOutputs,
    PlatformError,
    TaskExecutionError,
    UserError,
    marked_transient,
    raised_by_user_code,
)

if TYPE_CHECKING:
    from flyweight._idl import ErrorDocument

__all__ = [
    "SYSTEM",
    "USER",
    "USER_RUNTIME_ERROR",
    "Failure",
    "Interrupted",
    "classify",
    "describe",
    "error_document",
    "failure_of",
    "from_error_document",
    "ignored_outputs",
    "is_transient",
    "normalize",
    "safe_str",
]

USER = "USER"
SYSTEM = "SYSTEM"
USER_RUNTIME_ERROR = "USER:RuntimeError"

_ALWAYS_TRANSIENT: tuple[type[BaseException], ...] = (ConnectionError, TimeoutError)


class Interrupted(BaseException):
    """The process received a signal asking it to stop (SIGTERM, SIGINT) while a task ran.

    A ``BaseException`` so that task code's ``except Exception`` does not swallow it. Its failure is
    SYSTEM and RECOVERABLE: the attempt was stopped from outside, and running it again may succeed.

    Attributes:
        signal_name: ``"SIGTERM"``, ``"SIGINT"``…
        reason: why the signal came, when known (for example, the driver of a local run exited).
    """

    def __init__(self, signal_name: str, reason: str = "") -> None:
        self.signal_name = signal_name
        self.reason = reason
        why = f" ({reason})" if reason else ""
        super().__init__(f"the task was stopped by {signal_name}{why} before it finished")


@dataclasses.dataclass(frozen=True)
class Failure:
    """What Flyte's ``ErrorDocument`` says about a failed attempt."""

    origin: str
    """``"USER"`` or ``"SYSTEM"``: who has to act."""
    recoverable: bool
    """Whether Flyte may retry the attempt (kind RECOVERABLE), within the task's retry budget."""
    code: str
    """A short machine-readable code (``"USER:RuntimeError"``, ``"USER:Recoverable"``, ``"SYSTEM"``…)."""

    @property
    def kind(self) -> str:
        """``"RECOVERABLE"`` or ``"NON_RECOVERABLE"``, as in ``ContainerError.Kind``."""
        return "RECOVERABLE" if self.recoverable else "NON_RECOVERABLE"


def is_transient(exc: BaseException) -> bool:
    """Whether retrying the attempt that raised ``exc`` may succeed (a network, DNS or timeout failure, or
    an exception the task's plugin declared transient).

    Example:
        >>> is_transient(ConnectionRefusedError("refused")), is_transient(KeyError("x"))
        (True, False)
    """
    if marked_transient(exc):
        return True
    transient = _transient_types()
    if isinstance(exc, transient):
        return True
    urllib_error = sys.modules.get("urllib.error")
    if urllib_error is not None and isinstance(exc, urllib_error.URLError):
        return isinstance(exc.reason, transient)
    return False


def _transient_types() -> tuple[type[BaseException], ...]:
    # socket and urllib are not imported for this: an exception of theirs can only exist once they are.
    socket = sys.modules.get("socket")
    if socket is None:
        return _ALWAYS_TRANSIENT
    return (*_ALWAYS_TRANSIENT, socket.gaierror, socket.herror)


def normalize(exc: BaseException) -> BaseException:
    """The exception to report for ``exc``: itself, except ``SystemExit`` from task code, which becomes a
    :class:`~flyweight.errors.UserError` saying so (a task must return, not end the process that runs
    it), with the ``SystemExit`` as its cause."""
    if not isinstance(exc, SystemExit):
        return exc
    error = UserError(f"the task's code called sys.exit({exc.code!r}) instead of returning")
    error.__cause__ = exc
    error.__traceback__ = exc.__traceback__
    return error


def ignored_outputs(owner: str, outputs: list[str]) -> TaskExecutionError | None:
    """What an attempt that raised :class:`~flyweight.errors.IgnoreOutputs` means for a run that needs its
    outputs: nothing (None) when the task declares none; otherwise the failure to report, the same on
    every path (a container leaves no file, and Flyte cannot read the outputs either)."""
    if not outputs:
        return None
    return TaskExecutionError(
        f"{owner} raised IgnoreOutputs, so this attempt has no outputs, but it declares "
        f"{', '.join(outputs)}; raise IgnoreOutputs only on workers whose outputs are not used"
    )


def _user_error_code(exc: BaseException) -> str:
    code = getattr(exc, "error_code", None)
    if isinstance(code, str) and code:
        return code
    if isinstance(code, int) and not isinstance(code, bool):
        return str(code)
    return USER_RUNTIME_ERROR


def _says_recoverable(exc: BaseException) -> bool:
    try:
        return getattr(exc, "recoverable", False) is True
    except Exception:  # a property that raises says nothing
        return False


def classify(exc: BaseException) -> Failure | None:
    """How ``exc`` is reported; None for :class:`~flyweight.errors.IgnoreOutputs` (report nothing).

    Example:
        >>> classify(ValueError("a bug"))
        Failure(origin='SYSTEM', recoverable=False, code='SYSTEM')
        >>> from flyweight.errors import mark_user_code
        >>> classify(mark_user_code(ConnectionResetError("reset by peer")))
        Failure(origin='USER', recoverable=True, code='USER:RuntimeError')
    """
    if isinstance(exc, IgnoreOutputs):
        return None
    if isinstance(exc, Interrupted):
        return Failure(SYSTEM, True, SYSTEM)
    if isinstance(exc, PlatformError):
        return Failure(SYSTEM, bool(exc.recoverable), SYSTEM)
    if raised_by_user_code(exc):
        return Failure(USER, _says_recoverable(exc) or is_transient(exc), _user_error_code(exc))
    return Failure(SYSTEM, is_transient(exc), SYSTEM)


def safe_str(exc: BaseException) -> str:
    """``str(exc)``, or a stand-in naming the exception when its ``__str__`` (and ``__repr__``) raise."""
    for render in (str, repr):
        try:
            text = render(exc)
            if isinstance(text, str):
                return text
        except BaseException:
            continue
    return f"<{_type_name(exc)} object: its __str__ and __repr__ raised>"


def _type_name(exc: BaseException) -> str:
    try:
        return str(type(exc).__name__)
    except BaseException:
        return "exception"


def _indent(text: str) -> str:
    return textwrap.indent(text, "    ")


def _trace(exc: BaseException) -> str:
    try:
        return "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    except BaseException:  # formatting itself failed (a cause whose __str__ raises a BaseException…)
        return f"(the traceback could not be formatted) {_type_name(exc)}\n"


def describe(exc: BaseException) -> str:
    """The readable message of ``exc`` as flytekit writes it: ``Trace:`` (the traceback with its causes),
    then ``Message:`` (``Type: message``). Never raises, whatever the exception's ``__str__`` does."""
    return f"Trace:\n\n{_indent(_trace(exc))}\nMessage:\n\n{_indent(f'{_type_name(exc)}: {safe_str(exc)}')}"


def failure_of(exc: BaseException) -> tuple[Failure, str]:
    """The classification and the short message (``Type: message``) of an exception that failed an
    attempt (after :func:`normalize`). :class:`~flyweight.errors.IgnoreOutputs` must be handled before
    (it is not a failure)."""
    exc = normalize(exc)
    how = classify(exc)
    if how is None:
        raise TypeError("IgnoreOutputs is not a failure; handle it before classifying")
    return how, f"{_type_name(exc)}: {safe_str(exc)}"


def _utf8(text: str) -> str:
    # A message may hold text decoded with surrogateescape (a command-line argument that was not UTF-8);
    # protobuf strings must be valid UTF-8, so such bytes are shown escaped instead.
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def error_document(message: str, how: Failure, worker: str = "") -> ErrorDocument:
    """A Flyte ``ErrorDocument`` for a failure, stamped with the current time."""
    from flyweight import _idl

    kinds = _idl.ContainerError.Kind
    origins = _idl.ExecutionError.ErrorKind
    doc = _idl.ErrorDocument(
        error=_idl.ContainerError(
            code=_utf8(how.code),
            message=_utf8(message),
            kind=kinds.RECOVERABLE if how.recoverable else kinds.NON_RECOVERABLE,
            origin=origins.USER if how.origin == USER else origins.SYSTEM,
            worker=_utf8(worker),
        )
    )
    doc.error.timestamp.GetCurrentTime()
    return doc


def from_error_document(doc: ErrorDocument) -> tuple[Failure, str]:
    """The classification and message an ``ErrorDocument`` holds (the inverse of :func:`error_document`)."""
    from flyweight import _idl

    error = doc.error
    origin = USER if error.origin == _idl.ExecutionError.ErrorKind.USER else SYSTEM
    recoverable = error.kind == _idl.ContainerError.Kind.RECOVERABLE
    return Failure(origin, recoverable, error.code), error.message
