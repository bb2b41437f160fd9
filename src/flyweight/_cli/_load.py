"""Loading user code for registration: files or modules → imported modules → their entities.

The source root (the working directory by default) goes first on ``sys.path`` and every file is
imported under the module name its path has below that root (``jobs/daily.py`` → ``jobs.daily``), as
``pyflyte`` does, so the names written into task arguments are the ones a container with the same code
at its working directory imports. A package (a directory, or a dotted name of one) brings in all of its
submodules, as ``pyflyte --pkgs`` does.

The entities are the tasks, workflows and launch plans bound at module level in the loaded modules, in
module order and, within a module, in the order their names were first bound (definition order).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, TypeAlias

from flyweight._tasks import PythonTask
from flyweight._workflows import LaunchPlan, WorkflowBase
from flyweight.errors import PackagingError

__all__ = ["Entity", "collect_entities", "load_modules", "module_name"]

Entity: TypeAlias = "PythonTask[Any] | WorkflowBase | LaunchPlan"
"""What the commands find in user code: a task, a workflow or a launch plan."""


def module_name(target: str, source_root: Path) -> str:
    """The dotted module name of ``target``: a ``.py`` file or a directory below ``source_root``, or
    already a dotted module name.

    Raises:
        PackagingError: a path that does not exist, is not a Python file or directory, or lies outside the
            source root.
    """
    path = Path(target)
    looks_like_path = target.endswith(".py") or "/" in target or path.exists()
    if not looks_like_path:
        if all(part.isidentifier() for part in target.split(".")):
            return target
        raise PackagingError(f"{target!r} is neither a Python file, a directory nor a module name")
    if not path.exists():
        raise PackagingError(f"no such file or directory: {target!r}")
    resolved = path.resolve()
    if resolved.is_file() and resolved.suffix != ".py":
        raise PackagingError(
            f"{target!r} is not a Python file (expected a .py file, a directory or a module)"
        )
    try:
        relative = resolved.relative_to(source_root)
    except ValueError:
        raise PackagingError(
            f"{target!r} is outside the source root {str(source_root)!r}; run from the directory that "
            "holds your code or pass --source"
        ) from None
    parts = list(relative.with_suffix("").parts) if resolved.is_file() else list(relative.parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    if not parts:
        raise PackagingError(f"{target!r} is the source root itself; name a file or package below it")
    if not all(p.isidentifier() for p in parts):
        raise PackagingError(
            f"{target!r} has no importable module name below {str(source_root)!r} (got {'.'.join(parts)!r}); "
            "rename it so each part is a Python identifier (letters, digits, underscores)"
        )
    return ".".join(parts)


def _describe_failure(name: str, error: BaseException) -> str:
    """``module 'm' failed to import: ValueError: bad (m.py, line 3)`` — the exception and where it was
    raised."""
    what = "".join(traceback.format_exception_only(type(error), error)).strip()
    machinery = (str(Path(importlib.__file__).parent), "<")  # importlib's frames say nothing useful
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith(machinery)]
    last = frames[-1] if frames else None
    where = (
        f" ({last.filename}, line {last.lineno})" if last is not None and last.filename != __file__ else ""
    )
    return f"module {name!r} failed to import: {what}{where}"


def _import(name: str, source_root: Path) -> ModuleType:
    try:
        module = importlib.import_module(name)
    except (Exception, SystemExit) as e:  # a script's sys.exit() or argparse at import, too
        raise PackagingError(_describe_failure(name, e)) from e
    file: str | None = getattr(module, "__file__", None)  # built-in modules have none
    if file is not None:
        home = Path(file).resolve()
        if home != source_root and source_root not in home.parents:
            raise PackagingError(
                f"module {name!r} was imported from {str(home)!r}, outside the source root "
                f"{str(source_root)!r}; rename your file or module"
            )
    return module


def load_modules(targets: list[str], source_root: Path) -> list[ModuleType]:
    """Import ``targets`` (files, directories or module names) with ``source_root`` first on
    ``sys.path``; packages bring their submodules (in ``pkgutil`` order).

    Raises:
        PackagingError: a target cannot be found, or a module fails to import (the message shows the
            exception and where it was raised).
    """
    root = source_root.resolve()
    names = [module_name(t, root) for t in targets]
    modules: list[ModuleType] = []
    sys.path.insert(0, str(root))
    try:
        for name in names:
            module = _import(name, root)
            modules.append(module)
            paths: list[str] | None = getattr(module, "__path__", None)  # packages only
            if paths is None:
                continue
            for info in pkgutil.walk_packages(paths, prefix=f"{name}."):
                modules.append(_import(info.name, root))
    finally:
        sys.path.remove(str(root))
    return modules


def collect_entities(modules: list[ModuleType]) -> list[Entity]:
    """The tasks, workflows and launch plans bound at module level in ``modules``, each once, in module
    order then definition order."""
    seen: set[int] = set()
    found: list[Entity] = []
    for module in modules:
        for value in list(vars(module).values()):
            if isinstance(value, (PythonTask, WorkflowBase, LaunchPlan)) and id(value) not in seen:
                seen.add(id(value))
                found.append(value)
    return found
