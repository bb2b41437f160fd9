"""A Python function's signature as a task interface: annotated parameters in, named outputs out.

``@task`` (and ``@workflow``) read the function once, when it is decorated. Inputs are the parameters
in order, with their defaults; outputs follow flytekit's naming: one value is ``o0``; a tuple
annotation (``tuple[int, str]``) gives ``o0``, ``o1`` …; a ``typing.NamedTuple`` names them by its
fields (and its class name is the name of the tuple a local call returns); ``None`` or no return
annotation means no outputs. The docstring's parts go along, so the interface's variables are
described as flytekit describes them.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import inspect
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flyweight._interface import Interface
from flyweight._tasks._docstring import Docstring, parse_docstring
from flyweight._tasks._metadata import Description, Documentation
from flyweight._tasks._tracker import _main_module_name
from flyweight.errors import TaskDefinitionError

__all__ = [
    "check_plain_function",
    "function_module_name",
    "interface_from_function",
    "merge_docs",
    "output_names",
]


def output_names(n: int) -> list[str]:
    """The names flytekit gives unnamed outputs: ``o0``, ``o1`` …"""
    return [f"o{i}" for i in range(n)]


def _describe(fn: object) -> str:
    return f"function {getattr(fn, '__qualname__', repr(fn))!r}"


def check_plain_function(fn: object, kind: str) -> None:
    """Refuse what ``@task`` / ``@workflow`` (``kind``) cannot be made of: anything but a named, plain
    (not async, not generator) function defined with ``def``.

    Raises:
        TaskDefinitionError: naming what came and what to write instead.
    """
    if isinstance(fn, type):
        raise TaskDefinitionError(
            f"@{kind} needs a function defined with def, got the class {fn.__qualname__!r}; decorate a "
            "module-level function instead"
        )
    if getattr(fn, "python_interface", None) is not None and hasattr(fn, "compile"):
        raise TaskDefinitionError(
            f"@{kind} got {type(fn).__name__} {getattr(fn, 'name', fn)!r}, which is already a task or "
            f"workflow; decorate the function once (remove the extra @{kind})"
        )
    if not callable(fn) or not isinstance(getattr(fn, "__name__", None), str):
        raise TaskDefinitionError(
            f"@{kind} needs a function defined with def, got {type(fn).__name__} {fn!r}; "
            "write a def that calls it"
        )
    if getattr(fn, "__name__", None) == "<lambda>":
        raise TaskDefinitionError(
            f"@{kind} needs a function defined with def, got a lambda; a lambda has no name of its own, "
            f"and Flyte finds a {kind} by its name: define it with def at module level"
        )
    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        fix = (
            "flyweight runs only plain (def) function tasks so far"
            if kind == "task"
            else "a workflow body runs once, synchronously, to build the graph"
        )
        raise TaskDefinitionError(f"{_describe(fn)} is an async function; {fix}: make it a plain def")
    if inspect.isgeneratorfunction(fn) and not (kind == "task" and _returns_iterator(fn)):
        fix = (
            "return a list instead of yielding values"
            if kind == "task"
            else "return the promises instead of yielding them"
        )
        if kind == "task" and _return_origin(fn) is collections.abc.Generator:
            fix = (
                "annotate its return Iterator[T] instead of Generator[...] (flyweight takes a generator "
                "task's output as Iterator[T] only), or return a list"
            )
        raise TaskDefinitionError(
            f"{_describe(fn)} is a generator function (it uses yield); a {kind} returns its outputs "
            f"once: {fix}"
        )


def _returns_iterator(fn: Callable[..., object]) -> bool:
    """Whether ``fn`` is annotated to return ``Iterator[T]``: a generator task, as in flytekit, whose output
    is the collection (or, for ``Iterator[JSON]``, the JSONL file) of what it yields."""
    return _return_origin(fn) is collections.abc.Iterator


def _return_origin(fn: Callable[..., object]) -> object:
    """``typing.get_origin`` of ``fn``'s return annotation (None when it has none or it does not resolve)."""
    try:
        annotation = typing.get_type_hints(fn).get("return")
    except Exception:  # an unresolvable annotation is reported where the interface is built
        return None
    return typing.get_origin(annotation)


def _is_named_tuple(t: Any) -> bool:
    bases = getattr(t, "__bases__", None)
    return isinstance(t, type) and bases == (tuple,) and hasattr(t, "_fields")


def _outputs(fn: Callable[..., object], annotation: Any) -> tuple[dict[str, Any], str | None]:
    """Output name → type, and the NamedTuple's name when the annotation is one."""
    if annotation is None or annotation is type(None) or annotation is inspect.Signature.empty:
        return {}, None
    if _is_named_tuple(annotation):
        hints = typing.get_type_hints(annotation, include_extras=True)
        return dict(hints), annotation.__name__ or None
    if typing.get_origin(annotation) is tuple:
        args = typing.get_args(annotation)
        if not args or (len(args) == 2 and args[1] is Ellipsis):
            raise TaskDefinitionError(
                f"{_describe(fn)} returns {annotation}, a tuple of any length; a task's outputs are "
                "fixed: annotate each one (tuple[int, str]) or return a list[...] as one output"
            )
        if len(args) == 1:
            raise TaskDefinitionError(
                f"{_describe(fn)} returns {annotation}: tuples mark several outputs, and this one has "
                "only one; annotate the value itself"
            )
        return dict(zip(output_names(len(args)), args, strict=True)), None
    if isinstance(annotation, tuple):
        if len(annotation) == 1:
            raise TaskDefinitionError(
                f"{_describe(fn)} returns ({annotation[0]},): a tuple of one type; annotate the value itself"
            )
        return dict(zip(output_names(len(annotation)), annotation, strict=True)), None
    return {"o0": annotation}, None


def interface_from_function(fn: Callable[..., object], pickle_untyped: bool = False) -> Interface:
    """The interface of a task (or workflow) defined by ``fn``.

    Args:
        fn: the function; every parameter needs a type annotation.
        pickle_untyped: take parameters without annotations, and an unannotated return, as
            ``typing.Any`` (stored as pickles) instead of refusing them.

    Raises:
        TaskDefinitionError: a parameter has no annotation, is ``*args``/``**kwargs`` or positional-only,
            an annotation cannot be resolved, or the return annotation is a tuple that names no
            fixed number of outputs.

    Example:
        >>> def add(x: int, y: int = 1) -> int:
        ...     return x + y
        >>> interface_from_function(add)
        (x: int, y: int=1) -> (o0: int)
    """
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception as e:
        raise TaskDefinitionError(
            f"{_describe(fn)}: its type annotations cannot be resolved ({type(e).__name__}: {e}); "
            "import every type its annotations name at module level"
        ) from e
    signature = inspect.signature(fn)
    returns = hints.get("return", None)
    if returns is None and pickle_untyped and signature.return_annotation is inspect.Signature.empty:
        returns = Any
    inputs: dict[str, tuple[Any, Any]] = {}
    for name, param in signature.parameters.items():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD, param.POSITIONAL_ONLY):
            what = (
                f"*{name}"
                if param.kind is param.VAR_POSITIONAL
                else f"**{name}"
                if param.kind is param.VAR_KEYWORD
                else f"{name} (positional-only)"
            )
            raise TaskDefinitionError(
                f"{_describe(fn)}: parameter {what} cannot be a task input; inputs are passed by name, "
                "so declare each one as a named parameter"
            )
        annotation = hints.get(name, None)
        if annotation is None:
            if not pickle_untyped and name in ("self", "cls") and next(iter(signature.parameters)) == name:
                raise TaskDefinitionError(
                    f"{_describe(fn)} looks like a method (its first parameter is {name!r}); a task or "
                    "workflow is a plain function: define it at module level, outside the class"
                )
            if not pickle_untyped:
                raise TaskDefinitionError(
                    f"{_describe(fn)}: parameter {name!r} has no type; add a type annotation "
                    f"({name}: int, {name}: list[str] …)"
                )
            annotation = Any
        default = param.default if param.default is not inspect.Parameter.empty else None
        inputs[name] = (annotation, default)
    outputs, tuple_name = _outputs(fn, returns)
    doc = fn.__doc__
    docstring = parse_docstring(doc) if doc else Docstring()
    return Interface(inputs, outputs, output_tuple_name=tuple_name, docstring=docstring)


def function_module_name(fn: Callable[..., object]) -> str:
    """The module a container imports to find ``fn``: its ``__module__``, or for a script run as
    ``__main__`` the name the file has under the working directory."""
    module = getattr(fn, "__module__", None) or "__main__"
    if module != "__main__":
        return str(module)
    try:
        file: str | None = inspect.getfile(fn)
    except TypeError:
        file = getattr(sys.modules.get("__main__"), "__file__", None)
    if file and not Path(file).exists():
        file = None
    return _main_module_name(file)


def merge_docs(docs: Documentation | None, docstring: object) -> Documentation:
    """The documentation of a task or workflow: ``docs`` with the docstring's summary and long text filling
    (or replacing) its own, as flytekit does; ``docs`` itself is not changed."""
    if docs is not None and not isinstance(docs, Documentation):
        raise TaskDefinitionError(
            f"docs must be a flyweight.Documentation, got {type(docs).__name__} {docs!r}; write "
            "docs=Documentation(short_description=...), or put the description in the docstring"
        )
    short = getattr(docstring, "short_description", None)
    long = getattr(docstring, "long_description", None)
    if docs is None:
        return Documentation(short_description=short, long_description=Description(value=long))
    changes: dict[str, Any] = {}
    if short:
        changes["short_description"] = short
    if long:
        changes["long_description"] = Description(value=long)
    return dataclasses.replace(docs, **changes) if changes else docs
