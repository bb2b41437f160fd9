"""A stand-in for the ``kubernetes`` package, which neither SDK's test environment installs.

flytekit 1.16.14 needs ``kubernetes.client`` to build and serialize a ``PodTemplate`` (``V1PodSpec``,
``V1Container``, ``V1EnvVar``, ``V1ResourceRequirements``, ``ApiClient().sanitize_for_serialization``).
These classes have the shape of the generated OpenAPI models (``openapi_types``, ``attribute_map``,
keyword constructors) and ``ApiClient`` follows ``sanitize_for_serialization``'s rules: a model becomes a
dict under its JSON names without its None fields. :func:`install` puts them into ``sys.modules``.
"""

from __future__ import annotations

import datetime
import sys
import types
from typing import Any

import pytest

_MODELS: dict[str, list[tuple[str, str]]] = {
    "V1PodSpec": [
        ("containers", "containers"),
        ("node_selector", "nodeSelector"),
        ("restart_policy", "restartPolicy"),
        ("service_account_name", "serviceAccountName"),
        ("tolerations", "tolerations"),
        ("volumes", "volumes"),
    ],
    "V1Container": [
        ("args", "args"),
        ("command", "command"),
        ("env", "env"),
        ("image", "image"),
        ("name", "name"),
        ("resources", "resources"),
        ("volume_mounts", "volumeMounts"),
    ],
    "V1EnvVar": [("name", "name"), ("value", "value")],
    "V1ResourceRequirements": [("limits", "limits"), ("requests", "requests")],
    "V1Toleration": [("effect", "effect"), ("key", "key"), ("operator", "operator"), ("value", "value")],
}


def _model(name: str, fields: list[tuple[str, str]]) -> type:
    def __init__(self: Any, **kwargs: Any) -> None:
        for attr, _ in fields:
            setattr(self, attr, kwargs.pop(attr, None))
        if kwargs:
            raise TypeError(f"{name}: unexpected {sorted(kwargs)}")

    def to_dict(self: Any) -> dict[str, Any]:
        return {attr: getattr(self, attr) for attr, _ in fields}

    return type(
        name,
        (),
        {
            "openapi_types": {attr: "object" for attr, _ in fields},
            "attribute_map": dict(fields),
            "__init__": __init__,
            "to_dict": to_dict,
        },
    )


class ApiClient:
    """``sanitize_for_serialization`` only."""

    def sanitize_for_serialization(self, obj: Any) -> Any:
        if obj is None or isinstance(obj, (str, int, float, bool, bytes)):
            return obj
        if isinstance(obj, list):
            return [self.sanitize_for_serialization(o) for o in obj]
        if isinstance(obj, tuple):
            return tuple(self.sanitize_for_serialization(o) for o in obj)
        if isinstance(obj, (datetime.datetime, datetime.date)):
            return obj.isoformat()
        if isinstance(obj, dict):
            data = obj
        else:
            data = {
                obj.attribute_map[attr]: getattr(obj, attr)
                for attr in obj.openapi_types
                if getattr(obj, attr) is not None
            }
        return {k: self.sanitize_for_serialization(v) for k, v in data.items()}


def models() -> types.SimpleNamespace:
    """The model classes, by name."""
    return types.SimpleNamespace(**{name: _model(name, fields) for name, fields in _MODELS.items()})


def install(monkeypatch: pytest.MonkeyPatch) -> types.SimpleNamespace:
    """Put ``kubernetes``, ``kubernetes.client`` and ``kubernetes.client.models`` into ``sys.modules``."""
    found = models()
    package = types.ModuleType("kubernetes")
    client = types.ModuleType("kubernetes.client")
    model_module = types.ModuleType("kubernetes.client.models")
    for module in (client, model_module):
        for name in _MODELS:
            setattr(module, name, getattr(found, name))
    client.ApiClient = ApiClient  # type: ignore[attr-defined]
    client.models = model_module  # type: ignore[attr-defined]
    package.client = client  # type: ignore[attr-defined]
    for name, module in (
        ("kubernetes", package),
        ("kubernetes.client", client),
        ("kubernetes.client.models", model_module),
    ):
        monkeypatch.setitem(sys.modules, name, module)
    return found
