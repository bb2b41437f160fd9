"""Where an object was defined: the module it was created in and the name it is bound to there.

A resolver's location (``module.name``) goes into container arguments, so the container can import
it. Unlike flytekit, this never edits ``sys.path`` and finds objects made in a script run as
``__main__`` (it looks in the running ``__main__`` module instead of re-importing the file), and when
an object has several names it returns the first one bound (definition order, not alphabetical).
An object made inside a function while a launcher runs (``pytest``, ``python -m pytest``) was made in
no module, as flytekit has it, so a task's name does not depend on how Python was started.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

from flyweight.errors import TaskDefinitionError

__all__ = ["InstanceTrackingMeta", "TrackedInstance"]


def _creating_module(frame: FrameType | None) -> tuple[str | None, str | None]:
    while frame is not None:
        if frame.f_code.co_name == "<module>" and "__name__" in frame.f_globals:
            name = frame.f_globals["__name__"]
            file = frame.f_globals.get("__file__")
            if name != "__main__":
                return name, file
            return _script_module_name(file), file
        frame = frame.f_back
    return None, None


def _script_module_name(file: str | None) -> str | None:
    """The module name of the running ``__main__`` as the creator of an object, or None for a launcher.

    A script (``python jobs/daily.py``, ``python -m jobs.daily``) creates what its module-level code
    creates. A launcher — a console script such as ``pytest`` (no ``.py``), or a package's
    ``__main__.py`` not importable from the working directory (``python -m pytest``) — is only the
    outermost module frame while functions run: an object made inside a function it calls was made
    in no module, so a task's name does not depend on how Python was started.
    """
    if not file:
        return "__main__"
    path = Path(file)
    if path.suffix != ".py":
        return None
    name = _main_module_name(file)
    if path.name != "__main__.py":
        return name
    parts = name.split(".")  # a package's __main__ is a program only if importable from here
    return name if len(parts) > 1 and all(part.isidentifier() for part in parts) else None


def _main_module_name(file: str | None) -> str:
    """The dotted name a script run as ``__main__`` would have if imported from the working directory."""
    if not file:
        return "__main__"
    try:
        rel = Path(file).resolve().relative_to(Path(os.getcwd()).resolve())
    except ValueError:
        return Path(file).stem
    return ".".join(rel.with_suffix("").parts)


class InstanceTrackingMeta(type):
    """Records, after ``__init__``, the module an instance was created in (``instantiated_in``)."""

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        obj = super().__call__(*args, **kwargs)
        name, file = _creating_module(sys._getframe(1))
        obj._instantiated_in = name
        obj._module_file = file
        return obj


class TrackedInstance(metaclass=InstanceTrackingMeta):
    """An object that knows where it was created (``instantiated_in``) and under what name (``lhs``)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self._instantiated_in: str | None = None
        self._module_file: str | None = None
        self._lhs: str | None = None
        super().__init__(*args, **kwargs)

    @property
    def instantiated_in(self) -> str | None:
        """The dotted name of the module the object was created in."""
        return self._instantiated_in

    @property
    def lhs(self) -> str:
        """The module-level name the object is bound to."""
        if self._lhs is None:
            self._lhs = self.find_lhs()
        return self._lhs

    @property
    def location(self) -> str:
        """``<module>.<name>``: how another process imports this object."""
        return f"{self.instantiated_in}.{self.lhs}"

    def _tracking_module(self) -> ModuleType:
        module_name = self._instantiated_in
        if not module_name:
            raise TaskDefinitionError(
                f"{self!r} was not created at module level, so it has no importable name"
            )
        main = sys.modules.get("__main__")
        if main is not None and self._module_file and getattr(main, "__file__", None) == self._module_file:
            return main
        return sys.modules.get(module_name) or importlib.import_module(module_name)

    def find_lhs(self) -> str:
        """Search the creating module for the first name bound to this object."""
        module = self._tracking_module()
        for name, value in list(vars(module).items()):
            if value is self:
                found = str(name)
                self._lhs = found
                return found
        raise TaskDefinitionError(
            f"{self!r} is not bound to a name in module {self._instantiated_in!r}; "
            "assign it to a module-level "
            "variable so a container can import it"
        )
