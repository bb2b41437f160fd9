"""The error contract: exceptions → origin, kind, code and message, and the ``ErrorDocument`` with them."""

from __future__ import annotations

import socket
import time
import urllib.error

import pytest
from flyteidl.core import errors_pb2, execution_pb2

from flyweight._failure import (
    Failure,
    Interrupted,
    classify,
    describe,
    error_document,
    failure_of,
    from_error_document,
    ignored_outputs,
    is_transient,
    normalize,
    safe_str,
)
from flyweight.errors import (
    FlyteRecoverableException,
    IgnoreOutputs,
    PlatformError,
    RecoverableError,
    StorageError,
    TaskExecutionError,
    TaskLoadError,
    TemplateError,
    TypeTransformerFailedError,
    UserError,
    mark_transient,
    mark_user_code,
)


class WithCode(Exception):
    def __init__(self, code: object) -> None:
        super().__init__("coded")
        self.error_code = code


class Retryable(Exception):
    recoverable = True


def marked(exc: BaseException) -> BaseException:
    return mark_user_code(exc)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (TypeTransformerFailedError("expected int"), Failure("USER", False, "USER:RuntimeError")),
        (TaskLoadError("no executor"), Failure("USER", False, "USER:RuntimeError")),
        (RecoverableError("later"), Failure("USER", True, "USER:Recoverable")),
        (FlyteRecoverableException("later"), Failure("USER", True, "USER:Recoverable")),
        (marked(ValueError("bad")), Failure("USER", False, "USER:RuntimeError")),
        (marked(KeyError("k")), Failure("USER", False, "USER:RuntimeError")),
        (marked(Retryable()), Failure("USER", True, "USER:RuntimeError")),
        (marked(WithCode("USER:Quota")), Failure("USER", False, "USER:Quota")),
        (marked(WithCode(42)), Failure("USER", False, "42")),
        (marked(WithCode(True)), Failure("USER", False, "USER:RuntimeError")),
        (marked(WithCode(["x"])), Failure("USER", False, "USER:RuntimeError")),
        (marked(WithCode("")), Failure("USER", False, "USER:RuntimeError")),
        (TemplateError("malformed"), Failure("SYSTEM", False, "SYSTEM")),
        (StorageError("disk"), Failure("SYSTEM", True, "SYSTEM")),
        (PlatformError("bug"), Failure("SYSTEM", False, "SYSTEM")),
        (ValueError("unmarked"), Failure("SYSTEM", False, "SYSTEM")),
        (WithCode("USER:Quota"), Failure("SYSTEM", False, "SYSTEM")),
        (OSError("env"), Failure("SYSTEM", False, "SYSTEM")),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else "",
)
def test_classify(exc: BaseException, expected: Failure) -> None:
    assert classify(exc) == expected


@pytest.mark.parametrize("exc", [IgnoreOutputs(), marked(IgnoreOutputs("not leader"))])
def test_ignore_outputs_reports_nothing(exc: BaseException) -> None:
    assert classify(exc) is None


def _raise_chained() -> None:
    try:
        {}["missing"]
    except KeyError as e:
        raise TemplateError("no such key\nsecond line") from e


def test_describe_has_traceback_then_message() -> None:
    try:
        _raise_chained()
    except TemplateError as e:
        text = describe(e)
    trace, _, message = text.partition("\nMessage:\n\n")
    assert trace.startswith("Trace:\n\n    Traceback (most recent call last):\n")
    assert "in _raise_chained" in trace
    assert "KeyError: 'missing'" in trace  # the cause is kept
    assert "direct cause" in trace
    assert message == "    TemplateError: no such key\n    second line"


def test_describe_of_an_exception_never_raised() -> None:
    assert describe(ValueError("v")) == "Trace:\n\n    ValueError: v\n\nMessage:\n\n    ValueError: v"


@pytest.mark.parametrize(
    ("how", "origin", "kind"),
    [
        (Failure("USER", False, "USER:RuntimeError"), "USER", "NON_RECOVERABLE"),
        (Failure("USER", True, "USER:Recoverable"), "USER", "RECOVERABLE"),
        (Failure("SYSTEM", True, "SYSTEM"), "SYSTEM", "RECOVERABLE"),
        (Failure("SYSTEM", False, "SYSTEM"), "SYSTEM", "NON_RECOVERABLE"),
    ],
)
def test_error_document_fields(how: Failure, origin: str, kind: str) -> None:
    before = time.time()
    doc = error_document("the message", how, worker="w-1")
    data = doc.SerializeToString()
    err = errors_pb2.ErrorDocument.FromString(data).error
    assert err.code == how.code
    assert err.message == "the message"
    assert err.worker == "w-1"
    assert err.origin == execution_pb2.ExecutionError.ErrorKind.Value(origin)
    assert err.kind == errors_pb2.ContainerError.Kind.Value(kind)
    assert before - 1 <= err.timestamp.seconds + err.timestamp.nanos / 1e9 <= time.time() + 1


def test_enum_numbers_are_flytes() -> None:
    assert execution_pb2.ExecutionError.USER == 1
    assert execution_pb2.ExecutionError.SYSTEM == 2
    assert errors_pb2.ContainerError.NON_RECOVERABLE == 0
    assert errors_pb2.ContainerError.RECOVERABLE == 1


class BrokenStr(Exception):
    def __str__(self) -> str:
        raise RuntimeError("str is broken")


class BrokenBoth(Exception):
    def __str__(self) -> str:
        raise KeyboardInterrupt

    def __repr__(self) -> str:
        raise RuntimeError("repr is broken too")


class SlotsError(Exception):
    __slots__ = ()

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("read-only")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        # Transient failures are worth a retry wherever they come from.
        (marked(ConnectionRefusedError("refused")), Failure("USER", True, "USER:RuntimeError")),
        (marked(ConnectionResetError("reset")), Failure("USER", True, "USER:RuntimeError")),
        (marked(BrokenPipeError("pipe")), Failure("USER", True, "USER:RuntimeError")),
        (marked(TimeoutError("slow")), Failure("USER", True, "USER:RuntimeError")),
        (marked(TimeoutError("slow")), Failure("USER", True, "USER:RuntimeError")),
        (
            marked(socket.gaierror(-2, "Name or service not known")),
            Failure("USER", True, "USER:RuntimeError"),
        ),
        (marked(urllib.error.URLError(ConnectionRefusedError())), Failure("USER", True, "USER:RuntimeError")),
        (
            marked(mark_transient(KeyError("declared by the plugin"))),
            Failure("USER", True, "USER:RuntimeError"),
        ),
        (ConnectionRefusedError("ours"), Failure("SYSTEM", True, "SYSTEM")),
        (TimeoutError("ours"), Failure("SYSTEM", True, "SYSTEM")),
        # Programming errors stay non-recoverable.
        (marked(urllib.error.URLError("unknown url type")), Failure("USER", False, "USER:RuntimeError")),
        (marked(TypeError("wrong")), Failure("USER", False, "USER:RuntimeError")),
        (marked(AttributeError("no such")), Failure("USER", False, "USER:RuntimeError")),
        (marked(OSError("disk")), Failure("USER", False, "USER:RuntimeError")),
        # Any BaseException raised by task code is the user's.
        (marked(KeyboardInterrupt()), Failure("USER", False, "USER:RuntimeError")),
        (marked(GeneratorExit()), Failure("USER", False, "USER:RuntimeError")),
        (marked(BaseException("odd")), Failure("USER", False, "USER:RuntimeError")),
        # A stop from outside is the system's, and worth a retry.
        (Interrupted("SIGTERM"), Failure("SYSTEM", True, "SYSTEM")),
        (marked(Interrupted("SIGINT")), Failure("SYSTEM", True, "SYSTEM")),
        # A PlatformError stays the platform's even when it passed through task code.
        (marked(StorageError("s3 down")), Failure("SYSTEM", True, "SYSTEM")),
        (marked(TemplateError("bad")), Failure("SYSTEM", False, "SYSTEM")),
        # Marks that cannot be set, or exceptions whose attributes misbehave, do not break classification.
        (marked(SlotsError("x")), Failure("SYSTEM", False, "SYSTEM")),
        (marked(BrokenStr()), Failure("USER", False, "USER:RuntimeError")),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else "",
)
def test_classify_transient_and_base_exceptions(exc: BaseException, expected: Failure) -> None:
    assert classify(exc) == expected


def test_system_exit_is_reported_as_the_users_call() -> None:
    error = normalize(SystemExit(3))
    assert isinstance(error, UserError)
    assert "sys.exit(3)" in str(error)
    assert isinstance(error.__cause__, SystemExit)
    assert classify(error) == Failure("USER", False, "USER:RuntimeError")
    how, message = failure_of(SystemExit("bye"))
    assert how.origin == "USER" and "sys.exit('bye')" in message


def test_failure_of_refuses_ignore_outputs() -> None:
    with pytest.raises(TypeError, match="IgnoreOutputs"):
        failure_of(IgnoreOutputs())


@pytest.mark.parametrize("exc", [BrokenStr(), BrokenBoth()], ids=["str", "str-and-repr"])
def test_describe_never_raises_for_a_broken_str(exc: BaseException) -> None:
    try:
        raise exc
    except BaseException as e:
        text = describe(e)
    assert type(exc).__name__ in text
    assert "Trace:" in text and "Message:" in text
    assert safe_str(exc)


def test_safe_str_falls_back_to_repr_then_to_the_type() -> None:
    assert safe_str(BrokenStr()) == "BrokenStr()"
    assert safe_str(BrokenBoth()) == "<BrokenBoth object: its __str__ and __repr__ raised>"


def test_messages_that_are_not_utf8_are_escaped_not_lost() -> None:
    text = b"no such file /data/\xff\xfe".decode("utf-8", "surrogateescape")
    doc = error_document(text, Failure("USER", False, "USER:RuntimeError"), worker=text)
    parsed = errors_pb2.ErrorDocument.FromString(doc.SerializeToString())
    assert parsed.error.message == "no such file /data/\\udcff\\udcfe"
    assert parsed.error.worker == parsed.error.message


@pytest.mark.parametrize(
    "how",
    [
        Failure("USER", False, "USER:Quota"),
        Failure("USER", True, "USER:Recoverable"),
        Failure("SYSTEM", True, "SYSTEM"),
    ],
)
def test_from_error_document_inverts_error_document(how: Failure) -> None:
    doc = errors_pb2.ErrorDocument.FromString(error_document("m", how).SerializeToString())
    assert from_error_document(doc) == (how, "m")


def test_ignored_outputs() -> None:
    assert ignored_outputs("task 't'", []) is None
    error = ignored_outputs("task 't'", ["o0", "o1"])
    assert isinstance(error, TaskExecutionError)
    assert "o0, o1" in str(error) and "IgnoreOutputs" in str(error)
    assert classify(error) == Failure("USER", False, "USER:RuntimeError")


def test_is_transient() -> None:
    assert is_transient(ConnectionAbortedError())
    assert is_transient(socket.herror())
    assert not is_transient(ValueError("connection refused"))  # the words alone do not make it transient
    assert is_transient(mark_transient(ValueError("declared")))
