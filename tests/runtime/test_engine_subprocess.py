"""The local engine through the real ``flyweight-execute``: plugin tasks, isolated function tasks, error.pb
messages, retries across processes and timeouts that end the subprocess."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.runtime import engine_tasks as t

from flyweight import _idl
from flyweight._runtime import run_workflow
from flyweight.errors import WorkflowExecutionError


def test_plugin_task_runs_its_template_in_a_subprocess(tmp_path: Path) -> None:
    events: list[tuple[str, str, dict[str, Any]]] = []
    out = run_workflow(
        t.music,
        {"composer": "Ada Berg"},
        blob_dir=tmp_path,
        on_event=lambda n, s, i: events.append((n, s, i)),
    )
    assert out == 3
    where = {n: i["where"] for n, s, i in events if s == "running"}
    assert where == {"n0": "subprocess", "n1": "in-process"}
    files = sorted(p.name for p in (tmp_path / "n0" / "0").iterdir())
    assert {"inputs.pb", "outputs.pb", "stderr", "stdout"} <= set(files)
    template = _idl.TaskTemplate.FromString((tmp_path / "n0" / "template.pb").read_bytes())
    assert template.id.name == "engine_tests.tracks_by_composer"


def test_plugin_task_in_process_switch(tmp_path: Path) -> None:
    assert run_workflow(t.music, {"composer": "Ada Berg", "n": 2}, in_process=True, blob_dir=tmp_path) == 2
    assert not (tmp_path / "n0" / "template.pb").exists()


def test_isolated_function_tasks(tmp_path: Path) -> None:
    out = run_workflow(t.isolated_mix, {"x": 2, "name": "iso"}, isolated=True, blob_dir=tmp_path)
    assert out == (9, "hello iso")
    for node in ("n0-n0", "n0-n1", "n0-n2", "n1"):
        assert (tmp_path / node / "0" / "outputs.pb").exists(), node
    args = _idl.TaskTemplate.FromString((tmp_path / "n1" / "template.pb").read_bytes()).container.args
    assert list(args[-4:]) == ["task-module", "tests.runtime.engine_tasks", "task-name", "greet"]


def test_failure_reports_the_error_document(tmp_path: Path) -> None:
    with pytest.raises(WorkflowExecutionError) as info:
        run_workflow(t.failing, {"x": 1}, isolated=True, blob_dir=tmp_path)
    e = info.value
    assert (e.node_id, e.entity_name, e.origin) == ("n1", "tests.runtime.engine_tasks.fail", "USER")
    assert "ValueError: no good: 2" in e.error_message
    assert str(tmp_path) in str(e)
    # what finished stays; what did not start has no files
    assert (tmp_path / "n0" / "0" / "outputs.pb").exists()
    assert (tmp_path / "n1" / "0" / "error.pb").exists()
    assert not (tmp_path / "n2").exists()


def test_recoverable_failure_retried_across_processes(tmp_path: Path) -> None:
    counter = tmp_path / "count"
    blob = tmp_path / "blob"
    out = run_workflow(t.flaky_wf, {"counter": str(counter), "succeed_on": 2}, isolated=True, blob_dir=blob)
    assert out == 2
    assert counter.read_text() == "2"
    assert (blob / "n0" / "0" / "error.pb").exists()
    assert (blob / "n0" / "1" / "outputs.pb").exists()


def test_timeout_ends_the_subprocess(tmp_path: Path) -> None:
    events: list[tuple[str, str, dict[str, Any]]] = []
    with pytest.raises(WorkflowExecutionError, match="timed out after 1s") as info:
        run_workflow(
            t.sleepy_wf,
            {"seconds": 120.0},
            isolated=True,
            blob_dir=tmp_path,
            on_event=lambda n, s, i: events.append((n, s, i)),
        )
    assert info.value.node_id == "n0"
    assert "node n0 ('tests.runtime.engine_tasks.sleepy') timed out after 1s on its first attempt" in str(
        info.value
    )
    (record,) = info.value.failures
    assert (record.timed_out, record.timeout, record.attempts) == (True, 1.0, 1)
    failed = [i for _, s, i in events if s == "failed"]
    assert failed and failed[0]["timed_out"] is True
    assert not (tmp_path / "n0" / "0" / "outputs.pb").exists()


def test_every_failed_node_is_reported_and_a_timeout_as_a_timeout(tmp_path: Path) -> None:
    with pytest.raises(WorkflowExecutionError) as info:
        run_workflow(t.time_out_and_fail, {"x": 1, "seconds": 120.0}, isolated=True, blob_dir=tmp_path)
    by_node = {f.node_id: f for f in info.value.failures}
    assert sorted(by_node) == ["n0", "n1"]
    slow, bad = by_node["n0"], by_node["n1"]
    assert (slow.timed_out, slow.timeout, slow.attempts, slow.cause) == (True, 1.0, 1, None)
    assert (bad.timed_out, bad.origin, bad.cause) == (False, "USER", None)  # a subprocess leaves a message
    assert "ValueError: no good: 1" in bad.error_message
    text = str(info.value)
    assert "2 nodes failed; the run's files are in" in text
    assert "node n0 ('tests.runtime.engine_tasks.sleepy') timed out after 1s on its first attempt:" in text
    assert (
        "node n1 ('tests.runtime.engine_tasks.fail') failed on its first attempt with a USER error:" in text
    )


def test_timeout_is_not_enforced_in_process() -> None:
    assert t.sleepy_wf(seconds=0.0).endswith("slept")


def test_an_interrupted_run_ends_its_subprocesses(tmp_path: Path) -> None:
    events: list[tuple[str, str]] = []

    def on_event(node: str, state: str, info: Any) -> None:
        events.append((node, state))
        if (node, state) == ("n1", "succeeded"):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_workflow(
            t.nap_and_greet,
            {"seconds": 300.0, "name": "x"},
            isolated=True,
            workers=2,
            blob_dir=tmp_path,
            on_event=on_event,
        )
    assert ("n0", "cancelled") in events  # ended, not left to sleep
    assert not (tmp_path / "n0" / "0" / "outputs.pb").exists()


def test_a_reused_blob_dir_never_yields_an_earlier_runs_results(tmp_path: Path) -> None:
    assert run_workflow(t.chain, {"x": 1}, isolated=True, blob_dir=tmp_path) == 5  # n1 wrote outputs.pb
    with pytest.raises(WorkflowExecutionError) as info:  # n1 is `fail` now: its error, not run 1's outputs
        run_workflow(t.failing, {"x": 1}, isolated=True, blob_dir=tmp_path)
    assert info.value.node_id == "n1"
    assert not (tmp_path / "n1" / "0" / "outputs.pb").exists()


def test_a_reused_blob_dir_gets_the_new_template(tmp_path: Path) -> None:
    assert run_workflow(t.chain, {"x": 1}, isolated=True, blob_dir=tmp_path) == 5
    assert run_workflow(t.music, {"composer": "Ada Berg", "n": 2}, blob_dir=tmp_path) == 2
    template = _idl.TaskTemplate.FromString((tmp_path / "n0" / "template.pb").read_bytes())
    assert template.id.name == "engine_tests.tracks_by_composer"
