"""Gate nodes (``sleep``, ``wait_for_input``, ``approve``): serialized byte for byte as flytekit 1.16.14
does, and run locally with values given up front, asked on a terminal, or refused with a clear error.

The workflows of ``gate_source.py`` are loaded once with each SDK under the same module name; their
``WorkflowSpec`` must have equal deterministic bytes (``upstream_node_ids`` sorted on both sides).
"""

from __future__ import annotations

import _thread
import datetime
import os
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.serialize.test_workflow_oracle import (
    assert_same_workflow_spec,
)
from tests.workflows.sdk_switch import load_source

import flyweight
from flyweight._runtime import _gates, run_workflow
from flyweight._runtime._outcomes import Stopped
from flyweight._workflows import GATE, Gate
from flyweight.errors import NotSupportedError, WorkflowCompileError, WorkflowExecutionError

SOURCE = Path(__file__).with_name("gate_source.py")
MODULE = "tests.workflows.gate_source"
NAMES = ("task", "workflow", "conditional", "sleep", "wait_for_input", "approve")
SHAPES = [
    "approve_output",
    "approve_returned",
    "gate_in_branch",
    "input_float_bool",
    "input_int",
    "input_str",
    "several_gates",
    "sleep_alone",
    "sleep_then_task",
]


def load(sdk: Any) -> ModuleType:
    """Load ``gate_source.py`` afresh with the names of ``sdk`` (the flyweight or flytekit module)."""
    return load_source(SOURCE, MODULE, {name: getattr(sdk, name) for name in NAMES})


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    return load(flytekit)


@pytest.fixture(scope="module")
def ours() -> ModuleType:
    return load(flyweight)


# -- serialization, byte for byte ---------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_workflow_spec_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    assert_same_workflow_spec(getattr(theirs, shape), getattr(ours, shape))


def test_gate_nodes_in_the_graph(ours: ModuleType) -> None:
    nodes = ours.several_gates.nodes
    assert [(n.id, n.kind) for n in nodes] == [
        ("n0", GATE),
        ("n1", GATE),
        ("n2", "task"),
        ("n3", GATE),
        ("n4", "task"),
        ("n5", GATE),
    ]
    gates = [n.flyte_entity for n in nodes if n.kind == GATE]
    assert all(isinstance(g, Gate) for g in gates)
    assert [(g.name, g.kind) for g in gates if isinstance(g, Gate)] == [
        ("sleep-gate", "sleep"),
        ("n", "signal"),
        ("check", "approve"),
        ("sleep-gate", "sleep"),
    ]
    approval = nodes[3]
    assert [b.var for b in approval.bindings] == ["o0"]
    assert [n.id for n in approval.upstream_nodes] == ["n2"]
    assert nodes[1].upstream_nodes == [nodes[0]]  # first >> n


def test_the_public_functions_are_the_gate_functions() -> None:
    from flyweight._workflows import _gate

    assert flyweight.sleep is _gate.sleep
    assert flyweight.wait_for_input is _gate.wait_for_input
    assert flyweight.approve is _gate.approve


def test_gates_outside_a_workflow_body_are_refused() -> None:
    with pytest.raises(NotSupportedError, match=r"sleep\(\) \(sleep gate 'sleep-gate'\).*workflow"):
        flyweight.sleep(datetime.timedelta(seconds=1))
    with pytest.raises(NotSupportedError, match="input gate 'x'"):
        flyweight.wait_for_input("x", timeout=datetime.timedelta(hours=1), expected_type=int)


def test_approving_a_workflow_input_is_refused(theirs: ModuleType) -> None:
    @flyweight.workflow
    def wf(a: int) -> int:
        return flyweight.approve(a, "a", timeout=datetime.timedelta(hours=1))

    with pytest.raises(WorkflowCompileError, match=r"approve\('a'\): workflow inputs cannot be passed"):
        wf.compile()


def test_approving_a_call_without_outputs_is_refused(ours: ModuleType) -> None:
    @flyweight.workflow
    def wf() -> None:
        nothing = ours.sleep_alone()
        flyweight.approve(nothing, "gone", timeout=datetime.timedelta(hours=1))

    with pytest.raises(WorkflowCompileError, match=r"approve\('gone'\): the upstream call returns nothing"):
        wf.compile()


@pytest.mark.parametrize(
    ("timeout", "message"),
    [
        (3600, "timeout must be a datetime.timedelta, got int 3600"),
        (datetime.timedelta(0), "timeout must be positive"),
    ],
)
def test_a_bad_timeout_is_a_compile_error(timeout: Any, message: str) -> None:
    @flyweight.workflow
    def wf() -> int:
        return flyweight.wait_for_input("n", timeout=timeout, expected_type=int)  # type: ignore[no-any-return]

    with pytest.raises(WorkflowCompileError, match=message):
        wf.compile()


# -- local runs ----------------------------------------------------------------------------------------


class Events:
    """An ``on_event`` handler keeping every event, and an event per (node, state) to wait on."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, Any]]] = []
        self._flags: dict[tuple[str, str], threading.Event] = {}
        self._lock = threading.Lock()

    def flag(self, node_id: str, state: str) -> threading.Event:
        with self._lock:
            return self._flags.setdefault((node_id, state), threading.Event())

    def __call__(self, node_id: str, state: str, info: Mapping[str, Any]) -> None:
        self.seen.append((node_id, state, dict(info)))
        self.flag(node_id, state).set()

    def states(self, node_id: str) -> list[str]:
        return [s for n, s, _ in self.seen if n == node_id]


@pytest.fixture(autouse=True)
def no_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runs see no terminal unless a test says otherwise (pytest's stdin may be one)."""
    monkeypatch.setattr(_gates, "_interactive", lambda: False)


@pytest.mark.parametrize(
    ("shape", "inputs", "gates", "expected"),
    [
        ("input_int", {"a": 1}, {"count": 41}, 42),
        ("input_int", {"a": 1}, {"count": "41"}, 42),  # text, as --gate gives it
        ("input_str", {}, {"title": "yes"}, "YES"),
        ("input_float_bool", {}, {"factor": 2, "enabled": "yes"}, 4.0),
        ("input_float_bool", {}, {"factor": "1.5", "enabled": False}, 1.5),
        ("approve_output", {"a": 1}, {"ok": True}, 3),
        ("approve_output", {"a": 1}, {"ok": "y"}, 3),
        ("approve_returned", {"a": 5}, {"publish": "approve"}, 6),
        ("gate_in_branch", {"a": 1}, {"w": 7}, 7),
        ("gate_in_branch", {"a": -1}, {}, 0),  # the gate's branch is not taken: nothing is asked
    ],
)
def test_gate_values_given_up_front(
    ours: ModuleType, shape: str, inputs: dict[str, Any], gates: dict[str, Any], expected: Any
) -> None:
    assert run_workflow(getattr(ours, shape), inputs, gate_inputs=gates) == expected


def test_gate_events_name_the_gate(ours: ModuleType) -> None:
    events = Events()
    out = run_workflow(
        ours.several_gates, {"a": 0}, gate_inputs={"n": 1, "check": True}, skip_sleep=True, on_event=events
    )
    assert out == 3
    for node_id, entity in [("n0", "sleep-gate"), ("n1", "n"), ("n3", "check"), ("n5", "sleep-gate")]:
        assert events.states(node_id) == ["pending", "running", "succeeded"]
        running = next(info for n, s, info in events.seen if n == node_id and s == "running")
        assert running["kind"] == GATE
        assert running["entity"] == entity
    order = [n for n, s, _ in events.seen if s == "succeeded"]
    assert order.index("n0") < order.index("n1") < order.index("n2") < order.index("n3") < order.index("n4")


def test_a_denied_approval_fails_the_node(ours: ModuleType) -> None:
    events = Events()
    with pytest.raises(WorkflowExecutionError) as caught:
        run_workflow(ours.approve_output, {"a": 1}, gate_inputs={"ok": "no"}, on_event=events)
    failure = caught.value.failures[0]
    assert (failure.node_id, failure.entity_name, failure.origin) == ("n1", "ok", "USER")
    assert "approval gate 'ok' (node n1) was not approved (denied)" in str(caught.value)
    assert events.states("n2")[-1] == "cancelled"  # what the approval guards never ran


@pytest.mark.parametrize(
    ("shape", "inputs", "message"),
    [
        (
            "input_int",
            {"a": 1},
            "input gate 'count' (node n0) is waiting for a value of type int and none was given; give it "
            "with run_workflow(..., gate_inputs={'count': ...}), `flyweight run FILE ENTITY --gate "
            "count=VALUE` or --gate-file FILE.json, or run on a terminal to be asked",
        ),
        (
            "approve_output",
            {"a": 1},
            "approval gate 'ok' (node n1) is waiting for an approval of 2 and none was given; give it with "
            "run_workflow(..., gate_inputs={'ok': True}), `flyweight run FILE ENTITY --gate ok=yes`",
        ),
        ("gate_in_branch", {"a": 2}, "input gate 'w' (node n0-n0) is waiting for a value of type int"),
    ],
)
def test_a_missing_value_without_a_terminal_fails_naming_the_gate(
    ours: ModuleType, shape: str, inputs: dict[str, Any], message: str
) -> None:
    with pytest.raises(WorkflowExecutionError) as caught:
        run_workflow(getattr(ours, shape), inputs)
    assert message in str(caught.value)
    assert caught.value.failures[0].origin == "USER"


@pytest.mark.parametrize(
    ("shape", "gates", "message"),
    [
        ("input_int", {"count": "many"}, "input gate 'count' (node n0) expects a value of type int, got str"),
        ("input_int", {"count": [1]}, "input gate 'count' (node n0) expects a value of type int, got list"),
        ("approve_output", {"ok": "perhaps"}, "approval gate 'ok' (node n1) expects an approval"),
    ],
)
def test_a_bad_value_fails_naming_the_gate(
    ours: ModuleType, shape: str, gates: dict[str, Any], message: str
) -> None:
    with pytest.raises(WorkflowExecutionError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run_workflow(getattr(ours, shape), {"a": 1}, gate_inputs=gates)


def _bounded(target: Any) -> BaseException | None:
    """Run ``target`` in a thread; the outcome (an exception or None). Fails, not hangs, if it never ends."""
    result: list[BaseException | None] = []

    def body() -> None:
        try:
            target()
        except BaseException as e:
            result.append(e)
        else:
            result.append(None)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    thread.join(120)
    assert result, "the run did not end: a sleep gate kept waiting"
    return result[0]


def test_skip_sleep_runs_past_a_long_sleep(ours: ModuleType) -> None:
    events = Events()
    assert _bounded(lambda: run_workflow(ours.long_sleep, skip_sleep=True, on_event=events)) is None
    assert events.states("n0") == ["pending", "running", "succeeded"]


def test_a_sleep_waits_its_duration(ours: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sleep's wait is made of Event waits until its deadline: count them with a fake clock."""
    now = [1000.0]
    waits: list[float] = []

    class Clock:
        @staticmethod
        def monotonic() -> float:
            return now[0]

    class Event:
        def wait(self, timeout: float | None = None) -> bool:
            assert timeout is not None
            waits.append(timeout)
            now[0] += timeout
            return False

    class Threading:
        pass

    Threading.Event = Event  # type: ignore[attr-defined]
    monkeypatch.setattr(_gates, "time", Clock)
    monkeypatch.setattr(_gates, "threading", Threading)
    _gates.run_gate(
        "n0",
        ours.sleep_alone.nodes[0].flyte_entity,
        flyweight_map(),
        _options(),
        lambda: False,
        lambda: None,
    )
    assert sum(waits) == pytest.approx(10.0)
    assert max(waits) <= _gates._SLICE


def test_a_sleep_stops_when_a_sibling_fails(ours: ModuleType) -> None:
    events = Events()
    error = _bounded(lambda: run_workflow(ours.sleep_beside_failure, {"a": 1}, workers=2, on_event=events))
    assert isinstance(error, WorkflowExecutionError)
    assert [f.node_id for f in error.failures] == ["n1"]
    assert "running" in events.states("n0")
    assert events.states("n0")[-1] == "cancelled"
    assert "succeeded" not in events.states("n0")


@pytest.fixture
def python_sigint() -> Iterator[None]:
    """SIGINT with Python's own handler for the test (loading flytekit installs one of its own)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.usefixtures("python_sigint")
def test_a_sleep_stops_on_an_interrupt(ours: ModuleType) -> None:
    events = Events()
    started = events.flag("n0", "running")

    def interrupt() -> None:
        if started.wait(60):
            _thread.interrupt_main()

    threading.Thread(target=interrupt, daemon=True).start()
    with pytest.raises(KeyboardInterrupt):
        run_workflow(ours.long_sleep, on_event=events)  # runs in this (the main) thread
    assert events.states("n0")[-1] == "cancelled"


# -- asking on a terminal -------------------------------------------------------------------------------


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """A terminal whose user types the lines of the returned list (None: no answer in time)."""
    answers: list[Any] = []
    monkeypatch.setattr(_gates, "_interactive", lambda: True)

    def read_line(timeout: float, stopping: Any) -> str | None:
        assert timeout > 0
        return answers.pop(0)

    monkeypatch.setattr(_gates, "_read_line", read_line)
    yield answers
    assert answers == []  # every scripted answer was asked for


def test_a_terminal_is_asked_for_a_value_until_it_parses(
    ours: ModuleType, terminal: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    terminal.extend(["many", "41"])
    assert run_workflow(ours.input_int, {"a": 1}) == 42
    err = capsys.readouterr().err
    assert err.count("[input gate] count (int): ") == 2
    assert "not a value of type int" in err


def test_a_terminal_is_asked_for_an_approval(
    ours: ModuleType, terminal: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    terminal.extend(["maybe", "y"])
    assert run_workflow(ours.approve_output, {"a": 1}) == 3
    err = capsys.readouterr().err
    assert "[approval gate] ok: approve 2? [y/n] " in err
    assert "answer y or n" in err


def test_a_terminal_denial_fails_the_node(ours: ModuleType, terminal: list[Any]) -> None:
    terminal.append("n")
    with pytest.raises(WorkflowExecutionError, match="was not approved"):
        run_workflow(ours.approve_output, {"a": 1})


def test_no_answer_within_the_timeout_fails_the_node(ours: ModuleType, terminal: list[Any]) -> None:
    terminal.append(None)
    with pytest.raises(WorkflowExecutionError) as caught:
        run_workflow(ours.input_int, {"a": 1})
    assert "input gate 'count' got no answer within its timeout (2:00:00)" in str(caught.value)
    assert caught.value.failures[0].timed_out


def test_gate_inputs_win_over_the_terminal(ours: ModuleType, terminal: list[Any]) -> None:
    assert run_workflow(ours.input_int, {"a": 1}, gate_inputs={"count": 1}) == 2  # nothing asked


@pytest.mark.skipif(os.name == "nt", reason="select() on a pipe")
def test_read_line_reads_a_line_waits_boundedly_and_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    read_end, write_end = os.pipe()
    with os.fdopen(read_end, "r") as reader, os.fdopen(write_end, "w") as writer:
        monkeypatch.setattr(sys, "stdin", reader)
        assert _gates._read_line(0.01, lambda: False) is None  # nothing typed: None once the time is up
        with pytest.raises(Stopped):
            _gates._read_line(3600, lambda: True)  # the run stops: the question is dropped
        writer.write("17\n")
        writer.flush()
        assert _gates._read_line(3600, lambda: False) == "17"


@pytest.mark.parametrize(
    ("text", "py_type", "value"),
    [("x y", str, "x y"), ("yes", bool, True), ("false", bool, False), (" 3 ", int, 3), ("2.5", float, 2.5)],
)
def test_parse_text(text: str, py_type: Any, value: Any) -> None:
    assert _gates.parse_text(text, py_type) == value


def test_parse_text_refuses_what_is_not_of_the_type() -> None:
    with pytest.raises(ValueError, match="'maybe' is not yes / no"):
        _gates.parse_text("maybe", bool)
    assert _gates.parse_text("[1, 2]", list[int]) == [1, 2]


def flyweight_map() -> Any:
    from flyweight._idl import LiteralMap

    return LiteralMap()


def _options() -> Any:
    from flyweight._runtime._options import BlobDir, RunOptions

    return RunOptions(
        in_process=True, isolated=False, workers=1, blob=BlobDir(None), on_event=None, run_name="r"
    )
