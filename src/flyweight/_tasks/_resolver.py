"""Resolvers: how a container turns its loader arguments back into a runnable task.

For customized container tasks the arguments are ``["{{.taskTemplatePath}}", "<module>.<Executor>"]``:
Flyte replaces the first with the path of the registered template, and :class:`TaskTemplateResolver`
reads it, imports the executor class and pairs them. The default resolver's location,
``flyweight.extend.default_task_template_resolver``, is part of every such template and never moves.
"""

from __future__ import annotations

import importlib
from typing import Any

from flyweight import _idl
from flyweight._context import FlyteContextManager
from flyweight._settings._serialization import is_placeholder
from flyweight._tasks._shim import ExecutableTemplateShimTask
from flyweight._tasks._tracker import TrackedInstance, _main_module_name
from flyweight.errors import TaskDefinitionError, TaskLoadError, TemplateError

__all__ = [
    "DEFAULT_RESOLVER_LOCATION",
    "TaskResolverMixin",
    "TaskTemplateResolver",
    "default_task_template_resolver",
    "executor_path",
    "load_object_from_module",
]

DEFAULT_RESOLVER_LOCATION = "flyweight.extend.default_task_template_resolver"


def load_object_from_module(path: str) -> object:
    """Import ``package.module.Name`` (or ``package.module.Outer.Inner``) and return the object.

    Raises:
        TaskLoadError: nothing importable has that path.
    """
    if not isinstance(path, str) or "." not in path:
        raise TaskLoadError(f"{path!r} is not a dotted path like 'package.module.Name'")
    parts = path.split(".")
    error: BaseException | None = None
    for cut in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            obj: object = importlib.import_module(module_name)
        except ImportError as e:
            if error is None:
                error = e
            continue
        except Exception as e:
            raise TaskLoadError(
                f"cannot load {path!r}: importing {module_name!r} failed: {type(e).__name__}: {e}"
            ) from e
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            raise TaskLoadError(
                f"cannot load {path!r}: module {module_name!r} has no {'.'.join(parts[cut:])!r}"
            ) from None
        return obj
    raise TaskLoadError(f"cannot load {path!r}: {error}") from error


def executor_path(executor_type: type, placeholder: bool = False) -> str:
    """The importable path of an executor class, as written into container arguments.

    A class defined inside a function cannot be imported by a container: real serialization refuses
    it; placeholder settings (local calls, which never import it) accept it.
    """
    module = executor_type.__module__
    qualname = executor_type.__qualname__
    if module == "__main__":
        import sys

        module = _main_module_name(getattr(sys.modules["__main__"], "__file__", None))
    if "<locals>" in qualname and not placeholder:
        raise TaskDefinitionError(
            f"executor {qualname} is defined inside a function, so a container cannot import it; "
            "define the executor class at module level"
        )
    return f"{module}.{qualname}"


class TaskResolverMixin:
    """The resolver contract: ``location`` (importable path of the resolver object), ``name()``,
    ``loader_args(settings, task)`` (written into container args) and ``load_task(loader_args)``
    (called in the container)."""

    @property
    def location(self) -> str:
        raise NotImplementedError

    def name(self) -> str:
        raise NotImplementedError

    def load_task(self, loader_args: list[str]) -> object:
        raise NotImplementedError

    def loader_args(self, settings: Any, t: Any) -> list[str]:
        raise NotImplementedError

    def get_all_tasks(self) -> list[Any]:
        raise NotImplementedError

    def task_name(self, t: Any) -> str | None:
        return None


# Executors of flytekit's own plugins that flyweight provides: a template registered with flytekit
# names them, and runs unchanged under flyweight-execute. (Names only: no import of a higher layer.)
EXECUTOR_ALIASES = {
    "flytekit.extras.sqlite3.task.SQLite3TaskExecutor": "flyweight.plugins.sqlite3.SQLite3TaskExecutor",
    "flytekitplugins.sqlalchemy.task.SQLAlchemyTaskExecutor": (
        "flyweight.plugins.sqlalchemy.SQLAlchemyTaskExecutor"
    ),
}


class TaskTemplateResolver(TrackedInstance, TaskResolverMixin):
    """Loads a customized container task from its template file and executor path."""

    def name(self) -> str:
        return "task template resolver"

    def loader_args(self, settings: Any, t: Any) -> list[str]:
        placeholder = is_placeholder(settings)
        return ["{{.taskTemplatePath}}", executor_path(t.executor_type, placeholder=placeholder)]

    def load_task(self, loader_args: list[str]) -> ExecutableTemplateShimTask:
        """Read the template at ``loader_args[0]``, import the executor ``loader_args[1]``."""
        if len(loader_args) < 2:
            raise TaskLoadError(
                f"the task template resolver takes [template path, executor path], got {list(loader_args)}"
            )
        template_path, executor = loader_args[0], loader_args[1]
        data = FlyteContextManager.current_context().file_access.read_bytes(template_path)
        pb = parse_template(data, template_path)
        executor_type = load_object_from_module(EXECUTOR_ALIASES.get(executor, executor))
        if not isinstance(executor_type, type):
            raise TaskLoadError(f"{executor!r} is a {type(executor_type).__name__}, not an executor class")
        try:
            return ExecutableTemplateShimTask(pb, executor_type)
        except Exception as e:
            raise TaskLoadError(f"cannot create the executor {executor}(): {type(e).__name__}: {e}") from e

    def get_all_tasks(self) -> list[Any]:
        return []


def parse_template(data: bytes, where: str) -> _idl.TaskTemplate:
    """A ``TaskTemplate`` from bytes; malformed or empty data is a ``TemplateError``."""
    from google.protobuf.message import DecodeError

    try:
        pb = _idl.TaskTemplate.FromString(data)
    except DecodeError as e:
        raise TemplateError(f"{where} is not a serialized flyteidl TaskTemplate: {e}") from e
    if not pb.id.name or not pb.HasField("interface"):
        raise TemplateError(f"{where} is not a task template: it has no task name or no interface")
    return pb


class _DefaultTaskTemplateResolver(TaskTemplateResolver):
    @property
    def location(self) -> str:
        return DEFAULT_RESOLVER_LOCATION


default_task_template_resolver = _DefaultTaskTemplateResolver()
"""The resolver customized container tasks use unless they pass their own."""
