"""Function tasks: ``@task`` turns a typed Python function into a Flyte task.

The function's signature is its interface (read once, when decorated); calling the task runs the
function in-process with its inputs and outputs checked against the declared types, in a fresh working
directory. Serialized, the task names ``flyweight-execute`` with the default resolver and the
function's module and name, so the container imports the same module and runs the same function.
"""

from __future__ import annotations

import datetime
import enum
import functools
import importlib
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, ParamSpec, TypeVar, overload

from flyweight import _idl
from flyweight._context import FlyteContext
from flyweight._settings import Resources, Secret
from flyweight._tasks._auto_container import PythonAutoContainerTask
from flyweight._tasks._metadata import DEFAULT_DECK_FIELDS, DeckField, Documentation, TaskMetadata
from flyweight._tasks._resolver import TaskResolverMixin
from flyweight._tasks._signature import (
    check_plain_function,
    function_module_name,
    interface_from_function,
    merge_docs,
)
from flyweight.errors import TaskDefinitionError
from flyweight.types import TypeEngine

if TYPE_CHECKING:
    from flyweight._settings._image_spec import ImageSpec
    from flyweight._tasks._cache import Cache

__all__ = ["PythonFunctionTask", "task"]

T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")


class PythonFunctionTask(PythonAutoContainerTask[T]):
    """A task that runs a Python function; usually made with :func:`task`.

    Args:
        task_config: plugin configuration (None for a plain function task).
        task_function: the function; every parameter must be annotated.
        task_type: Flyte task type string.
        ignore_input_vars: parameters left out of the interface (the function must give them defaults).
        execution_mode: ``ExecutionBehavior.DEFAULT``, or ``DYNAMIC`` for a dynamic task (the instance is
            then a ``DynamicTask``, as ``@dynamic`` makes); ``EAGER`` is not supported.
        task_resolver: how the container finds the task (default: by module and function name).
        node_dependency_hints: only for dynamic tasks: tasks, workflows and launch plans registered with
            the task because its body may call them.
        pickle_untyped: take unannotated parameters and return as ``typing.Any`` (pickled).
        **kwargs: the options of :class:`PythonAutoContainerTask` (``metadata``, ``container_image``,
            ``requests``, ``limits``, ``resources``, ``environment``, ``secret_requests``, ``docs``,
            ``enable_deck`` …).

    Example:
        >>> def double(x: int) -> int:
        ...     return 2 * x
        >>> t = PythonFunctionTask(None, double)
        >>> t(x=21)
        42
    """

    class ExecutionBehavior(enum.Enum):
        """How a function task runs its function (``DEFAULT`` or ``DYNAMIC``; not ``EAGER``)."""

        DEFAULT = 1
        DYNAMIC = 2
        EAGER = 3

    _builds_graph: ClassVar[bool] = False  # True for DynamicTask: its body builds a workflow

    def __new__(cls, *args: Any, **kwargs: Any) -> PythonFunctionTask[Any]:
        """A ``DynamicTask`` when ``execution_mode`` is ``DYNAMIC`` (flytekit makes dynamic tasks with
        this class): that class needs the workflow compiler, a higher layer, so it is found by name."""
        mode = kwargs.get("execution_mode", args[4] if len(args) > 4 else None)
        made = cls
        if cls is PythonFunctionTask and mode is PythonFunctionTask.ExecutionBehavior.DYNAMIC:
            module, name = _DYNAMIC_TASK_CLASS
            made = getattr(importlib.import_module(module), name)
        return super().__new__(made)

    def __init__(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
        self,
        task_config: T | None,
        task_function: Callable[..., Any],
        task_type: str = "python-task",
        ignore_input_vars: list[str] | None = None,
        execution_mode: ExecutionBehavior = ExecutionBehavior.DEFAULT,
        task_resolver: TaskResolverMixin | None = None,
        node_dependency_hints: Iterable[object] | None = None,
        pickle_untyped: bool = False,
        **kwargs: Any,
    ) -> None:
        check_plain_function(task_function, "task")
        if execution_mode is ExecutionBehavior.EAGER or not isinstance(execution_mode, ExecutionBehavior):
            raise TaskDefinitionError(
                f"execution_mode={execution_mode}: flyweight supports DEFAULT and DYNAMIC (eager tasks are "
                "not supported yet); use one of those"
            )
        if execution_mode is ExecutionBehavior.DYNAMIC and not self._builds_graph:
            raise TaskDefinitionError(  # a subclass of PythonFunctionTask: it cannot become a DynamicTask
                f"execution_mode=DYNAMIC needs a DynamicTask (use @dynamic); {type(self).__name__} runs its "
                "function as a plain task"
            )
        if node_dependency_hints is not None and execution_mode is not ExecutionBehavior.DYNAMIC:
            raise TaskDefinitionError(
                "node_dependency_hints should only be used on dynamic tasks (@dynamic); on static tasks and "
                "workflows Flyte finds the dependencies itself: remove them"
            )
        native = interface_from_function(task_function, pickle_untyped=pickle_untyped)
        interface = native.remove_inputs(list(ignore_input_vars or []))
        name = f"{function_module_name(task_function)}.{task_function.__name__.rsplit('.', 1)[-1]}"
        _check_cache_inputs(name, kwargs.get("metadata"), interface.inputs)
        kwargs["docs"] = merge_docs(kwargs.get("docs"), native.docstring)
        self._input_count = len(interface.inputs)
        self._task_function = task_function
        self._execution_mode = execution_mode
        self._node_dependency_hints = node_dependency_hints
        super().__init__(
            name=name,
            task_config=task_config,
            task_type=task_type,
            task_resolver=task_resolver,
            interface=interface,
            **kwargs,
        )

    @property
    def name(self) -> str:
        """``<module>.<function>``; prefixed with the module the task was made in when that differs
        (flytekit's rule)."""
        full: str | None = self.__dict__.get("_full_name")
        if full is None:
            made_in = self._instantiated_in
            full = f"{made_in}.{self._name}" if made_in and made_in not in self._name else self._name
            if made_in is not None:  # known once the instance is made: keep the answer
                self._full_name = full
        return full

    @property
    def task_function(self) -> Callable[..., Any]:
        """The function this task runs."""
        return self._task_function

    @property
    def execution_mode(self) -> ExecutionBehavior:
        return self._execution_mode

    @property
    def node_dependency_hints(self) -> Iterable[object] | None:
        return self._node_dependency_hints

    def execute(self, **kwargs: Any) -> Any:
        """Run the function with the inputs as Python values."""
        return self._task_function(**kwargs)

    def dispatch_execute(
        self, ctx: FlyteContext | None, input_literal_map: _idl.LiteralMap
    ) -> _idl.LiteralMap:
        """Run with literal inputs; an input the map leaves out takes the function's default (as in
        flytekit, where the function is called without it)."""
        return super().dispatch_execute(ctx, self.with_defaults(ctx, input_literal_map))

    def with_defaults(self, ctx: FlyteContext | None, input_literal_map: _idl.LiteralMap) -> _idl.LiteralMap:
        """``input_literal_map`` with the function's defaults added for the inputs it leaves out."""
        literals = input_literal_map.literals
        if len(literals) < self._input_count:
            defaults = {
                k: v for k, v in self.python_interface.default_inputs_as_kwargs.items() if k not in literals
            }
            if defaults:
                plan = self._interface_plan()
                types = {k: plan.input_types[k] for k in defaults}
                lts = {k: plan.input_literal_types[k] for k in defaults}
                filled = _idl.LiteralMap()
                filled.CopyFrom(input_literal_map)
                added = TypeEngine.values_to_literal_map(ctx, defaults, types, plan.owner, "inputs", lts)
                for k, lit in added.literals.items():
                    filled.literals[k].CopyFrom(lit)
                input_literal_map = filled
        return input_literal_map


ExecutionBehavior = PythonFunctionTask.ExecutionBehavior

# The class PythonFunctionTask(..., execution_mode=DYNAMIC) makes, named (it is in a higher layer).
_DYNAMIC_TASK_CLASS = ("flyweight._workflows._dynamic", "DynamicTask")


def _check_cache_inputs(name: str, metadata: object, inputs: Mapping[str, object]) -> None:
    ignored = metadata.cache_ignore_input_vars if isinstance(metadata, TaskMetadata) else ()
    unknown = [v for v in ignored if v not in inputs]
    if unknown:
        raise TaskDefinitionError(
            f"task {name!r}: cache_ignore_input_vars names {', '.join(map(repr, unknown))}, which "
            f"{'is not an input' if len(unknown) == 1 else 'are not inputs'}; its inputs are: "
            f"{', '.join(inputs) or 'none'}"
        )


def _ignored_inputs(names: object) -> tuple[str, ...]:
    """``cache_ignore_input_vars`` as a tuple of names (one name may be given as a str)."""
    if names is None:
        return ()
    if isinstance(names, str):
        return (names,)
    items = tuple(names) if isinstance(names, Iterable) else None
    if items is None or not all(isinstance(k, str) for k in items):
        raise TaskDefinitionError(
            f"@task(cache_ignore_input_vars={names!r}): expected input names (a list of str), got "
            f"{type(names).__name__}; write cache_ignore_input_vars=['seed']"
        )
    return items


if TYPE_CHECKING:

    class FunctionTask(PythonFunctionTask[None], Generic[P, R]):
        """What ``@task`` gives type checkers: a function task called with the function's signature."""

        def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R: ...


@overload
def task(
    _task_function: Callable[P, R],
    /,
    *,
    task_config: object = None,
    cache: bool | Cache = False,
    retries: int = 0,
    interruptible: bool | None = None,
    deprecated: str = "",
    timeout: datetime.timedelta | int = 0,
    container_image: str | ImageSpec | None = None,
    environment: dict[str, str] | None = None,
    requests: Resources | None = None,
    limits: Resources | None = None,
    secret_requests: list[Secret] | None = None,
    execution_mode: ExecutionBehavior = ExecutionBehavior.DEFAULT,
    node_dependency_hints: Iterable[object] | None = None,
    task_resolver: TaskResolverMixin | None = None,
    docs: Documentation | None = None,
    disable_deck: bool | None = None,
    enable_deck: bool | None = None,
    deck_fields: tuple[DeckField | str, ...] | None = DEFAULT_DECK_FIELDS,
    pod_template: object = None,
    pod_template_name: str | None = None,
    accelerator: object = None,
    pickle_untyped: bool = False,
    shared_memory: object = None,
    resources: Resources | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    cache_serialize: bool | None = None,
    cache_version: str | None = None,
    cache_ignore_input_vars: Iterable[str] | None = None,
) -> FunctionTask[P, R]: ...


@overload
def task(
    _task_function: None = None,
    /,
    *,
    task_config: object = None,
    cache: bool | Cache = False,
    retries: int = 0,
    interruptible: bool | None = None,
    deprecated: str = "",
    timeout: datetime.timedelta | int = 0,
    container_image: str | ImageSpec | None = None,
    environment: dict[str, str] | None = None,
    requests: Resources | None = None,
    limits: Resources | None = None,
    secret_requests: list[Secret] | None = None,
    execution_mode: ExecutionBehavior = ExecutionBehavior.DEFAULT,
    node_dependency_hints: Iterable[object] | None = None,
    task_resolver: TaskResolverMixin | None = None,
    docs: Documentation | None = None,
    disable_deck: bool | None = None,
    enable_deck: bool | None = None,
    deck_fields: tuple[DeckField | str, ...] | None = DEFAULT_DECK_FIELDS,
    pod_template: object = None,
    pod_template_name: str | None = None,
    accelerator: object = None,
    pickle_untyped: bool = False,
    shared_memory: object = None,
    resources: Resources | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    cache_serialize: bool | None = None,
    cache_version: str | None = None,
    cache_ignore_input_vars: Iterable[str] | None = None,
) -> Callable[[Callable[P, R]], FunctionTask[P, R]]: ...


def task(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
    _task_function: Callable[..., Any] | None = None,
    task_config: object = None,
    cache: bool | Cache = False,
    retries: int = 0,
    interruptible: bool | None = None,
    deprecated: str = "",
    timeout: datetime.timedelta | int = 0,
    container_image: str | ImageSpec | None = None,
    environment: dict[str, str] | None = None,
    requests: Resources | None = None,
    limits: Resources | None = None,
    secret_requests: list[Secret] | None = None,
    execution_mode: ExecutionBehavior = ExecutionBehavior.DEFAULT,
    node_dependency_hints: Iterable[object] | None = None,
    task_resolver: TaskResolverMixin | None = None,
    docs: Documentation | None = None,
    disable_deck: bool | None = None,
    enable_deck: bool | None = None,
    deck_fields: tuple[DeckField | str, ...] | None = DEFAULT_DECK_FIELDS,
    pod_template: object = None,
    pod_template_name: str | None = None,
    accelerator: object = None,
    pickle_untyped: bool = False,
    shared_memory: object = None,
    resources: Resources | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    cache_serialize: bool | None = None,
    cache_version: str | None = None,
    cache_ignore_input_vars: Iterable[str] | None = None,
) -> PythonFunctionTask[None] | Callable[[Callable[..., Any]], PythonFunctionTask[None]]:
    """Make a Flyte task of a typed Python function; use it as ``@task`` or ``@task(...)``.

    The options are flytekit's. Calling the task runs the function here, with inputs and outputs
    checked against the annotations; registered, it runs in a container with ``flyweight-execute``.

    Args:
        task_config: plugin configuration; flyweight has no function-task plugins yet, so it must be None.
        cache: whether Flyte may reuse the outputs of an earlier run with the same inputs; needs
            ``cache_version``, or a :class:`~flyweight.Cache` (its version, given or computed by its
            policies, its ``serialize`` and ``ignored_inputs``; then no ``cache_*`` keyword). A workflow
            run by the local engine (``wf(...)``, ``flyweight run``) reuses outputs from the local cache
            (``FLYWEIGHT_CACHE_DIR``); a direct call of the task always runs it.
        retries: how many times Flyte retries the task after a recoverable failure.
        interruptible: whether the task may run on interruptible (spot) machines; None inherits.
        deprecated: a deprecation message Flyte shows when the task is used.
        timeout: the longest a run may take (a ``timedelta`` or seconds); 0 means no limit.
        container_image: the image (may use ``{{.image.<name>.fqn}}`` / ``{{.image.<name>.version}}``),
            or a :class:`flyweight.ImageSpec` naming the image built from it (nothing is built).
        environment: environment variables of the container.
        requests: resource requests (``Resources(cpu="1", mem="2Gi")``).
        limits: resource limits.
        secret_requests: secrets the task reads (``[Secret(group="db", key="password")]``).
        execution_mode: ``DEFAULT``, or ``DYNAMIC`` for a dynamic task (as :func:`~flyweight.dynamic`).
        node_dependency_hints: only for dynamic tasks: what their body may call, registered with them.
        task_resolver: how the container finds the task (default: by module and function name).
        docs: documentation; the docstring's summary and long text fill it in.
        disable_deck: deprecated; use ``enable_deck``.
        enable_deck: mark the task as producing decks (``metadata.generates_deck``).
        deck_fields: which decks to produce when enabled.
        pod_template: the pod to run in (a ``flyweight.PodTemplate``); no effect on local runs.
        pod_template_name: name of a PodTemplate on the cluster.
        accelerator: the accelerator to run on (``flyweight.accelerators``); no effect on local runs.
        pickle_untyped: take unannotated parameters and return as ``typing.Any`` (pickled).
        shared_memory: not supported yet; must be None.
        resources: requests and limits in one (a ``(request, limit)`` pair sets both).
        labels: Kubernetes labels of the task's pod.
        annotations: Kubernetes annotations of the task's pod.
        cache_serialize: run identical cached tasks one at a time.
        cache_version: the cache version; bump it when the function's logic changes.
        cache_ignore_input_vars: inputs left out of the cache key (must be inputs of the task).

    Returns:
        The task (with the function's name, docstring and signature), or a decorator making one.

    Raises:
        TaskDefinitionError: an option or the function's signature is invalid.

    Example:
        >>> from flyweight import task
        >>> @task(retries=2)
        ... def greet(name: str, punctuation: str = "!") -> str:
        ...     return f"hello {name}{punctuation}"
        >>> greet(name="Ada")
        'hello Ada!'
    """
    if task_config is not None:
        raise TaskDefinitionError(
            f"@task(task_config={type(task_config).__name__}(...)): no task plugin handles this "
            "configuration in flyweight, so it would be ignored; remove task_config or use the plugin's "
            "own task class"
        )
    cache_object = not isinstance(cache, bool)  # a Cache: its module is loaded only then
    if cache_object:
        from flyweight._tasks._cache import Cache

        if not isinstance(cache, Cache):
            raise TaskDefinitionError(
                f"cache must be True, False or a flyweight.Cache, got {type(cache).__name__}; write "
                "cache=Cache(version='1') or cache=True, cache_version='1'"
            )
        given = [
            option
            for option, value in (
                ("cache_serialize", cache_serialize),
                ("cache_version", cache_version),
                ("cache_ignore_input_vars", cache_ignore_input_vars),
            )
            if value is not None
        ]
        if given:
            raise TaskDefinitionError(
                f"@task(cache=Cache(...), {', '.join(given)}=...): cache_serialize, cache_version, and "
                "cache_ignore_input_vars are deprecated. Please use Cache object: "
                "Cache(version=..., serialize=..., ignored_inputs=...)"
            )

    for option, value, allowed, example in (
        ("cache_version", cache_version, str, "cache_version='1'"),
        ("cache_serialize", cache_serialize, bool, "cache_serialize=True"),
        ("interruptible", interruptible, bool, "interruptible=True"),
        ("deprecated", deprecated, str, "deprecated='use new_task instead'"),
        ("enable_deck", enable_deck, bool, "enable_deck=True"),
        ("disable_deck", disable_deck, bool, "enable_deck=False"),
    ):
        if value is not None and not isinstance(value, allowed):
            raise TaskDefinitionError(
                f"@task({option}={value!r}): expected {allowed.__name__}, got {type(value).__name__}; "
                f"write {example}"
            )
    ignored = _ignored_inputs(cache_ignore_input_vars)
    if cache_version and not cache:
        warnings.warn(
            f"@task(cache_version={cache_version!r}) without cache=True: the task is not cached; add "
            "cache=True to cache it",
            UserWarning,
            stacklevel=2,
        )

    def wrapper(fn: Callable[..., Any]) -> PythonFunctionTask[None]:
        cached, serialize, version, ignore = bool(cache), bool(cache_serialize), cache_version or "", ignored
        if not isinstance(cache, bool):  # a Cache: the version from the function, then the rest
            from flyweight._tasks._cache import VersionParameters

            version = cache.get_version(
                VersionParameters(
                    func=fn,
                    container_image=container_image,
                    pod_template=pod_template,
                    pod_template_name=pod_template_name,
                )
            )
            cached, serialize, ignore = True, cache.serialize, cache.get_ignored_inputs()
        metadata = TaskMetadata(
            cache=cached,
            cache_serialize=serialize,
            cache_version=version,
            cache_ignore_input_vars=ignore,
            retries=retries,
            interruptible=interruptible,
            deprecated=deprecated,
            timeout=timeout,
        )
        made: PythonFunctionTask[None] = PythonFunctionTask(
            None,
            fn,
            metadata=metadata,
            container_image=container_image,
            environment=environment,
            requests=requests,
            limits=limits,
            secret_requests=secret_requests,
            execution_mode=execution_mode,
            node_dependency_hints=node_dependency_hints,
            task_resolver=task_resolver,
            disable_deck=disable_deck,
            enable_deck=enable_deck,
            deck_fields=deck_fields,
            docs=docs,
            pod_template=pod_template,
            pod_template_name=pod_template_name,
            accelerator=accelerator,
            pickle_untyped=pickle_untyped,
            shared_memory=shared_memory,
            resources=resources,
            labels=labels,
            annotations=annotations,
        )
        functools.update_wrapper(made, fn)
        return made

    if _task_function is not None:
        return wrapper(_task_function)
    return wrapper
