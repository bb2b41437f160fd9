"""Running a task from its template alone: the executor contract and the template-backed task.

A plugin's business logic lives in a :class:`ShimTaskExecutor`; it sees only the template and the
inputs. :class:`ExecutableTemplateShimTask` pairs a template with an executor class and does the
conversions around the call, by a plan made from the template alone (``flyweight._tasks._plan``). The
same ``dispatch_execute`` runs in the container and in local calls, so a local call proves the template
carries everything the executor needs.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from flyweight import _idl
from flyweight._context import FlyteContext
from flyweight._tasks._plan import TaskPlan, run_plan, running_template
from flyweight._tasks._template_view import TaskTemplate
from flyweight._tasks._tracker import TrackedInstance
from flyweight.errors import TemplateError

__all__ = ["ExecutableTemplateShimTask", "ShimTaskExecutor"]

T = TypeVar("T")


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


def as_template_message(tt: object) -> _idl.TaskTemplate:
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

    def __init__(self, tt: object, executor_type: type[Any], *args: object, **kwargs: object) -> None:
        self._executor_type = executor_type
        self._executor = executor_type()
        self._task_template: TaskTemplate | None = (
            None if tt is None else TaskTemplate(as_template_message(tt))
        )
        self._template_plan: TaskPlan[_idl.TaskTemplate] | None = None
        super().__init__(*args, **kwargs)

    @property
    def name(self) -> str:
        if self._task_template is not None:
            return self._task_template.id.name
        return str(getattr(self, "_name", ""))

    @property
    def task_template(self) -> TaskTemplate | None:
        return self._task_template

    def replace_template(self, tt: object) -> None:
        """Run ``tt`` from now on (a map task's element re-types its inputs this way)."""
        self._task_template = TaskTemplate(as_template_message(tt))
        self._template_plan = None

    @property
    def executor(self) -> Any:
        return self._executor

    @property
    def executor_type(self) -> type[Any]:
        return self._executor_type

    def _execution_plan(self) -> TaskPlan[_idl.TaskTemplate]:
        """The plan of :attr:`task_template`, made once (again if another template is set)."""
        tt = self.task_template
        if tt is None:
            raise TemplateError(f"{type(self).__name__} has no task template to run")
        pb = tt.to_flyte_idl()
        plan = self._template_plan
        if plan is None or plan.source is not pb:
            plan = self._template_plan = TaskPlan.from_template(pb)
        return plan

    def execute(self, **kwargs: Any) -> Any:
        """Hand the inputs to the executor, with the template being run."""
        tt = running_template() or self.task_template
        return self._executor.execute_from_model(tt, **kwargs)

    def pre_execute(self, user_params: Any) -> Any:
        return user_params

    def post_execute(self, _: Any, rval: Any) -> Any:
        return rval

    def dispatch_execute(
        self, ctx: FlyteContext | None, input_literal_map: _idl.LiteralMap
    ) -> _idl.LiteralMap:
        """Inputs (literals) → Python values typed from the template → executor → checked output literals."""
        return run_plan(self, ctx, input_literal_map, self._execution_plan(), (self._executor, self))
