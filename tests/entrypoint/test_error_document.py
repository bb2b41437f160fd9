"""Exceptions → ``ErrorDocument``: origin, kind, code and message, without running a process."""

from __future__ import annotations

import re
import time

import pytest
from flyteidl.core import errors_pb2, execution_pb2

from flyweight.entrypoint._errors import (
    Classification,
    classify,
    describe,
    error_document,
    error_file_name,
)
from flyweight.entrypoint._run import execution_ids, fail_on_error, join_uri
from flyweight.errors import (
    FlyteRecoverableException,
    IgnoreOutputs,
    PlatformError,
    RecoverableError,
    StorageError,
    TaskLoadError,
    TemplateError,
    TypeTransformerFailedError,
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
        (TypeTransformerFailedError("expected int"), Classification("USER", False, "USER:RuntimeError")),
        (TaskLoadError("no executor"), Classification("USER", False, "USER:RuntimeError")),
        (RecoverableError("later"), Classification("USER", True, "USER:Recoverable")),
        (FlyteRecoverableException("later"), Classification("USER", True, "USER:Recoverable")),
        (marked(ValueError("bad")), Classification("USER", False, "USER:RuntimeError")),
        (marked(KeyError("k")), Classification("USER", False, "USER:RuntimeError")),
        (marked(Retryable()), Classification("USER", True, "USER:RuntimeError")),
        (marked(WithCode("USER:Quota")), Classification("USER", False, "USER:Quota")),
        (marked(WithCode(42)), Classification("USER", False, "42")),
        (marked(WithCode(True)), Classification("USER", False, "USER:RuntimeError")),
        (marked(WithCode(["x"])), Classification("USER", False, "USER:RuntimeError")),
        (marked(WithCode("")), Classification("USER", False, "USER:RuntimeError")),
        (TemplateError("malformed"), Classification("SYSTEM", False, "SYSTEM")),
        (StorageError("disk"), Classification("SYSTEM", True, "SYSTEM")),
        (PlatformError("bug"), Classification("SYSTEM", False, "SYSTEM")),
        (ValueError("unmarked"), Classification("SYSTEM", True, "SYSTEM")),
        (WithCode("USER:Quota"), Classification("SYSTEM", True, "SYSTEM")),
        (OSError("env"), Classification("SYSTEM", True, "SYSTEM")),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else "",
)
def test_classify(exc: BaseException, expected: Classification) -> None:
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
        (Classification("USER", False, "USER:RuntimeError"), "USER", "NON_RECOVERABLE"),
        (Classification("USER", True, "USER:Recoverable"), "USER", "RECOVERABLE"),
        (Classification("SYSTEM", True, "SYSTEM"), "SYSTEM", "RECOVERABLE"),
        (Classification("SYSTEM", False, "SYSTEM"), "SYSTEM", "NON_RECOVERABLE"),
    ],
)
def test_error_document_fields(how: Classification, origin: str, kind: str) -> None:
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


@pytest.mark.parametrize(
    ("env", "distributed", "worker"),
    [
        ({}, False, ""),
        ({"_F_WN": "w"}, False, ""),
        ({"_F_DES": ""}, False, ""),
        ({"_F_DES": "1"}, True, ""),
        ({"_F_DES": "1", "_F_WN": "w"}, True, "w"),
        (
            {"FLYTE_INTERNAL_DIST_ERROR_STRATEGY": "ALL", "FLYTE_INTERNAL_WORKER_NAME": "a", "_F_WN": "b"},
            True,
            "a",
        ),
    ],
)
def test_error_file_name(env: dict[str, str], distributed: bool, worker: str) -> None:
    name, got_worker = error_file_name(env)
    if distributed:
        assert re.fullmatch(r"error-[0-9a-f]{32}\.pb", name)
        assert name != error_file_name(env)[0]
    else:
        assert name == "error.pb"
    assert got_worker == worker


@pytest.mark.parametrize(
    ("prefix", "joined"),
    [
        ("/data/out", "/data/out/outputs.pb"),
        ("/data/out/", "/data/out/outputs.pb"),
        ("file:///data/out", "file:///data/out/outputs.pb"),
        ("s3://bucket/out/", "s3://bucket/out/outputs.pb"),
        ("/", "/outputs.pb"),
    ],
)
def test_join_uri(prefix: str, joined: str) -> None:
    assert join_uri(prefix, "outputs.pb") == joined


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("t", True),
        ("T", True),
        ("0", False),
        ("no", False),
        ("", False),
    ],
)
def test_fail_on_error(value: str, expected: bool) -> None:
    assert fail_on_error({"FLYTE_FAIL_ON_ERROR": value}) is expected
    assert fail_on_error({}) is False


def test_execution_ids_prefer_long_names() -> None:
    env = {
        "FLYTE_INTERNAL_EXECUTION_PROJECT": "p",
        "_F_PRJ": "short",
        "_F_DM": "d",
        "_F_NM": "n",
        "_F_TK_PRJ": "tp",
        "FLYTE_INTERNAL_TASK_DOMAIN": "td",
        "_F_TK_NM": "tn",
        "_F_TK_V": "tv",
    }
    execution, task = execution_ids(env)
    assert (execution.project, execution.domain, execution.name) == ("p", "d", "n")
    assert (task.project, task.domain, task.name, task.version, task.resource_type) == (
        "tp",
        "td",
        "tn",
        "tv",
        "TASK",
    )
    empty, _ = execution_ids({})
    assert (empty.project, empty.domain, empty.name) == ("", "", "")
