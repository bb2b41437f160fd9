"""Map tasks: one task run over lists, element by element (flytekit's ``ArrayNodeMapTask``).

:class:`ArrayNodeMapTask` wraps a task (a function task, a ``functools.partial`` of one that binds some
inputs, or — which flytekit refuses — a plugin task run from its template). Its interface is the task's
with every unbound input ``T`` made ``List[T]`` and its output (one at most) ``List[T]``, or
``List[Optional[T]]`` when some elements may fail. A workflow node calling it is serialized as Flyte's
``ArrayNode`` (``flyweight._workflows._to_idl``); its template is the task's own with the map resolver
in the container arguments (the pod template's primary container's, for a task with ``pod_template=``),
so a container picks its element by the array index Flyte gives it
(``flyweight._tasks._map_element``). The local engine runs the elements in parallel; a direct call runs
them one after the other. Both use the functions below to slice inputs and gather outputs. ADR 0018.
"""

from __future__ import annotations

import functools
import hashlib
import math
import typing
from collections.abc import Collection, Mapping
from typing import Any, ClassVar

from flyweight import _idl
from flyweight._context import FlyteContext, FlyteContextManager
from flyweight._interface import Interface
from flyweight._serialize._container import primary_container
from flyweight._settings import SerializationSettings
from flyweight._tasks._customized import PythonCustomizedContainerTask
from flyweight._tasks._function import PythonFunctionTask
from flyweight._tasks._map_batch import ElementBatch
from flyweight._tasks._map_element import MAP_RESOLVER_LOCATION, element_inputs, mapped_size
from flyweight._tasks._signature import function_module_name
from flyweight._tasks._task import PythonTask, Task
from flyweight.errors import TaskDefinitionError

__all__ = ["ArrayNodeMapTask", "gather_outputs", "list_interface", "required_successes"]

# Task types Flyte serves with a web-API, connector or agent plugin rather than a pod: an ArrayNode
# cannot run them as sub-nodes (propeller gives each sub-node the state of a k8s plugin).
NON_POD_TASK_TYPES = frozenset(
    {"echo", "bigquery_query_job_task", "snowflake", "athena", "presto", "hive", "databricks", "api_task"}
)

# The options map_task passes on to the task (flytekit's names); anything else is refused.
_OPTIONS = frozenset({"metadata", "security_ctx", "docs"})


def _target(task: object) -> tuple[Task, dict[str, Any]]:
    """The task a map runs and the inputs a ``functools.partial`` binds."""
    if isinstance(task, functools.partial):
        if task.args:
            raise TaskDefinitionError(
                "map_task(functools.partial(...)): bind inputs by keyword (partial(t, y=1)), not by "
                f"position (got {len(task.args)} positional argument(s))"
            )
        inner, bound = _target(task.func)
        return inner, {**bound, **task.keywords}
    return _check_mappable(task), {}


def _check_mappable(task: object) -> Task:
    kind = type(task).__name__
    if getattr(task, "node_kind", None) == "workflow":
        raise TaskDefinitionError(
            f"map_task() maps a task, not a workflow ({getattr(task, 'name', task)!r}); map a launch plan "
            "of it, or call the workflow inside a @dynamic task's loop"
        )
    if isinstance(task, PythonFunctionTask):
        mode = task.execution_mode
        if mode is not PythonFunctionTask.ExecutionBehavior.DEFAULT:
            raise TaskDefinitionError(
                f"map_task() cannot map {task.name!r}: only function tasks with the default execution mode "
                f"(not @dynamic or @eager) and plugin tasks are supported in map tasks; it has {mode.name}"
            )
        return task
    if isinstance(task, PythonCustomizedContainerTask):
        if task.task_type in NON_POD_TASK_TYPES:
            raise TaskDefinitionError(
                f"map_task() cannot map {task.name!r}: Flyte runs tasks of type {task.task_type!r} without a "
                "pod, and an ArrayNode runs each element as a pod"
            )
        return task
    if isinstance(task, Task):
        raise TaskDefinitionError(
            f"map_task() cannot map {task.name!r} ({kind}, type {task.task_type!r}): only function tasks "
            "(@task) and plugin tasks with a container (PythonCustomizedContainerTask) can be mapped; "
            "a task with no container (SQL, echo) has nothing for an ArrayNode to run"
        )
    raise TaskDefinitionError(f"map_task() needs a task, got {kind} {task!r}")


def list_interface(
    inner: Interface, bound: Collection[str], optional_outputs: bool, excluded: Collection[str] = ()
) -> Interface:
    """``inner`` with each unbound input ``T`` as ``List[T]`` and each output as ``List[T]`` (or
    ``List[Optional[T]]``), ``excluded`` inputs left out (a launch plan's fixed ones); defaults are
    dropped, as flytekit does (``(T, None)`` keeps a bound ``Optional`` input's default None)."""
    inputs: dict[str, Any] = {}
    for k, t in inner.inputs.items():
        if k in excluded:
            continue
        inputs[k] = (t, None) if k in bound else typing.List[t]  # type: ignore[valid-type]  # noqa: UP006
    outputs: dict[str, Any] = {}
    for k, t in inner.outputs.items():
        element = typing.Optional[t] if optional_outputs else t
        outputs[k] = typing.List[element]  # type: ignore[valid-type]  # noqa: UP006
    return Interface(inputs=inputs, outputs=outputs)


class ArrayNodeMapTask(PythonTask[None]):
    """A task mapped over lists: each element of the unbound inputs runs the task once.

    Usually made with :func:`flyweight.map_task`. Serialized as flytekit 1.16 does (an ``ArrayNode``
    whose sub-node runs this template), except the container arguments, which name ``flyweight-execute``
    and ``flyweight.extend.map_task_resolver``.

    Args:
        python_function_task: a function task, a ``functools.partial`` of one binding inputs by keyword,
            or a plugin task (``PythonCustomizedContainerTask``).
        concurrency: at most this many elements run at once (0: no limit; None: the workflow's).
        min_successes: the run succeeds when at least this many elements do.
        min_success_ratio: the run succeeds when at least this fraction of the elements do (``ceil``).
        bound_inputs: names of inputs passed whole to every element (flytekit's container-side argument).
        bound_inputs_values: inputs bound to these values for every element.
        **kwargs: ``metadata``, ``security_ctx``, ``docs`` (default: the task's own).
    """

    FAST_REGISTERS: ClassVar[bool] = True
    """Its elements run the user's code (or the plugin's): fast registration prefixes its command."""

    def __init__(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
        self,
        python_function_task: Any,
        concurrency: int | None = None,
        min_successes: int | None = None,
        min_success_ratio: float | None = None,
        bound_inputs: set[str] | None = None,
        bound_inputs_values: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        inner, partial_values = _target(python_function_task)
        unknown = set(kwargs) - _OPTIONS
        if unknown:
            raise TypeError(f"map_task() got unexpected keyword argument(s): {', '.join(sorted(unknown))}")
        _check_numbers(inner.name, concurrency, min_successes, min_success_ratio)
        outputs = inner.python_interface.outputs
        if len(outputs) > 1:
            raise TaskDefinitionError(
                f"map_task() cannot map {inner.name!r}: only tasks with a single output are supported in map "
                f"tasks; it has {len(outputs)} ({', '.join(outputs)})"
            )
        values = dict(bound_inputs_values or {})
        if bound_inputs and values and set(bound_inputs) != set(values):
            raise TaskDefinitionError(
                "bound_inputs and bound_inputs_values should have the same keys if both set"
            )
        bound = set(bound_inputs or ()) | set(partial_values) | set(values)
        unknown_bound = bound - set(inner.python_interface.inputs)
        if unknown_bound:
            raise TaskDefinitionError(
                f"map_task({inner.name!r}): {', '.join(sorted(unknown_bound))} bound, but the task has no "
                "such "
                f"input (its inputs: {', '.join(inner.python_interface.inputs) or 'none'})"
            )
        self._run_task = inner
        self._partial_values = {**partial_values, **values}
        self._bound_inputs = bound
        self._concurrency = concurrency
        self._min_successes = min_successes
        self._min_success_ratio = min_success_ratio
        optional = (min_success_ratio is not None and min_success_ratio != 1) or bool(min_successes)
        optional = optional and len(outputs) == 1
        self._optional_outputs = optional
        interface = list_interface(inner.python_interface, bound, optional)
        key = f"{','.join(sorted(bound))}{concurrency}{min_successes}{min_success_ratio}"
        digest = hashlib.md5(key.encode("utf-8"), usedforsecurity=False).hexdigest()
        if isinstance(inner, PythonFunctionTask):
            fn = inner.task_function
            prefix = f"{function_module_name(fn)}.map_{fn.__name__}"
        else:
            prefix = f"{inner.task_type}.map_{inner.name}"
        self._map_name = f"{prefix}_{digest}-arraynode"
        kwargs.setdefault("metadata", inner.metadata)
        if inner.security_context is not None:
            kwargs.setdefault("security_ctx", inner.security_context)
        super().__init__(
            task_type=inner.task_type,
            name=self._map_name,
            task_config=None,
            interface=interface,
            task_type_version=1,
            **kwargs,
        )

    # -- what the map is ----------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._map_name

    @property
    def python_function_task(self) -> Task:
        """The task run for each element."""
        return self._run_task

    @property
    def bound_inputs(self) -> set[str]:
        """Inputs passed whole to every element."""
        return set(self._bound_inputs)

    @property
    def concurrency(self) -> int | None:
        return self._concurrency

    @property
    def min_successes(self) -> int | None:
        return self._min_successes

    @property
    def min_success_ratio(self) -> float | None:
        return self._min_success_ratio

    @property
    def execution_mode(self) -> _idl.ArrayNode.ExecutionMode:
        """Flyte's ``ArrayNode.ExecutionMode``: minimal state for plain function tasks, as flytekit says."""
        plain = type(self._run_task) is PythonFunctionTask
        return _idl.ArrayNode.MINIMAL_STATE if plain else _idl.ArrayNode.FULL_STATE

    @property
    def optional_outputs(self) -> bool:
        """Whether the outputs are lists of ``Optional`` values (some elements may fail)."""
        return self._optional_outputs

    @property
    def is_original_sub_node_interface(self) -> bool:
        return False

    @property
    def mapped_inputs(self) -> list[str]:
        """The inputs sliced element by element, in the task's order."""
        return [k for k in self._run_task.python_interface.inputs if k not in self._bound_inputs]

    def required_successes(self, size: int) -> int:
        """How many of ``size`` elements must succeed for the map to succeed."""
        return required_successes(size, self._min_successes, self._min_success_ratio)

    # -- the template: the task's, with the map resolver in its container -----------------------------
    def get_custom(self, settings: SerializationSettings) -> dict[str, Any] | None:
        return self._run_task.get_custom(settings) or None

    def get_config(self, settings: SerializationSettings) -> dict[str, str] | None:
        return self._run_task.get_config(settings)

    def get_extended_resources(self, settings: SerializationSettings) -> object:
        return self._run_task.get_extended_resources(settings)

    def get_container(self, settings: SerializationSettings) -> object:
        """The task's container with the map's arguments; None when the task runs in a pod template (its
        container is then the pod's primary one: :meth:`get_k8s_pod`)."""
        container = self._run_task.get_container(settings)
        if container is None and self._run_task.get_k8s_pod(settings) is not None:
            return None
        if not isinstance(container, _idl.Container):
            raise TaskDefinitionError(f"map_task({self._run_task.name!r}): the task has no container to map")
        out = _idl.Container()
        out.CopyFrom(container)
        args = self.get_command(settings, list(container.args))
        del out.args[:]
        out.args.extend(args)
        return out

    def get_k8s_pod(self, settings: SerializationSettings) -> object:
        """The task's pod (``@task(pod_template=...)``) with the map's arguments in its primary container,
        as flytekit writes it (the container named by ``config["primary_container_name"]``); None without
        one."""
        pod = self._run_task.get_k8s_pod(settings)
        if pod is None:
            return None
        if not isinstance(pod, _idl.K8sPod):
            raise TaskDefinitionError(
                f"map_task({self._run_task.name!r}): get_k8s_pod returned {type(pod).__name__}, not a K8sPod"
            )
        out = _idl.K8sPod()
        out.CopyFrom(pod)
        name = pod.primary_container_name or (self.get_config(settings) or {}).get(
            "primary_container_name", ""
        )
        fields = primary_container(out, name)
        if fields is not None:
            args = fields["args"].list_value
            mapped = self.get_command(settings, [v.string_value for v in args.values])
            del args.values[:]
            for a in mapped:
                args.values.add().string_value = a
            return out
        raise TaskDefinitionError(
            f"map_task({self._run_task.name!r}): its pod template has no primary container {name!r} to run "
            "the elements"
        )

    def get_command(self, settings: SerializationSettings, inner_args: list[str] | None = None) -> list[str]:
        """The task's container arguments with the map resolver in front of its own:
        ``--resolver flyweight.extend.map_task_resolver -- vars <bound,…> resolver <its resolver> <args…>``.
        """
        if inner_args is None:
            container = self._run_task.get_container(settings)
            inner_args = list(getattr(container, "args", []))
        try:
            at = inner_args.index("--resolver")
            end = inner_args.index("--", at)
        except ValueError:
            raise TaskDefinitionError(
                f"map_task({self._run_task.name!r}): its container arguments name no --resolver, so a "
                "container could not find the task to map"
            ) from None
        vars_ = ",".join(sorted(self._bound_inputs))
        return [
            *inner_args[:at],
            "--resolver",
            MAP_RESOLVER_LOCATION,
            "--",
            "vars",
            vars_,
            "resolver",
            inner_args[at + 1],
            *inner_args[end + 1 :],
        ]

    def construct_node_metadata(self) -> _idl.NodeMetadata:
        """The metadata of the workflow node (the ``ArrayNode``): the map's name only, as flytekit writes."""
        meta = _idl.NodeMetadata(name=self.name)
        meta.retries.SetInParent()
        return meta

    def sub_node_metadata(self) -> _idl.NodeMetadata:
        """The metadata of the ``ArrayNode``'s sub-node: the task's timeout, retries, interruptible."""
        meta = super().construct_node_metadata()
        meta.name = self.name
        return meta

    # -- running locally -------------------------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Compile into an array node in a workflow body, or run every element here (bound values mixed
        in)."""
        return super().__call__(*args, **{**kwargs, **self._partial_values})

    def dispatch_execute(
        self, ctx: FlyteContext | None, input_literal_map: _idl.LiteralMap
    ) -> _idl.LiteralMap:
        """Run the elements one after the other (the local engine runs them in parallel instead)."""
        if ctx is None:
            ctx = FlyteContextManager.current_context()
        mapped = self.mapped_inputs
        size = mapped_size(self.name, input_literal_map, mapped)
        need = self.required_successes(size)
        batch = (
            ElementBatch(self, ctx, input_literal_map, size) if ElementBatch.runs(self._run_task) else None
        )
        results: list[_idl.LiteralMap | None] = []
        failed: set[int] = set()
        for i in range(size):
            try:
                if batch is not None:
                    batch.run(i, ctx)
                else:
                    results.append(
                        self._run_task.dispatch_execute(ctx, element_inputs(input_literal_map, mapped, i))
                    )
            except Exception:
                failed.add(i)
                results.append(None)
                if size - len(failed) < need:
                    raise
        if batch is None:
            return gather_outputs(list(self.python_interface.outputs), results)
        out, bad = batch.outputs(ctx, failed)
        if out is None or size - len(failed) - len(bad) < need:
            raise bad[0][1]
        return out

    def batch(self, ctx: FlyteContext, inputs: _idl.LiteralMap, size: int) -> ElementBatch:
        """The elements of ``inputs`` as one :class:`ElementBatch` (see :meth:`ElementBatch.runs`)."""
        return ElementBatch(self, ctx, inputs, size)

    def __repr__(self) -> str:
        return f"ArrayNodeMapTask(name={self.name!r}, task={self._run_task.name!r})"


def _check_numbers(
    name: str, concurrency: int | None, min_successes: int | None, min_success_ratio: float | None
) -> None:
    def bad(what: str, value: object, expected: str) -> TaskDefinitionError:
        return TaskDefinitionError(f"map_task({name!r}): {what} must be {expected}, got {value!r}")

    if concurrency is not None and (type(concurrency) is not int or concurrency < 0):
        raise bad("concurrency", concurrency, "an int >= 0 (0: no limit) or None")
    if min_successes is not None and (type(min_successes) is not int or min_successes < 0):
        raise bad("min_successes", min_successes, "an int >= 0 or None")
    if min_success_ratio is not None and (
        isinstance(min_success_ratio, bool)
        or not isinstance(min_success_ratio, (int, float))
        or not 0 <= min_success_ratio <= 1
    ):
        raise bad("min_success_ratio", min_success_ratio, "a number from 0 to 1 or None")


def required_successes(size: int, min_successes: int | None, min_success_ratio: float | None) -> int:
    """How many of ``size`` elements must succeed: ``min_successes`` if given (at most ``size``), else
    ``ceil(size * min_success_ratio)`` (propeller's rule), else all."""
    if min_successes:
        return min(min_successes, size)
    if min_success_ratio is not None:
        return math.ceil(size * min_success_ratio)
    return size


_NONE = _idl.Literal(scalar=_idl.Scalar(none_type=_idl.Void()))


def gather_outputs(names: list[str], results: list[_idl.LiteralMap | None]) -> _idl.LiteralMap:
    """One list per output, element ``i`` from ``results[i]`` (a none literal for a failed element)."""
    out = _idl.LiteralMap()
    for name in names:
        collection = out.literals[name].collection
        collection.SetInParent()  # an empty list is still a list
        items = collection.literals
        for r in results:
            items.add().CopyFrom(_NONE if r is None else r.literals[name])
    return out
