"""The one translation from a task to ``flyteidl.core.TaskTemplate`` (and its registration form).

``Task.serialize_to_model`` gathers the parts through the task's hooks and calls :func:`task_template`;
:func:`task_spec` wraps the same template for registration. There is no second path that could drift
(flytekit has two, and they disagree on secrets and decks).
"""

from __future__ import annotations

import typing
import warnings
from collections.abc import Mapping, Sequence
from typing import Protocol, TypeVar

from google.protobuf.message import Message

from flyweight._idl import (
    Container,
    DescriptionEntity,
    DescriptionFormat,
    ExtendedResources,
    Identifier,
    K8sPod,
    ResourceType,
    Secret,
    SecurityContext,
    Sql,
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
    "Documented",
    "check_size",
    "description_entity",
    "security_context",
    "task_spec",
    "task_template",
]

OUTPUT_ORDER_KEY = "flyweight.output_order"
"""Template ``config`` key holding a multi-output task's output names in declaration order (ADR 0005)."""

_M = TypeVar("_M")


class LongDescription(Protocol):
    """The long text of a ``Documentation`` (``flyweight.Description``): inline or a link to it."""

    @property
    def value(self) -> str | None: ...

    @property
    def uri(self) -> str | None: ...

    @property
    def icon_link(self) -> str | None: ...

    @property
    def format(self) -> int:
        """A ``flyteidl`` ``DescriptionFormat`` number."""
        ...


class SourceLink(Protocol):
    """Where the source of a task or workflow is (``flyweight.SourceCode``)."""

    @property
    def link(self) -> str | None: ...


class Documented(Protocol):
    """What a description is made of (``flyweight.Documentation`` has it all)."""

    @property
    def short_description(self) -> str | None: ...

    @property
    def long_description(self) -> LongDescription | None: ...

    @property
    def source_code(self) -> SourceLink | None: ...


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
                mount_requirement=typing.cast("Secret.MountType", int(s.mount_requirement)),
                env_var=s.env_var or "",
            )
        )
    return out


def _as_message(value: object, expected: type[_M], what: str) -> _M | None:
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
    custom: Mapping[str, object] | None,
    container: object,
    k8s_pod: object = None,
    sql: object = None,
    extended_resources: object = None,
    config: Mapping[str, str] | None = None,
    security: SecurityContext | None = None,
    output_order: Sequence[str] = (),
) -> TaskTemplate:
    """Assemble a ``TaskTemplate``; check its size against the settings' thresholds.

    ``container``, ``k8s_pod``, ``sql`` and ``extended_resources`` are what the task's hooks return: the
    message, a flytekit-style model with ``to_flyte_idl()``, or None; anything else is refused.

    ``output_order`` (the Python declaration order of outputs) is recorded under
    :data:`OUTPUT_ORDER_KEY` in ``config`` when there are two or more outputs.
    """
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
    checked_container = _as_message(container, Container, "get_container")
    if checked_container is not None:
        out.container.CopyFrom(checked_container)
    pod = _as_message(k8s_pod, K8sPod, "get_k8s_pod")
    if pod is not None:
        out.k8s_pod.CopyFrom(pod)
    checked_sql = _as_message(sql, Sql, "get_sql")
    if checked_sql is not None:
        out.sql.CopyFrom(checked_sql)
    resources = _as_message(extended_resources, ExtendedResources, "get_extended_resources")
    if resources is not None:
        out.extended_resources.CopyFrom(resources)
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


def task_spec(template: TaskTemplate, docs: Documented | None = None) -> TaskSpec:
    """The registration form (``flyteidl.admin.TaskSpec``) of a template; ``docs`` (a
    ``Documentation``) becomes its ``description``."""
    spec = TaskSpec(template=template)
    described = description_entity(docs)
    if described is not None:
        spec.description.CopyFrom(described)
    return spec


def description_entity(docs: Documented | None) -> DescriptionEntity | None:
    """The ``DescriptionEntity`` of a task's or workflow's ``Documentation`` (None for None)."""
    from flyweight._idl import Description, SourceCode

    if docs is None:
        return None
    entity = DescriptionEntity(short_description=docs.short_description or "")
    long = docs.long_description
    if long is not None:
        description = Description(icon_link=long.icon_link or "", format=_description_format(long.format))
        # value and uri are a oneof; flytekit sets value, then uri, so a uri wins when both are given
        if long.uri:
            description.uri = long.uri
        elif long.value:
            description.value = long.value
        entity.long_description.CopyFrom(description)
    source = docs.source_code
    if source is not None:
        entity.source_code.CopyFrom(SourceCode(link=source.link or ""))
    return entity


def _description_format(value: int | None) -> DescriptionFormat:
    """The enum of a ``DescriptionFormat`` number (on the wire, the number itself)."""
    return typing.cast("DescriptionFormat", int(value or 0))


def _largest_parts(tpl: TaskTemplate) -> list[tuple[str, int]]:
    parts: list[tuple[str, int]] = []
    for field, value in tpl.ListFields():
        if field.name == "custom":
            parts.extend((f"custom[{k!r}]", v.ByteSize()) for k, v in tpl.custom.fields.items())
        elif isinstance(value, Message):
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
