"""A task's typed signature: named inputs (with defaults) and ordered, named outputs.

Plugin tasks have no Python function to inspect, so they declare their signature as data
(``Interface(inputs=kwtypes(limit=int), outputs=kwtypes(results=str))``). This module keeps that
declaration, binds call arguments to it (defaults applied, unknown names refused) and turns it into
Flyte's ``TypedInterface``. The Python declaration order of outputs is the order a tuple result maps
to; Flyte's interface is a protobuf map and does not keep it (see ADR 0005).
"""

from __future__ import annotations

import collections
import typing
from collections.abc import Mapping
from typing import Any, Final

from flyweight.errors import TaskDefinitionError, TypeTransformerFailedError
from flyweight.types import TypeEngine

if typing.TYPE_CHECKING:
    from flyweight._idl import TypedInterface

__all__ = ["NO_DEFAULT", "Interface", "kwtypes", "typed_interface"]


class _NoDefault:
    _instance: _NoDefault | None = None

    def __new__(cls) -> _NoDefault:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NO_DEFAULT"

    def __reduce__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Final = _NoDefault()
"""Marks an input that has no default value (``None`` is a legitimate default)."""


def kwtypes(**kwargs: Any) -> collections.OrderedDict[str, Any]:
    """Name → type pairs in the order written, for declaring interfaces.

    Example:
        >>> list(kwtypes(limit=int, name=str).items())
        [('limit', <class 'int'>), ('name', <class 'str'>)]
    """
    return collections.OrderedDict(kwargs)


def _admits_none(py_type: Any) -> bool:
    if py_type is None or py_type is type(None) or py_type is typing.Any:
        return True
    origin = typing.get_origin(py_type)
    if origin is typing.Annotated:
        return _admits_none(typing.get_args(py_type)[0])
    if origin is typing.Union or (origin is not None and getattr(origin, "__name__", "") == "UnionType"):
        return any(_admits_none(a) for a in typing.get_args(py_type))
    return type(py_type).__name__ == "UnionType" and type(None) in typing.get_args(py_type)


class Interface:
    """The Python-level signature of a task: inputs with optional defaults, outputs in order.

    Args:
        inputs: name → type, or name → ``(type, default)``. ``(T, None)`` means "default None" when ``T``
            admits None (``Optional[...]``) and "no default" otherwise, as in flytekit.
        outputs: name → type, in the order a tuple result maps to them.
        output_tuple_name: name of the NamedTuple a multi-output result is returned as.
        docstring: free text, or a parsed docstring whose ``input_descriptions`` and
            ``output_descriptions`` describe the variables of the typed interface.

    Example:
        >>> iface = Interface(inputs={"limit": (int, 10), "name": str}, outputs=kwtypes(rows=int))
        >>> iface.default_inputs_as_kwargs
        {'limit': 10}
        >>> iface.bind((), {"name": "a"}, owner="t")
        {'limit': 10, 'name': 'a'}
    """

    def __init__(
        self,
        inputs: Mapping[str, Any] | None = None,
        outputs: Mapping[str, Any] | None = None,
        output_tuple_name: str | None = None,
        docstring: object = None,
    ) -> None:
        self._inputs: dict[str, tuple[Any, Any]] = {}
        for name, spec in (inputs or {}).items():
            _check_name(name, "input")
            if type(spec) is tuple and len(spec) == 2:
                py_type, default = spec
                if default is None and not _admits_none(py_type):
                    default = NO_DEFAULT
            else:
                py_type, default = spec, NO_DEFAULT
            self._inputs[name] = (py_type, default)
        self._outputs: dict[str, Any] = {}
        for name, py_type in (outputs or {}).items():
            _check_name(name, "output")
            self._outputs[name] = py_type
        self._output_tuple_name = output_tuple_name
        self._output_tuple: type[tuple[Any, ...]] | None = None
        self._docstring = docstring

    @property
    def inputs(self) -> dict[str, Any]:
        """Input name → Python type, in declaration order."""
        return {k: v[0] for k, v in self._inputs.items()}

    @property
    def inputs_with_defaults(self) -> dict[str, tuple[Any, Any]]:
        """Input name → ``(type, default)``; the default is ``NO_DEFAULT`` when there is none."""
        return dict(self._inputs)

    @property
    def default_inputs_as_kwargs(self) -> dict[str, Any]:
        """Inputs that have a default, name → default."""
        return {k: v[1] for k, v in self._inputs.items() if v[1] is not NO_DEFAULT}

    @property
    def outputs(self) -> dict[str, Any]:
        """Output name → Python type, in the order a tuple result maps to."""
        return dict(self._outputs)

    @property
    def output_names(self) -> list[str] | None:
        """Output names in declaration order, or None when there are no outputs (flytekit's convention)."""
        return list(self._outputs) or None

    @property
    def output_tuple_name(self) -> str | None:
        return self._output_tuple_name

    @property
    def output_tuple(self) -> type[tuple[Any, ...]]:
        """The NamedTuple class multi-output results are returned as."""
        if self._output_tuple is None:
            name = self._output_tuple_name or "DefaultNamedTupleOutput"
            self._output_tuple = collections.namedtuple(name, list(self._outputs))  # type: ignore[misc]
        return self._output_tuple

    @property
    def docstring(self) -> Any:
        """What was given as ``docstring`` (a parsed ``Docstring`` for function tasks), as it was given."""
        return self._docstring

    def with_inputs(self, extra_inputs: Mapping[str, Any]) -> Interface:
        """A copy with more inputs; a name that already exists is an error."""
        merged: dict[str, Any] = dict(self._inputs)
        for k, v in extra_inputs.items():
            if k in merged:
                raise TaskDefinitionError(f"input {k!r} cannot be added: the interface already has it")
            merged[k] = v
        return Interface(merged, self._outputs, self._output_tuple_name, self._docstring)

    def remove_inputs(self, names: list[str] | None) -> Interface:
        """A copy without the named inputs (names that do not exist are ignored)."""
        if not names:
            return self
        kept = {k: v for k, v in self._inputs.items() if k not in names}
        return Interface(kept, self._outputs, self._output_tuple_name, self._docstring)

    def with_outputs(self, extra_outputs: Mapping[str, Any]) -> Interface:
        """A copy with more outputs, appended after the existing ones."""
        merged = dict(self._outputs)
        for k, v in extra_outputs.items():
            if k in merged:
                raise TaskDefinitionError(f"output {k!r} cannot be added: the interface already has it")
            merged[k] = v
        return Interface(dict(self._inputs), merged, self._output_tuple_name, self._docstring)

    def bind(self, args: tuple[Any, ...], kwargs: Mapping[str, Any], owner: str) -> dict[str, Any]:
        """Map a call's positional and keyword arguments to input names and fill in defaults.

        Raises:
            TypeError: too many positional arguments, an unknown keyword, a value given twice or a
                required input missing; the message names ``owner`` (the task) and the input.
        """
        inputs = self._inputs
        if not args and len(kwargs) == len(inputs) and all(k in inputs for k in kwargs):
            return dict(kwargs)
        names = list(inputs)
        if len(args) > len(names):
            raise TypeError(
                f"{owner}() takes {len(names)} input(s) ({', '.join(names) or 'none'}) "
                f"but {len(args)} positional argument(s) were given"
            )
        bound: dict[str, Any] = dict(zip(names, args, strict=False))
        for k, v in kwargs.items():
            if k not in inputs:
                known = ", ".join(names) or "none"
                raise TypeError(f"{owner}() got an unexpected input {k!r}; its inputs are: {known}")
            if k in bound:
                raise TypeError(f"{owner}() got multiple values for input {k!r}")
            bound[k] = v
        missing = []
        for k, (_, default) in inputs.items():
            if k not in bound:
                if default is NO_DEFAULT:
                    missing.append(k)
                else:
                    bound[k] = default
        if missing:
            raise TypeError(f"{owner}() is missing required input(s): {', '.join(missing)}")
        return {k: bound[k] for k in names}

    def __repr__(self) -> str:
        def one(k: str, t: object, d: object = NO_DEFAULT) -> str:
            name = getattr(t, "__name__", None) or repr(t)
            return f"{k}: {name}" if d is NO_DEFAULT else f"{k}: {name}={d!r}"

        ins = ", ".join(one(k, t, d) for k, (t, d) in self._inputs.items())
        outs = ", ".join(one(k, t) for k, t in self._outputs.items())
        return f"({ins}) -> ({outs})"


def _check_name(name: object, what: str) -> None:
    if not isinstance(name, str) or not name.isidentifier():
        raise TaskDefinitionError(f"{what} name must be a Python identifier, got {name!r}")


def typed_interface(iface: Interface, owner: str = "task") -> TypedInterface:
    """Flyte's ``TypedInterface`` for ``iface``: each variable's literal type, described by the
    interface's parsed docstring, else by its name.

    An annotation the type engine cannot handle is reported with the task and the variable.
    """
    from flyweight._idl import TypedInterface, Variable

    out = TypedInterface()
    in_docs, out_docs = _described(iface)
    for section, items, docs in (("inputs", iface.inputs, in_docs), ("outputs", iface.outputs, out_docs)):
        variable_map = getattr(out, section)
        variable_map.SetInParent()  # present even when empty, as flytekit writes it
        variables = variable_map.variables
        for name, py_type in items.items():
            try:
                lt = TypeEngine.to_literal_type(py_type)
            except TypeTransformerFailedError as e:
                raise TaskDefinitionError(f"{owner}: {section[:-1]} {name!r}: {e}") from e
            variables[name].CopyFrom(Variable(type=lt, description=docs.get(name, name) or ""))
    return out


def _described(iface: Interface) -> tuple[Mapping[str, str | None], Mapping[str, str | None]]:
    """Variable descriptions from a parsed docstring (``input_descriptions`` / ``output_descriptions``),
    as flytekit takes them: one description of an unnamed return value is shared by every output."""
    doc = iface.docstring
    inputs = getattr(doc, "input_descriptions", None) or {}
    outputs = getattr(doc, "output_descriptions", None) or {}
    if len(outputs) == 1:
        shared = next(iter(outputs.values()))
        outputs = dict.fromkeys(iface.outputs, shared)
    return inputs, outputs
