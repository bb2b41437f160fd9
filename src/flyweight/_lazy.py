"""Lazy re-exports for the public façades: a name's module is imported on first access.

This keeps ``import flyweight`` to a few milliseconds while the façades still list every public
name in ``__all__``.

A façade writes each public name once, as a re-export in its ``if TYPE_CHECKING:`` block::

    if TYPE_CHECKING:
        from flyweight._tasks import task as task

Type checkers read that block (``X as X`` is the explicit re-export form, so ``mypy --strict``
accepts ``from flyweight import task``); at run time :func:`facade` reads the same lines from the
module's source to learn which module holds each name, and derives ``__all__`` from them. The block
holds only such imports; anything else there is refused when the façade is imported, so a name
cannot be listed for type checkers and missed at run time.

:func:`lazy_module` is the same idea for plugins (flytekit's ``lazy_module``, offered as
``flyweight.extend.lazy_module``): a module object whose code runs on first attribute access.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["facade", "lazy_exports", "lazy_module", "reexports"]


def lazy_exports(
    module_name: str, table: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``module_name``, resolving ``table`` (name → module)."""
    return _lazy(module_name, {name: (source, name) for name, source in table.items()})


def facade(
    module_name: str, eager: Iterable[str] = ()
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for a façade, from its ``TYPE_CHECKING`` block.

    ``eager`` names public names the façade defines or imports at module level (``__version__``).

    Raises:
        ImportError: the module's source cannot be read, or its ``TYPE_CHECKING`` block holds
            something other than ``from M import X as X`` re-exports.
    """
    path = getattr(sys.modules[module_name], "__file__", None)
    try:
        with open(str(path), encoding="utf-8") as f:
            source = f.read()
    except OSError as e:
        raise ImportError(f"{module_name}: its source is needed to list its public names: {e}") from e
    table = reexports(source, module_name)
    return (*_lazy(module_name, table), sorted([*table, *eager]))


def reexports(source: str, module_name: str = "<source>") -> dict[str, tuple[str, str]]:
    """Public name → (module, name there), read from the ``if TYPE_CHECKING:`` block of ``source``.

    Example:
        >>> reexports("if TYPE_CHECKING:\\n    from m import (\\n        a as a,\\n        b as c,\\n    )")
        {'a': ('m', 'a'), 'c': ('m', 'b')}
    """
    # Split by hand rather than with `re` or `ast`: compiling either costs more than the whole façade.
    block = _type_checking_block(source, module_name)
    words = block.replace("(", " ").replace(")", " ").replace(",", " , ").split()
    table: dict[str, tuple[str, str]] = {}
    i = 0
    while i < len(words):
        if words[i] != "from" or i + 2 >= len(words) or words[i + 2] != "import":
            raise ImportError(
                f"{module_name}: its TYPE_CHECKING block may hold only `from M import X as X` re-exports, "
                f"found {' '.join(words[i : i + 4])!r}"
            )
        source_module, i = words[i + 1], i + 3
        while i < len(words) and words[i] not in ("from", "import"):
            name = words[i]
            if i + 2 >= len(words) or words[i + 1] != "as" or not words[i + 2].isidentifier():
                raise ImportError(
                    f"{module_name}: write the re-export as `from {source_module} import {name} as {name}` "
                    "so type checkers and the lazy table agree"
                )
            table[words[i + 2]] = (source_module, name)
            i += 3
            if i < len(words) and words[i] == ",":
                i += 1
    return table


def _type_checking_block(source: str, module_name: str) -> str:
    lines = source.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.startswith("if TYPE_CHECKING:"))
    except StopIteration:
        raise ImportError(
            f"{module_name}: a façade lists its public names in an `if TYPE_CHECKING:` block"
        ) from None
    block: list[str] = []
    for line in lines[start + 1 :]:
        if line and not line[0].isspace():
            break
        block.append(line.split("#", 1)[0])
    return "\n".join(block)


def _lazy(
    module_name: str, table: Mapping[str, tuple[str, str]]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    def __getattr__(name: str) -> Any:
        found = table.get(name)
        if found is None:
            raise AttributeError(f"module {module_name!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(found[0]), found[1])
        setattr(sys.modules[module_name], name, value)  # later look-ups skip this function
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[module_name])) | set(table))

    return __getattr__, __dir__


class _MissingModule(types.ModuleType):
    """What :func:`lazy_module` gives for a module that cannot be found: using it raises
    ``ModuleNotFoundError`` naming the module (its dunder attributes behave as a module's)."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(name)
        self.__reason = reason

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__") and attr.endswith("__"):
            raise AttributeError(attr)
        name = self.__name__
        raise ModuleNotFoundError(
            f"module {name!r} is not installed ({self.__reason}), so {name}.{attr} cannot be used; "
            f"install the package that provides {name!r} in this environment",
            name=name,
        )

    def __repr__(self) -> str:
        return f"<missing module {self.__name__!r} (lazy_module)>"


def lazy_module(fullname: str) -> types.ModuleType:
    """The module ``fullname``, imported on first attribute access (flytekit's ``lazy_module``).

    A module already imported is returned as it is. A module that cannot be found gives a stand-in
    whose first use raises ``ModuleNotFoundError`` (an ``ImportError``) naming it, so a plugin can
    declare an optional dependency at the top of its module and fail only where it is used. The
    parent packages of a dotted name are imported at once (Python needs them to find the module).

    Raises:
        TypeError: ``fullname`` is not a non-empty str.

    Example:
        >>> missing = lazy_module("no_such_package")   # no error yet
        >>> try:
        ...     missing.DataFrame
        ... except ImportError as e:
        ...     print(e.name)
        no_such_package
    """
    if not isinstance(fullname, str) or not fullname:
        got = f"{type(fullname).__name__} {fullname!r}"
        raise TypeError(f"lazy_module: expected a module name such as 'pandas', got {got}")
    loaded = sys.modules.get(fullname)
    if loaded is not None:
        return loaded
    import importlib.util  # only plugins that declare lazy modules pay for it

    try:
        spec = importlib.util.find_spec(fullname)
    except ImportError as e:  # a parent package that is missing, or fails to import
        return _MissingModule(fullname, f"{type(e).__name__}: {e}")
    if spec is None or spec.loader is None:
        return _MissingModule(fullname, "not found")
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[fullname] = module
    loader.exec_module(module)
    return module
