"""Running a task from its template alone: the executor contract and the template-backed task.

A plugin's business logic lives in a :class:`ShimTaskExecutor`; it sees only the template and the
inputs. :class:`ExecutableTemplateShimTask` pairs a template with an executor class and does the
conversions around the call. The same ``dispatch_execute`` runs in the container and in local calls,
so a local call proves the template carries everything the executor needs.
"""

from __future__ import annotations

import contextvars
from typing import Any, Generic, TypeVar

from flyweight import _idl
from flyweight._context import FlyteContext, FlyteContextManager
from flyweight._tasks._task import mark_task_failure
from flyweight._tasks._template_view import TaskTemplate, output_order
from flyweight._tasks._tracker import TrackedInstance
from flyweight._tasks._values import map_outputs
from flyweight.errors import TemplateError, TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types import TypeEngine

__all__ = ["ExecutableTemplateShimTask", "ShimTaskExecutor", "TemplatePlan"]

T = TypeVar("T")

_RUNNING: contextvars.ContextVar[TaskTemplate | None] = contextvars.ContextVar(
    "flyweight_running_template", default=None
)


class ShimTaskExecutor(TrackedInstance, Generic[T]):
    """Base class for a plugin's executor: override :meth:`execute_from_model`.

    The class must be importable by its module and name (define it at module level) and constructible
    with no arguments: the container imports and instantiates it by the path in the template.

    Example:
        >>> class Echo(ShimTaskExecutor):
        ...     def execute_from_model(self, tt, **kwargs):
        ...         return tt.custom["greeting"] + kwargs["name"]
    """

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        """Run the task: ``tt`` is the template, ``kwargs`` the inputs as Python values.

        Return the output value (one output), a tuple / NamedTuple / dict keyed by name (several), or
        None (none). A ready ``LiteralMap`` is passed through unchanged.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement execute_from_model(tt, **kwargs)")

    def is_transient(self, error: BaseException) -> bool:
        """Whether ``error``, raised by :meth:`execute_from_model`, is transient: retrying may succeed.

        The one hook for a plugin to declare its library's transient failures (a database that is
        briefly unreachable or locked, a service answering 503). A transient failure is reported as USER
        and RECOVERABLE, so Flyte retries the task within its ``retries``; every other failure of the
        executor is USER and NON_RECOVERABLE. ``ConnectionError``, ``TimeoutError`` and DNS errors are
        transient without saying so (ADR 0014).

        Example:
            >>> import sqlite3
            >>> class Query(ShimTaskExecutor):
            ...     def is_transient(self, error: BaseException) -> bool:
            ...         return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)
        """
        return False


class TemplatePlan:
    """What running a template needs, worked out once: Python types of inputs and outputs, output order."""

    __slots__ = ("input_types", "output_literal_types", "output_names", "output_types", "owner", "pb")

    def __init__(self, pb: _idl.TaskTemplate) -> None:
        self.pb = pb
        self.owner = f"task {pb.id.name!r}"
        try:
            self.input_types = TypeEngine.guess_python_types(pb.interface.inputs.variables)
            self.output_types = TypeEngine.guess_python_types(pb.interface.outputs.variables)
        except UnsupportedTypeError as e:
            raise TemplateError(
                f"{self.owner}: its interface uses a type this installation cannot read: {e}"
            ) from e
        except (TypeError, ValueError, KeyError) as e:  # a malformed type: a union of nothing, a bad name…
            raise TemplateError(f"{self.owner}: its interface holds a malformed type: {e!r}") from e
        self.output_literal_types = {k: v.type for k, v in pb.interface.outputs.variables.items()}
        self.output_names = output_order(pb)


def as_template_message(tt: Any) -> _idl.TaskTemplate:
    """The protobuf message of ``tt``: a flyteidl TaskTemplate, a :class:`TaskTemplate` view, or a
    flytekit model.

    Raises:
        TemplateError: ``tt`` is none of these.
    """
    pb = _idl.as_message(tt, _idl.TaskTemplate)
    if pb is None:
        raise TemplateError(f"expected a TaskTemplate, got {type(tt).__name__}")
    return pb


class ExecutableTemplateShimTask:
    """A task rebuilt from a template and an executor class (what a container runs).

    Args:
        tt: the template (a :class:`TaskTemplate` view or the protobuf message); may be None for
            subclasses that produce it themselves.
        executor_type: the executor class; it is instantiated here, with no arguments.
    """

    def __init__(self, tt: Any, executor_type: type[Any], *args: Any, **kwargs: Any) -> None:
        self._executor_type = executor_type
        self._executor = executor_type()
        self._task_template: TaskTemplate | None = (
            None if tt is None else TaskTemplate(as_template_message(tt))
        )
        self._plan_cache: TemplatePlan | None = None
        super().__init__(*args, **kwargs)

    @property
    def name(self) -> str:
        if self._task_template is not None:
            return self._task_template.id.name
        return str(getattr(self, "_name", ""))

    @property
    def task_template(self) -> TaskTemplate | None:
        return self._task_template

    @property
    def executor(self) -> Any:
        return self._executor

    @property
    def executor_type(self) -> type[Any]:
        return self._executor_type

    def _template_plan(self) -> TemplatePlan:
        if self._plan_cache is None:
            tt = self.task_template
            if tt is None:
                raise TemplateError(f"{type(self).__name__} has no task template to run")
            self._plan_cache = TemplatePlan(tt.to_flyte_idl())
        return self._plan_cache

    def execute(self, **kwargs: Any) -> Any:
        """Hand the inputs to the executor, with the template being run."""
        tt = _RUNNING.get() or self.task_template
        return self._executor.execute_from_model(tt, **kwargs)

    def pre_execute(self, user_params: Any) -> Any:
        return user_params

    def post_execute(self, _: Any, rval: Any) -> Any:
        return rval

    def dispatch_execute(
        self, ctx: FlyteContext | None, input_literal_map: _idl.LiteralMap
    ) -> _idl.LiteralMap:
        """Inputs (literals) → Python values typed from the template → executor → checked output literals."""
        if ctx is None:
            ctx = FlyteContextManager.current_context()
        plan = self._template_plan()
        kwargs = TypeEngine.literal_map_to_values(
            ctx, input_literal_map, plan.input_types, plan.owner, "inputs"
        )
        token = _RUNNING.set(TaskTemplate(plan.pb))
        try:
            params = self.pre_execute(ctx.user_space_params)
            rval = self.post_execute(params, self.execute(**kwargs))
        except BaseException as e:
            mark_task_failure(e, self._executor, self)
            raise
        finally:
            _RUNNING.reset(token)
        if isinstance(rval, _idl.LiteralMap):
            return rval
        names = plan.output_names
        if names is None:
            if not isinstance(rval, dict) and getattr(rval, "_fields", None) is None:
                raise TypeTransformerFailedError(
                    f"{plan.owner}: its template does not record the order of its outputs "
                    f"({', '.join(plan.output_types)}), so a tuple cannot be matched to them; "
                    "return a dict or NamedTuple keyed by output name"
                )
            names = list(plan.output_types)
        values = map_outputs(plan.owner, rval, names)
        return TypeEngine.values_to_literal_map(
            ctx, values, plan.output_types, plan.owner, "outputs", plan.output_literal_types
        )
