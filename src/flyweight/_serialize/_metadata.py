"""A task's metadata (retries, timeout, cache, deck, labels …) → ``flyteidl.core.TaskMetadata``.

Field presence follows flytekit byte for byte: ``retries``, ``generates_deck`` and ``metadata`` are
always present (empty when unset), ``interruptible`` only when it is a bool, ``timeout`` only when
non-zero. ``runtime`` names flyweight and its version.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Protocol

from flyweight._idl import K8sObjectMetadata, RetryStrategy, RuntimeMetadata, TaskMetadata
from flyweight._version import __version__

__all__ = ["MetadataSource", "task_metadata"]


class MetadataSource(Protocol):
    """What serialization reads from a task's metadata (``flyweight.TaskMetadata`` has all of it)."""

    @property
    def cache(self) -> bool: ...
    @property
    def cache_serialize(self) -> bool: ...
    @property
    def cache_version(self) -> str: ...
    @property
    def cache_ignore_input_vars(self) -> Sequence[str]: ...
    @property
    def interruptible(self) -> bool | None: ...
    @property
    def deprecated(self) -> str: ...
    @property
    def retries(self) -> int: ...
    @property
    def timeout(self) -> datetime.timedelta | int | None: ...
    @property
    def pod_template_name(self) -> str | None: ...
    @property
    def generates_deck(self) -> bool: ...
    @property
    def is_eager(self) -> bool: ...
    @property
    def labels(self) -> Mapping[str, str] | None: ...
    @property
    def annotations(self) -> Mapping[str, str] | None: ...


def task_metadata(meta: MetadataSource, *, generates_deck: bool) -> TaskMetadata:
    """The wire form of ``meta``; ``generates_deck`` is passed separately so the task's own metadata is
    never changed by serializing it (flytekit's registration path mutates it)."""
    out = TaskMetadata(
        discoverable=meta.cache,
        runtime=RuntimeMetadata(type=RuntimeMetadata.FLYTE_SDK, version=__version__, flavor="python"),
        retries=RetryStrategy(retries=meta.retries),
        discovery_version=meta.cache_version,
        deprecated_error_message=meta.deprecated,
        cache_serializable=meta.cache_serialize,
        pod_template_name=meta.pod_template_name or "",
        cache_ignore_input_vars=list(meta.cache_ignore_input_vars),
        is_eager=meta.is_eager,
        metadata=K8sObjectMetadata(labels=dict(meta.labels or {}), annotations=dict(meta.annotations or {})),
    )
    timeout = meta.timeout
    if timeout:
        if isinstance(timeout, datetime.timedelta):
            out.timeout.FromTimedelta(timeout)
        else:
            out.timeout.FromSeconds(int(timeout))
    if meta.interruptible is not None:
        out.interruptible = meta.interruptible
    out.generates_deck.SetInParent()
    out.generates_deck.value = generates_deck
    return out
