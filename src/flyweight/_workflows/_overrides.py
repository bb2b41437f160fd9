"""``with_overrides(...)`` on a workflow node, as flytekit 1.16.14's ``Node.with_overrides`` applies it.

A call's result (a promise, a void promise, the named tuple of several outputs) and a ``create_node`` result
forward ``with_overrides`` to :func:`apply_overrides`, which changes the node:

* ``node_name`` — the node's id (as a DNS label, flytekit's ``_dnsify``);
* ``timeout``, ``retries``, ``interruptible``, ``name``, ``cache`` (a bool, with the ``cache_version`` and
  ``cache_serialize`` keywords) — the node's ``NodeMetadata``, replaced by a changed copy (a map task's
  sub-node metadata instead, kept on the node: flytekit changes the map task itself);
* ``aliases``, ``requests`` / ``limits`` / ``resources``, ``shared_memory``, ``accelerator``,
  ``pod_template``, ``container_image`` — a
  :class:`NodeOverrides` kept on the node, written as the task node's ``output_aliases`` and
  ``TaskNodeOverrides``.

``cache`` may also be a :class:`~flyweight.Cache` with a ``version`` (its ``serialize`` is used, its
``ignored_inputs`` are not, as in flytekit). ``task_config`` (of the type of the task's own) makes the node
run a variant of the task holding that config (``flyweight._tasks._variant``): flytekit assigns it to the
task, for every node of it. Each
call replaces what flytekit's replaces: the extended resources (``shared_memory``, ``accelerator``) and
``cacheable`` are reset by a call that does not give them; a ``pod_template`` stays until another replaces
it.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Final

from flyweight._settings import Resources
from flyweight._settings._accelerators import BaseAccelerator
from flyweight._settings._pod_template import PodTemplate
from flyweight._tasks._auto_container import check_accelerator, check_pod_template, split_resources
from flyweight._tasks._cache import Cache
from flyweight._tasks._map import ArrayNodeMapTask
from flyweight._tasks._task import PythonTask
from flyweight._tasks._variant import config_variant
from flyweight._workflows._dns import dnsify
from flyweight._workflows._node import BRANCH, START, TASK
from flyweight.errors import NotSupportedError, TaskDefinitionError, WorkflowCompileError

if TYPE_CHECKING:
    from flyweight._idl import NodeMetadata
    from flyweight._workflows._node import Node

__all__ = ["KEYS", "NodeOverrides", "apply_overrides"]

KEYS: Final = (
    "node_name",
    "aliases",
    "requests",
    "limits",
    "timeout",
    "retries",
    "interruptible",
    "name",
    "task_config",
    "container_image",
    "accelerator",
    "cache",
    "shared_memory",
    "pod_template",
    "resources",
)
"""The keys of flytekit's ``Node.with_overrides``, in its positional order."""

_CACHE_KEYWORDS: Final = ("cache_version", "cache_serialize")


class NodeOverrides:
    """What ``with_overrides`` set on a node beyond its metadata (flytekit's ``Node._resources``,
    ``_extended_resources``, ``_container_image``, ``_aliases``).

    Attributes:
        requests: resource requests (``None``: none given).
        limits: resource limits (``None``: none given).
        resources_set: whether requests or limits were given (then ``TaskNodeOverrides.resources`` is
            written, even empty).
        shared_memory: ``True`` (the size of the memory), a size, or ``None``.
        accelerator: the accelerator (``flyweight.accelerators``), or ``None``; reset like
            ``shared_memory``.
        pod_template: the ``PodTemplate`` (kept until another replaces it), or ``None``.
        container_image: the image the node's task runs in, or ``None``.
        aliases: ``(output, alias)`` pairs, or ``None``.
        sub_node_metadata: for a map task, the metadata of the ``ArrayNode``'s sub-node, or ``None``.
    """

    __slots__ = (
        "accelerator",
        "aliases",
        "container_image",
        "limits",
        "pod_template",
        "requests",
        "resources_set",
        "shared_memory",
        "sub_node_metadata",
    )

    def __init__(self) -> None:
        self.requests: Resources | None = None
        self.limits: Resources | None = None
        self.resources_set = False
        self.shared_memory: bool | str | None = None
        self.accelerator: BaseAccelerator | None = None
        self.pod_template: PodTemplate | None = None
        self.container_image: str | None = None
        self.aliases: list[tuple[str, str]] | None = None
        self.sub_node_metadata: NodeMetadata | None = None


_UNSET: Final = object()


def apply_overrides(
    node: Node, args: tuple[object, ...], kwargs: dict[str, object], promise_types: tuple[type, ...]
) -> None:
    """Apply ``with_overrides(*args, **kwargs)`` to ``node`` (positional values in flytekit's order);
    a value of one of ``promise_types`` (known only at run time) is refused.

    Raises:
        WorkflowCompileError: an unknown key, a value of the wrong type, a negative ``retries`` or
            ``timeout``, ``resources`` with ``requests`` / ``limits``, ``cache=True`` without
            ``cache_version``, or a node that cannot be overridden (a workflow input).
        NotSupportedError: a conditional's node.
    """
    where = f"workflow {node.workflow_name!r}: with_overrides() on {node.describe()}"
    if node.kind == START:
        raise WorkflowCompileError(
            f"workflow {node.workflow_name!r}: with_overrides() on an input of the workflow; call it on the "
            "result of a task, workflow or launch plan call"
        )
    if node.kind == BRANCH:
        raise NotSupportedError(f"{where}: overrides of a conditional's node are not supported by flyweight")
    values = _named(where, args, kwargs)
    for key, value in values.items():
        if isinstance(value, promise_types):
            raise WorkflowCompileError(
                f"{where}: {key}= cannot be a promise (a value known only at run time)"
            )
    overrides = node.overrides if node.overrides is not None else NodeOverrides()
    _node_name(node, where, values.get("node_name"))
    _task_config(node, where, values.get("task_config"))
    _aliases(overrides, where, values.get("aliases"))
    _resources(overrides, where, values)
    image = values.get("container_image")
    if image is not None:
        if not isinstance(image, str) or not image:
            raise WorkflowCompileError(f"{where}: container_image must be an image name (str), got {image!r}")
        overrides.container_image = image
    overrides.shared_memory = _shared_memory(where, values.get("shared_memory"))
    try:  # flytekit replaces the accelerator on every call, the pod template only when one is given
        overrides.accelerator = check_accelerator(f"{where}: ", values.get("accelerator"))
        pod_template = check_pod_template(f"{where}: ", values.get("pod_template"))
    except TaskDefinitionError as e:
        raise WorkflowCompileError(str(e)) from None
    if pod_template is not None:
        overrides.pod_template = pod_template
    is_map = _is_map_task(node)
    base = overrides.sub_node_metadata if is_map and overrides.sub_node_metadata is not None else None
    if base is None:
        base = _map_sub_node_metadata(node) if is_map else node.metadata
    if base is not None:
        metadata = _metadata(where, base, values)
        if is_map:
            overrides.sub_node_metadata = metadata
        else:
            node.metadata = metadata
    node.overrides = overrides


def _named(where: str, args: tuple[object, ...], kwargs: dict[str, object]) -> dict[str, object]:
    if len(args) > len(KEYS):
        raise WorkflowCompileError(f"{where}: takes at most {len(KEYS)} positional values, got {len(args)}")
    values: dict[str, object] = dict(zip(KEYS, args, strict=False))
    for key, value in kwargs.items():
        if key not in KEYS and key not in _CACHE_KEYWORDS:
            known = ", ".join((*KEYS, *_CACHE_KEYWORDS))
            raise WorkflowCompileError(f"{where}: unknown key {key!r}; the keys are {known}")
        if key in values:
            raise WorkflowCompileError(f"{where}: {key} given twice (by position and by name)")
        values[key] = value
    if "timeout" not in values:
        values["timeout"] = _UNSET
    return values


def _node_name(node: Node, where: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str) or not dnsify(value):
        raise WorkflowCompileError(
            f"{where}: node_name must be a non-empty str with letters or digits, got {value!r}"
        )
    node.set_id(dnsify(value))


def _task_config(node: Node, where: str, config: object) -> None:
    if config is None:
        return
    task = node.flyte_entity
    if node.kind != TASK or not isinstance(task, PythonTask) or isinstance(task, ArrayNodeMapTask):
        raise WorkflowCompileError(
            f"{where}: task_config= applies to a node running a task (not a map task, a workflow or a launch "
            "plan); give the config to the task the node runs"
        )
    own = task.task_config
    if not isinstance(config, type(own)):
        raise WorkflowCompileError(
            f"{where}: can't change the type of the task config: task {task.name!r} has a "
            f"{type(own).__name__} config, got {type(config).__name__}"
        )
    try:
        node.flyte_entity = config_variant(task, config)
    except TaskDefinitionError as e:
        raise WorkflowCompileError(f"{where}: task_config={config!r}: {e}") from None


def _aliases(overrides: NodeOverrides, where: str, value: object) -> None:
    if value is None:
        return
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise WorkflowCompileError(
            f"{where}: aliases should be specified as dict[str, str], got {value!r}; write "
            "aliases={'o0': 'out'}"
        )
    overrides.aliases = list(value.items())


def _resources(overrides: NodeOverrides, where: str, values: dict[str, object]) -> None:
    requests, limits, both = values.get("requests"), values.get("limits"), values.get("resources")
    for key, value in (("requests", requests), ("limits", limits), ("resources", both)):
        if value is not None and not isinstance(value, Resources):
            raise WorkflowCompileError(
                f"{where}: {key} should be specified as flyweight.Resources, got {type(value).__name__}"
            )
    if both is not None:
        if requests is not None or limits is not None:
            raise WorkflowCompileError(
                f"{where}: `resources` can not be used together with `limits` or `requests`; give resources= "
                "alone, with (request, limit) pairs where they differ: Resources(cpu=('1', '2'))"
            )
        requests, limits = split_resources(both)  # type: ignore[arg-type]
    if requests is None and limits is None:
        return
    for key, value in (("requests", requests), ("limits", limits)):
        if isinstance(value, Resources):
            for field in ("cpu", "mem", "gpu", "ephemeral_storage"):
                if isinstance(getattr(value, field), (list, tuple)):
                    raise WorkflowCompileError(
                        f"{where}: {key}={value!r}: a (request, limit) pair is only allowed in resources=; "
                        "give one value per resource"
                    )
    overrides.requests = requests  # type: ignore[assignment]
    overrides.limits = limits  # type: ignore[assignment]
    overrides.resources_set = True


def _shared_memory(where: str, value: object) -> bool | str | None:
    if value is None or value is False:
        return None
    if value is True or (isinstance(value, str) and value):
        return value
    raise WorkflowCompileError(
        f"{where}: shared_memory must be True (as much as the memory) or a size such as '1Gi', got {value!r}"
    )


def _is_map_task(node: Node) -> bool:
    return isinstance(node.flyte_entity, ArrayNodeMapTask)


def _map_sub_node_metadata(node: Node) -> NodeMetadata:
    task = node.flyte_entity
    assert isinstance(task, ArrayNodeMapTask)  # _is_map_task
    return task.sub_node_metadata()


def _metadata(where: str, base: NodeMetadata, values: dict[str, object]) -> NodeMetadata:
    """A copy of ``base`` with the metadata keys applied, as flytekit's ``_override_node_metadata``."""
    out = type(base)()
    out.CopyFrom(base)
    timeout = values["timeout"]
    if timeout is not _UNSET:
        if timeout is None:
            out.ClearField("timeout")
        elif isinstance(timeout, bool) or not isinstance(timeout, (int, datetime.timedelta)):
            raise WorkflowCompileError(
                f"{where}: timeout should be duration represented as either a datetime.timedelta or int "
                f"seconds, got {timeout!r}"
            )
        else:
            delta = (
                timeout if isinstance(timeout, datetime.timedelta) else datetime.timedelta(seconds=timeout)
            )
            if delta < datetime.timedelta(0):
                raise WorkflowCompileError(
                    f"{where}: timeout of {delta.total_seconds():g} seconds is negative; pass the longest a "
                    "run may take, or None for no limit"
                )
            if delta:
                out.timeout.FromTimedelta(delta)
            else:
                out.ClearField("timeout")
    retries = values.get("retries")
    if retries is not None:
        if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
            raise WorkflowCompileError(f"{where}: retries must be an int of 0 or more, got {retries!r}")
        out.retries.retries = retries
    interruptible = values.get("interruptible")
    if interruptible is not None:
        if not isinstance(interruptible, bool):
            raise WorkflowCompileError(f"{where}: interruptible must be True or False, got {interruptible!r}")
        out.interruptible = interruptible
    name = values.get("name")
    if name is not None:
        if not isinstance(name, str):
            raise WorkflowCompileError(f"{where}: name must be a str, got {name!r}")
        out.name = name
    _cache(where, out, values)
    return out


def _cache(where: str, out: NodeMetadata, values: dict[str, object]) -> None:
    cache, version, serialize = (
        values.get("cache"),
        values.get("cache_version"),
        values.get("cache_serialize"),
    )
    if version is not None and not isinstance(version, str):
        raise WorkflowCompileError(f"{where}: cache_version must be a str, got {version!r}")
    if serialize is not None and not isinstance(serialize, bool):
        raise WorkflowCompileError(f"{where}: cache_serialize must be True or False, got {serialize!r}")
    if isinstance(cache, Cache):  # flytekit's: the Cache's version and serialize (not its ignored inputs)
        if version is not None or serialize is not None:
            raise WorkflowCompileError(
                f"{where}: cache=Cache(...) with cache_version= or cache_serialize=: cache_serialize, "
                "cache_version, and cache_ignore_input_vars are deprecated. Please use Cache object"
            )
        if cache.version is None:
            raise WorkflowCompileError(
                f"{where}: must specify cache version when overriding (a version computed by cache "
                "policies is not supported here, as in flytekit); write cache=Cache(version='1')"
            )
        version, serialize = cache.version, cache.serialize
        cache = True
    elif cache is not None and not isinstance(cache, bool):
        raise WorkflowCompileError(
            f"{where}: cache must be True, False or a flyweight.Cache, got {type(cache).__name__}; write "
            "cache=Cache(version='1')"
        )
    if cache is True and version is None:
        raise WorkflowCompileError(
            f"{where}: cache=True needs a cache version when overriding; write cache=True, cache_version='1'"
        )
    if cache is None:  # flytekit sets cacheable to the value given, None included
        out.ClearField("cacheable")
    else:
        out.cacheable = cache
    if version is not None:
        out.cache_version = version
    if serialize is not None:
        out.cache_serializable = serialize
