"""``PodTemplate``: the Kubernetes pod a task runs in, as plain data (flytekit's ``flytekit.PodTemplate``).

flyweight does not depend on the ``kubernetes`` package. ``pod_spec`` is a plain dict in the Kubernetes
JSON form (camelCase keys, as ``kubectl`` shows it: ``{"containers": [...], "nodeSelector": {...}}``), or
a ``kubernetes.client`` model object (``V1PodSpec``), turned into that form as
``ApiClient().sanitize_for_serialization`` does, without importing ``kubernetes``.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Mapping
from typing import Any

__all__ = ["PRIMARY_CONTAINER_DEFAULT_NAME", "PodTemplate", "sanitize_pod_spec"]

PRIMARY_CONTAINER_DEFAULT_NAME = "primary"


@dataclasses.dataclass
class PodTemplate:
    """A custom pod for a task (``@task(pod_template=...)``, ``with_overrides(pod_template=...)``).

    Attributes:
        pod_spec: the pod spec: a dict in Kubernetes JSON form, a ``kubernetes.client.V1PodSpec``, or
            None (no containers but the task's own).
        primary_container_name: the container that runs the task; flyweight fills in its image (when the
            spec gives none), arguments, resources and environment, and adds it when the spec lacks it.
        labels: labels of the pod.
        annotations: annotations of the pod.
    """

    pod_spec: Any = None
    primary_container_name: str = PRIMARY_CONTAINER_DEFAULT_NAME
    labels: dict[str, str] | None = None
    annotations: dict[str, str] | None = None

    def __post_init__(self) -> None:
        if self.pod_spec is None:
            self.pod_spec = {"containers": []}
        if not isinstance(self.primary_container_name, str) or not self.primary_container_name:
            raise ValueError(
                "PodTemplate: a primary container name cannot be undefined, got "
                f"{self.primary_container_name!r}"
            )
        for field in ("labels", "annotations"):
            value = getattr(self, field)
            if value is not None and (
                not isinstance(value, Mapping)
                or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
            ):
                raise ValueError(f"PodTemplate: {field} must be a dict of str to str, got {value!r}")
        spec = sanitize_pod_spec(self.pod_spec)
        if not isinstance(spec, dict):
            raise ValueError(
                "PodTemplate: pod_spec must be a dict in Kubernetes JSON form ({'containers': [...]}) or a "
                f"kubernetes.client.V1PodSpec, got {type(self.pod_spec).__name__}"
            )
        containers = spec.get("containers", [])
        if not isinstance(containers, list) or not all(
            isinstance(c, dict) and isinstance(c.get("name"), str) for c in containers
        ):
            raise ValueError(
                "PodTemplate: pod_spec['containers'] must be a list of containers, each a dict with a "
                f"'name', got {containers!r}"
            )


def sanitize_pod_spec(obj: Any) -> Any:
    """``obj`` in Kubernetes JSON form, as ``kubernetes.client.ApiClient().sanitize_for_serialization``
    writes it: a model object becomes a dict under its JSON names without its None fields; dicts, lists
    and tuples are copied through; dates become ISO strings; anything else stays as it is."""
    if obj is None or isinstance(obj, (str, int, float, bool, bytes)):
        return obj
    if isinstance(obj, (list, tuple)):
        return [sanitize_pod_spec(item) for item in obj]
    if isinstance(obj, (datetime.datetime, datetime.date)):
        return obj.isoformat()
    if isinstance(obj, Mapping):
        return {key: sanitize_pod_spec(value) for key, value in obj.items()}
    types = getattr(obj, "openapi_types", None)
    names = getattr(obj, "attribute_map", None)
    if isinstance(types, Mapping) and isinstance(names, Mapping):
        return {
            names[attr]: sanitize_pod_spec(getattr(obj, attr))
            for attr in types
            if getattr(obj, attr) is not None
        }
    return obj
