"""The local engine running map tasks: elements in parallel (threads in-process, ``flyweight-execute``
subprocesses for plugin tasks), ``concurrency``, retries, ``min_success_ratio`` and failures by index."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest
from tests.runtime import map_tasks
from tests.runtime.map_tasks import bad_output, flaky, overlapped, picky, scale, slow_square, spans

from flyweight import map_task, task, workflow
from flyweight._idl import LiteralMap, TaskTemplate
from flyweight._runtime import run_workflow
from flyweight.errors import WorkflowExecutionError


def events_of(run: Any) -> tuple[list[tuple[str, str, dict[str, Any]]], Any]:
    seen: list[tuple[str, str, dict[str, Any]]] = []
    return seen, lambda node, state, info: seen.append((node, state, dict(info)))


@workflow
def squares(xs: list[int], log: str, seconds: float) -> list[int]:
    return map_task(functools.partial(slow_square, log=log, seconds=seconds))(x=xs)


@workflow
def squares_one_at_a_time(xs: list[int], log: str, seconds: float) -> list[int]:
    return map_task(functools.partial(slow_square, log=log, seconds=seconds), concurrency=1)(x=xs)


def test_in_process_elements_run_at_once_on_the_workers(tmp_path: Path) -> None:
    log = str(tmp_path / "log")
    assert run_workflow(squares, {"xs": [1, 2, 3, 4], "log": log, "seconds": 0.3}, workers=4) == [1, 4, 9, 16]
    rows = spans(log)
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert overlapped(rows)


@pytest.mark.parametrize("options", [{"workers": 1}, {}])
def test_concurrency_or_one_worker_runs_them_one_after_the_other(tmp_path: Path, options: Any) -> None:
    log = str(tmp_path / "log")
    wf = squares if options else squares_one_at_a_time
    assert run_workflow(wf, {"xs": [1, 2, 3], "log": log, "seconds": 0.05}, **options) == [1, 4, 9]
    assert not overlapped(spans(log))


@workflow
def retried(xs: list[int], marker: str) -> list[int]:
    return map_task(functools.partial(flaky, marker=marker))(x=xs)


def test_recoverable_element_failures_are_retried(tmp_path: Path) -> None:
    seen, on_event = events_of(None)
    out = run_workflow(retried, {"xs": [1, 2, 3], "marker": str(tmp_path)}, on_event=on_event)
    assert out == [101, 102, 103]
    assert sorted(node for node, state, _ in seen if state == "retried") == ["n0-0", "n0-1", "n0-2"]
    assert [(n, s) for n, s, _ in seen if n == "n0"] == [
        ("n0", "pending"),
        ("n0", "running"),
        ("n0", "succeeded"),
    ]


@workflow
def half(xs: list[int]) -> list[int | None]:
    return map_task(picky, min_success_ratio=0.5)(x=xs)


@workflow
def all_needed(xs: list[int]) -> list[int]:
    return map_task(picky)(x=xs)


def test_failed_elements_give_none_when_the_ratio_allows() -> None:
    seen, on_event = events_of(None)
    assert run_workflow(half, {"xs": [1, 2, 3, 4]}, on_event=on_event) == [1, 2, None, 4]
    failed = [(n, info["error"]) for n, s, info in seen if s == "failed"]
    assert failed == [("n0-2", "ValueError: 3 is a multiple of 3")]


def test_too_many_failures_fail_the_map_naming_the_elements() -> None:
    with pytest.raises(WorkflowExecutionError) as info:
        run_workflow(half, {"xs": [3, 6, 1]})
    assert "2 of 3 elements failed and 2 had to succeed" in str(info.value)
    assert "element 0: ValueError: 3 is a multiple of 3; element 1: ValueError: 6 is a multiple of 3" in str(
        info.value
    )
    with pytest.raises(WorkflowExecutionError, match=r"element 2: ValueError: 3 is a multiple"):
        run_workflow(all_needed, {"xs": [1, 2, 3, 4]}, workers=1)


@workflow
def bad_values(xs: list[int]) -> list[int]:
    return map_task(bad_output)(x=xs)


@workflow
def bad_values_allowed(xs: list[int]) -> list[int | None]:
    return map_task(bad_output, min_success_ratio=0.5)(x=xs)


def test_an_element_returning_the_wrong_type_fails_alone() -> None:
    with pytest.raises(WorkflowExecutionError, match=r"element 1: .*expected int, got str"):
        run_workflow(bad_values, {"xs": [1, 2, 3]})
    assert run_workflow(bad_values_allowed, {"xs": [1, 2, 3]}) == [1, None, 3]


@task(cache=True, cache_version="1")
def cached_double(x: int) -> int:
    return 2 * x


@workflow
def doubled(xs: list[int]) -> list[int]:
    return map_task(cached_double)(x=xs)


def test_elements_are_cached_one_by_one(tmp_path: Path) -> None:
    from flyweight._runtime._cache import LocalCache

    cache = LocalCache(tmp_path / "cache")
    assert run_workflow(doubled, {"xs": [1, 2]}, cache=cache) == [2, 4]
    seen, on_event = events_of(None)
    assert run_workflow(doubled, {"xs": [2, 3]}, cache=cache, on_event=on_event) == [4, 6]
    states = {n: s for n, s, _ in seen if n.startswith("n0-")}
    assert states == {"n0-0": "cached", "n0-1": "succeeded"}


@workflow
def plugin_map(xs: list[int], log: str, seconds: float) -> list[int]:
    return map_task(functools.partial(scale, log=log, seconds=seconds))(x=xs)


@workflow
def plugin_map_some_fail(xs: list[int]) -> list[int | None]:
    return map_task(functools.partial(scale, log="", seconds=0.0), min_success_ratio=0.5)(x=xs)


def test_plugin_elements_run_as_flyte_runs_them_in_subprocesses(tmp_path: Path) -> None:
    log = str(tmp_path / "log")
    blob = tmp_path / "blob"
    out = run_workflow(plugin_map, {"xs": [1, 2, 3, 4], "log": log, "seconds": 0.5}, workers=2, blob_dir=blob)
    assert out == [3, 6, 9, 12]
    rows = spans(log)
    assert len({pid for _, pid, _, _ in rows}) == 4  # a process per element
    assert overlapped(rows)  # two at a time: both cores busy
    node = blob / "n0"
    whole = LiteralMap.FromString((node / "inputs.pb").read_bytes())
    assert len(whole.literals["x"].collection.literals) == 4  # every element reads the whole inputs
    for i in range(4):
        element_out = LiteralMap.FromString((node / str(i) / "0" / "outputs.pb").read_bytes())
        assert element_out.literals["y"].scalar.primitive.integer == 3 * (i + 1)
    template = TaskTemplate.FromString((node / "template.pb").read_bytes())
    assert template.interface.outputs.variables[
        "y"
    ].type.simple  # an element's output type, as propeller gives
    assert template.interface.inputs.variables["x"].type.collection_type.simple


def test_plugin_element_failures_come_from_their_error_documents() -> None:
    assert run_workflow(plugin_map_some_fail, {"xs": [1, -1, 2]}) == [3, None, 6]
    with pytest.raises(
        WorkflowExecutionError, match=r"(?s)element 0: .*cannot scale -5.*element 1: .*cannot scale -6"
    ):
        run_workflow(plugin_map_some_fail, {"xs": [-5, -6, 2]})


def test_plugin_elements_run_in_process_when_asked(tmp_path: Path) -> None:
    assert run_workflow(plugin_map_some_fail, {"xs": [1, -1, 2]}, in_process=True) == [3, None, 6]


def test_function_elements_run_through_flyweight_execute_when_isolated(tmp_path: Path) -> None:
    log = str(tmp_path / "log")
    assert run_workflow(squares, {"xs": [2, 3], "log": log, "seconds": 0.0}, isolated=True) == [4, 9]
    assert len({pid for _, pid, _, _ in spans(log)}) == 2


@task
def one_more(x: int) -> int:
    return x + 1


@workflow
def map_beside_a_task(xs: list[int]) -> tuple[list[int | None], int]:
    mapped = map_task(picky, min_success_ratio=0.5)(x=xs)
    return mapped, one_more(x=1)


def test_an_allowed_element_failure_does_not_stop_the_run() -> None:
    # with one worker the map runs first; a failure that stopped the graph would leave one_more unrun
    out = run_workflow(map_beside_a_task, {"xs": [3, 1]}, workers=1)
    assert tuple(out) == ([None, 1], 2)


def test_module_records_spans(tmp_path: Path) -> None:
    log = str(tmp_path / "log")
    map_tasks.record(log, 7, 0.0)
    assert [r[0] for r in spans(log)] == [7]
