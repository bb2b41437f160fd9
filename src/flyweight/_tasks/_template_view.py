"""The task template as an executor sees it: a light view over the ``flyteidl`` message.

Executors written for flytekit receive flytekit's model objects and read ``tt.custom["key"]`` (a dict),
``tt.id.name``, ``tt.interface.inputs`` (name → variable), ``tt.container.env`` (a dict) or
``tt.metadata.timeout`` (a timedelta). :class:`TaskTemplate` answers those the same way, so such
executors run unchanged; anything else falls through to the protobuf message (``tt.to_flyte_idl()``).
Each view decodes ``custom`` at most once and owns that dict: an executor that edits it changes only
its own copy. :meth:`TaskTemplate.custom_as` gives a dataclass config back with field types restored.
"""

from __future__ import annotations

import builtins
import datetime
from typing import Any, TypeVar

from flyweight import _idl
from flyweight._serialize import OUTPUT_ORDER_KEY, struct_to_dict
from flyweight._tasks._config import custom_to_config

__all__ = ["TaskTemplate", "output_order"]

C = TypeVar("C")


class _View:
    __slots__ = ("_pb",)

    def __init__(self, pb: Any) -> None:
        self._pb = pb

    def __getattr__(self, name: str) -> Any:
        return getattr(self._pb, name)

    def to_flyte_idl(self) -> Any:
        return self._pb

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self._pb).strip()!r})"


class _Interface(_View):
    __slots__ = ()

    @property
    def inputs(self) -> dict[str, Any]:
        return dict(self._pb.inputs.variables)

    @property
    def outputs(self) -> dict[str, Any]:
        return dict(self._pb.outputs.variables)


class _Container(_View):
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


class _Metadata(_View):
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

    __slots__ = ("_custom", "_pb")

    def __init__(self, pb: _idl.TaskTemplate) -> None:
        self._pb = pb
        self._custom: dict[str, Any] | None = None

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
    def metadata(self) -> Any:
        return _Metadata(self._pb.metadata)

    @property
    def interface(self) -> Any:
        return _Interface(self._pb.interface)

    @property
    def custom(self) -> dict[str, Any]:
        """``custom`` as a dict (numbers are floats: the Struct stores doubles); ``{}`` when absent."""
        if self._custom is None:
            self._custom = struct_to_dict(self._pb.custom) if self._pb.HasField("custom") else {}
        return self._custom

    def custom_as(self, cls: builtins.type[C]) -> C:
        """``custom`` rebuilt as the dataclass ``cls`` with field types restored (an int stays an int).

        This is how an executor gets back a dataclass ``task_config``::

            cfg = tt.custom_as(MyConfig)
        """
        return custom_to_config(self.custom, cls)

    @property
    def container(self) -> Any:
        return _Container(self._pb.container) if self._pb.HasField("container") else None

    @property
    def config(self) -> dict[str, str]:
        return dict(self._pb.config)

    @property
    def security_context(self) -> Any:
        return self._pb.security_context if self._pb.HasField("security_context") else None

    @property
    def k8s_pod(self) -> Any:
        return self._pb.k8s_pod if self._pb.HasField("k8s_pod") else None

    @property
    def sql(self) -> Any:
        return self._pb.sql if self._pb.HasField("sql") else None

    @property
    def extended_resources(self) -> Any:
        return self._pb.extended_resources if self._pb.HasField("extended_resources") else None

    def __repr__(self) -> str:
        return f"TaskTemplate(id={self._pb.id.name!r}, type={self._pb.type!r})"


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
