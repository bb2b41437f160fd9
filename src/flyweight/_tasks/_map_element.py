"""The container side of a map task: one element of an ``ArrayNode``, chosen by Flyte's array index.

Flyte's propeller runs each element of an ``ArrayNode`` as a pod with the map task's template, the
*whole* ``inputs.pb`` (every mapped input a list) and two environment variables:
``BATCH_JOB_ARRAY_INDEX_VAR_NAME`` names the variable holding the index (``FLYTE_K8S_ARRAY_INDEX``), and
``BATCH_JOB_ARRAY_INDEX_OFFSET`` may be added to it. ``flyweight-execute --resolver
flyweight.extend.map_task_resolver -- vars <bound,…> resolver <resolver> <args…>`` loads the task through
its own resolver (:class:`MapTaskResolver`, flytekit's loader arguments, so templates registered with
flytekit's ``map_task`` run unchanged); the :class:`MappedElement` it returns takes item ``index`` of each
mapped input and runs the task on it, writing the task's own outputs (propeller gathers them).

Unlike flytekit, a missing or malformed index, or one past a list's end, is an error written to
``error.pb``, never a silent run of element 0. ADR 0018.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flyweight import _idl
from flyweight._context import FlyteContext, FlyteContextManager
from flyweight._tasks._function_resolver import default_task_resolver
from flyweight._tasks._resolver import (
    TaskResolverMixin,
    default_task_template_resolver,
    load_object_from_module,
)
from flyweight._tasks._shim import ExecutableTemplateShimTask
from flyweight._tasks._tracker import TrackedInstance
from flyweight.errors import TaskLoadError, TemplateError, TypeTransformerFailedError

__all__ = [
    "INDEX_OFFSET",
    "INDEX_VAR_NAME",
    "MAP_RESOLVER_ALIASES",
    "MAP_RESOLVER_LOCATION",
    "PROPELLER_INDEX_VAR",
    "MapTaskResolver",
    "MappedElement",
    "array_index",
    "element_inputs",
    "map_task_resolver",
    "mapped_size",
]

MAP_RESOLVER_LOCATION = "flyweight.extend.map_task_resolver"
FLYTEKIT_MAP_RESOLVER = "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver"
LEGACY_MAP_RESOLVER = "flytekit.core.legacy_map_task.MapTaskResolver"
MAP_RESOLVER_ALIASES = frozenset({MAP_RESOLVER_LOCATION, FLYTEKIT_MAP_RESOLVER})
"""Both name the map resolver: flyweight's location and flytekit's class (which flytekit instantiates)."""

INDEX_VAR_NAME = "BATCH_JOB_ARRAY_INDEX_VAR_NAME"
INDEX_OFFSET = "BATCH_JOB_ARRAY_INDEX_OFFSET"
PROPELLER_INDEX_VAR = "FLYTE_K8S_ARRAY_INDEX"
"""The variable propeller's ArrayNode names in ``BATCH_JOB_ARRAY_INDEX_VAR_NAME``."""

_TEMPLATE_RESOLVERS = frozenset(
    {
        "flyweight.extend.default_task_template_resolver",
        "flytekit.core.python_customized_container_task.default_task_template_resolver",
    }
)
_FUNCTION_RESOLVERS = frozenset(
    {"flyweight.extend.default_task_resolver", "flytekit.core.python_auto_container.default_task_resolver"}
)


def array_index(environ: Mapping[str, str]) -> int:
    """This element's index: the variable named by ``BATCH_JOB_ARRAY_INDEX_VAR_NAME``, plus
    ``BATCH_JOB_ARRAY_INDEX_OFFSET`` (0 when absent).

    Raises:
        TemplateError: the name, the variable it names, or the offset is missing or not an integer, or
            the index is negative: the attempt does not run outside an ArrayNode.
    """
    name = environ.get(INDEX_VAR_NAME, "").strip()
    if not name:
        raise TemplateError(
            f"a map task element needs its array index, and {INDEX_VAR_NAME} is not set; Flyte sets it "
            f"(to {PROPELLER_INDEX_VAR}) when it runs the task as an ArrayNode. To run one element by hand, "
            f"set {INDEX_VAR_NAME}={PROPELLER_INDEX_VAR} and {PROPELLER_INDEX_VAR}=<index>"
        )
    index = _integer(environ, name, required=True)
    offset = _integer(environ, INDEX_OFFSET, required=False)
    if index + offset < 0:
        raise TemplateError(f"the array index is negative: {name}={index}, {INDEX_OFFSET}={offset}")
    return index + offset


def _integer(environ: Mapping[str, str], name: str, required: bool) -> int:
    raw = environ.get(name)
    if raw is None or not raw.strip():
        if not required:
            return 0
        raise TemplateError(f"{INDEX_VAR_NAME} names {name}, which is not set: the array index is unknown")
    try:
        return int(raw.strip())
    except ValueError:
        raise TemplateError(f"{name} must be an integer (an array index), got {raw!r}") from None


def mapped_size(owner: str, inputs: _idl.LiteralMap, mapped: list[str]) -> int:
    """The number of elements: the common length of the mapped inputs' lists (0 with none mapped).

    Raises:
        TypeTransformerFailedError: a mapped input is missing, not a list, or of another length.
    """
    size: int | None = None
    first = ""
    for k in mapped:
        if k not in inputs.literals:
            raise TypeTransformerFailedError(f"map task {owner!r}: the mapped input {k!r} is missing")
        lit = inputs.literals[k]
        kind = lit.WhichOneof("value")
        if kind != "collection":
            raise TypeTransformerFailedError(
                f"map task {owner!r}: expected a list at inputs.{k}, got a literal holding {kind}"
            )
        n = len(lit.collection.literals)
        if size is None:
            size, first = n, k
        elif n != size:
            raise TypeTransformerFailedError(
                f"map task {owner!r}: the mapped inputs have different lengths: {first} has {size} "
                f"elements, {k} has {n}"
            )
    return size or 0


def element_inputs(inputs: _idl.LiteralMap, mapped: Any, index: int) -> _idl.LiteralMap:
    """The inputs of element ``index``: each mapped input's item, the other inputs whole.

    Raises:
        TemplateError: ``index`` is past the end of a mapped input's list.
    """
    out = _idl.LiteralMap()
    literals = out.literals
    for k, lit in inputs.literals.items():
        if k in mapped:
            items = lit.collection.literals
            if not 0 <= index < len(items):
                raise TemplateError(
                    f"the array index {index} is out of range for inputs.{k}, which has {len(items)} elements"
                )
            literals[k].CopyFrom(items[index])
        else:
            literals[k].CopyFrom(lit)
    return out


def _fetched(ctx: FlyteContext, lit: _idl.Literal, name: str) -> _idl.Literal:
    """``lit``, read from storage when propeller offloaded it."""
    if lit.WhichOneof("value") != "offloaded_metadata":
        return lit
    uri = lit.offloaded_metadata.uri
    data = ctx.file_access.read_bytes(uri)
    try:
        return _idl.Literal.FromString(data)
    except Exception as e:
        raise TemplateError(f"inputs.{name} was offloaded to {uri!r}, which holds no Literal: {e}") from e


class MappedElement:
    """One element of a map task in a container: picks item ``index`` of each mapped input, runs the task.

    Args:
        task: the task being mapped (a function task, or a template task whose inputs are elements).
        bound: the inputs passed whole (the map's ``vars``).
    """

    def __init__(self, task: Any, bound: frozenset[str]) -> None:
        self.task = task
        self.bound = bound

    @property
    def name(self) -> str:
        return str(getattr(self.task, "name", "?"))

    def dispatch_execute(
        self, ctx: FlyteContext | None, input_literal_map: _idl.LiteralMap
    ) -> _idl.LiteralMap:
        """Run element ``array_index(os.environ)`` of ``input_literal_map``."""
        if ctx is None:
            ctx = FlyteContextManager.current_context()
        index = array_index(os.environ)
        inputs = _idl.LiteralMap()
        for k, lit in input_literal_map.literals.items():
            inputs.literals[k].CopyFrom(_fetched(ctx, lit, k))
        mapped = sorted(k for k in inputs.literals if k not in self.bound)  # a protobuf map has no order
        mapped_size(self.name, inputs, mapped)
        out: _idl.LiteralMap = self.task.dispatch_execute(ctx, element_inputs(inputs, mapped, index))
        return out


def _element_template(pb: _idl.TaskTemplate, bound: frozenset[str]) -> _idl.TaskTemplate:
    """The template with each mapped input's list type replaced by its element type."""
    out = _idl.TaskTemplate()
    out.CopyFrom(pb)
    for name, var in out.interface.inputs.variables.items():
        if name in bound:
            continue
        if not var.type.HasField("collection_type"):
            raise TemplateError(
                f"the map task {pb.id.name!r} maps input {name!r}, which its template types as "
                f"{var.type.WhichOneof('type')}, not a list"
            )
        element = _idl.LiteralType()
        element.CopyFrom(var.type.collection_type)
        var.type.CopyFrom(element)
    return out


class MapTaskResolver(TrackedInstance, TaskResolverMixin):
    """Loads one element of a map task: loader arguments ``vars <bound,…> resolver <resolver> <args…>``,
    as flytekit's ``ArrayNodeMapTaskResolver`` writes them."""

    def name(self) -> str:
        return "map task resolver"

    @property
    def location(self) -> str:
        return MAP_RESOLVER_LOCATION

    def loader_args(self, settings: Any, t: Any) -> list[str]:
        inner = t.python_function_task
        resolver = inner.task_resolver
        return [
            "vars",
            ",".join(sorted(t.bound_inputs)),
            "resolver",
            resolver.location,
            *resolver.loader_args(settings, inner),
        ]

    def load_task(self, loader_args: list[str]) -> MappedElement:
        """The element runner of the task the inner resolver loads from the rest of ``loader_args``."""
        if len(loader_args) < 4 or loader_args[0] != "vars" or loader_args[2] != "resolver":
            raise TaskLoadError(
                f"the map task resolver takes ['vars', <bound inputs>, 'resolver', <resolver>, <args>…], got "
                f"{list(loader_args)}"
            )
        bound = frozenset(v for v in loader_args[1].split(",") if v)
        path, args = loader_args[3], list(loader_args[4:])
        resolver: Any
        if path in _TEMPLATE_RESOLVERS:
            resolver = default_task_template_resolver
        elif path in _FUNCTION_RESOLVERS:
            resolver = default_task_resolver
        elif path in MAP_RESOLVER_ALIASES or path == LEGACY_MAP_RESOLVER:
            raise TaskLoadError(f"a map task cannot map another map task (inner resolver {path!r})")
        else:
            resolver = load_object_from_module(path)
            if not callable(getattr(resolver, "load_task", None)):
                raise TaskLoadError(f"the map task's inner resolver {path!r} has no load_task(loader_args)")
        task = resolver.load_task(args)
        if isinstance(task, ExecutableTemplateShimTask) and task.task_template is not None:
            task.replace_template(_element_template(task.task_template.to_flyte_idl(), bound))
        return MappedElement(task, bound)

    def get_all_tasks(self) -> list[Any]:
        return []


map_task_resolver = MapTaskResolver()
"""The resolver of map tasks' elements in a container (``flyweight.extend.map_task_resolver``)."""
