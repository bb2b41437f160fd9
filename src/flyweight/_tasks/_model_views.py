"""Read-only views of interface messages that read like flytekit's models (ADR 0022).

flytekit's ``task.interface`` is a ``flytekit.models.interface.TypedInterface`` whose ``inputs`` and
``outputs`` are dicts of ``Variable`` models (``.type`` a ``LiteralType`` model: an unset field is None,
``metadata`` a dict). flyweight keeps the ``flyteidl`` message (ADR 0001) and gives user code a view of it
instead: :class:`TypedInterfaceView` (``inputs`` / ``outputs`` are :class:`VariableMapView` mappings of
:class:`VariableView`, whose ``type`` is a :class:`LiteralTypeView`).

The views are made on access and copy nothing: each holds the message it reads. They cannot change it:
no setter, no mutating method, sub-messages handed out as views too, and ``to_flyte_idl()`` returns a
copy (as a flytekit model builds a new message). Any attribute a view does not define is read from the
message (``lt.HasField("blob")``, ``lt.WhichOneof("type")``, ``var.artifact_tag``), so code written
against the protobuf keeps working. flyweight's own code reads the messages directly and never builds a
view.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

from google.protobuf.message import Message

from flyweight import _idl

__all__ = [
    "LiteralTypeView",
    "MessageView",
    "TypedInterfaceView",
    "VariableMapView",
    "VariableView",
    "read_only",
]

M = TypeVar("M", bound=Message)

# Methods of a message that read it; every other method (CopyFrom, Clear, MergeFrom, …) writes.
_READERS = frozenset(
    {"HasField", "WhichOneof", "SerializeToString", "ByteSize", "IsInitialized", "DESCRIPTOR"}
)


def _struct_to_dict(struct: Message) -> dict[str, Any]:
    """A ``Struct`` as flytekit's models read it (``json_format.MessageToDict``)."""
    from google.protobuf import json_format  # only when user code reads a Struct: not loaded otherwise

    return json_format.MessageToDict(struct)


def _copy(pb: M) -> M:
    out = type(pb)()
    out.CopyFrom(pb)
    return out


def _message_of(value: object) -> Message | None:
    if isinstance(value, Message):
        return value
    to_idl = getattr(value, "to_flyte_idl", None)
    if callable(to_idl):
        converted = to_idl()
        if isinstance(converted, Message):
            return converted
    return None


def read_only(value: Any) -> Any:
    """``value`` (read from a message) as user code may hold it: a sub-message as a view, a repeated
    field as a tuple, a map as a dict; scalars as they are."""
    if isinstance(value, _idl.LiteralType):
        return LiteralTypeView(value)
    if isinstance(value, Message):
        return MessageView(value)
    if isinstance(value, (str, bytes, int, float, bool)):
        return value
    if isinstance(value, Mapping):
        return {k: read_only(v) for k, v in value.items()}
    if isinstance(value, Sequence):  # a repeated field
        return tuple(read_only(v) for v in value)
    return value


class MessageView(Generic[M]):
    """A read-only view of a message: fields read as the message's (sub-messages as views), no writes.

    ``to_flyte_idl()`` gives a copy of the message; two views (or a view and a message, or a flytekit
    model) are equal when their messages are.
    """

    __slots__ = ("_pb",)

    def __init__(self, pb: M) -> None:
        self._pb = pb

    def to_flyte_idl(self) -> M:
        """A copy of the message (changing it changes nothing here)."""
        return _copy(self._pb)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        pb = self._pb
        if name in pb.DESCRIPTOR.fields_by_name:
            return read_only(getattr(pb, name))
        if name in _READERS:
            return getattr(pb, name)
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r} (it is read-only)")

    def __dir__(self) -> list[str]:
        return sorted({*super().__dir__(), *self._pb.DESCRIPTOR.fields_by_name, *_READERS})

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MessageView):
            return bool(self._pb == other._pb)
        pb = _message_of(other)
        if pb is None or type(pb) is not type(self._pb):
            return NotImplemented
        return bool(self._pb == pb)

    def __hash__(self) -> int:
        return hash(self._pb.SerializeToString(deterministic=True))

    def __repr__(self) -> str:
        from google.protobuf import text_format  # for a repr only: not loaded in a container's run

        return f"{type(self).__name__}({text_format.MessageToString(self._pb, as_one_line=True)})"


class TypeAnnotationView(MessageView["_idl.TypeAnnotation"]):
    """flytekit's ``TypeAnnotation`` model: ``annotations`` as a dict."""

    __slots__ = ()

    @property
    def annotations(self) -> dict[str, Any]:
        return _struct_to_dict(self._pb.annotations)


class UnionTypeView(MessageView["_idl.UnionType"]):
    """flytekit's ``UnionType`` model: ``variants`` as a list of literal types."""

    __slots__ = ()

    @property
    def variants(self) -> list[LiteralTypeView]:
        return [LiteralTypeView(v) for v in self._pb.variants]


class TypeStructureView(MessageView["_idl.TypeStructure"]):
    """flytekit's ``TypeStructure`` model: ``tag`` and ``dataclass_type`` (name → literal type)."""

    __slots__ = ()

    @property
    def tag(self) -> str:
        return self._pb.tag

    @property
    def dataclass_type(self) -> dict[str, LiteralTypeView]:
        return {k: LiteralTypeView(v) for k, v in self._pb.dataclass_type.items()}


class LiteralTypeView(MessageView["_idl.LiteralType"]):
    """flytekit's ``LiteralType`` model over the message: a field that is not set is None.

    ``simple`` is the ``SimpleType`` number (``SimpleType.INTEGER`` …) or None; ``collection_type`` and
    ``map_value_type`` are literal type views; ``metadata`` is a dict (a new one on every read);
    ``union_type``, ``structure`` and ``annotation`` have flytekit's attribute names; ``blob``,
    ``enum_type``, ``schema`` and ``structured_dataset_type`` are read-only views of the messages (their
    field names are the models').
    """

    __slots__ = ()

    def _field(self, name: str) -> Any:
        pb = self._pb
        return read_only(getattr(pb, name)) if pb.HasField(name) else None

    @property
    def simple(self) -> int | None:
        pb = self._pb
        return pb.simple if pb.HasField("simple") else None

    @property
    def collection_type(self) -> LiteralTypeView | None:
        pb = self._pb
        return LiteralTypeView(pb.collection_type) if pb.HasField("collection_type") else None

    @property
    def map_value_type(self) -> LiteralTypeView | None:
        pb = self._pb
        return LiteralTypeView(pb.map_value_type) if pb.HasField("map_value_type") else None

    @property
    def schema(self) -> MessageView[_idl.SchemaType] | None:
        return self._field("schema")  # type: ignore[no-any-return]

    @property
    def blob(self) -> MessageView[_idl.BlobType] | None:
        return self._field("blob")  # type: ignore[no-any-return]

    @property
    def enum_type(self) -> MessageView[_idl.EnumType] | None:
        return self._field("enum_type")  # type: ignore[no-any-return]

    @property
    def structured_dataset_type(self) -> MessageView[_idl.StructuredDatasetType] | None:
        return self._field("structured_dataset_type")  # type: ignore[no-any-return]

    @property
    def union_type(self) -> UnionTypeView | None:
        pb = self._pb
        return UnionTypeView(pb.union_type) if pb.HasField("union_type") else None

    @property
    def structure(self) -> TypeStructureView | None:
        pb = self._pb
        return TypeStructureView(pb.structure) if pb.HasField("structure") else None

    @property
    def metadata(self) -> dict[str, Any] | None:
        """The ``metadata`` Struct as a dict (as flytekit reads it: ``MessageToDict``), None when empty."""
        pb = self._pb
        if not pb.HasField("metadata"):
            return None
        return _struct_to_dict(pb.metadata) or None

    @property
    def annotation(self) -> TypeAnnotationView | None:
        pb = self._pb
        return TypeAnnotationView(pb.annotation) if pb.HasField("annotation") else None


class VariableView(MessageView["_idl.Variable"]):
    """flytekit's ``Variable`` model: ``type`` (a :class:`LiteralTypeView`), ``description``,
    ``artifact_partial_id`` and ``artifact_tag`` (None when not set)."""

    __slots__ = ()

    @property
    def type(self) -> LiteralTypeView:
        return LiteralTypeView(self._pb.type)

    @property
    def description(self) -> str:
        return self._pb.description

    @property
    def artifact_partial_id(self) -> MessageView[Message] | None:
        pb = self._pb
        return MessageView(pb.artifact_partial_id) if pb.HasField("artifact_partial_id") else None

    @property
    def artifact_tag(self) -> MessageView[Message] | None:
        pb = self._pb
        return MessageView(pb.artifact_tag) if pb.HasField("artifact_tag") else None


class VariableMapView(Mapping[str, VariableView]):
    """A ``VariableMap``'s variables as a read-only mapping, name → :class:`VariableView` (flytekit
    gives a dict).

    Names come in ``order`` (the declaration order, when the caller knows it and it names exactly the
    map's keys), else in the message's own order. Equal to any mapping with the same names whose values
    equal the variables (views, messages or flytekit models).
    """

    __slots__ = ("_names", "_order", "_variables", "_views")

    def __init__(self, variables: Mapping[str, _idl.Variable], order: Collection[str] | None = None) -> None:
        self._variables = variables
        self._order = order
        self._names: tuple[str, ...] | None = None
        self._views: dict[str, VariableView] = {}

    def _keys(self) -> tuple[str, ...]:
        names = self._names
        if names is None:
            variables = self._variables
            order = self._order
            if order is not None and len(order) == len(variables) and all(k in variables for k in order):
                names = tuple(order)
            else:
                names = tuple(variables)
            self._names = names
        return names

    def __getitem__(self, name: str) -> VariableView:
        view = self._views.get(name)
        if view is None:
            # a message map makes a missing key on read: look before reading
            if not isinstance(name, str) or name not in self._variables:
                raise KeyError(name)
            view = self._views[name] = VariableView(self._variables[name])
        return view

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._variables

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._variables)

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k!r}: {self[k]!r}" for k in self._keys()) + "}"


class TypedInterfaceView(MessageView["_idl.TypedInterface"]):
    """flytekit's ``TypedInterface`` model: ``inputs`` and ``outputs`` are name → variable mappings.

    ``to_flyte_idl()`` gives a copy of the ``TypedInterface`` message.

    Example:
        >>> from flyweight import _idl
        >>> pb = _idl.TypedInterface()
        >>> pb.inputs.variables["x"].type.simple = _idl.SimpleType.INTEGER
        >>> iface = TypedInterfaceView(pb)
        >>> len(iface.inputs), iface.inputs["x"].type.simple == _idl.SimpleType.INTEGER, len(iface.outputs)
        (1, True, 0)
    """

    __slots__ = ("_inputs", "_outputs")

    def __init__(
        self,
        pb: _idl.TypedInterface,
        input_order: Collection[str] | None = None,
        output_order: Collection[str] | None = None,
    ) -> None:
        super().__init__(pb)
        self._inputs: VariableMapView | Collection[str] | None = input_order
        self._outputs: VariableMapView | Collection[str] | None = output_order

    @property
    def inputs(self) -> VariableMapView:
        got = self._inputs
        if not isinstance(got, VariableMapView):
            got = self._inputs = VariableMapView(self._pb.inputs.variables, got)
        return got

    @property
    def outputs(self) -> VariableMapView:
        got = self._outputs
        if not isinstance(got, VariableMapView):
            got = self._outputs = VariableMapView(self._pb.outputs.variables, got)
        return got

    def __repr__(self) -> str:
        return f"TypedInterfaceView(inputs={list(self.inputs)}, outputs={list(self.outputs)})"
