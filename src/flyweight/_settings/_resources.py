"""Compute resources (CPU, memory, GPU, ephemeral storage) a task asks for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from flyweight.errors import TaskDefinitionError

CpuValue = Union[str, int, float, list[Union[str, int, float]], tuple[Union[str, int, float], ...]]
QuantityValue = Union[str, int, list[Union[str, int]], tuple[Union[str, int], ...]]

# field -> (allowed scalar types, whether a (request, limit) pair is allowed, an example quantity)
_RULES: dict[str, tuple[tuple[type, ...], bool, str]] = {
    "cpu": ((str, int, float), True, "'500m' or 0.5"),
    "mem": ((str, int), True, "'2Gi' or 1024"),
    "gpu": ((str, int), True, "1"),
    "ephemeral_storage": ((str, int), False, "'1Gi'"),
}

# wire order of the entries of a container's resources, with their Flyte resource names
_WIRE_ORDER = (("ephemeral_storage", "EPHEMERAL_STORAGE"), ("cpu", "CPU"), ("gpu", "GPU"), ("mem", "MEMORY"))


def _check_scalar(where: str, value: object, allowed: tuple[type, ...], example: str) -> None:
    names = " or ".join(t.__name__ for t in allowed)
    if isinstance(value, bool):
        raise TaskDefinitionError(
            f"{where}={value!r}: expected {names}, got bool; pass a quantity such as {example}"
        )
    if not isinstance(value, allowed):
        hint = f"pass a quantity such as {example}"
        if isinstance(value, float):
            hint = "fractions are for cpu only; pass a string with a unit such as '1536Mi'"
        raise TaskDefinitionError(f"{where}={value!r}: expected {names}, got {type(value).__name__}; {hint}")


@dataclass(frozen=True)
class Resources:
    """The compute resources of a task: CPU, memory, GPU and ephemeral storage.

    Each value is a Kubernetes quantity, as a string (``"500m"``, ``"2Gi"``) or a number. For ``cpu``,
    ``mem`` and ``gpu`` a ``(request, limit)`` pair of two values is accepted too, where a task takes one
    object for both requests and limits.

    Args:
        cpu: CPU cores: ``str``, ``int`` or ``float``.
        mem: memory: ``str`` or ``int`` (bytes).
        gpu: GPUs: ``str`` or ``int``.
        ephemeral_storage: local scratch space: ``str`` or ``int``; no pair.

    Raises:
        TaskDefinitionError: a value of the wrong type (a ``bool``, a float for memory), or a pair that
            does not hold exactly two values.

    Example:
        >>> Resources(cpu=0.5, mem="2Gi").entries()
        [('CPU', '0.5'), ('MEMORY', '2Gi')]
        >>> Resources(cpu=("1", "2")).cpu
        ('1', '2')
    """

    cpu: CpuValue | None = None
    mem: QuantityValue | None = None
    gpu: QuantityValue | None = None
    ephemeral_storage: str | int | None = None

    def __post_init__(self) -> None:
        for field, (allowed, pair_allowed, example) in _RULES.items():
            value = getattr(self, field)
            if value is None:
                continue
            if isinstance(value, (list, tuple)):
                if not pair_allowed:
                    raise TaskDefinitionError(
                        f"{field}={value!r}: {field} takes one value, not a (request, limit) pair; "
                        f"pass a quantity such as {example}"
                    )
                if len(value) != 2:
                    raise TaskDefinitionError(
                        f"{field}={value!r}: a (request, limit) pair needs exactly 2 values, "
                        f"got {len(value)}; pass one value, or two such as ('1', '2')"
                    )
                for i, item in enumerate(value):
                    _check_scalar(f"{field}[{i}]", item, allowed, example)
            else:
                _check_scalar(field, value, allowed, example)

    def entries(self) -> list[tuple[str, str]]:
        """The set values as ``(resource name, quantity string)`` in the order Flyte writes them
        (``EPHEMERAL_STORAGE``, ``CPU``, ``GPU``, ``MEMORY``); unset, zero and empty values are left out.

        Raises:
            TaskDefinitionError: a value is a ``(request, limit)`` pair.

        Example:
            >>> Resources(mem=1024, cpu=1, ephemeral_storage="1Gi", gpu=0).entries()
            [('EPHEMERAL_STORAGE', '1Gi'), ('CPU', '1'), ('MEMORY', '1024')]
        """
        out: list[tuple[str, str]] = []
        for field, name in _WIRE_ORDER:
            value = getattr(self, field)
            if isinstance(value, (list, tuple)):
                raise TaskDefinitionError(
                    f"{field}={value!r}: a container task takes one value per resource, not a (request, "
                    "limit) pair; pass requests= and limits= separately"
                )
            if value:
                out.append((name, str(value)))
        return out
