"""``map_task`` over a launch plan: an ``ArrayNode`` whose sub-node starts the launch plan once per element.

Why a class of its own: a map over a task is itself a task (``flyweight._tasks._map.ArrayNodeMapTask``,
with a template of its own), but a map over a launch plan registers nothing new. Flytekit 1.16 writes a
workflow node holding an ``ArrayNode`` whose sub-node is an ordinary launch-plan node (``workflow_node``
with a ``launchplan_ref``); Flyte starts the launch plan once per element of the input lists. So
:class:`ArrayNode` is neither a task nor a launch plan but a third kind of thing a workflow body calls
(``node_kind`` ``"array"``): the compiler binds its list inputs, ``flyweight._workflows._to_idl`` writes the
``ArrayNode`` as flytekit does, and the local engine (``flyweight._runtime._engine``) runs each element as
the launch plan's workflow with the plan's fixed inputs — which flytekit's own local run cannot do.
ADR 0018, "Launch plans".
"""

from __future__ import annotations

import functools
import math
import typing
from typing import TYPE_CHECKING, Any, Literal

from flyweight import _idl
from flyweight._context import current_compiler, workflow_runner
from flyweight._interface import Interface, typed_interface
from flyweight._tasks._map import list_interface
from flyweight._workflows._compiler import Compiler, compile_body
from flyweight._workflows._dns import dnsify
from flyweight._workflows._metadata import WorkflowFailurePolicy, WorkflowMetadata, WorkflowMetadataDefaults
from flyweight._workflows._node import ARRAY, LAUNCH_PLAN
from flyweight._workflows._reference import ReferenceLaunchPlan
from flyweight._workflows._workflow import WorkflowBase
from flyweight.errors import TaskDefinitionError, WorkflowCompileError

if TYPE_CHECKING:
    from flyweight._workflows._entities import CalledLaunchPlan

__all__ = ["ArrayNode", "dnsify"]


def _launch_plan(target: object) -> CalledLaunchPlan | ReferenceLaunchPlan:
    """``target`` if it is a launch plan; a clear error otherwise."""
    inner = target
    while isinstance(inner, functools.partial):
        inner = inner.func
    name = getattr(inner, "name", inner)
    if getattr(inner, "node_kind", None) != LAUNCH_PLAN:
        raise TaskDefinitionError(f"an ArrayNode maps a launch plan, got {type(target).__name__} {target!r}")
    if inner is not target:
        raise TaskDefinitionError(
            f"map_task(functools.partial(launch plan {name!r}, ...)): inputs bound for every element are not "
            "supported over a launch plan (flytekit's ArrayNode has no bound inputs either); fix them in a "
            f"launch plan instead: LaunchPlan.get_or_create(wf, name, fixed_inputs={{...}}), then map that"
        )
    if isinstance(target, ReferenceLaunchPlan):
        return target
    return typing.cast("CalledLaunchPlan", target)


def _check_options(name: str, concurrency: object, min_successes: object, min_success_ratio: object) -> None:
    def bad(what: str, value: object, expected: str) -> TaskDefinitionError:
        return TaskDefinitionError(
            f"map_task(launch plan {name!r}): {what} must be {expected}, got {value!r}"
        )

    if concurrency is not None and (type(concurrency) is not int or concurrency < 0):
        raise bad("concurrency", concurrency, "an int >= 0 (0: no limit) or None")
    if min_successes is not None and (type(min_successes) is not int or min_successes < 0):
        raise bad("min_successes", min_successes, "an int >= 0 or None")
    if min_success_ratio is not None and (
        isinstance(min_success_ratio, bool)
        or not isinstance(min_success_ratio, (int, float))
        or not 0 <= min_success_ratio <= 1
    ):
        raise bad("min_success_ratio", min_success_ratio, "a number from 0 to 1 or None")


class ArrayNode:
    """A launch plan mapped over lists: each element of the input lists starts the launch plan once.

    Usually made with :func:`flyweight.map_task` given a launch plan (flytekit's ``array_node``). The
    launch plan's fixed inputs are not inputs of the map (every element gets them); each other input ``T``
    becomes ``List[T]`` and must be passed (the plan's defaults do not apply to a list); the output (one at
    most) becomes ``List[T]``, or ``List[Optional[T]]`` when some elements may fail (a ratio below 1, or
    ``min_successes``).

    Args:
        target: the launch plan (``LaunchPlan``), or a ``ReferenceLaunchPlan`` (registered elsewhere: the
            sub-node names its identifier, its declared inputs are all the map's, and it cannot run
            locally).
        concurrency: at most this many elements run at once (0: no limit; None: the workflow's limit).
        min_successes: the map succeeds when at least this many elements do; it takes precedence over the
            ratio.
        min_success_ratio: the map succeeds when at least this fraction of the elements do (``ceil``;
            default 1.0).

    Raises:
        TaskDefinitionError: ``target`` is not a launch plan (a ``functools.partial`` of one included), its
            workflow has several outputs, or an option is out of range.
    """

    def __init__(
        self,
        target: CalledLaunchPlan | ReferenceLaunchPlan,
        concurrency: int | None = None,
        min_successes: int | None = None,
        min_success_ratio: float | None = None,
    ) -> None:
        plan = _launch_plan(target)
        name = plan.name
        _check_options(name, concurrency, min_successes, min_success_ratio)
        iface = plan.python_interface
        if len(iface.outputs) > 1:
            raise TaskDefinitionError(
                f"map_task() cannot map launch plan {name!r}: only launch plans with a single output are "
                f"supported in map tasks; its workflow has {len(iface.outputs)} ({', '.join(iface.outputs)})"
            )
        self._plan = plan
        # a reference's fixed inputs are not known here: its declared inputs are all the map's (flytekit's)
        self._fixed: frozenset[str] = (
            frozenset() if isinstance(plan, ReferenceLaunchPlan) else frozenset(plan.fixed_input_names)
        )
        self._concurrency = concurrency
        self._min_successes = min_successes
        # as flytekit: min_successes takes precedence over the ratio, which defaults to 1.0
        self._min_success_ratio: float | None = None
        if min_successes is None:
            self._min_success_ratio = 1.0 if min_success_ratio is None else float(min_success_ratio)
        ratio_below_one = min_success_ratio is not None and min_success_ratio != 1
        self._optional_outputs = bool(iface.outputs) and (ratio_below_one or min_successes is not None)
        self._python_interface = list_interface(iface, (), self._optional_outputs, excluded=self._fixed)
        self._interface: _idl.TypedInterface | None = None
        self._direct: _DirectRun | None = None

    # -- what it is -----------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The launch plan's name (flytekit names the node, and its sub-node's metadata, after it)."""
        return self._plan.name

    @property
    def node_kind(self) -> Literal["array"]:
        """What a call of it in a workflow body becomes: an ``ArrayNode``."""
        return ARRAY

    @property
    def launch_plan(self) -> CalledLaunchPlan | ReferenceLaunchPlan:
        """The launch plan each element starts."""
        return self._plan

    @property
    def target(self) -> CalledLaunchPlan | ReferenceLaunchPlan:
        """The launch plan (flytekit's name for it)."""
        return self._plan

    @property
    def flyte_entity(self) -> CalledLaunchPlan | ReferenceLaunchPlan:
        """The launch plan the sub-node starts (flytekit's name for it)."""
        return self._plan

    @property
    def concurrency(self) -> int | None:
        return self._concurrency

    @property
    def min_successes(self) -> int | None:
        """The number of elements that must succeed, when given (it then wins over the ratio)."""
        return self._min_successes

    @property
    def min_success_ratio(self) -> float | None:
        """The fraction of elements that must succeed; None when ``min_successes`` is given."""
        return self._min_success_ratio

    @property
    def optional_outputs(self) -> bool:
        """Whether the output is a list of ``Optional`` values (some elements may fail)."""
        return self._optional_outputs

    @property
    def execution_mode(self) -> _idl.ArrayNode.ExecutionMode:
        """Flyte's ``ArrayNode.ExecutionMode``: ``FULL_STATE``, as flytekit writes for launch plans."""
        return _idl.ArrayNode.FULL_STATE

    @property
    def data_mode(self) -> _idl.ArrayNode.DataMode:
        """Flyte's ``ArrayNode.DataMode``: ``SINGLE_INPUT_FILE`` (0, so absent on the wire)."""
        return _idl.ArrayNode.SINGLE_INPUT_FILE

    @property
    def is_original_sub_node_interface(self) -> bool:
        """True: the sub-node keeps the launch plan's own interface (flytekit writes it)."""
        return True

    @property
    def bound_inputs(self) -> set[str]:
        """Inputs passed whole to every element: none (flytekit supports none over a launch plan)."""
        return set()

    @property
    def sub_node_id(self) -> str:
        """The id of the ``ArrayNode``'s sub-node: the launch plan's name as a DNS label (flytekit's)."""
        return dnsify(self._plan.name)

    @property
    def python_interface(self) -> Interface:
        """Each input of the launch plan but its fixed ones as ``List[T]``; the output as ``List[T]`` (or
        ``List[Optional[T]]``); no defaults."""
        return self._python_interface

    @property
    def interface(self) -> _idl.TypedInterface:
        """Flyte's ``TypedInterface`` of :attr:`python_interface` (computed once)."""
        if self._interface is None:
            owner = f"map_task(launch plan {self.name!r})"
            try:
                self._interface = typed_interface(self._python_interface, owner=owner)
            except TaskDefinitionError as e:
                raise WorkflowCompileError(str(e)) from e
        return self._interface

    @property
    def _interface_idl(self) -> _idl.TypedInterface:
        """The typed interface message, as the compiler reads every callee's (ADR 0022)."""
        return self.interface

    @property
    def mapped_inputs(self) -> list[str]:
        """The inputs sliced element by element: all of them, in the launch plan's order."""
        return list(self._python_interface.inputs)

    def required_successes(self, size: int) -> int:
        """How many of ``size`` elements must succeed: ``min_successes`` (at most ``size``) when given,
        else ``ceil(size * min_success_ratio)`` (propeller's rule)."""
        if self._min_successes is not None:
            return min(self._min_successes, size)
        return math.ceil(size * (1.0 if self._min_success_ratio is None else self._min_success_ratio))

    def construct_node_metadata(self) -> _idl.NodeMetadata:
        """The metadata of the workflow node and of its sub-node: the launch plan's name only, as
        flytekit writes both."""
        meta = _idl.NodeMetadata(name=self._plan.name)
        meta.retries.SetInParent()
        return meta

    # -- calling it -------------------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Inside a workflow body being compiled: add the ``ArrayNode``. Outside one: run it with the local
        engine (elements in parallel) and return the output list (None without outputs).

        Raises:
            WorkflowCompileError: an input the launch plan fixes was given.
            WorkflowExecutionError: (outside a body) too many elements failed; names them by index.
        """
        fixed = sorted(set(kwargs) & self._fixed)
        compiler = current_compiler()
        if fixed:
            where = f"workflow {compiler.workflow_name!r}: " if isinstance(compiler, Compiler) else ""
            names = ", ".join(map(repr, fixed))
            raise WorkflowCompileError(
                f"{where}map_task(launch plan {self.name!r}) got input(s) {names}, which the launch plan "
                "fixes (every element gets the fixed value); leave them out of the call"
            )
        if compiler is not None:
            return compiler.add_entity(self, args, kwargs)
        if isinstance(self._plan, ReferenceLaunchPlan):  # as a direct call of the reference itself
            raise self._plan.local_run_error()
        if self._direct is None:
            self._direct = _DirectRun(self)
        return workflow_runner()(self._direct, args, kwargs)

    def __repr__(self) -> str:
        return f"ArrayNode(launch_plan={self.name!r})"


class _DirectRun(WorkflowBase):
    """A workflow of one node, the ``ArrayNode``: what a call outside a workflow body runs, so the local
    engine runs the elements as it does in any workflow (in parallel, counted, failures by index)."""

    def __init__(self, array: ArrayNode) -> None:
        super().__init__(
            f"map_task({array.name})",
            WorkflowMetadata(on_failure=WorkflowFailurePolicy.FAIL_IMMEDIATELY),
            WorkflowMetadataDefaults(interruptible=False),
            array.python_interface,
        )
        self._array = array
        self._compiled = False

    def compile(self, **kwargs: object) -> None:
        if not self._compiled:
            self._nodes, self._output_bindings = compile_body(self, self._array)
            self._compiled = True
