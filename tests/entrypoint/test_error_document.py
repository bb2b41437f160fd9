"""Where the container writes its error document, and the small helpers of an attempt."""

from __future__ import annotations

import re

import pytest

from flyweight._entrypoint._errors import error_file_name
from flyweight._entrypoint._run import execution_ids, fail_on_error, join_uri


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
