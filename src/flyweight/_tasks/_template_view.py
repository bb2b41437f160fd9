"""The task template as an executor sees it: a light view over the ``flyteidl`` message.

Executors written for flytekit receive flytekit's model objects and read ``tt.custom["key"]`` (a dict),
``tt.id.name``, ``tt.interface.inputs`` (name → variable, ADR 0022), ``tt.container.env`` (a dict) or
``tt.metadata.timeout`` (a timedelta). :class:`TaskTemplate` answers those the same way, so such
executors run unchanged; anything else falls through to the protobuf message (``tt.to_flyte_idl()``).
Each view owns its ``custom`` dict, made on first access: an executor that edits it changes only its own
copy. Views made for the runs of one template share the decoded dict and each copies it (far cheaper
than decoding the ``Struct`` again). :meth:`TaskTemplate.custom_as` gives a dataclass config back with
field types restored.
"""

from __future__ import annotations

import builtins
import datetime
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from flyweight import _idl
from flyweight._serialize import OUTPUT_ORDER_KEY, struct_to_dict
from flyweight._tasks._config import custom_to_config

if TYPE_CHECKING:
    from flyweight._tasks._model_views import TypedInterfaceView

__all__ = ["TaskTemplate", "copy_custom", "decode_custom", "output_order"]

C = TypeVar("C")
M = TypeVar("M")


class _View(Generic[M]):
    """A message, with flytekit's model attributes where they differ; any other attribute is the
    message's own."""

    __slots__ = ("_pb",)

    def __init__(self, pb: M) -> None:
        self._pb = pb

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pb, name)

    def to_flyte_idl(self) -> M:
        return self._pb

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self._pb).strip()!r})"


class _Container(_View["_idl.Container"]):
    __slots__ = ()

    @property
    def command(self) -> list[str]:
        return list(self._pb.command)

    @property
    def args(self) -> list[str]:
        return list(self._pb.args)

    @property
    def env(self) -> dict[str, str]:
        return {kv.key: kv.value for kv in self._pb.env}

    @property
    def config(self) -> dict[str, str]:
        return {kv.key: kv.value for kv in self._pb.config}


class _Metadata(_View["_idl.TaskMetadata"]):
    __slots__ = ()

    @property
    def timeout(self) -> datetime.timedelta:
        return self._pb.timeout.ToTimedelta() if self._pb.HasField("timeout") else datetime.timedelta(0)

    @property
    def interruptible(self) -> bool | None:
        return self._pb.interruptible if self._pb.HasField("interruptible") else None

    @property
    def generates_deck(self) -> bool:
        return self._pb.generates_deck.value if self._pb.HasField("generates_deck") else False

    @property
    def cache_ignore_input_vars(self) -> tuple[str, ...]:
        return tuple(self._pb.cache_ignore_input_vars)


class TaskTemplate:
    """An executor's read-only view of a ``flyteidl.core.TaskTemplate``.

    Example:
        >>> from flyweight import _idl
        >>> pb = _idl.TaskTemplate(type="demo")
        >>> pb.custom.update({"n": 3})
        >>> tt = TaskTemplate(pb)
        >>> tt.custom["n"], tt.type
        (3.0, 'demo')
    """

    __slots__ = ("_custom", "_decoded", "_input_order", "_interface", "_pb")

    def __init__(
        self,
        pb: _idl.TaskTemplate,
        *,
        decoded_custom: Mapping[str, Any] | None = None,
        input_order: Collection[str] | None = None,
    ) -> None:
        """``decoded_custom``, when given, is ``custom`` already decoded from ``pb`` (by
        :func:`decode_custom`); the view copies it on first access and never changes it.
        ``input_order``, when given, is the inputs' declaration order (a template does not record it)."""
        self._pb = pb
        self._custom: dict[str, Any] | None = None
        self._decoded = decoded_custom
        self._input_order = input_order
        self._interface: TypedInterfaceView | None = None

    @classmethod
    def from_bytes(cls, data: bytes) -> TaskTemplate:
        return cls(_idl.TaskTemplate.FromString(data))

    def to_flyte_idl(self) -> _idl.TaskTemplate:
        """The underlying protobuf message."""
        return self._pb

    @property
    def id(self) -> _idl.Identifier:
        return self._pb.id

    @property
    def type(self) -> str:
        return self._pb.type

    @property
    def task_type_version(self) -> int:
        return self._pb.task_type_version

    @property
    def metadata(self) -> _Metadata:
        return _Metadata(self._pb.metadata)

    @property
    def interface(self) -> TypedInterfaceView:
        """The interface as flytekit's model reads (ADR 0022): ``inputs`` / ``outputs`` map names to
        variables, inputs in declaration order when known, outputs in the order the template records."""
        view = self._interface
        if view is None:
            from flyweight._tasks._model_views import TypedInterfaceView  # loaded when an executor reads it

            pb = self._pb
            view = self._interface = TypedInterfaceView(pb.interface, self._input_order, output_order(pb))
        return view

    @property
    def custom(self) -> dict[str, Any]:
        """``custom`` as a dict (numbers are floats: the Struct stores doubles); ``{}`` when absent."""
        if self._custom is None:
            decoded = self._decoded
            self._custom = decode_custom(self._pb) if decoded is None else copy_custom(decoded)
        return self._custom

    def custom_as(self, cls: builtins.type[C]) -> C:
        """``custom`` rebuilt as the dataclass ``cls`` with field types restored (an int stays an int).

        This is how an executor gets back a dataclass ``task_config``::

            cfg = tt.custom_as(MyConfig)
        """
        return custom_to_config(self.custom, cls)

    @property
    def container(self) -> _Container | None:
        return _Container(self._pb.container) if self._pb.HasField("container") else None

    @property
    def config(self) -> dict[str, str]:
        return dict(self._pb.config)

    @property
    def security_context(self) -> _idl.SecurityContext | None:
        return self._pb.security_context if self._pb.HasField("security_context") else None

    @property
    def k8s_pod(self) -> _idl.K8sPod | None:
        return self._pb.k8s_pod if self._pb.HasField("k8s_pod") else None

    @property
    def sql(self) -> _idl.Sql | None:
        return self._pb.sql if self._pb.HasField("sql") else None

    @property
    def extended_resources(self) -> _idl.ExtendedResources | None:
        return self._pb.extended_resources if self._pb.HasField("extended_resources") else None

    def __repr__(self) -> str:
        return f"TaskTemplate(id={self._pb.id.name!r}, type={self._pb.type!r})"


def decode_custom(pb: _idl.TaskTemplate) -> dict[str, Any]:
    """``pb.custom`` as a dict (``{}`` when absent)."""
    return struct_to_dict(pb.custom) if pb.HasField("custom") else {}


_NESTED = (dict, list)


def copy_custom(value: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a decoded ``custom`` that shares nothing mutable with it (its values are JSON-like:
    dicts and lists are copied, everything else is immutable)."""
    return {k: _copy_nested(v) if type(v) in _NESTED else v for k, v in value.items()}


def _copy_nested(value: Any) -> Any:
    if type(value) is dict:
        return copy_custom(value)
    return [_copy_nested(v) if type(v) in _NESTED else v for v in value]


def output_order(pb: _idl.TaskTemplate) -> list[str] | None:
    """Output names in their Python declaration order, or None when the template cannot tell.

    One or no outputs need no order. With two or more, the order is read from the template's
    ``config`` (written by flyweight); a protobuf map's own order is not kept by serializers.
    """
    names = list(pb.interface.outputs.variables)
    if len(names) <= 1:
        return names
    recorded = pb.config.get(OUTPUT_ORDER_KEY)
    if recorded is None:
        return None
    order = recorded.split(",")
    if sorted(order) != sorted(names):
        return None
    return order
