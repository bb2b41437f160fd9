"""The local engine, in-process: graphs, bindings, parallelism, failures, retries and events."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from tests.runtime import engine_tasks as t

from flyweight import LaunchPlan, WorkflowFailurePolicy, task, workflow
from flyweight._context import running_workflows_with
from flyweight._runtime import run_workflow
from flyweight.errors import RecoverableError, WorkflowExecutionError

Events = list[tuple[str, str, dict[str, Any]]]


def recorder() -> tuple[Events, Any]:
    events: Events = []
    return events, lambda node, state, info: events.append((node, state, dict(info)))


def test_linear_chain_by_call_and_by_api() -> None:
    assert t.chain(x=3) == 13
    assert t.chain(3) == 13
    assert run_workflow(t.chain, {"x": 1}) == 5


def test_long_chain() -> None:
    @task
    def inc(x: int) -> int:
        return x + 1

    @workflow
    def hundred(x: int) -> int:
        for _ in range(100):
            x = inc(x=x)
        return x

    assert hundred(x=0) == 100


def test_defaults_of_workflow_and_task() -> None:
    @workflow
    def wf(x: int = 4) -> int:
        return t.add(a=x)

    assert wf() == 5
    assert wf(x=1) == 2


def test_list_and_dict_bindings_and_several_outputs() -> None:
    @task
    def total(xs: list[int], d: dict[str, int]) -> int:
        return sum(xs) + sum(d.values())

    @workflow
    def wf(x: int) -> tuple[int, str]:
        a = t.double(x=x)
        return total(xs=[a, 1, t.add(a=a)], d={"k": a, "c": 10}), t.greet(name="w")

    out = wf(x=2)
    assert out == (4 + 1 + 5 + 4 + 10, "hello w")
    assert out.o1 == "hello w"


def test_promise_paths_into_lists_and_dicts() -> None:
    @task
    def pair(x: int) -> list[int]:
        return [x, x + 1]

    @task
    def named(x: int) -> dict[str, int]:
        return {"a": x}

    @workflow
    def wf(x: int) -> int:
        return t.add(a=pair(x=x)[1], b=named(x=x)["a"])

    assert wf(x=5) == 11


def test_sub_workflow_and_launch_plan() -> None:
    lp = LaunchPlan.get_or_create(t.chain, name="engine_tests.chain_lp", fixed_inputs={"x": 10})

    @workflow
    def outer(x: int) -> tuple[int, int]:
        return t.chain(x=t.double(x=x)), lp()

    events, on_event = recorder()
    assert run_workflow(outer, {"x": 1}, on_event=on_event) == (9, 41)
    done = {node for node, state, _ in events if state == "succeeded"}
    assert {"n0", "n1", "n1-n0", "n1-n1", "n1-n2", "n2", "n2-n0"} <= done
    assert lp() == 41


def test_no_outputs() -> None:
    seen: list[int] = []

    @task
    def record(x: int) -> None:
        seen.append(x)

    @workflow
    def wf(x: int) -> None:
        record(x=x)

    assert wf(x=7) is None
    assert seen == [7]


_left = threading.Event()
_right = threading.Event()


@task
def meet_left(x: int) -> int:
    _left.set()
    assert _right.wait(60), "the other branch never ran at the same time"
    return x


@task
def meet_right(x: int) -> int:
    _right.set()
    assert _left.wait(60), "the other branch never ran at the same time"
    return x + 1


def test_fan_out_runs_independent_nodes_in_parallel() -> None:
    @workflow
    def fan(x: int) -> int:
        a = t.double(x=x)
        return t.add(a=meet_left(x=a), b=meet_right(x=a))

    _left.clear()
    _right.clear()
    assert run_workflow(fan, {"x": 1}, workers=2) == 5


def test_failing_node_stops_the_run_and_names_the_node() -> None:
    events, on_event = recorder()
    with pytest.raises(WorkflowExecutionError) as info:
        run_workflow(t.failing, {"x": 1}, on_event=on_event)
    e = info.value
    assert (e.workflow_name, e.node_id, e.entity_name) == (
        "tests.runtime.engine_tasks.failing",
        "n1",
        "tests.runtime.engine_tasks.fail",
    )
    assert "node n1 ('tests.runtime.engine_tasks.fail')" in str(e)
    assert "ValueError: no good: 2" in str(e)
    assert isinstance(e.__cause__, ValueError)
    assert e.origin == "USER"
    states = [(n, s) for n, s, _ in events if s != "pending"]
    assert states == [
        ("n0", "running"),
        ("n0", "succeeded"),
        ("n1", "running"),
        ("n1", "failed"),
        ("n2", "cancelled"),  # never started: the run stopped
    ]
    assert events[-1][2] == {
        "entity": "tests.runtime.engine_tasks.double",
        "kind": "task",
        "reason": "the run failed",
    }


def test_failure_policy_finishes_what_can_run() -> None:
    ran: list[str] = []

    @task
    def note(x: int) -> int:
        ran.append("note")
        return x

    @workflow(failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
    def wf(x: int) -> int:
        t.fail(x=x)
        return note(x=x)

    with pytest.raises(WorkflowExecutionError, match="node n0"):
        wf(x=1)
    assert ran == ["note"]


def test_failure_policy_reports_every_failed_node() -> None:
    @task
    def lookup(key: str) -> int:
        return {"a": 1}[key]

    @workflow
    def inner(key: str) -> int:
        return lookup(key=key)

    @workflow(failure_policy=WorkflowFailurePolicy.FAIL_AFTER_EXECUTABLE_NODES_COMPLETE)
    def wf(x: int, key: str) -> int:
        t.fail(x=x)
        inner(key=key)
        return t.double(x=x)

    events, on_event = recorder()
    with pytest.raises(WorkflowExecutionError) as info:
        run_workflow(wf, {"x": 1, "key": "b"}, workers=1, on_event=on_event)
    e = info.value
    first, second = e.failures
    assert (first.node_id, first.entity_name, first.attempts) == ("n0", "tests.runtime.engine_tasks.fail", 1)
    assert (second.node_id, second.entity_name) == ("n1-n0", lookup.name)
    assert (first.origin, second.origin, first.timed_out, second.timed_out) == ("USER", "USER", False, False)
    assert isinstance(first.cause, ValueError) and isinstance(second.cause, KeyError)
    assert first.error_message == "ValueError: no good: 1"
    # the error's own attributes are the first failure's, as before
    assert (e.node_id, e.entity_name, e.error_message, e.attempts) == (
        first.node_id,
        first.entity_name,
        first.error_message,
        first.attempts,
    )
    assert e.__cause__ is first.cause
    text = str(e)
    assert text.startswith(f"workflow {wf.name!r} failed: 2 nodes failed:\n")
    assert (
        "node n0 ('tests.runtime.engine_tasks.fail') failed on its first attempt with a USER error:\n" in text
    )
    assert f"node n1-n0 ({lookup.name!r}) failed on its first attempt with a USER error:\n  KeyError" in text
    assert ("n2", "succeeded") in [(n, s) for n, s, _ in events]  # it did not depend on them


def test_recoverable_failure_is_retried_in_process(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    events, on_event = recorder()
    assert run_workflow(t.flaky_wf, {"counter": str(counter), "succeed_on": 3}, on_event=on_event) == 3
    assert counter.read_text() == "3"
    assert [s for _, s, _ in events] == [
        "pending",
        "running",
        "retried",
        "running",
        "retried",
        "running",
        "succeeded",
    ]
    assert [i["attempt"] for _, s, i in events if s == "running"] == [1, 2, 3]
    assert all(i["duration"] >= 0 for _, s, i in events if s in ("retried", "succeeded"))


def test_retries_run_out(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    with pytest.raises(WorkflowExecutionError, match="after 4 attempts") as info:
        t.flaky_wf(counter=str(counter), succeed_on=10)
    assert counter.read_text() == "4"
    assert info.value.attempts == 4
    assert isinstance(info.value.__cause__, RecoverableError)


def test_non_recoverable_failure_is_not_retried(tmp_path: Path) -> None:
    @task(retries=3)
    def once(path: str) -> int:
        p = Path(path)
        p.write_text(p.read_text() + "x" if p.exists() else "x")
        raise ValueError("always")

    @workflow
    def wf(path: str) -> int:
        return once(path=path)

    with pytest.raises(WorkflowExecutionError, match="on its first attempt"):
        wf(path=str(tmp_path / "n"))
    assert (tmp_path / "n").read_text() == "x"


def test_in_process_blob_dir_keeps_inputs_and_outputs(tmp_path: Path) -> None:
    assert run_workflow(t.chain, {"x": 1}, blob_dir=tmp_path) == 5
    assert sorted(p.name for p in (tmp_path / "n2" / "0").iterdir()) == ["inputs.pb", "outputs.pb"]


def test_a_runner_set_in_the_context_runs_calls() -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def runner(wf: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        calls.append((wf.name, kwargs))
        return run_workflow(wf, kwargs, in_process=True, workers=1)

    with running_workflows_with(runner):
        assert t.chain(x=0) == 1
    assert calls == [("tests.runtime.engine_tasks.chain", {"x": 0})]


def test_bad_inputs_are_a_type_error() -> None:
    with pytest.raises(TypeError, match="unexpected input 'y'"):
        t.chain(x=1, y=2)


def test_cached_task_runs_once_per_inputs(tmp_path: Path) -> None:
    from flyweight._runtime._cache import LocalCache

    runs: list[int] = []

    @task(cache=True, cache_version="1")
    def slow_square(x: int) -> int:
        runs.append(x)
        return x * x

    @workflow
    def wf(x: int) -> int:
        return t.add(a=slow_square(x=x))

    cache = LocalCache(tmp_path)
    events, on_event = recorder()
    assert run_workflow(wf, {"x": 3}, cache=cache) == 10
    assert run_workflow(wf, {"x": 3}, cache=cache, on_event=on_event) == 10
    assert run_workflow(wf, {"x": 4}, cache=cache) == 17
    assert runs == [3, 4]
    assert ("n0", "cached") in [(n, s) for n, s, _ in events]


def test_a_task_whose_types_changed_misses_the_entries_of_its_old_interface(tmp_path: Path) -> None:
    from flyweight._runtime._cache import LocalCache

    cache = LocalCache(tmp_path)

    def made(kind: type) -> Any:
        def measure(x: int) -> Any:
            return kind(x)

        measure.__annotations__["return"] = kind
        measure.__module__, measure.__qualname__ = __name__, "measure"
        return task(cache=True, cache_version="1")(measure)

    as_int, as_str = made(int), made(str)
    assert as_int.name == as_str.name  # the same task, edited: same name, same cache_version

    @workflow
    def ints(x: int) -> int:
        return as_int(x=x)

    @workflow
    def strs(x: int) -> str:
        return as_str(x=x)

    assert run_workflow(ints, {"x": 7}, cache=cache) == 7
    events, on_event = recorder()
    assert run_workflow(strs, {"x": 7}, cache=cache, on_event=on_event) == "7"
    assert "cached" not in [state for _, state, _ in events]
    assert len(cache.entries()) == 2


def test_a_failure_stops_nodes_that_have_not_started() -> None:
    ran: list[int] = []

    @task
    def note(x: int) -> int:
        ran.append(x)
        return x

    @workflow
    def wf(x: int) -> None:
        t.fail(x=x)
        note(x=1)
        note(x=2)

    with pytest.raises(WorkflowExecutionError, match="node n0"):
        run_workflow(wf, {"x": 0}, workers=1)
    assert ran == []


def test_run_workflow_takes_a_launch_plan() -> None:
    lp = LaunchPlan.get_or_create(t.chain, name="engine_tests.chain_defaults", default_inputs={"x": 2})
    assert run_workflow(lp) == 9
    assert run_workflow(lp, {"x": 0}) == 1


def test_fixed_inputs_of_a_launch_plan_cannot_be_given() -> None:
    lp = LaunchPlan.get_or_create(t.chain, name="engine_tests.chain_fixed", fixed_inputs={"x": 1})
    assert run_workflow(lp) == 5
    with pytest.raises(TypeError, match="fixes input"):
        run_workflow(lp, {"x": 3})


@pytest.mark.parametrize("workers", [0, -1, True, 2.5, "2"])
def test_a_bad_workers_value_is_refused(workers: Any) -> None:
    with pytest.raises((TypeError, ValueError), match=r"workers must be a positive int, got"):
        run_workflow(t.chain, {"x": 1}, workers=workers)


@pytest.mark.parametrize("inputs", [[1], 3, "x"])
def test_inputs_that_are_not_a_mapping_are_refused(inputs: Any) -> None:
    with pytest.raises(TypeError, match=r"inputs must be a mapping of input names to values, got"):
        run_workflow(t.chain, inputs)


def test_a_task_or_function_is_not_a_workflow() -> None:
    with pytest.raises(TypeError, match=r"runs a workflow or a launch plan, got task"):
        run_workflow(t.double, {"x": 1})
    with pytest.raises(TypeError, match=r"runs a workflow or a launch plan, got function"):
        run_workflow(lambda x: x, {"x": 1})


def test_an_unusable_blob_dir_is_refused_before_anything_runs(tmp_path: Path) -> None:
    from flyweight.errors import StorageError

    ran: list[int] = []

    @task
    def note(x: int) -> int:
        ran.append(x)
        return x

    @workflow
    def wf(x: int) -> int:
        return note(x=x)

    a_file = tmp_path / "file"
    a_file.write_text("")
    for blob in (a_file, a_file / "below"):
        with pytest.raises(StorageError, match=r"blob_dir .* cannot be used as the run's blob directory"):
            run_workflow(wf, {"x": 1}, blob_dir=blob)
    assert ran == []


def test_a_promise_path_out_of_range_fails_the_node_as_a_user_error() -> None:
    @task
    def pair(x: int) -> list[int]:
        return [x, x + 1]

    @workflow
    def wf(x: int) -> int:
        return t.add(a=pair(x=x)[5])

    events, on_event = recorder()
    with pytest.raises(WorkflowExecutionError, match="index 5 is out of range") as info:
        run_workflow(wf, {"x": 1}, on_event=on_event)
    assert (info.value.node_id, info.value.origin) == ("n1", "USER")
    assert ("n1", "failed") in [(n, s) for n, s, _ in events]


_started = threading.Event()
_failed = threading.Event()


@task
def wait_for_start(x: int) -> int:
    assert _started.wait(60), "the sub-workflow never started"
    return x


@task
def start_then_wait_for_failure(x: int) -> int:
    _started.set()
    assert _failed.wait(60), "the other node never failed"
    return x


def test_a_failure_stops_a_sibling_sub_workflow() -> None:
    ran: list[int] = []

    @task
    def note(x: int) -> int:
        ran.append(x)
        return x

    @workflow
    def slow_chain(x: int) -> int:
        return note(x=start_then_wait_for_failure(x=x))

    @workflow
    def wf(x: int) -> int:
        t.fail(x=wait_for_start(x=x))
        return slow_chain(x=x)

    events, record = recorder()

    def on_event(node: str, state: str, info: Any) -> None:
        record(node, state, info)
        if (node, state) == ("n1", "failed"):
            _failed.set()

    _started.clear()
    _failed.clear()
    with pytest.raises(WorkflowExecutionError, match="node n1"):
        run_workflow(wf, {"x": 1}, workers=2, on_event=on_event)
    assert ran == []  # n2-n1 never started: the run was stopping
    states = {(n, s) for n, s, _ in events}
    assert ("n2-n0", "succeeded") in states  # what was running finished
    assert ("n2", "cancelled") in states  # the sub-workflow did not fail: it was stopped
    assert ("n2-n1", "cancelled") in states
    assert ("n2-n1", "running") not in states


_crowd_lock = threading.Lock()
_crowd = threading.Event()
_active = [0, 0]  # running now, most at once


@task
def occupy(x: int) -> int:
    with _crowd_lock:
        _active[0] += 1
        _active[1] = max(_active[1], _active[0])
        if _active[0] > 2:
            _crowd.set()
    _crowd.wait(0.5)  # long enough for a third task to start if the limit let it
    with _crowd_lock:
        _active[0] -= 1
    return x


def test_workers_bounds_the_tasks_of_sub_workflows_too() -> None:
    @workflow
    def pair(x: int) -> int:
        return t.add(a=occupy(x=x), b=occupy(x=x))

    @workflow
    def wf(x: int) -> int:
        return t.add(a=pair(x=x), b=pair(x=x))

    _crowd.clear()
    _active[:] = [0, 0]
    assert run_workflow(wf, {"x": 1}, workers=2) == 4
    assert _active[1] <= 2


_ended = threading.Event()


@task
def wait_for_the_end(x: int) -> int:
    _started.set()
    assert _ended.wait(60), "the run was never ended"
    return x


def test_an_interrupt_stops_sub_workflows_that_run_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    from flyweight._runtime._attempt import Subprocesses

    ran: list[int] = []

    @task
    def note(x: int) -> int:
        ran.append(x)
        return x

    @workflow
    def slow_chain(x: int) -> int:
        return note(x=wait_for_the_end(x=x))

    @workflow
    def wf(x: int) -> int:
        t.double(x=wait_for_start(x=x))
        return slow_chain(x=x)

    def on_event(node: str, state: str, info: Any) -> None:
        if (node, state) == ("n1", "running"):
            raise KeyboardInterrupt

    end_all = Subprocesses.end_all

    def end_all_then_release(self: Subprocesses) -> None:
        end_all(self)
        _ended.set()

    monkeypatch.setattr(Subprocesses, "end_all", end_all_then_release)
    _started.clear()
    _ended.clear()
    with pytest.raises(KeyboardInterrupt):
        run_workflow(wf, {"x": 1}, workers=2, on_event=on_event)
    assert ran == []  # the sub-workflow started nothing after the interrupt


def test_sys_exit_in_a_task_fails_its_node_instead_of_ending_the_caller() -> None:
    import sys

    @task
    def bye(x: int) -> int:
        sys.exit(3)

    @workflow
    def wf(x: int) -> int:
        return bye(x=x)

    with pytest.raises(WorkflowExecutionError, match=r"called sys.exit\(3\)") as info:
        run_workflow(wf, {"x": 1})
    assert (info.value.node_id, info.value.origin) == ("n0", "USER")
    assert isinstance(info.value.__cause__.__cause__, SystemExit)  # type: ignore[union-attr]


def test_a_promise_path_out_of_range_in_the_outputs_is_a_workflow_execution_error() -> None:
    @task
    def pair(x: int) -> list[int]:
        return [x, x + 1]

    @workflow
    def wf(x: int) -> int:
        return pair(x=x)[5]

    @workflow
    def outer(x: int) -> int:
        return wf(x=x)

    with pytest.raises(WorkflowExecutionError, match="index 5 is out of range") as info:
        run_workflow(wf, {"x": 1})
    assert (info.value.node_id, info.value.origin) == ("end-node", "USER")
    with pytest.raises(WorkflowExecutionError) as info:
        run_workflow(outer, {"x": 1})
    assert info.value.node_id == "n0-end-node"


_other_failed = threading.Event()


@task(retries=3)
def fail_recoverably_after_the_other(x: int) -> int:
    assert _other_failed.wait(60), "the other node never failed"
    raise RecoverableError("try again")


def test_a_stopping_run_does_not_retry_and_reports_the_first_failure() -> None:
    @workflow
    def wf(x: int) -> None:
        fail_recoverably_after_the_other(x=x)
        t.fail(x=x)

    events, record = recorder()

    def on_event(node: str, state: str, info: Any) -> None:
        record(node, state, info)
        if (node, state) == ("n1", "failed"):
            _other_failed.set()

    _other_failed.clear()
    with pytest.raises(WorkflowExecutionError, match="no good") as info:
        run_workflow(wf, {"x": 1}, workers=2, on_event=on_event)
    assert info.value.node_id == "n1"
    assert [s for n, s, _ in events if n == "n0"] == ["pending", "running", "failed"]
