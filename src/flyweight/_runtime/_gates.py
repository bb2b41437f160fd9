"""Gate nodes in a local run: ``sleep`` waits, ``wait_for_input`` and ``approve`` take their values from
the run's options or from a terminal (ADR 0021).

- **sleep** waits its duration, in slices, and stops as soon as the run stops (a node failed elsewhere
  with fail-fast, or an interrupt: in the main thread Ctrl-C ends the wait itself). ``skip_sleep`` makes
  it succeed at once. A sleep has no timeout of its own: the node's one-hour default is Flyte's, not
  applied here.
- **wait_for_input** takes ``gate_inputs[name]``: a value of the expected type, or text parsed as
  ``flyweight run --gate NAME=VALUE`` gives it (``42``, ``yes``, JSON for lists, dicts, dataclasses).
- **approve** takes ``gate_inputs[name]``: ``True`` / ``False`` or ``yes`` / ``no`` (``y``, ``true``,
  ``approve``…); a denial fails the node. Approved, the node passes its input on.

Without a value, a run whose standard input is a terminal asks for it (one prompt at a time, on standard
error), for at most the gate's timeout; otherwise the node fails at once with a USER error naming the gate
and how to give its value. No gate ever waits without bound.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, Final

from flyweight import _idl
from flyweight._context import FlyteContextManager
from flyweight._runtime._attempt import USER, AttemptFailure
from flyweight._runtime._options import FAILED, RUNNING, SUCCEEDED, EventValue, RunOptions
from flyweight._runtime._outcomes import NodeFailed, Stopped
from flyweight._workflows import GATE, Gate
from flyweight.errors import UserError

__all__ = ["parse_text", "run_gate"]

_SLICE: Final = 0.05  # seconds between checks of the run's stop while a sleep or a prompt waits
_YES: Final = frozenset({"y", "yes", "true", "1", "approve", "approved", "ok"})
_NO: Final = frozenset({"n", "no", "false", "0", "deny", "denied", "reject"})
_PROMPT = threading.Lock()  # one question on the terminal at a time


class _GateFailed(Exception):
    def __init__(self, message: str, timed_out: bool = False) -> None:
        super().__init__(message)
        self.timed_out = timed_out


def run_gate(  # noqa: PLR0917
    node_id: str,
    gate: Gate,
    inputs: _idl.LiteralMap,
    options: RunOptions,
    stopping: Callable[[], bool],
    failed: Callable[[], None],
) -> _idl.LiteralMap:
    """Run the gate node ``node_id`` and return its outputs.

    Args:
        node_id: the node's id in the run (prefixed inside sub-workflows and conditionals).
        gate: what the node is.
        inputs: the node's inputs (an approval's: the value to approve).
        options: the run's options (``gate_inputs``, ``skip_sleep``, events).
        stopping: whether the run is stopping (checked while the gate waits).
        failed: called as soon as the node has failed, before its ``failed`` event.

    Raises:
        NodeFailed: no value, a bad value, a denial, or no answer within the gate's timeout (USER).
        Stopped: the run stopped while the gate waited.
    """
    info: dict[str, EventValue] = {"entity": gate.name, "kind": GATE, "attempt": 1}
    options.emit(node_id, RUNNING, info)
    start = time.monotonic()
    try:
        if gate.kind == "sleep":
            out = _sleep(gate, options, stopping)
        elif gate.kind == "signal":
            out = _signal(node_id, gate, options, stopping)
        else:
            out = _approve(node_id, gate, inputs, options, stopping)
    except _GateFailed as e:
        failure = AttemptFailure(str(e), False, USER, UserError(str(e)), timed_out=e.timed_out)
        failed()
        done = {
            **info,
            "duration": time.monotonic() - start,
            "error": failure.message,
            "timed_out": e.timed_out,
        }
        options.emit(node_id, FAILED, done)
        raise NodeFailed(node_id, gate.name, failure, 1) from failure.cause
    options.emit(node_id, SUCCEEDED, {**info, "duration": time.monotonic() - start})
    return out


def _sleep(gate: Gate, options: RunOptions, stopping: Callable[[], bool]) -> _idl.LiteralMap:
    assert gate.sleep_duration is not None  # a sleep gate always has its duration
    if not options.skip_sleep:
        wake = threading.Event()  # never set: its wait is a sleep Ctrl-C interrupts in the main thread
        deadline = time.monotonic() + gate.sleep_duration.total_seconds()
        while (left := deadline - time.monotonic()) > 0:
            if stopping():
                raise Stopped
            wake.wait(min(left, _SLICE))
    return _idl.LiteralMap()


def _how_to_give(gate: Gate, value: str, text: str) -> str:
    return (
        f"give it with run_workflow(..., gate_inputs={{{gate.name!r}: {value}}}), "
        f"`flyweight run FILE ENTITY --gate {gate.name}={text}` or --gate-file FILE.json, or run on a "
        "terminal to be asked"
    )


def _signal(node_id: str, gate: Gate, options: RunOptions, stopping: Callable[[], bool]) -> _idl.LiteralMap:
    py_type = gate.input_type
    described = _type_name(py_type)
    name = gate.output_name or "o0"
    where = f"{gate.describe()} (node {node_id})"
    if gate.name in options.gate_inputs:
        value = options.gate_inputs[gate.name]
        try:
            return _idl.LiteralMap(literals={name: _to_literal(gate, value)})
        except Exception as e:
            raise _GateFailed(
                f"{where} expects a value of type {described}, got {type(value).__name__} {value!r}: {e}"
            ) from e
    if not _interactive():
        raise _GateFailed(
            f"{where} is waiting for a value of type {described} and none was given; "
            + _how_to_give(gate, "...", "VALUE")
        )
    question = f"[input gate] {gate.name} ({described}): "
    while True:
        text = _ask(question, gate, stopping)
        try:
            return _idl.LiteralMap(literals={name: _to_literal(gate, text)})
        except Exception as e:
            sys.stderr.write(f"not a value of type {described}: {e}\n")


def _approve(
    node_id: str, gate: Gate, inputs: _idl.LiteralMap, options: RunOptions, stopping: Callable[[], bool]
) -> _idl.LiteralMap:
    var = gate.output_name or "o0"
    where = f"{gate.describe()} (node {node_id})"
    if gate.name in options.gate_inputs:
        value = options.gate_inputs[gate.name]
        decision = _decision(value)
        if decision is None:
            raise _GateFailed(
                f"{where} expects an approval (True / False, or yes / no), "
                f"got {type(value).__name__} {value!r}"
            )
    elif not _interactive():
        shown = _shown(gate, inputs.literals[var])
        raise _GateFailed(
            f"{where} is waiting for an approval of {shown} and none was given; "
            + _how_to_give(gate, "True", "yes")
        )
    else:
        question = f"[approval gate] {gate.name}: approve {_shown(gate, inputs.literals[var])}? [y/n] "
        while (decision := _decision(_ask(question, gate, stopping))) is None:
            sys.stderr.write("answer y or n\n")
    if not decision:
        raise _GateFailed(f"{where} was not approved (denied)")
    return _idl.LiteralMap(literals={var: inputs.literals[var]})


def _decision(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
    return None


def _interactive() -> bool:
    """Whether a person can be asked: standard input is a terminal."""
    stdin = sys.stdin
    try:
        return stdin is not None and stdin.isatty()
    except (AttributeError, ValueError):  # replaced, or closed
        return False


def _ask(question: str, gate: Gate, stopping: Callable[[], bool]) -> str:
    """A line typed on the terminal, asked on standard error; waits at most the gate's timeout and stops
    when the run stops."""
    with _PROMPT:
        if stopping():
            raise Stopped
        sys.stderr.write(question)
        sys.stderr.flush()
        line = _read_line(gate.timeout.total_seconds(), stopping)
    if line is None:
        raise _GateFailed(
            f"{gate.describe()} got no answer within its timeout ({gate.timeout})", timed_out=True
        )
    return line


def _read_line(timeout: float, stopping: Callable[[], bool]) -> str | None:
    """One line of standard input, or None after ``timeout`` seconds (``Stopped`` if the run stops)."""
    if os.name == "nt":  # no select() on a console: a plain read (Ctrl-C still ends it)
        return _line(sys.stdin.readline())
    import select

    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        if stopping():
            raise Stopped
        ready, _, _ = select.select([sys.stdin], [], [], min(left, _SLICE))
        if ready:
            return _line(sys.stdin.readline())
    return None


def _line(text: str) -> str:
    if not text:
        raise _GateFailed("standard input was closed before an answer was given")
    return text.rstrip("\r\n")


def _to_literal(gate: Gate, value: Any) -> _idl.Literal:
    from flyweight.types import TypeEngine

    py_type = gate.input_type
    if isinstance(value, str) and py_type is not str:
        value = parse_text(value, py_type)
    elif py_type is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    ctx = FlyteContextManager.current_context()
    return TypeEngine.to_literal(ctx, value, py_type, gate.literal_type)


def parse_text(text: str, py_type: Any) -> Any:
    """A value of ``py_type`` from text as typed on a command line: ``str`` as is, ``bool`` as yes / no,
    ``int`` and ``float`` as numbers, anything else as JSON (a dataclass from a JSON object)."""
    if py_type is str:
        return text
    if py_type is bool:
        decision = _decision(text)
        if decision is None:
            raise ValueError(f"{text!r} is not yes / no (true / false)")
        return decision
    if py_type is int:
        return int(text.strip())
    if py_type is float:
        return float(text.strip())
    value = json.loads(text)
    if isinstance(py_type, type) and isinstance(value, dict) and hasattr(py_type, "__dataclass_fields__"):
        return py_type(**value)
    return value


def _shown(gate: Gate, lit: _idl.Literal) -> str:
    """The value to approve, as a person reads it."""
    from flyweight.types import TypeEngine

    py_type = gate.python_interface.inputs.get(gate.output_name or "o0", Any)
    try:
        value = TypeEngine.to_python_value(FlyteContextManager.current_context(), lit, py_type)
    except Exception:
        return str(lit).replace("\n", " ").strip()
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def _type_name(py_type: Any) -> str:
    return py_type.__name__ if isinstance(py_type, type) else repr(py_type)
