"""Gate nodes: ``sleep``, ``wait_for_input`` and ``approve`` (flytekit's ``flytekit.core.gate``).

A gate is a node that runs no code: it waits (``sleep``), waits for a value someone signals
(``wait_for_input``: the node's output ``o0`` is that value) or waits for someone to approve the value of
another node's output (``approve``: the node passes that output on, under the same name). Each call in a
workflow body makes a new :class:`Gate` and adds its node through the compiler, as a task's call does;
``flyweight._workflows._to_idl`` writes it as flytekit does: a ``gate_node`` with a ``sleep``
(``duration``), ``signal`` (``signal_id``, ``type``, ``output_variable_name``) or ``approve``
(``signal_id``) condition, and ``NodeMetadata`` with the gate's name and its timeout (one hour unless
given; a sleep's node is named ``sleep-gate`` and keeps that default timeout).

How a local run treats gates is :mod:`flyweight._runtime._gates` (ADR 0021).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from flyweight._context import current_compiler
from flyweight._interface import Interface, typed_interface
from flyweight._workflows._node import GATE, GLOBAL_INPUT_NODE_ID
from flyweight._workflows._promise import Promise, VoidPromise
from flyweight.errors import NotSupportedError, WorkflowCompileError

if TYPE_CHECKING:
    from flyweight._idl import LiteralType, NodeMetadata, TypedInterface

__all__ = ["DEFAULT_TIMEOUT", "SLEEP_GATE_NAME", "Gate", "GateKind", "approve", "sleep", "wait_for_input"]

DEFAULT_TIMEOUT: Final = datetime.timedelta(hours=1)
"""The timeout of a gate node given none (flytekit's ``DEFAULT_TIMEOUT``); a sleep always has it."""

SLEEP_GATE_NAME: Final = "sleep-gate"
"""The name of every sleep gate (flytekit's)."""

GateKind = Literal["sleep", "signal", "approve"]


class Gate:
    """A gate node's entity: what the compiler, the serializer and the local engine read of it.

    Args:
        name: the gate's name: the signal id of a ``signal`` or ``approve`` gate, the node's name.
        kind: ``"sleep"``, ``"signal"`` (``wait_for_input``) or ``"approve"``.
        python_interface: the node's inputs and outputs (none for a sleep; ``o0`` for a signal; the
            approved output's name, in and out, for an approval).
        typed: the same, as a ``TypedInterface``.
        sleep_duration: how long a sleep gate waits.
        timeout: how long Flyte waits for the signal or the approval (default one hour).
        input_type: the Python type of a signal gate's value.
    """

    __slots__ = ("_interface", "_python_interface", "input_type", "kind", "name", "sleep_duration", "timeout")

    def __init__(  # noqa: PLR0917 - the parts of a gate
        self,
        name: str,
        kind: GateKind,
        python_interface: Interface,
        typed: TypedInterface,
        sleep_duration: datetime.timedelta | None = None,
        timeout: datetime.timedelta | None = None,
        input_type: Any = None,
    ) -> None:
        self.name = name
        self.kind: GateKind = kind
        self._python_interface = python_interface
        self._interface = typed
        self.sleep_duration = sleep_duration
        self.timeout = timeout or DEFAULT_TIMEOUT
        self.input_type = input_type

    @property
    def node_kind(self) -> Literal["gate"]:
        return GATE

    @property
    def python_interface(self) -> Interface:
        return self._python_interface

    @property
    def interface(self) -> TypedInterface:
        return self._interface

    @property
    def _interface_idl(self) -> TypedInterface:
        """The typed interface message, as the compiler reads every callee's (ADR 0022)."""
        return self.interface

    @property
    def output_name(self) -> str | None:
        """The name of the node's one output (``o0`` for a signal, the approved output's for an
        approval); None for a sleep."""
        names = list(self._python_interface.outputs)
        return names[0] if names else None

    @property
    def literal_type(self) -> LiteralType | None:
        """The literal type of the node's output (the signal's type, the approved value's type)."""
        name = self.output_name
        return None if name is None else self._interface.outputs.variables[name].type

    def construct_node_metadata(self) -> NodeMetadata:
        """``NodeMetadata`` with the gate's name and timeout, as flytekit writes it."""
        from flyweight._idl import NodeMetadata

        meta = NodeMetadata(name=self.name)
        meta.timeout.FromTimedelta(self.timeout)
        meta.retries.SetInParent()
        return meta

    def describe(self) -> str:
        """How messages name it: ``sleep gate 'sleep-gate'``, ``input gate 'n'``, ``approval gate 'ok'``."""
        what = {"sleep": "sleep", "signal": "input", "approve": "approval"}[self.kind]
        return f"{what} gate {self.name!r}"

    def __repr__(self) -> str:
        return f"Gate({self.name!r}, {self.kind})"


def _check_name(name: object, function: str) -> str:
    if not isinstance(name, str) or not name:
        raise WorkflowCompileError(f"{function}(): name must be a non-empty string, got {name!r}")
    return name


def _check_timeout(timeout: object, function: str, name: str, what: str = "timeout") -> datetime.timedelta:
    if not isinstance(timeout, datetime.timedelta):
        raise WorkflowCompileError(
            f"{function}({name!r}): {what} must be a datetime.timedelta, got {type(timeout).__name__} "
            f"{timeout!r}"
        )
    if timeout <= datetime.timedelta(0):
        raise WorkflowCompileError(f"{function}({name!r}): {what} must be positive, got {timeout}")
    return timeout


def _add(gate: Gate, function: str, kwargs: dict[str, Any]) -> Any:
    compiler = current_compiler()
    if compiler is None:
        raise NotSupportedError(
            f"{function}() ({gate.describe()}) adds a gate node to a workflow; call it inside a @workflow "
            "(or @dynamic) body, not in a task or at module level"
        )
    return compiler.add_entity(gate, (), kwargs)


def sleep(duration: datetime.timedelta) -> VoidPromise:
    """A gate node that waits ``duration`` before the nodes ordered after it (``sleep(d) >> t()``) run.

    On Flyte the node is a ``gate_node`` with a ``sleep`` condition. A local run waits too (it stops at
    once when the run stops), unless ``skip_sleep=True`` / ``flyweight run --skip-sleep``.

    Args:
        duration: how long to wait (a positive ``datetime.timedelta``).

    Returns:
        A void promise: order other calls after it with ``>>``.

    Raises:
        WorkflowCompileError: ``duration`` is not a positive timedelta.
        NotSupportedError: called outside a workflow body.
    """
    duration = _check_timeout(duration, "sleep", SLEEP_GATE_NAME, "duration")
    gate = Gate(SLEEP_GATE_NAME, "sleep", Interface(), _typed(Interface()), sleep_duration=duration)
    result: VoidPromise = _add(gate, "sleep", {})
    return result


def wait_for_input(name: str, timeout: datetime.timedelta, expected_type: Any) -> Promise:
    """A gate node whose output (``o0``) is a value of ``expected_type`` signalled to the execution.

    On Flyte the node is a ``gate_node`` with a ``signal`` condition (``signal_id`` ``name``). A local
    run takes the value from ``gate_inputs`` / ``flyweight run --gate NAME=VALUE`` or ``--gate-file``, or
    asks for it on a terminal; with neither, the node fails saying how to give it.

    Args:
        name: the signal's id (and the node's name).
        timeout: how long Flyte waits for the value before the node fails.
        expected_type: the Python type of the value.

    Returns:
        The promise of the value.

    Raises:
        WorkflowCompileError: a bad name, timeout or type.
        NotSupportedError: called outside a workflow body.
    """
    name = _check_name(name, "wait_for_input")
    timeout = _check_timeout(timeout, "wait_for_input", name)
    iface = Interface(outputs={"o0": expected_type})
    try:
        typed = _typed(iface, f"wait_for_input({name!r})")
    except Exception as e:
        raise WorkflowCompileError(f"wait_for_input({name!r}): expected_type {expected_type!r}: {e}") from e
    gate = Gate(name, "signal", iface, typed, timeout=timeout, input_type=expected_type)
    result: Promise = _add(gate, "wait_for_input", {})
    return result


def approve(upstream_item: Any, name: str, timeout: datetime.timedelta) -> Promise:
    """A gate node that passes ``upstream_item`` (one output of another call) on once it is approved.

    On Flyte the node is a ``gate_node`` with an ``approve`` condition (``signal_id`` ``name``); its input
    and its output have the name of the approved output. A local run takes the decision from
    ``gate_inputs`` / ``flyweight run --gate NAME=yes`` or asks on a terminal; a denial fails the node.

    Args:
        upstream_item: the promise of one output of a task, sub-workflow or launch plan call (not a
            workflow input, not a call without outputs).
        name: the signal's id (and the node's name).
        timeout: how long Flyte waits for the approval before the node fails.

    Returns:
        The promise of the approved value (use it downstream so they wait for the approval).

    Raises:
        WorkflowCompileError: ``upstream_item`` is not one output of a call, or a bad name or timeout.
        NotSupportedError: called outside a workflow body.
    """
    name = _check_name(name, "approve")
    timeout = _check_timeout(timeout, "approve", name)
    if upstream_item is None or isinstance(upstream_item, VoidPromise):
        raise WorkflowCompileError(
            f"approve({name!r}): the upstream call returns nothing; approve one output of a call that has one"
        )
    if isinstance(upstream_item, tuple):
        raise WorkflowCompileError(
            f"approve({name!r}): got {len(upstream_item)} outputs of a call; approve one of them (out.name)"
        )
    if not isinstance(upstream_item, Promise) or upstream_item.is_ready:
        raise WorkflowCompileError(
            f"approve({name!r}): expected the output of a call in this workflow (a promise), got "
            f"{type(upstream_item).__name__} {upstream_item!r}"
        )
    ref = upstream_item.ref
    if ref.node.id == GLOBAL_INPUT_NODE_ID:
        raise WorkflowCompileError(
            f"approve({name!r}): workflow inputs cannot be passed to approval nodes (flytekit refuses them "
            "too); approve the output of a call"
        )
    lt = upstream_item.literal_type
    if lt is None:
        raise WorkflowCompileError(
            f"approve({name!r}): the type of {upstream_item.var!r}"
            f"{''.join(f'[{k!r}]' for k in ref.attr_path)} is unknown (a path into an output); "
            "approve the whole output"
        )
    var = upstream_item.var
    py_type = _upstream_type(ref.node.flyte_entity, var)
    iface = Interface(inputs={var: py_type}, outputs={var: py_type})
    from flyweight._idl import TypedInterface, Variable

    typed = TypedInterface()
    typed.inputs.variables[var].CopyFrom(Variable(type=lt, description=var))
    typed.outputs.variables[var].CopyFrom(Variable(type=lt, description=var))
    gate = Gate(name, "approve", iface, typed, timeout=timeout)
    result: Promise = _add(gate, "approve", {var: upstream_item})
    return result


def _upstream_type(entity: object, var: str) -> Any:
    """The Python type of output ``var`` of the entity a promise comes from (``Any`` if unknown)."""
    try:
        return entity.python_interface.outputs[var]  # type: ignore[attr-defined]
    except (AttributeError, KeyError, ValueError):
        return Any


def _typed(iface: Interface, owner: str = "gate") -> TypedInterface:
    return typed_interface(iface, owner)
