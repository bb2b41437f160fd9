"""One way a task runs: a plan worked out once, and the one sequence of hooks around the task's code.

A :class:`TaskPlan` holds what converting a task's inputs and outputs needs: their names, Python types
and literal types, how a return value maps onto the outputs and, for a task run from a template, the
template with its ``custom`` decoded once. It is built from a task's Python interface
(:meth:`TaskPlan.from_interface`) or from a template alone (:meth:`TaskPlan.from_template`, all a
container has). :func:`run_plan` is the execution path of every task: inputs (literals) → Python values
→ ``pre_execute`` → ``execute`` → ``post_execute`` → checked output literals. ``Task.dispatch_execute``
and ``ExecutableTemplateShimTask.dispatch_execute`` both call it; they differ only in their plan.
"""

from __future__ import annotations

import contextvars
from collections.abc import Collection, Iterable, Mapping
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from flyweight import _idl
from flyweight._context import ExecutionParameters, FlyteContext, FlyteContextManager
from flyweight._interface import Interface
from flyweight._tasks._metadata import DeckField
from flyweight._tasks._template_view import TaskTemplate, decode_custom, output_order
from flyweight._tasks._values import output_mapper
from flyweight.errors import TemplateError, UnsupportedTypeError, mark_transient, mark_user_code
from flyweight.types import TypeEngine

__all__ = [
    "TEMPLATE_DECK_FIELDS",
    "TaskPlan",
    "deck_fields_of",
    "mark_task_failure",
    "run_hooks",
    "run_plan",
    "running_template",
]

_RUNNING: contextvars.ContextVar[TaskTemplate | None] = contextvars.ContextVar(
    "flyweight_running_template", default=None
)


def running_template() -> TaskTemplate | None:
    """The view of the template :func:`run_plan` is running in this context, or None."""
    return _RUNNING.get()


@runtime_checkable
class TransientDecider(Protocol):
    """What can say a failure is transient: a task or an executor (``is_transient``, ADR 0014)."""

    def is_transient(self, error: BaseException) -> bool: ...


def mark_task_failure(exc: BaseException, *deciders: object) -> None:
    """Mark ``exc``, raised by task or executor code, as the user's, and as transient when one of
    ``deciders`` (objects with ``is_transient(error)``: the task, its executor) says it is.

    A decider that itself fails is taken to say no: the task's own failure is what is reported.
    """
    mark_user_code(exc)
    for decider in deciders:
        if not isinstance(decider, TransientDecider):
            continue
        try:
            transient = decider.is_transient(exc) is True
        except Exception:
            transient = False
        if transient:
            mark_transient(exc)
            return


S_co = TypeVar("S_co", covariant=True)
"""What a plan is built from: an :class:`Interface` or a template message."""


def _literal_types(variables: Mapping[str, _idl.Variable]) -> dict[str, _idl.LiteralType]:
    return {k: v.type for k, v in variables.items()}


class TaskPlan(Generic[S_co]):
    """What running one task needs, worked out once (see the module docstring).

    Attributes:
        owner: how errors name the task (``task 'name'``).
        source: what the plan was built from: the :class:`~flyweight.Interface` or the template message.
        input_types, output_types: name → Python type, in the source's order.
        output_names: the outputs in the order a tuple maps to them.
        template: the template message a template plan runs (None for an interface plan).
    """

    __slots__ = (
        "_custom",
        "_input_order",
        "generates_deck",
        "input_literal_types",
        "input_types",
        "map_outputs",
        "name",
        "output_literal_types",
        "output_names",
        "output_types",
        "owner",
        "source",
        "template",
    )

    def __init__(  # noqa: PLR0917 - every part of a plan, named by the two builders below
        self,
        name: str,
        source: S_co,
        input_types: dict[str, Any],
        output_types: dict[str, Any],
        output_names: list[str] | None,
        input_literal_types: dict[str, _idl.LiteralType],
        output_literal_types: dict[str, _idl.LiteralType],
        template: _idl.TaskTemplate | None = None,
    ) -> None:
        self.name = name
        self.owner = f"task {name!r}"
        self.source = source
        self.input_types = input_types
        self.output_types = output_types
        ordered = output_names is not None
        self.output_names = output_names if output_names is not None else list(output_types)
        self.map_outputs = output_mapper(self.owner, self.output_names, ordered=ordered)
        self.input_literal_types = input_literal_types
        self.output_literal_types = output_literal_types
        self.template = template
        self._custom = None if template is None else decode_custom(template)
        self.generates_deck = template is not None and template.metadata.generates_deck.value
        self._input_order: Collection[str] | None = None

    @staticmethod
    def from_interface(name: str, iface: Interface, typed: _idl.TypedInterface) -> TaskPlan[Interface]:
        """The plan of a task with the Python interface ``iface`` (``typed`` is its typed interface)."""
        outputs = iface.outputs
        return TaskPlan(
            name,
            iface,
            iface.inputs,
            outputs,
            list(outputs),
            _literal_types(typed.inputs.variables),
            _literal_types(typed.outputs.variables),
        )

    @staticmethod
    def from_template(
        pb: _idl.TaskTemplate, input_order: Collection[str] | None = None
    ) -> TaskPlan[_idl.TaskTemplate]:
        """The plan of the template ``pb``: Python types guessed from its interface, the output order
        it records. ``input_order``, when the caller knows it, is the inputs' declaration order (what
        the executor's view of the template lists them in; a template does not record it).

        Raises:
            TemplateError: its interface holds a type this installation cannot read, or a malformed one.
        """
        owner = f"task {pb.id.name!r}"
        variables = pb.interface
        try:
            input_types = TypeEngine.guess_python_types(variables.inputs.variables)
            output_types = TypeEngine.guess_python_types(variables.outputs.variables)
        except UnsupportedTypeError as e:
            raise TemplateError(
                f"{owner}: its interface uses a type this installation cannot read: {e}"
            ) from e
        except (TypeError, ValueError, KeyError) as e:  # a malformed type: a union of nothing, a bad name…
            raise TemplateError(f"{owner}: its interface holds a malformed type: {e!r}") from e
        plan = TaskPlan(
            pb.id.name,
            pb,
            input_types,
            output_types,
            output_order(pb),
            _literal_types(variables.inputs.variables),
            _literal_types(variables.outputs.variables),
            template=pb,
        )
        plan._input_order = input_order
        return plan

    def view(self) -> TaskTemplate | None:
        """A fresh view of the template (its own ``custom`` copy), or None for an interface plan."""
        if self.template is None:
            return None
        return TaskTemplate(self.template, decoded_custom=self._custom, input_order=self._input_order)

    # -- conversions ------------------------------------------------------------------------------
    def read_inputs(self, ctx: FlyteContext | None, literals: _idl.LiteralMap) -> dict[str, Any]:
        """Input literals → keyword arguments (every input present, none unknown)."""
        values: dict[str, Any] = TypeEngine.literal_map_to_values(
            ctx, literals, self.input_types, self.owner, "inputs"
        )
        return values

    def write_inputs(self, ctx: FlyteContext | None, values: Mapping[str, Any]) -> _idl.LiteralMap:
        """Input values (every input given) → input literals."""
        literals: _idl.LiteralMap = TypeEngine.values_to_literal_map(
            ctx, values, self.input_types, self.owner, "inputs", self.input_literal_types
        )
        return literals

    def write_outputs(self, ctx: FlyteContext | None, rval: Any) -> _idl.LiteralMap:
        """What the task returned → output literals, checked against the outputs."""
        literals: _idl.LiteralMap = TypeEngine.values_to_literal_map(
            ctx, self.map_outputs(rval), self.output_types, self.owner, "outputs", self.output_literal_types
        )
        return literals

    def read_outputs(self, ctx: FlyteContext | None, literals: _idl.LiteralMap) -> dict[str, Any]:
        """Output literals → output values by name."""
        values: dict[str, Any] = TypeEngine.literal_map_to_values(
            ctx, literals, self.output_types, self.owner, "outputs"
        )
        return values


def deck_fields_of(task: object, plan: TaskPlan[object]) -> tuple[DeckField, ...] | None:
    """The decks ``task`` renders when run by ``plan``, or None when it renders none (the common case,
    decided with one attribute read)."""
    if plan.template is not None:
        return TEMPLATE_DECK_FIELDS if plan.generates_deck else None
    if getattr(task, "_disable_deck", True) is False:
        fields: Iterable[DeckField] = getattr(task, "_deck_fields", ())
        return tuple(fields)
    return None


TEMPLATE_DECK_FIELDS: tuple[DeckField, ...] = (DeckField.TIMELINE, DeckField.INPUT, DeckField.OUTPUT)
"""The decks of a task run from a template with ``generates_deck`` (and its "Task" deck)."""


class PlannedTask(Protocol):
    """The hooks :func:`run_plan` calls (flytekit's names and signatures)."""

    def pre_execute(self, user_params: ExecutionParameters | None) -> ExecutionParameters | None: ...

    def execute(self, **kwargs: Any) -> Any: ...

    def post_execute(self, user_params: ExecutionParameters | None, rval: Any) -> Any: ...


def run_hooks(
    task: PlannedTask,
    ctx: FlyteContext,
    kwargs: dict[str, Any],
    plan: TaskPlan[object],
    deciders: Iterable[object],
) -> Any:
    """``pre_execute`` → ``execute(**kwargs)`` → ``post_execute``: what the task returned.

    A template plan's view is what :func:`running_template` gives during the hooks. Anything the hooks
    raise is marked as the user's (and transient when one of ``deciders`` says so) and raised again.
    """
    view = plan.view()
    token = None if view is None else _RUNNING.set(view)
    try:
        params = task.pre_execute(ctx.user_space_params)
        return task.post_execute(params, task.execute(**kwargs))
    except BaseException as e:
        mark_task_failure(e, *deciders)
        raise
    finally:
        if token is not None:
            _RUNNING.reset(token)


def run_plan(
    task: PlannedTask,
    ctx: FlyteContext | None,
    input_literal_map: _idl.LiteralMap,
    plan: TaskPlan[object],
    deciders: Iterable[object],
) -> _idl.LiteralMap:
    """Run ``task`` by ``plan``: inputs → ``pre_execute`` → ``execute`` → ``post_execute`` → outputs.

    The hooks run by :func:`run_hooks` (a map task's elements run there too, their inputs and outputs
    converted as whole lists); a ``LiteralMap`` they return is passed through unchanged.
    """
    if ctx is None:
        ctx = FlyteContextManager.current_context()
    fields = deck_fields_of(task, plan)
    if fields is not None:  # the task writes a deck page; the module loads only for such tasks
        from flyweight._tasks._decks import run_with_decks

        return run_with_decks(
            task, ctx, input_literal_map, plan, fields, lambda c, kw: run_hooks(task, c, kw, plan, deciders)
        )
    kwargs = plan.read_inputs(ctx, input_literal_map)
    rval = run_hooks(task, ctx, kwargs, plan, deciders)
    if isinstance(rval, _idl.LiteralMap):
        return rval
    return plan.write_outputs(ctx, rval)
