"""The resolver of function tasks: a container finds the task by importing its module and taking a name.

A function task's container arguments end in ``-- task-module <module> task-name <name>``, exactly as
flytekit writes them; in the container, :meth:`DefaultTaskResolver.load_task` imports the module (the
working directory is on ``sys.path``) and takes the attribute. Serialization checks that this will
work — that the task is reachable under that module and name — so an unimportable task (defined inside
a function and never bound at module level, or typed into an interactive session) fails when it is
registered, with the fix, rather than in the cluster.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

from flyweight._settings._serialization import is_placeholder
from flyweight._tasks._resolver import TaskResolverMixin
from flyweight._tasks._signature import function_module_name
from flyweight._tasks._tracker import TrackedInstance
from flyweight.errors import TaskDefinitionError, TaskLoadError

if TYPE_CHECKING:
    from flyweight._tasks._function import PythonFunctionTask

__all__ = ["DEFAULT_TASK_RESOLVER_LOCATION", "DefaultTaskResolver", "default_task_resolver"]

DEFAULT_TASK_RESOLVER_LOCATION = "flyweight.extend.default_task_resolver"


def _bound_name(module: ModuleType | None, task: object, preferred: str) -> str | None:
    """The name ``task`` is bound to in ``module``: ``preferred`` if it is, else the first one bound."""
    if module is None:
        return None
    if getattr(module, preferred, None) is task:
        return preferred
    for name, value in list(vars(module).items()):
        if value is task:
            return str(name)
    return None


class DefaultTaskResolver(TrackedInstance, TaskResolverMixin):
    """Loads a function task by module and name: loader arguments ``task-module M task-name N``."""

    def name(self) -> str:
        return "DefaultTaskResolver"

    def loader_args(self, settings: Any, t: Any) -> list[str]:
        """``["task-module", module, "task-name", name]`` for the task ``t``.

        Raises:
            TaskDefinitionError: with real settings, when a container could not import ``t`` by that
                module and name (placeholder settings, used by local runs, accept any task).
        """
        from flyweight._tasks._variant import config_origin  # deferred: a container attempt never needs it

        t = config_origin(t)  # a node's variant (another task_config) is loaded as its task is
        fn = getattr(t, "task_function", None)
        if fn is None:
            return self._instance_loader_args(settings, t)
        module_name = function_module_name(fn)
        name = str(fn.__name__).rsplit(".", 1)[-1]
        if is_placeholder(settings):
            return ["task-module", module_name, "task-name", name]
        found = _bound_name(sys.modules.get(fn.__module__), t, name)
        if found is None:
            # a task made by a factory is bound where the factory was called
            try:
                found = t.find_lhs()
            except Exception:  # not bound there either (or made where no module is)
                found = None
            else:
                module_name = str(t.instantiated_in)
        if found is None:
            raise TaskDefinitionError(self._unreachable(t, module_name, name))
        if module_name == "__main__":
            raise TaskDefinitionError(
                f"task {t.name!r} is defined in an interactive session or a `python -c` command, so a "
                "container cannot import it; define it in a module file (a .py file under the working "
                "directory)"
            )
        return ["task-module", module_name, "task-name", found]

    @staticmethod
    def _instance_loader_args(settings: Any, t: Any) -> list[str]:
        """An instance task (``ShellTask``, no function of its own): the module it was made in and the
        module-level name bound to it, as flytekit's ``extract_task_module`` has them."""
        module_name = t.instantiated_in
        try:
            found = t.find_lhs() if module_name else None
        except TaskDefinitionError:
            found = None
        if is_placeholder(settings):  # local runs: any task, importable or not
            return ["task-module", module_name or "", "task-name", found or t.name]
        if not module_name or found is None:
            raise TaskDefinitionError(
                f"task {t.name!r} cannot be imported by a container: it is not bound to a name at module "
                f"level{f' in module {module_name!r}' if module_name else ''}. Assign it to a module-level "
                "variable (shell = ShellTask(...)) so flyweight-execute can import it"
            )
        if module_name == "__main__":
            raise TaskDefinitionError(
                f"task {t.name!r} is defined in an interactive session or a `python -c` command, so a "
                "container cannot import it; define it in a module file (a .py file under the working "
                "directory)"
            )
        return ["task-module", module_name, "task-name", found]

    @staticmethod
    def _unreachable(t: PythonFunctionTask[Any], module_name: str, name: str) -> str:
        nested = "<locals>" in getattr(t.task_function, "__qualname__", "")
        where = "it is defined inside a function and " if nested else ""
        return (
            f"task {t.name!r} cannot be imported by a container: {where}module {module_name!r} has no "
            f"attribute {name!r} bound to it. Define the task at module level (or assign it to a "
            "module-level variable) so flyweight-execute can import it"
        )

    def load_task(self, loader_args: list[str]) -> object:
        """Import ``task-module`` and return its attribute ``task-name``.

        Raises:
            TaskLoadError: the arguments are not ``task-module M task-name N``, the module cannot be
                imported (or raised while importing), or it has no such task.
        """
        args = list(loader_args)
        if len(args) < 4 or args[0] != "task-module" or args[2] != "task-name":
            raise TaskLoadError(
                f"the default task resolver takes loader arguments 'task-module <module> task-name <name>', "
                f"got {args}"
            )
        module_name, task_name = args[1], args[3]
        module = _import(module_name, task_name)
        try:
            task = getattr(module, task_name)
        except AttributeError:
            raise TaskLoadError(
                f"cannot load task {task_name!r}: module {module_name!r} "
                f"({getattr(module, '__file__', '?')}) has no attribute {task_name!r}; was the task "
                "renamed after it was registered?"
            ) from None
        if not callable(getattr(task, "dispatch_execute", None)):
            raise TaskLoadError(
                f"{module_name}.{task_name} is a {type(task).__name__}, not a task; decorate the function "
                "with @task"
            )
        return task

    def get_all_tasks(self) -> list[Any]:
        raise NotImplementedError("the default task resolver does not list tasks")


def _import(module_name: str, task_name: str) -> ModuleType:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        missing = e.name or ""
        if missing and (module_name == missing or module_name.startswith(missing + ".")):
            raise TaskLoadError(
                f"cannot load task {task_name!r}: no module named {module_name!r} in the working directory "
                f"({os.getcwd()}) or on PYTHONPATH; is the task's code in the image?"
            ) from e
        raise TaskLoadError(
            f"cannot load task {task_name!r}: importing module {module_name!r} failed: "
            f"ModuleNotFoundError: {e}; install the package it needs in the image"
        ) from e
    except Exception as e:
        raise TaskLoadError(
            f"cannot load task {task_name!r}: importing module {module_name!r} failed: "
            f"{type(e).__name__}: {e}"
        ) from e


class _DefaultTaskResolver(DefaultTaskResolver):
    @property
    def location(self) -> str:
        return DEFAULT_TASK_RESOLVER_LOCATION


default_task_resolver = _DefaultTaskResolver()
"""The resolver function tasks use unless they pass their own; named in templates as
``flyweight.extend.default_task_resolver``."""
