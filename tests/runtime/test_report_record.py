"""The run recorder (``flyweight._runtime._report_record.RunReport``) through real runs: what a report
written by ``run_workflow(..., report=...)`` holds (read back from the JSON the page embeds), for a
successful run with a sub-workflow, a retried task, a cache hit and a map task, a failed run, deck links
(in-process and through ``flyweight-execute``), a report that cannot be written, and hostile values.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flyweight import map_task, run_workflow, task, workflow
from flyweight._runtime._cache import LocalCache
from flyweight._runtime._run import LocalRun
from flyweight.errors import RecoverableError, WorkflowExecutionError

JSON_BLOCK = re.compile(r'<script type="application/json" id="flyweight-run">(.*?)</script>', re.S)
HOSTILE = "</script><script>alert(1)</script>"
STATES = ("pending", "running", "retried", "succeeded", "failed", "cached", "cancelled")


def report_data(path: Path) -> Any:
    """The run data embedded in the report at ``path`` (the one JSON block, un-escaped by json.loads)."""
    blocks = JSON_BLOCK.findall(path.read_text(encoding="utf-8"))
    assert len(blocks) == 1, f"{path} should embed exactly one run-data block, found {len(blocks)}"
    return json.loads(blocks[0])


def events_of(data: Any, node_id: str) -> list[tuple[str, dict[str, Any]]]:
    """``(state, info)`` of each event of ``node_id``, in order."""
    return [(e[1], e[3]) for e in data["events"] if e[0] == node_id]


def final_states(data: Any) -> dict[str, str]:
    states: dict[str, str] = {}
    for node_id, state, _, _ in data["events"]:
        states[node_id] = state
    return states


# --- the workflows --------------------------------------------------------------------------------


@task
def inc(x: int) -> int:
    return x + 1


@workflow
def inner(x: int) -> int:
    return inc(x=inc(x=x))


@task(retries=1)
def flaky(x: int, counter: str) -> int:
    """Fails recoverably on its first attempt (counted in the file ``counter``)."""
    path = Path(counter)
    n = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(n))
    if n == 1:
        raise RecoverableError(f"first attempt of {x}")
    return x * 10


@task(cache=True, cache_version="1")
def cached_square(x: int) -> int:
    return x * x


@task
def double(x: int) -> int:
    return 2 * x


@workflow
def outer(x: int, counter: str) -> tuple[int, list[int]]:
    a = inner(x=x)
    b = flaky(x=a, counter=counter)
    c = cached_square(x=x)
    return b, map_task(double)(x=[a, b, c])


@task
def explode(x: int) -> int:
    raise ValueError(f"no good: {x}\nsecond line of the error\nthird line")


@workflow
def failing(x: int) -> int:
    return inc(x=explode(x=inc(x=x)))


@task(enable_deck=True)
def decked(x: int) -> int:
    return x + 1


@workflow
def deck_wf(x: int) -> int:
    return decked(x=x)


@task
def hostile(x: int) -> str:
    return HOSTILE


@workflow
def hostile_wf(x: int) -> str:
    return hostile(x=x)


# A module in a directory of its own, so that ``flyweight-execute`` can import it (isolated runs).
DECK_MODULE = """
from flyweight import map_task, task, workflow


@task(enable_deck=True)
def iso_decked(x: int) -> int:
    return x + 1


@workflow
def iso_deck_wf(x: int) -> int:
    return iso_decked(x=x)


@workflow
def iso_map_wf(xs: list[int]) -> list[int]:
    return map_task(iso_decked)(x=xs)
"""


@pytest.fixture
def deck_module(tmp_path: Path) -> Iterator[ModuleType]:
    """``DECK_MODULE`` written under ``tmp_path/code`` (on ``sys.path`` for the test) and imported."""
    root = tmp_path / "code"
    root.mkdir()
    name = f"report_decks_{os.getpid()}_{abs(hash(str(tmp_path))) % 10**8}"
    (root / f"{name}.py").write_text(textwrap.dedent(DECK_MODULE))
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(name)
    finally:
        sys.path.remove(str(root))
        sys.modules.pop(name, None)


# --- a successful run -----------------------------------------------------------------------------


@pytest.fixture
def second_run(tmp_path: Path) -> Any:
    """The report data of ``outer`` run a second time (its cached task a hit; its flaky task retried)."""
    cache = LocalCache(tmp_path / "cache")
    first = run_workflow(outer, {"x": 3, "counter": str(tmp_path / "c1")}, cache=cache)
    assert tuple(first) == (50, [10, 100, 18])
    report = tmp_path / "r.html"
    out = run_workflow(outer, {"x": 3, "counter": str(tmp_path / "c2")}, cache=cache, report=report)
    assert tuple(out) == (50, [10, 100, 18])
    return report_data(report)


def test_every_node_is_recorded_with_its_upstream_and_parent(second_run: Any) -> None:
    nodes = {n["id"]: n for n in second_run["nodes"]}
    assert set(nodes) == {"n0", "n0-n0", "n0-n1", "n1", "n2", "n3"}
    mod = __name__
    assert nodes["n0"] == {
        "id": "n0",
        "entity": f"{mod}.inner",
        "kind": "workflow",
        "upstream": [],
        "parent": None,
    }
    assert nodes["n0-n0"] == {
        "id": "n0-n0",
        "entity": f"{mod}.inc",
        "kind": "task",
        "upstream": [],
        "parent": "n0",
    }
    assert nodes["n0-n1"]["upstream"] == ["n0-n0"] and nodes["n0-n1"]["parent"] == "n0"
    assert nodes["n1"]["entity"] == f"{mod}.flaky" and nodes["n1"]["upstream"] == ["n0"]
    assert nodes["n2"]["entity"] == f"{mod}.cached_square" and nodes["n2"]["upstream"] == []
    assert sorted(nodes["n3"]["upstream"]) == ["n0", "n1", "n2"]
    assert "double" in nodes["n3"]["entity"] and nodes["n3"]["kind"] == "task"
    for node in ("n1", "n2", "n3"):
        assert nodes[node]["parent"] is None


def test_events_hold_every_state_with_workers_on_running_events(second_run: Any) -> None:
    events = second_run["events"]
    for node_id, state, when, info in events:
        assert state in STATES, (node_id, state)
        assert isinstance(when, float) and isinstance(info, dict)
        if state == "running":
            assert isinstance(info.get("worker"), str) and info["worker"], (node_id, info)
            assert info.get("pid") == os.getpid()
    times = [e[2] for e in events]
    assert times == sorted(times)
    run = second_run["run"]
    assert run["started"] <= times[0] and times[-1] <= run["ended"]
    assert {"pending", "running", "retried", "succeeded", "cached"} <= {e[1] for e in events}
    assert [s for s, _ in events_of(second_run, "n1")] == [
        "pending",
        "running",
        "retried",
        "running",
        "succeeded",
    ]
    retried = events_of(second_run, "n1")[2][1]
    assert retried["attempt"] == 1 and retried["error"] == "RecoverableError: first attempt of 5"
    assert events_of(second_run, "n1")[4][1]["attempt"] == 2
    assert [s for s, _ in events_of(second_run, "n2")] == ["pending", "cached"]
    assert [s for s, _ in events_of(second_run, "n0")] == ["pending", "running", "succeeded"]
    assert [s for s, _ in events_of(second_run, "n0-n0")] == ["pending", "running", "succeeded"]
    assert final_states(second_run) == dict.fromkeys(("n0", "n0-n0", "n0-n1", "n1", "n3"), "succeeded") | {
        "n2": "cached"
    }


def test_inputs_and_outputs_are_kept_in_short_form(second_run: Any) -> None:
    io = second_run["io"]
    assert io["n0-n0"] == {"inputs": {"x": "int 3"}, "outputs": {"o0": "int 4"}}
    assert io["n0-n1"] == {"inputs": {"x": "int 4"}, "outputs": {"o0": "int 5"}}
    assert io["n1"]["inputs"]["x"] == "int 5" and io["n1"]["outputs"] == {"o0": "int 50"}
    assert io["n2"] == {"inputs": {"x": "int 3"}, "outputs": {"o0": "int 9"}}  # the cache hit's
    assert "n0" not in io  # a sub-workflow node runs no task itself


def test_the_run_has_its_status_inputs_and_outputs(second_run: Any) -> None:
    run = second_run["run"]
    assert run["status"] == "succeeded" and run["error"] is None
    assert run["workflow"] == f"{__name__}.outer"
    assert re.fullmatch(r"r[0-9a-f]{12}", run["name"])
    assert run["inputs"]["x"] == "int 3" and run["inputs"]["counter"].startswith("str '")
    assert run["outputs"] == {"o0": "int 50", "o1": "list (3 items) [int 10, int 100, int 18]"}
    assert second_run["version"] == 1 and second_run["decks"] == {}


def test_a_map_node_records_its_inputs_and_outputs(second_run: Any) -> None:
    assert second_run["io"]["n3"] == {
        "inputs": {"x": "list (3 items) [int 5, int 50, int 9]"},
        "outputs": {"o0": "list (3 items) [int 10, int 100, int 18]"},
    }


# --- a failed run ---------------------------------------------------------------------------------


def test_a_failed_run_still_writes_its_report_with_the_error_in_full(tmp_path: Path) -> None:
    report = tmp_path / "failed.html"
    with pytest.raises(WorkflowExecutionError) as info:
        run_workflow(failing, {"x": 1}, report=report)
    data = report_data(report)
    run = data["run"]
    assert run["status"] == "failed"
    assert run["error"] == str(info.value)
    assert "\n" in run["error"]
    for line in ("no good: 2", "second line of the error", "third line"):
        assert line in run["error"]
    assert run["outputs"] == {} and run["inputs"] == {"x": "int 1"}
    failed = [(n, i) for n, s, _, i in data["events"] if s == "failed"]
    assert [n for n, _ in failed] == ["n1"]
    error = failed[0][1]["error"]
    assert "ValueError: no good: 2\nsecond line of the error\nthird line" in error
    assert failed[0][1]["attempt"] == 1 and failed[0][1]["timed_out"] is False
    states = final_states(data)
    assert states["n0"] == "succeeded" and states["n1"] == "failed"
    assert states["n2"] == "cancelled"  # never started: cancelled when the run ended
    assert data["io"]["n1"] == {"inputs": {"x": "int 2"}, "outputs": {}}


# --- deck links -----------------------------------------------------------------------------------


def test_an_in_process_deck_page_is_linked(tmp_path: Path) -> None:
    report = tmp_path / "r.html"
    assert run_workflow(deck_wf, {"x": 1}, report=report) == 2
    data = report_data(report)
    assert data["decks"] == {"n0": {"1": "r_decks/n0/1/deck.html"}}
    page = report.parent / data["decks"]["n0"]["1"]
    assert page.is_file() and 'id="flyte-frame-tabs"' in page.read_text(encoding="utf-8")


def test_a_deck_page_written_by_flyweight_execute_is_copied_in(
    tmp_path: Path, deck_module: ModuleType
) -> None:
    report = tmp_path / "out" / "iso.html"
    blob = tmp_path / "blob"
    assert run_workflow(deck_module.iso_deck_wf, {"x": 1}, report=report, isolated=True, blob_dir=blob) == 2
    data = report_data(report)
    assert data["decks"] == {"n0": {"1": "iso_decks/n0/1/deck.html"}}
    copied = report.parent / "iso_decks" / "n0" / "1" / "deck.html"
    assert copied.is_file()
    assert copied.read_bytes() == (blob / "n0" / "0" / "deck.html").read_bytes()
    running = [i for s, i in events_of(data, "n0") if s == "running"]
    assert running[0]["where"] == "subprocess"


def test_a_map_elements_deck_is_keyed_by_its_node_id(tmp_path: Path, deck_module: ModuleType) -> None:
    report = tmp_path / "map.html"
    assert run_workflow(deck_module.iso_map_wf, {"xs": [1, 2]}, report=report, isolated=True) == [2, 3]
    data = report_data(report)
    assert data["decks"], "the elements' deck pages should be linked"
    named = {n["id"] for n in data["nodes"]} | {e[0] for e in data["events"]}
    assert set(data["decks"]) <= named, (sorted(data["decks"]), sorted(named))


# --- no report, or one that cannot be written -----------------------------------------------------


def test_no_report_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    reports = Path(os.environ["FLYWEIGHT_REPORT_DIR"])
    before = sorted(reports.rglob("*"))
    run = LocalRun(inner, {"x": 1}, report=None)
    assert run.report is None
    assert run.run() == 3
    assert run.report_error is None
    assert list(tmp_path.iterdir()) == []
    assert sorted(reports.rglob("*")) == before  # only the CLI picks a default place


@pytest.mark.parametrize("isolated", [False, True], ids=["in-process", "flyweight-execute"])
def test_a_report_under_a_file_does_not_change_the_outcome(
    tmp_path: Path, deck_module: ModuleType, isolated: bool
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    target = blocker / "r.html"
    run = LocalRun(deck_module.iso_deck_wf, {"x": 4}, report=target, isolated=isolated)
    assert run.run() == 5
    assert run.report_error is not None
    assert run.report_error.startswith("StorageError: cannot write the run report")
    assert repr(str(target)) in run.report_error
    assert blocker.read_text() == "not a directory"


def test_a_failed_run_with_an_unwritable_report_raises_the_runs_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    run = LocalRun(failing, {"x": 1}, report=blocker / "r.html")
    with pytest.raises(WorkflowExecutionError, match="no good: 2"):
        run.run()
    assert run.report_error is not None and "cannot write the run report" in run.report_error


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs a user that permissions bind")
def test_a_report_in_a_read_only_directory_does_not_change_the_outcome(tmp_path: Path) -> None:
    directory = tmp_path / "ro"
    directory.mkdir()
    directory.chmod(0o555)
    try:
        run = LocalRun(outer, {"x": 1, "counter": str(tmp_path / "c")}, report=directory / "r.html")
        assert tuple(run.run()) == (20, [6, 40, 2])
        assert run.report_error is not None and "r.html" in run.report_error
        assert list(directory.iterdir()) == []
    finally:
        directory.chmod(0o755)


# --- hostile values -------------------------------------------------------------------------------


def test_a_hostile_output_never_appears_raw(tmp_path: Path) -> None:
    report = tmp_path / "r.html"
    assert run_workflow(hostile_wf, {"x": 1}, report=report) == HOSTILE
    page = report.read_text(encoding="utf-8")
    assert HOSTILE not in page
    assert "<script>alert" not in page
    assert page.count("<script") == 2 and page.count("</script>") == 2  # the page's own two
    data = report_data(report)
    assert data["io"]["n0"]["outputs"] == {"o0": f"str {HOSTILE!r}"}
    assert data["run"]["outputs"] == {"o0": f"str {HOSTILE!r}"}


@pytest.mark.parametrize("bad", [123, "", b"x.html", ["r.html"]])
def test_a_report_that_is_not_a_path_is_refused_before_the_run(bad: object) -> None:
    @task
    def one() -> int:
        return 1

    @workflow
    def wf() -> int:
        return one()

    with pytest.raises(TypeError, match=r"report=\.\.\.\): expected the report's file path"):
        run_workflow(wf, report=bad)  # type: ignore[arg-type]


def test_a_directory_as_the_report_gets_a_file_named_after_the_run(tmp_path: Path) -> None:
    @task
    def one() -> int:
        return 1

    @workflow
    def wf() -> int:
        return one()

    assert run_workflow(wf, report=tmp_path) == 1
    [page] = tmp_path.glob("r*.html")
    assert report_data(page)["run"]["name"] == page.stem
