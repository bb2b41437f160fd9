"""Executors that read ``tt.interface`` as flytekit code does (ADR 0022), for the interface-view tests.

They are plain classes, so both SDKs accept them; they live at module level so ``flyweight-execute`` can
import them by the path written in a template.
"""

from __future__ import annotations

import enum
from typing import Any

from flyteidl.core import types_pb2


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


READS: list[dict[str, Any]] = []
"""What :class:`RecordingExecutor` read, one entry per call."""


def read_type(lt: Any) -> Any:
    """What flytekit code reads of a ``LiteralType`` model (an unset part is None)."""
    if lt is None:
        return None
    structure = lt.structure
    return {
        "simple": lt.simple,
        "collection_type": read_type(lt.collection_type),
        "map_value_type": read_type(lt.map_value_type),
        "blob": None if lt.blob is None else (lt.blob.format, lt.blob.dimensionality),
        "enum_type": None if lt.enum_type is None else list(lt.enum_type.values),
        "union_type": None if lt.union_type is None else [read_type(v) for v in lt.union_type.variants],
        "structure": None if structure is None else (structure.tag, sorted(structure.dataclass_type or {})),
        "metadata": lt.metadata,
        "annotation": None if lt.annotation is None else lt.annotation.annotations,
        "schema": None if lt.schema is None else [(c.name, c.type) for c in lt.schema.columns],
    }


def read_interface(iface: Any) -> dict[str, Any]:
    """What flytekit code reads of a ``TypedInterface`` model: names, counts, descriptions, types, bytes."""
    out: dict[str, Any] = {}
    for section in ("inputs", "outputs"):
        variables = getattr(iface, section)
        out[section] = {
            "keys": list(variables.keys()),
            "iter": list(variables),
            "len": len(variables),
            "values": len(list(variables.values())),
            "contains": [k in variables for k in [*variables, "not_a_name"]],
            "descriptions": {k: v.description for k, v in variables.items()},
            "simple": {k: variables[k].type.simple for k in variables},
            "types": {k: read_type(v.type) for k, v in variables.items()},
            "get_missing": variables.get("not_a_name"),
        }
    out["idl"] = iface.to_flyte_idl().SerializeToString(deterministic=True)
    return out


def value_for(lt: Any) -> Any:
    """A value of the output type ``lt`` (read as flytekit code reads it)."""
    if lt.collection_type is not None:
        return []
    if lt.map_value_type is not None:
        return {}
    if lt.union_type is not None:
        return None
    return {
        types_pb2.INTEGER: 3,
        types_pb2.FLOAT: 1.5,
        types_pb2.STRING: "s",
        types_pb2.BOOLEAN: True,
    }[lt.simple]


class RecordingExecutor:
    """Records what it reads of ``tt.interface`` and returns a value of each output's type."""

    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        READS.append(read_interface(tt.interface))
        outputs = tt.interface.outputs
        values = tuple(value_for(v.type) for v in outputs.values())
        if len(outputs) == 0:
            return None
        return values[0] if len(outputs) == 1 else values


class CountingExecutor:
    """An executor written as flytekit's plugin executors are: it counts and names the interface."""

    def execute_from_model(self, tt: Any, **kwargs: Any) -> Any:
        inputs, outputs = tt.interface.inputs, tt.interface.outputs
        strings = [k for k, v in inputs.items() if v.type.simple == types_pb2.STRING]
        return (
            len(outputs),
            ",".join(sorted(inputs.keys())),
            inputs["x"].type.simple,
            ",".join(strings),
            "x" in inputs and "nope" not in inputs,
        )
