"""The one translation from a task to ``flyteidl.core.TaskTemplate`` (and its registration form).

``Task.serialize_to_model`` gathers the parts through the task's hooks and calls :func:`task_template`;
:func:`task_spec` wraps the same template for registration. There is no second path that could drift
(flytekit has two, and they disagree on secrets and decks).
"""

from __future__ import annotations

import typing
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

from flyweight._idl import (
    Container,
    DescriptionEntity,
    Identifier,
    ResourceType,
    Secret,
    SecurityContext,
    TaskMetadata,
    TaskSpec,
    TaskTemplate,
    TypedInterface,
    as_message,
)
from flyweight._serialize._struct import dict_to_struct
from flyweight._settings import SecurityContext as SecurityValues, SerializationSettings
from flyweight.errors import TaskDefinitionError, TemplateTooLargeError

__all__ = [
    "OUTPUT_ORDER_KEY",
    "check_size",
    "description_entity",
    "security_context",
    "task_spec",
    "task_template",
]

OUTPUT_ORDER_KEY = "flyweight.output_order"
"""Template ``config`` key holding a multi-output task's output names in declaration order (ADR 0005)."""


def security_context(values: SecurityValues | None) -> SecurityContext | None:
    """The wire form of a task's secret requests, or None when it has none."""
    if values is None or not values.secrets:
        return None
    out = SecurityContext()
    for s in values.secrets:
        out.secrets.append(
            Secret(
                group=s.group or "",
                key=s.key or "",
                group_version=s.group_version or "",
                mount_requirement=typing.cast(Any, int(s.mount_requirement)),
                env_var=s.env_var or "",
            )
        )
    return out


def _as_message(value: Any, expected: type[Any], what: str) -> Any:
    """Accept a flyteidl message or a flytekit-style model with ``to_flyte_idl()`` from a hook."""
    if value is None:
        return None
    message = as_message(value, expected)
    if message is not None:
        return message
    raise TaskDefinitionError(
        f"{what} must return a {expected.__name__} message or None, got {type(value).__name__}"
    )


def task_template(
    *,
    name: str,
    settings: SerializationSettings,
    task_type: str,
    task_type_version: int,
    metadata: TaskMetadata,
    interface: TypedInterface,
    custom: Mapping[str, Any] | None,
    container: Any,
    k8s_pod: Any = None,
    sql: Any = None,
    extended_resources: Any = None,
    config: Mapping[str, str] | None = None,
    security: SecurityContext | None = None,
    output_order: Sequence[str] = (),
) -> TaskTemplate:
    """Assemble a ``TaskTemplate``; check its size against the settings' thresholds.

    ``output_order`` (the Python declaration order of outputs) is recorded under
    :data:`OUTPUT_ORDER_KEY` in ``config`` when there are two or more outputs.
    """
    from flyweight._idl import ExtendedResources, K8sPod, Sql

    out = TaskTemplate(
        id=Identifier(
            resource_type=ResourceType.TASK,
            project=settings.project or "",
            domain=settings.domain or "",
            name=name,
            version=settings.version or "",
        ),
        type=task_type,
        metadata=metadata,
        interface=interface,
        task_type_version=task_type_version,
    )
    if custom:
        out.custom.CopyFrom(dict_to_struct(custom))
    parts = (
        ("container", container, Container, "get_container"),
        ("k8s_pod", k8s_pod, K8sPod, "get_k8s_pod"),
        ("sql", sql, Sql, "get_sql"),
        ("extended_resources", extended_resources, ExtendedResources, "get_extended_resources"),
    )
    for field, value, message_type, hook in parts:
        msg = _as_message(value, message_type, hook)
        if msg is not None:
            getattr(out, field).CopyFrom(msg)
    cfg = dict(config or {})
    for k, v in cfg.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise TaskDefinitionError(f"get_config must return str → str, got {k!r}: {v!r}")
    if len(output_order) >= 2:
        cfg[OUTPUT_ORDER_KEY] = ",".join(output_order)
    out.config.update(cfg)
    if security is not None:
        out.security_context.CopyFrom(security)
    check_size(out, name, settings)
    return out


def task_spec(template: TaskTemplate, docs: Any = None) -> TaskSpec:
    """The registration form (``flyteidl.admin.TaskSpec``) of a template; ``docs`` (a
    ``Documentation``) becomes its ``description``."""
    spec = TaskSpec(template=template)
    described = description_entity(docs)
    if described is not None:
        spec.description.CopyFrom(described)
    return spec


def description_entity(docs: Any) -> DescriptionEntity | None:
    """The ``DescriptionEntity`` of a task's or workflow's ``Documentation`` (None for None)."""
    from flyweight._idl import Description, SourceCode

    if docs is None:
        return None
    entity = DescriptionEntity(short_description=getattr(docs, "short_description", None) or "")
    long = getattr(docs, "long_description", None)
    if long is not None:
        description = Description(
            icon_link=getattr(long, "icon_link", None) or "",
            format=_description_format(getattr(long, "format", 0)),
        )
        # value and uri are a oneof; flytekit sets value, then uri, so a uri wins when both are given
        if getattr(long, "uri", None):
            description.uri = long.uri
        elif getattr(long, "value", None):
            description.value = long.value
        entity.long_description.CopyFrom(description)
    source = getattr(docs, "source_code", None)
    if source is not None:
        entity.source_code.CopyFrom(SourceCode(link=getattr(source, "link", None) or ""))
    return entity


def _description_format(value: Any) -> Any:
    from flyweight._idl import description_entity_pb2

    return description_entity_pb2.DescriptionFormat.ValueType(int(value or 0))


def _largest_parts(tpl: TaskTemplate) -> list[tuple[str, int]]:
    parts: list[tuple[str, int]] = []
    for field, value in tpl.ListFields():
        if field.name == "custom":
            parts.extend((f"custom[{k!r}]", v.ByteSize()) for k, v in tpl.custom.fields.items())
        elif hasattr(value, "ByteSize"):
            parts.append((field.name, value.ByteSize()))
    parts.sort(key=lambda p: -p[1])
    return parts[:3]


def check_size(tpl: TaskTemplate, name: str, settings: SerializationSettings) -> None:
    """Warn above ``settings.template_size_warn_bytes``, refuse above ``template_size_limit_bytes``.

    Flyte stores templates in etcd and sends them over gRPC; a large one fails much later, on the
    cluster (about 1.5 MB in etcd, 4 MB per gRPC message). Big data belongs in inputs, not ``custom``.
    """
    size = tpl.ByteSize()
    warn_at, limit = settings.template_size_warn_bytes, settings.template_size_limit_bytes
    if size <= warn_at:
        return
    largest = ", ".join(f"{n} {s:,} bytes" for n, s in _largest_parts(tpl))
    if size > limit:
        raise TemplateTooLargeError(
            f"task {name!r}: its template is {size:,} bytes, over the limit of {limit:,} "
            f"(largest parts: {largest}). Pass large data as an input or a file instead of in the "
            "template, or raise SerializationSettings.template_size_limit_bytes."
        )
    warnings.warn(
        f"task {name!r}: its template is {size:,} bytes, over {warn_at:,} (largest parts: {largest}); "
        "Flyte fetches templates often, keep them small",
        UserWarning,
        stacklevel=3,
    )
