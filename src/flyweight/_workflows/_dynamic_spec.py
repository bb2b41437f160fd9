"""What a dynamic task hands Flyte: the ``DynamicJobSpec`` of its generated graph, and the settings for it.

A dynamic task's body runs in its container and builds a graph; Flyte's propeller then runs that graph as
a sub-workflow of the task's node. The container says so by writing ``futures.pb``, a serialized
``flyteidl.core.DynamicJobSpec`` (the nodes, the templates of every task they run, the sub-workflows, the
output bindings and ``min_successes``) instead of ``outputs.pb``. A body that creates no node has
nothing for Flyte to run: its outputs are constants, written as ``outputs.pb`` (flytekit's rule).

The templates inside the spec must name the same project, domain, version and images as the registered
task, which the container cannot know on its own: at registration the dynamic task's template carries
the serialization settings in the environment variable ``_F_SS_C`` (flytekit's format, gzip-compressed
JSON in base64, so either SDK's container reads the other's), and the container rebuilds them with the
task version Flyte passes (``FLYTE_INTERNAL_TASK_VERSION``). ADR 0019.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import io
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flyweight._settings import Image, ImageConfig, SerializationSettings
from flyweight.errors import TaskDefinitionError

if TYPE_CHECKING:
    from flyweight._idl import BindingData, DynamicJobSpec, Literal, LiteralMap
    from flyweight._workflows._workflow import WorkflowBase

__all__ = [
    "SERIALIZED_CONTEXT_ENV_VAR",
    "job_spec",
    "runtime_settings",
    "serialized_context",
    "settings_from_context",
    "with_serialized_context",
]

SERIALIZED_CONTEXT_ENV_VAR = "_F_SS_C"
"""The container environment variable holding the registration's serialization settings (flytekit's)."""


def _image(image: Image | None) -> dict[str, Any] | None:
    if image is None:
        return None
    return {"name": image.name, "fqn": image.fqn, "tag": image.tag, "digest": image.digest}


def _fast(value: object) -> dict[str, Any] | None:
    if value is None:
        return None
    return {
        "enabled": bool(getattr(value, "enabled", False)),
        "destination_dir": getattr(value, "destination_dir", None),
        "distribution_location": getattr(value, "distribution_location", None),
    }


def settings_json(settings: SerializationSettings) -> str:
    """``settings`` as flytekit's ``SerializationSettings.to_json()`` writes them (its fields, its order;
    flyweight has no ``default_resources``, so it is always null)."""
    config = settings.image_config
    data = {
        "image_config": {
            "default_image": _image(config.default_image),
            "images": [_image(i) for i in config.images],
        },
        "project": settings.project,
        "domain": settings.domain,
        "version": settings.version,
        "env": settings.env,
        "default_resources": None,
        "git_repo": settings.git_repo,
        "python_interpreter": settings.python_interpreter,
        "flytekit_virtualenv_root": settings.flytekit_virtualenv_root,
        "fast_serialization_settings": _fast(settings.fast_serialization_settings),
        "source_root": settings.source_root,
    }
    return json.dumps(data)


def serialized_context(settings: SerializationSettings) -> str:
    """The value of ``_F_SS_C`` for ``settings``: gzip (no timestamp, so the bytes are stable) in base64.

    Settings that already carry one return it unchanged, as flytekit does.
    """
    if settings.env and SERIALIZED_CONTEXT_ENV_VAR in settings.env:
        return settings.env[SERIALIZED_CONTEXT_ENV_VAR]
    buf = io.BytesIO()
    with gzip.GzipFile(mode="wb", fileobj=buf, mtime=0) as f:
        f.write(settings_json(settings).encode("utf-8"))
    return base64.b64encode(buf.getvalue()).decode("utf-8")


def with_serialized_context(settings: SerializationSettings) -> SerializationSettings:
    """``settings`` with ``_F_SS_C`` added to their environment (unchanged when it is there already)."""
    if settings.env and SERIALIZED_CONTEXT_ENV_VAR in settings.env:
        return settings
    env = dict(settings.env or {})
    env[SERIALIZED_CONTEXT_ENV_VAR] = serialized_context(settings)
    return settings.with_overrides(env=env)


def _image_from(data: object, where: str) -> Image | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        raise TaskDefinitionError(f"{where}: expected an image object, got {type(data).__name__}")
    return Image(name=data["name"], fqn=data["fqn"], tag=data.get("tag"), digest=data.get("digest"))


def settings_from_context(value: str) -> SerializationSettings:
    """The settings ``_F_SS_C`` holds (written by flyweight or by flytekit).

    Raises:
        TaskDefinitionError: the value is not base64 of gzip-compressed JSON settings.
    """
    where = f"${SERIALIZED_CONTEXT_ENV_VAR}"
    try:
        data = json.loads(gzip.decompress(base64.b64decode(value.encode("utf-8"))).decode("utf-8"))
    except (ValueError, OSError, EOFError) as e:
        raise TaskDefinitionError(
            f"{where}: expected serialization settings as base64 of gzip-compressed JSON (written at "
            f"registration), got {value[:40]!r}…: {e}"
        ) from e
    if not isinstance(data, dict):
        raise TaskDefinitionError(f"{where}: expected a JSON object, got {type(data).__name__}")
    config = data.get("image_config") or {}
    images = [_image_from(i, f"{where} image_config.images") for i in config.get("images") or []]
    image_config = ImageConfig(
        default_image=_image_from(config.get("default_image"), f"{where} image_config.default_image"),
        images=[i for i in images if i is not None],
    )
    fast = data.get("fast_serialization_settings")
    return SerializationSettings(
        image_config=image_config,
        project=data.get("project"),
        domain=data.get("domain"),
        version=data.get("version"),
        env=data.get("env"),
        git_repo=data.get("git_repo"),
        python_interpreter=data.get("python_interpreter") or "/opt/venv/bin/python3",
        flytekit_virtualenv_root=data.get("flytekit_virtualenv_root"),
        fast_serialization_settings=_FastSettings(**fast) if isinstance(fast, dict) else None,
        source_root=data.get("source_root"),
    )


@dataclasses.dataclass(frozen=True)
class _FastSettings:
    """flytekit's ``FastSerializationSettings`` fields, as read back from ``_F_SS_C``."""

    enabled: bool = False
    destination_dir: str | None = None
    distribution_location: str | None = None


def _first(environ: Mapping[str, str], *names: str) -> str:
    for name in names:
        if name in environ:
            return environ[name]
    return ""


def runtime_settings(environ: Mapping[str, str]) -> SerializationSettings:
    """The settings a dynamic task serializes its graph with inside its container (flytekit's rule).

    Those of ``_F_SS_C`` when set (else the default image config), with the execution's project and
    domain when they name none, and always the running task's version (``FLYTE_INTERNAL_TASK_VERSION``,
    empty when Flyte does not set it).
    """
    value = environ.get(SERIALIZED_CONTEXT_ENV_VAR, "")
    settings = settings_from_context(value) if value else SerializationSettings()
    return settings.with_overrides(
        project=settings.project or _first(environ, "FLYTE_INTERNAL_EXECUTION_PROJECT", "_F_PRJ"),
        domain=settings.domain or _first(environ, "FLYTE_INTERNAL_EXECUTION_DOMAIN", "_F_DM"),
        version=_first(environ, "FLYTE_INTERNAL_TASK_VERSION", "_F_TK_V"),
    )


def _literal(data: BindingData) -> Literal:
    """A constant ``BindingData`` as the ``Literal`` it stands for (no promise may be inside)."""
    from flyweight._idl import Literal, LiteralCollection, LiteralMap

    kind = data.WhichOneof("value")
    if kind == "collection":
        return Literal(collection=LiteralCollection(literals=[_literal(b) for b in data.collection.bindings]))
    if kind == "map":
        return Literal(map=LiteralMap(literals={k: _literal(v) for k, v in data.map.bindings.items()}))
    if kind == "scalar":
        return Literal(scalar=data.scalar)
    raise TypeError(f"a binding of kind {kind!r} is not a constant")


def constant_outputs(workflow: WorkflowBase) -> LiteralMap:
    """The outputs of a generated graph without nodes: its output bindings, all constants, as literals."""
    from flyweight._idl import LiteralMap
    from flyweight._workflows._to_idl import binding_data

    return LiteralMap(literals={b.var: _literal(binding_data(b.value)) for b in workflow.output_bindings})


def job_spec(workflow: WorkflowBase, settings: SerializationSettings) -> DynamicJobSpec | LiteralMap:
    """What the container writes for a generated graph: its ``DynamicJobSpec`` (``futures.pb``), or
    the constant outputs (``outputs.pb``) when the body created no node.

    The nodes, output bindings and sub-workflows are those of the graph's ``WorkflowSpec``; ``tasks``
    holds the template of every task serialized on the way, in registration order (those of launch
    plans' workflows included, as flytekit gathers them); ``min_successes`` is the number of nodes.
    """
    from flyweight._idl import DynamicJobSpec, TaskSpec
    from flyweight._tasks import Task
    from flyweight._workflows._to_idl import workflow_spec

    if not workflow.nodes:
        return constant_outputs(workflow)
    mapping: dict[object, Any] = {}
    spec = workflow_spec(workflow, settings, mapping)
    template = spec.template
    out = DynamicJobSpec(min_successes=len(template.nodes))
    out.nodes.extend(template.nodes)
    out.outputs.extend(template.outputs)
    tasks = [v.template for k, v in mapping.items() if isinstance(k, Task) and isinstance(v, TaskSpec)]
    out.tasks.extend(tasks)
    out.subworkflows.extend(spec.sub_workflows)
    return out
