"""The one error tree of flyweight.

Every error flyweight raises on purpose belongs to this tree, so callers can catch by *who must act*:
the user (bad task code, bad input, bad configuration) or the platform (flyweight itself, the machine,
the network, a storage service). When a task runs in a container the branch decides the ``kind``
written into ``error.pb``: ``UserError`` becomes ``USER``, ``PlatformError`` becomes ``SYSTEM``.

Each leaf also subclasses the builtin exception a Python programmer would naturally expect, so code
that catches ``TypeError`` or ``ValueError`` keeps working::

    FlyweightError                                  (alias FlyteException)
    ├── UserError                                   kind USER (alias FlyteUserException)
    │   ├── FlyteTypeException                      + TypeError
    │   │   └── TypeTransformerFailedError          + ValueError, AssertionError
    │   │       └── UnsupportedTypeError               (an annotation no transformer handles)
    │   │           └── RestrictedTypeError            (a type that never crosses a task boundary: tuple)
    │   ├── FlyteValueException                     + ValueError
    │   ├── FlyteAssertion                          + AssertionError
    │   │   ├── FlyteValidationException
    │   │   │   ├── TaskDefinitionError             + ValueError
    │   │   │   │   └── TemplateTooLargeError          (a serialized task template over the limit)
    │   │   │   └── WorkflowCompileError            + TypeError, ValueError (a workflow body that cannot
    │   │   │                                          become a graph: a wrong input, a promise used as
    │   │   │                                          a Python value)
    │   │   ├── FlyteEntityNotExistException
    │   │   └── FlyteTimeout
    │   ├── TransformerRegistrationError            + ValueError
    │   ├── TaskLoadError                           + ImportError (resolver or executor not importable)
    │   ├── TaskExecutionError                      + RuntimeError (a run asked for what cannot be done:
    │   │                                              a missing database, a query the engine rejects)
    │   ├── WorkflowExecutionError                  (nodes of a local workflow run failed: names the
    │   │                                              workflow, each node, its task and its error)
    │   ├── SecretNotFoundError                     + ValueError
    │   ├── CheckpointError                         + TypeError, ValueError (a checkpoint used wrongly:
    │   │                                              read() of several files, a previous checkpoint
    │   │                                              that is not there, a value that is not bytes)
    │   ├── PackagingError                          + ValueError (``flyweight package`` / ``serialize``:
    │   │                                              a missing file, a module that fails to import,
    │   │                                              no entities, an output that exists)
    │   ├── NotSupportedError                       + NotImplementedError (a Flyte feature flyweight does
    │   │                                              not have yet: map tasks, dynamic workflows, …)
    │   └── RecoverableError  (alias FlyteRecoverableException; retried: kind USER, RECOVERABLE)
    └── PlatformError                               kind SYSTEM
        ├── TemplateError                           + ValueError (malformed template or inputs.pb)
        └── FlyteSystemException                    RECOVERABLE
            ├── FlyteNotImplementedException        + NotImplementedError
            └── StorageError                        + OSError, RECOVERABLE (a read or write failed)
                └── UnsupportedLocationError           NON_RECOVERABLE (a protocol no installed
                                                       filesystem handles: a retry cannot help)

    IgnoreOutputs (an Exception, not an error: "discard this attempt's outputs")

Exceptions of any type raised by task or executor code are passed through unchanged; the task layer
marks them (``mark_user_code``) so every path that runs a task reports them as USER errors
(``raised_by_user_code``), and marks those the task or its plugin declares transient
(``mark_transient``, from ``is_transient``; read back with ``marked_transient``) so they are
retried. A ``PlatformError`` stays the platform's even when it passes through task code (a storage
outage during an executor's download is SYSTEM). The full rule, one for every way a task runs, is in
ADR 0014.

``TypeTransformerFailedError`` keeps flytekit's three builtin bases so plugin code written against
flytekit (which catches any of them) ports unchanged.

**flytekit's exception names** (``flytekit.exceptions.user`` / ``system`` / ``base``,
``flytekit.core.type_engine.RestrictedTypeError``) are classes of this tree, placed so that an
``except`` written for flytekit catches what flyweight raises in the same situation: flytekit raises
``FlyteValidationException`` or ``FlyteAssertion`` for a task or workflow defined wrongly, so
``TaskDefinitionError`` and ``WorkflowCompileError`` are subclasses of ``FlyteValidationException``;
``TypeEngine.dict_to_literal_map`` raises ``FlyteTypeException`` for a value of the wrong type, so
``TypeTransformerFailedError`` is one; a failed upload or download is a ``FlyteSystemException``, so
``StorageError`` is one. Port ``from flytekit.exceptions.user import X`` as
``from flyweight.errors import X``. The names flytekit no longer raises or that belong to parts
flyweight does not have (``FlyteScopedUserException``, ``FlyteMissingTypeException``, …) are not
provided: importing one raises an ``ImportError`` that says what to catch instead.

Messages say what was expected, what came and where, and the fix where there is one::

    expected int, got str 'abc' at [2]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

__all__ = [
    "FlyteAssertion",
    "FlyteEntityNotExistException",
    "FlyteException",
    "FlyteNotImplementedException",
    "FlyteSystemException",
    "FlyteTimeout",
    "FlyteTypeException",
    "FlyteUserException",
    "FlyteValidationException",
    "FlyteValueException",
    "RestrictedTypeError",
    "CheckpointError",
    "FlyteRecoverableException",
    "FlyweightError",
    "IgnoreOutputs",
    "NotSupportedError",
    "PackagingError",
    "PlatformError",
    "RecoverableError",
    "SecretNotFoundError",
    "StorageError",
    "TaskDefinitionError",
    "TaskExecutionError",
    "TaskLoadError",
    "TemplateError",
    "TemplateTooLargeError",
    "TransformerRegistrationError",
    "TypeTransformerFailedError",
    "UnsupportedLocationError",
    "UnsupportedTypeError",
    "UserError",
    "WorkflowCompileError",
    "WorkflowExecutionError",
    "mark_transient",
    "mark_user_code",
    "marked_transient",
    "raised_by_user_code",
]


class FlyweightError(Exception):
    """Root of every error flyweight raises on purpose.

    Attributes:
        kind: ``"USER"`` or ``"SYSTEM"``: who has to act, as written into a Flyte ``ErrorDocument``.
        recoverable: whether retrying the same work may succeed.
    """

    kind: ClassVar[str] = "SYSTEM"
    recoverable: ClassVar[bool] = False


class UserError(FlyweightError):
    """The user has to act: task code, an input value, a type annotation or a setting is wrong."""

    kind: ClassVar[str] = "USER"


class PlatformError(FlyweightError):
    """flyweight or its environment failed (storage, network, a bug of ours); the user's code is fine."""

    kind: ClassVar[str] = "SYSTEM"


FlyteException = FlyweightError
"""flytekit's root exception (``flytekit.exceptions.base.FlyteException``): the root of this tree."""

FlyteUserException = UserError
"""flytekit's ``FlyteUserException``: :class:`UserError`, so ``except FlyteUserException`` catches every
error that is the user's to fix, and raising it reports a USER error."""


class FlyteTypeException(UserError, TypeError):
    """flytekit's ``FlyteTypeException``: a value of the wrong type.

    flytekit raises it from ``TypeEngine.dict_to_literal_map``; flyweight raises its subclass
    :class:`TypeTransformerFailedError` wherever a value does not fit its type, so an
    ``except FlyteTypeException`` ported from flytekit catches those. Built with flytekit's arguments,
    it has flytekit's message.

    Example:
        >>> str(FlyteTypeException(str, int, received_value="x"))
        "Type error!  Received: <class 'str'> with value: x, Expected: <class 'int'>. "
    """

    def __init__(
        self,
        received_type: object,
        expected_type: object,
        additional_msg: str | None = None,
        received_value: object = None,
    ) -> None:
        one_of = " one of" if isinstance(expected_type, (list, tuple, set)) else ""
        value = f" with value: {received_value}" if received_value is not None else ""
        super().__init__(
            f"Type error!  Received: {received_type}{value}, Expected{one_of}: {expected_type}. "
            f"{additional_msg or ''}"
        )


class FlyteValueException(UserError, ValueError):
    """flytekit's ``FlyteValueException``: a value that is not acceptable (flytekit's message).

    Example:
        >>> str(FlyteValueException(3, "expected an even number"))
        'Value error!  Received: 3. expected an even number'
    """

    def __init__(self, received_value: object, error_message: str) -> None:
        super().__init__(f"Value error!  Received: {received_value}. {error_message}")


class FlyteAssertion(UserError, AssertionError):
    """flytekit's ``FlyteAssertion``: a user error that is also an ``AssertionError``. flyweight's
    :class:`TaskDefinitionError` and :class:`WorkflowCompileError` are ones (through
    :class:`FlyteValidationException`)."""


class FlyteValidationException(FlyteAssertion):
    """flytekit's ``FlyteValidationException``: a task, interface or workflow defined wrongly. flyweight
    raises :class:`TaskDefinitionError` or :class:`WorkflowCompileError` there, both subclasses."""


class FlyteEntityNotExistException(FlyteAssertion):
    """flytekit's ``FlyteEntityNotExistException`` (an entity missing on a Flyte cluster). flyweight has
    no remote client and never raises it; it exists so ported code that raises or catches it works."""


class FlyteTimeout(FlyteAssertion):
    """flytekit's ``FlyteTimeout`` (waiting for a remote execution timed out). flyweight never raises it
    (a local run past a task's timeout is a :class:`WorkflowExecutionError`); ported code may."""


class FlyteSystemException(PlatformError):
    """flytekit's ``FlyteSystemException``: the platform failed; RECOVERABLE, as in flytekit. flyweight's
    :class:`StorageError` (flytekit's ``FlyteUploadDataException`` / ``FlyteDownloadDataException``) is
    one."""

    recoverable: ClassVar[bool] = True


class FlyteNotImplementedException(FlyteSystemException, NotImplementedError):
    """flytekit's ``FlyteNotImplementedException`` (a SYSTEM error). flyweight reports features it does
    not have with :class:`NotSupportedError` (a USER error, also a ``NotImplementedError``)."""


class TypeTransformerFailedError(FlyteTypeException, ValueError, AssertionError):
    """A value, type or literal could not be converted.

    The message names what was expected, what came and where inside the value it happened.
    ``reason`` holds the message without the location; ``path`` the location segments, outermost
    first (``"[2]"``, ``"['key']"``, ``".field"``, or a bare name for a top-level input).

    Example:
        >>> from flyweight.types import TypeEngine
        >>> TypeEngine.to_literal(None, [1, 2, "x"], list[int], None)
        Traceback (most recent call last):
        ...
        flyweight.errors.TypeTransformerFailedError: expected int, got str 'x' at [2]
    """

    def __init__(self, reason: str, path: Sequence[str] = ()) -> None:
        self.reason = reason
        self.path: list[str] = list(path)
        super(FlyteTypeException, self).__init__(self._render())  # not flytekit's type-message builder

    def _render(self) -> str:
        if not self.path:
            return self.reason
        return f"{self.reason} at {''.join(self.path)}"

    def at(self, segment: str) -> TypeTransformerFailedError:
        """Prepend one location segment (an enclosing container's index, key or field) and return self."""
        self.path.insert(0, segment)
        self.args = (self._render(),)
        return self

    def within(self, owner: str, segment: str | None = None) -> TypeTransformerFailedError:
        """Say which task (and which input or output, as a path segment) the failure belongs to."""
        if segment is not None:
            self.path.insert(0, segment)
        self.reason = f"{owner}: {self.reason}"
        self.args = (self._render(),)
        return self

    def __str__(self) -> str:
        return self._render()


class UnsupportedTypeError(TypeTransformerFailedError):
    """A Python type annotation that no registered transformer can handle."""


class RestrictedTypeError(UnsupportedTypeError):
    """A type that may never be a task's input or output (an untyped ``tuple``, a ``NamedTuple`` as a
    value): flytekit's ``RestrictedTypeError`` (``flytekit.core.type_engine``), raised where flytekit
    raises it."""


class TransformerRegistrationError(UserError, ValueError):
    """A type transformer could not be registered (for example, the type already has one)."""


class TaskDefinitionError(FlyteValidationException, ValueError):
    """A task, its configuration or its serialization settings are wrong (found when the task is built
    or serialized, before anything runs).

    It is also a ``ValueError`` and an ``AssertionError`` (a ``FlyteValidationException``) because flytekit
    raised one or the other for these mistakes, and ported code may catch any of them.
    """


class TemplateTooLargeError(TaskDefinitionError):
    """A serialized task template is larger than the configured limit; the message names its largest parts."""


class WorkflowCompileError(FlyteValidationException, TypeError, ValueError):
    """A workflow body cannot be compiled into a graph: an input of a node is missing, unknown or of the
    wrong type, a promise is used as a Python value (``if p:``, ``p + 1``, ``int(p)``), or the returned
    values do not match the declared outputs.

    The message names the workflow, the node and the input, and says how to fix it. It also subclasses the
    builtins flytekit raised for these mistakes (``AssertionError``, ``TypeError``, ``ValueError``), so ported
    code that catches them keeps working.
    """


class TaskLoadError(UserError, ImportError):
    """The task named in a container's arguments cannot be loaded: its resolver or executor class is not
    importable, or is not what the arguments say it is."""


class PackagingError(UserError, ValueError):
    """Registration files cannot be written from what the command was given: a file or module that does not
    exist or fails to import (the message shows the exception and where it was raised), code without any
    task, workflow or launch plan, or an output that exists without ``--force``."""


class NotSupportedError(UserError, NotImplementedError):
    """The code asks for a Flyte feature flyweight does not have yet (a map task, a dynamic workflow,
    an override at a node, a template the local engine cannot run). The message names the feature and
    what to do instead; ``docs/compatibility.md`` lists each one. It is also a ``NotImplementedError``, as
    ported code may expect."""


class TaskExecutionError(UserError, RuntimeError):
    """What a run asked for cannot be done with what it was given: a database file that does not exist,
    an archive that does not hold exactly one file, a query the database rejects.

    Plugin executors raise it at run time; the container reports it as USER, NON_RECOVERABLE (retrying
    the same inputs gives the same failure). It is also a ``RuntimeError``, as flytekit raised for some
    of these.
    """


class WorkflowExecutionError(UserError):
    """Nodes of a workflow run by the local engine failed (after their retries), so the run stopped.

    The message names the workflow and, for every failed node, the node, the task, the attempts and the
    task's error (the message of its ``error.pb`` when it ran through ``flyweight-execute``); a node
    that ran past its timeout says ``timed out after Ns``. The exception raised in this process by the
    first failed node, if any, is the ``__cause__``.

    It is no builtin exception type on purpose: it stands for a failure of any type inside the run, so
    an ``except ValueError`` or ``except RuntimeError`` written for something else never catches it by
    accident. Catch ``WorkflowExecutionError`` and look at ``__cause__`` (or ``failures[i].cause``) for
    the task's own exception.

    Attributes:
        workflow_name: the workflow that was run.
        node_id: the first failed node (``n1``; ``n1-n0`` for node ``n0`` of the sub-workflow at ``n1``).
        entity_name: the task (or launch plan) that node ran.
        error_message: its task's error message.
        origin: ``"USER"`` or ``"SYSTEM"``, as in ``error.pb``.
        attempts: how many attempts were made.
        blob_dir: the run's local blob directory, where finished nodes' files stay (None if none was made).
        failures: every failed node, in the order they failed (the attributes above describe the first):
            more than one when nodes failed at the same time, or when the workflow's failure policy is
            ``FAIL_AFTER_EXECUTABLE_NODES_COMPLETE``.
    """

    class NodeFailure:
        """One failed node of the run.

        Attributes:
            node_id, entity_name, error_message, origin, attempts: as on the error.
            timed_out: whether its last attempt ran past the task's timeout and was ended.
            timeout: the task's timeout in seconds (None if it has none).
            cause: the exception raised in this process, if any (an attempt in a subprocess leaves only
                the message of its ``error.pb``).
            recoverable: whether its last failure was of kind RECOVERABLE (ADR 0014).
            code: the error code of its last failure (``"USER:RuntimeError"``, ``"SYSTEM"``…).
        """

        def __init__(  # noqa: PLR0917
            self,
            node_id: str,
            entity_name: str,
            error_message: str,
            origin: str = "USER",
            attempts: int = 1,
            timed_out: bool = False,
            timeout: float | None = None,
            cause: BaseException | None = None,
            recoverable: bool = False,
            code: str = "",
        ) -> None:
            self.recoverable = recoverable
            self.code = code
            self.node_id = node_id
            self.entity_name = entity_name
            self.error_message = error_message
            self.origin = origin
            self.attempts = attempts
            self.timed_out = timed_out
            self.timeout = timeout
            self.cause = cause

        def headline(self) -> str:
            """``node n1 ('m.t') failed on its first attempt with a USER error`` (or ``timed out after
            2s …``)."""
            node = f"node {self.node_id} ({self.entity_name!r})"
            if self.timed_out:
                after = f" after {self.timeout:g}s" if self.timeout is not None else ""
                tries = "on its first attempt" if self.attempts == 1 else f"on attempt {self.attempts}"
                return f"{node} timed out{after} {tries}"
            tries = (
                f"after {self.attempts} attempts"
                if self.attempts > 1
                else "on its first attempt"
                if self.attempts == 1
                else "before it could start"
            )
            return f"{node} failed {tries} with a {self.origin} error"

        def __repr__(self) -> str:
            return (
                f"NodeFailure(node_id={self.node_id!r}, entity_name={self.entity_name!r}, "
                f"origin={self.origin!r}, attempts={self.attempts}, timed_out={self.timed_out})"
            )

    def __init__(  # noqa: PLR0917
        self,
        workflow_name: str,
        node_id: str,
        entity_name: str,
        error_message: str,
        origin: str = "USER",
        attempts: int = 1,
        blob_dir: str | None = None,
        *,
        failures: Sequence[WorkflowExecutionError.NodeFailure] = (),
    ) -> None:
        self.workflow_name = workflow_name
        self.node_id = node_id
        self.entity_name = entity_name
        self.error_message = error_message
        self.origin = origin
        self.attempts = attempts
        self.blob_dir = blob_dir
        self.failures = tuple(failures) or (
            WorkflowExecutionError.NodeFailure(node_id, entity_name, error_message, origin, attempts),
        )
        where = f"; the run's files are in {blob_dir}" if blob_dir else ""
        if len(self.failures) == 1:
            only = self.failures[0]
            message = f"workflow {workflow_name!r} failed: {only.headline()}{where}:\n{only.error_message}"
        else:
            lines = [f"workflow {workflow_name!r} failed: {len(self.failures)} nodes failed{where}:"]
            for failure in self.failures:
                lines.append(f"{failure.headline()}:")
                lines.extend(f"  {line}" for line in failure.error_message.splitlines() or [""])
            message = "\n".join(lines)
        super().__init__(message)


class RecoverableError(UserError):
    """Raise it from task code when retrying may succeed (a flaky service, a lost lease).

    The container entrypoint reports it as a USER error of kind RECOVERABLE, so Flyte retries the task
    within its ``retries`` budget; every other user error is NON_RECOVERABLE.

    Example:
        >>> from flyweight.errors import RecoverableError
        >>> raise RecoverableError("the warehouse is restarting")
        Traceback (most recent call last):
        ...
        flyweight.errors.RecoverableError: the warehouse is restarting
    """

    recoverable: ClassVar[bool] = True
    error_code: ClassVar[str] = "USER:Recoverable"


FlyteRecoverableException = RecoverableError
"""flytekit's name for :class:`RecoverableError`, so ported task code keeps working."""


class TemplateError(PlatformError, ValueError):
    """A task template or an inputs file handed to the container is malformed or does not fit together."""


class StorageError(FlyteSystemException, OSError):
    """Reading or writing a file or object failed; retrying may succeed."""

    recoverable: ClassVar[bool] = True


class UnsupportedLocationError(StorageError):
    """A location whose protocol no installed filesystem handles (``s3z://…``, or ``gs://`` without
    ``gcsfs``): retrying the same attempt cannot help, so it is not recoverable. The message names the
    protocol and the fix (the spelling, or the package to install in the image)."""

    recoverable: ClassVar[bool] = False


class IgnoreOutputs(Exception):
    """Raise it from an executor to say "this attempt's outputs are not needed" (for example on a worker that
    is not the leader of a distributed job). The container entrypoint then writes neither ``outputs.pb``
    nor ``error.pb`` and exits 0."""


class SecretNotFoundError(UserError, ValueError):
    """A secret the task asked for is neither in the environment nor in the mounted secrets directory."""


class CheckpointError(UserError, TypeError, ValueError):
    """A task's checkpoint (``current_context().checkpoint``) cannot do what was asked: ``read()`` of a
    checkpoint of several files, ``restore()`` to something that is not a directory or from a previous
    checkpoint that does not exist, ``write()`` of a value that is not bytes, ``save()`` of something that
    is neither a path nor a binary reader. flytekit raises ``ValueError`` or ``TypeError`` for these; this
    is both. A failing read or write of the storage itself is a :class:`StorageError`."""


_SCOPED = (
    "flytekit 1.16.14 no longer raises the deprecated FlyteScoped* wrappers either: the exception of task "
    "code reaches the caller unchanged; catch that exception (or UserError / PlatformError)"
)
_COMPILE = (
    "flyweight raises WorkflowCompileError there; catch it, or FlyteValidationException / FlyteAssertion"
)
_DEFINITION = "flyweight raises TaskDefinitionError there; catch it, or FlyteValidationException"
_STORAGE = "flyweight raises StorageError (a FlyteSystemException) when a download or upload fails"
_NO_REMOTE = "it belongs to flytekit's remote client or connectors, which flyweight does not have"
_NOT_PROVIDED = {
    "FlyteScopedException": _SCOPED,
    "FlyteScopedUserException": _SCOPED,
    "FlyteScopedSystemException": _SCOPED,
    "FlyteUserRuntimeException": (
        "flyweight does not wrap exceptions of task code: the exception itself reaches the caller (and is "
        "reported as a USER error); catch it directly"
    ),
    "FlyteCompilationException": (
        "flyweight raises TaskDefinitionError (an input without a type annotation) or WorkflowCompileError "
        "(a workflow that returns nothing); catch FlyteValidationException for both"
    ),
    "FlyteMissingTypeException": _DEFINITION,
    "FlyteMissingReturnValueException": _COMPILE,
    "FlyteFailureNodeInputMismatchException": _COMPILE,
    "FlytePromiseAttributeResolveException": _COMPILE,
    "FlyteDataNotFoundException": _STORAGE,
    "FlyteDownloadDataException": _STORAGE,
    "FlyteUploadDataException": _STORAGE,
    "FlyteEntrypointNotLoadable": "flyweight raises TaskLoadError (an ImportError) there",
    "FlyteEntityNotFoundException": (
        "flyweight raises TaskLoadError when a container cannot find its task, and a usage error or "
        "PackagingError when `flyweight run` / `flyweight package` cannot"
    ),
    "FlyteSystemAssertion": "catch PlatformError (or FlyteSystemException)",
    "FlyteNonRecoverableSystemException": "raise or catch PlatformError (SYSTEM, NON_RECOVERABLE)",
    "FlyteAuthenticationException": _NO_REMOTE,
    "FlyteEntityAlreadyExistsException": _NO_REMOTE,
    "FlyteInvalidInputException": _NO_REMOTE,
    "FlyteSystemUnavailableException": _NO_REMOTE,
    "FlyteDisapprovalException": _NO_REMOTE,
    "FlyteAgentNotFound": _NO_REMOTE,
    "FlyteConnectorNotFound": _NO_REMOTE,
}


if not TYPE_CHECKING:  # hidden from type checkers, which keep reporting unknown names

    def __getattr__(name: str) -> object:
        """A flytekit exception name flyweight does not provide: an ImportError saying what to use instead
        (an ImportError, not an AttributeError, so ``from flyweight.errors import X`` shows the message)."""
        hint = _NOT_PROVIDED.get(name)
        if hint is None:
            raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
        raise ImportError(f"flyweight.errors does not provide flytekit's {name}: {hint}", name=__name__)


_USER_CODE_MARK = "__flyweight_raised_by_user_code__"
_TRANSIENT_MARK = "__flyweight_transient__"


def _mark(exc: BaseException, name: str) -> BaseException:
    try:
        setattr(exc, name, True)
    except (AttributeError, TypeError):  # an exception type with __slots__ or a read-only __setattr__
        pass
    return exc


def mark_user_code(exc: BaseException) -> BaseException:
    """Note that ``exc`` came out of task or executor code (not flyweight), and return it unchanged.

    The exception keeps its type and message, so local callers see exactly what the code raised; the
    container entrypoint reads the mark to report it as a USER error.
    """
    return _mark(exc, _USER_CODE_MARK)


def mark_transient(exc: BaseException) -> BaseException:
    """Note that ``exc`` is transient (retrying the attempt may succeed), and return it unchanged.

    The task layer calls it for exceptions a task's or executor's ``is_transient`` accepts; the failure is
    then reported as RECOVERABLE, so Flyte's retry budget applies.
    """
    return _mark(exc, _TRANSIENT_MARK)


def marked_transient(exc: BaseException) -> bool:
    """Whether ``exc`` was marked by :func:`mark_transient`."""
    try:
        return getattr(exc, _TRANSIENT_MARK, False) is True
    except Exception:
        return False


def raised_by_user_code(exc: BaseException) -> bool:
    """Whether ``exc`` is a user error: a :class:`UserError`, or marked by :func:`mark_user_code` and not a
    :class:`PlatformError` (a failure of the platform stays the platform's wherever it surfaced)."""
    if isinstance(exc, PlatformError):
        return False
    if isinstance(exc, UserError):
        return True
    try:
        return getattr(exc, _USER_CODE_MARK, False) is True
    except Exception:  # an exception whose __getattr__ raises
        return False
