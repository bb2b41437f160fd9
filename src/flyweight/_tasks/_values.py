"""Mapping what task code returns onto the task's named outputs, with checks flytekit does not make.

A single output takes the value as it is (a tuple there is a mistake and is refused); several outputs
take a tuple or list of exactly that many values in declaration order, a NamedTuple, or a dict keyed
by output name; no outputs take ``None``. :func:`output_mapper` makes that mapping for one task's outputs
once, so a call pays only for the checks its number of outputs needs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from flyweight.errors import TypeTransformerFailedError

__all__ = ["map_outputs", "output_mapper", "short_repr"]

OutputMapper = Callable[[Any], dict[str, Any]]


def short_repr(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _fail(owner: str, message: str) -> TypeTransformerFailedError:
    return TypeTransformerFailedError(f"{owner}: {message}")


def map_outputs(owner: str, rval: Any, names: Sequence[str]) -> dict[str, Any]:
    """``{output name: value}`` for a task's return value ``rval``.

    Raises:
        TypeTransformerFailedError: the return value does not match the declared outputs (the message
            names the task, the outputs expected and what came).
    """
    n = len(names)
    if n == 0:
        if rval is not None:
            raise _fail(owner, f"declares no outputs but returned {type(rval).__name__} {short_repr(rval)}")
        return {}
    if n == 1:
        name = names[0]
        fields = getattr(rval, "_fields", None)
        if isinstance(rval, tuple) and fields is not None and tuple(fields) == (name,):
            return {name: rval[0]}
        if isinstance(rval, tuple):
            raise _fail(
                owner,
                f"output {name!r} received a tuple of {len(rval)} value(s) {short_repr(rval)}; "
                "the task declares one output, so return the value itself",
            )
        return {name: rval}
    fields = getattr(rval, "_fields", None)
    if isinstance(rval, tuple) and fields is not None:
        return _by_name(owner, dict(zip(fields, rval, strict=True)), names, "NamedTuple fields")
    if isinstance(rval, Mapping):
        return _by_name(owner, rval, names, "dict keys")
    if isinstance(rval, tuple | list):
        if len(rval) != n:
            raise _fail(
                owner,
                f"returned {len(rval)} value(s) but declares {n} outputs ({', '.join(names)}); "
                "return one value per output, in that order, or a dict keyed by output name",
            )
        return dict(zip(names, rval, strict=True))
    raise _fail(
        owner,
        f"declares {n} outputs ({', '.join(names)}) but returned one {type(rval).__name__} "
        f"{short_repr(rval)}; return a tuple in that order or a dict keyed by output name",
    )


def output_mapper(owner: str, names: Sequence[str], ordered: bool = True) -> OutputMapper:
    """``map_outputs`` for the outputs ``names`` of ``owner``, with what it checks chosen once.

    ``ordered=False`` says the order of ``names`` is not known (a template that does not record it): a
    return value must then name its outputs (a dict or a NamedTuple).
    """
    fixed = tuple(names)
    if not fixed:

        def no_outputs(rval: Any) -> dict[str, Any]:
            return {} if rval is None else map_outputs(owner, rval, fixed)

        return no_outputs
    if len(fixed) == 1:
        name = fixed[0]

        def one_output(rval: Any) -> dict[str, Any]:
            return map_outputs(owner, rval, fixed) if isinstance(rval, tuple) else {name: rval}

        return one_output
    if ordered:
        n = len(fixed)

        def ordered_outputs(rval: Any) -> dict[str, Any]:
            if type(rval) is tuple and len(rval) == n:  # the common case, as map_outputs takes it
                return dict(zip(fixed, rval, strict=True))
            return map_outputs(owner, rval, fixed)

        return ordered_outputs

    def named_outputs(rval: Any) -> dict[str, Any]:
        if not isinstance(rval, dict) and getattr(rval, "_fields", None) is None:
            raise _fail(
                owner,
                f"its template does not record the order of its outputs ({', '.join(fixed)}), so a "
                "tuple cannot be matched to them; return a dict or NamedTuple keyed by output name",
            )
        return map_outputs(owner, rval, fixed)

    return named_outputs


def _by_name(owner: str, values: Mapping[object, Any], names: Sequence[str], what: str) -> dict[str, Any]:
    missing = [k for k in names if k not in values]
    extra = [k for k in values if k not in names]
    if missing or extra:
        detail = []
        if missing:
            detail.append(f"missing {', '.join(map(repr, missing))}")
        if extra:
            detail.append(f"unexpected {', '.join(map(repr, extra))}")
        raise _fail(owner, f"returned {what} that do not match its outputs ({'; '.join(detail)})")
    return {k: values[k] for k in names}
