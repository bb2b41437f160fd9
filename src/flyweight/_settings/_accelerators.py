"""Accelerators a task may ask for (``@task(accelerator=...)``), as plain data.

The same names and devices as ``flytekit.extras.accelerators`` (flytekit 1.16.14): a
:class:`GPUAccelerator` names a device; a :class:`MultiInstanceGPUAccelerator` names a device that can be
partitioned (``A100.partition_1g_5gb``) or explicitly not (``A100.unpartitioned``). The serializer turns
one into ``ExtendedResources.gpu_accelerator``.
"""

from __future__ import annotations

import copy
from typing import ClassVar, TypeVar

__all__ = [
    "A10G",
    "A100",
    "A100_80GB",
    "H100",
    "H200",
    "K80",
    "L4",
    "L4_VWS",
    "L40S",
    "M60",
    "P4",
    "P100",
    "RTX_PRO_6000",
    "T4",
    "V5E",
    "V5P",
    "V100",
    "BaseAccelerator",
    "GPUAccelerator",
    "MultiInstanceGPUAccelerator",
]

MIG = TypeVar("MIG", bound="MultiInstanceGPUAccelerator")

_NOT_SET = "\x00not-set"


class BaseAccelerator:
    """Base of every accelerator: a device name, an optional partition."""

    @property
    def device(self) -> str:
        """The device name, as configured on the cluster."""
        raise NotImplementedError

    def gpu_accelerator_fields(self) -> tuple[str, str | None, bool]:
        """``(device, partition_size or None, unpartitioned)`` of ``GPUAccelerator``."""
        return self.device, None, False


class GPUAccelerator(BaseAccelerator):
    """A GPU named by its device (``GPUAccelerator("nvidia-tesla-v100")``).

    Args:
        device: the device name, as configured on the cluster.
    """

    def __init__(self, device: str) -> None:
        if not isinstance(device, str) or not device:
            raise ValueError(f"GPUAccelerator needs a device name such as 'nvidia-tesla-t4', got {device!r}")
        self._device = device

    @property
    def device(self) -> str:
        return self._device

    def __repr__(self) -> str:
        return f"GPUAccelerator({self._device!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GPUAccelerator) and other._device == self._device

    def __hash__(self) -> int:
        return hash(self._device)


class MultiInstanceGPUAccelerator(BaseAccelerator):
    """A device that can be partitioned; subclasses set ``device`` (use the constants below)."""

    device: ClassVar[str]
    _partition_size: str | None = _NOT_SET

    @property
    def unpartitioned(self: MIG) -> MIG:
        """The whole device, explicitly not partitioned."""
        instance = copy.deepcopy(self)
        instance._partition_size = None
        return instance

    @classmethod
    def partitioned(cls: type[MIG], partition_size: str) -> MIG:
        """A partition of the device (``"1g.5gb"``)."""
        if not isinstance(partition_size, str) or not partition_size:
            raise ValueError(f"a partition size is a name such as '1g.5gb', got {partition_size!r}")
        instance = cls()
        instance._partition_size = partition_size
        return instance

    @property
    def partition_size(self) -> str | None:
        """The partition, or None (whole device, or not said)."""
        return None if self._partition_size == _NOT_SET else self._partition_size

    def gpu_accelerator_fields(self) -> tuple[str, str | None, bool]:
        return self.device, self.partition_size, self._partition_size is None

    def __repr__(self) -> str:
        name = type(self).__name__.lstrip("_")
        return f"{name}(device={self.device!r}, partition_size={self.partition_size!r})"


A10G = GPUAccelerator("nvidia-a10g")
L4 = GPUAccelerator("nvidia-l4")
L4_VWS = GPUAccelerator("nvidia-l4-vws")
L40S = GPUAccelerator("nvidia-l40s")
K80 = GPUAccelerator("nvidia-tesla-k80")
M60 = GPUAccelerator("nvidia-tesla-m60")
P4 = GPUAccelerator("nvidia-tesla-p4")
P100 = GPUAccelerator("nvidia-tesla-p100")
T4 = GPUAccelerator("nvidia-tesla-t4")
V100 = GPUAccelerator("nvidia-tesla-v100")
H100 = GPUAccelerator("nvidia-h100")
H200 = GPUAccelerator("nvidia-h200")
RTX_PRO_6000 = GPUAccelerator("nvidia-rtx-pro-6000")


class _A100Base(MultiInstanceGPUAccelerator):
    device = "nvidia-tesla-a100"


class _A100(_A100Base):
    """An NVIDIA A100 GPU and its partitions."""

    partition_1g_5gb = _A100Base.partitioned("1g.5gb")
    partition_2g_10gb = _A100Base.partitioned("2g.10gb")
    partition_3g_20gb = _A100Base.partitioned("3g.20gb")
    partition_4g_20gb = _A100Base.partitioned("4g.20gb")
    partition_7g_40gb = _A100Base.partitioned("7g.40gb")


A100 = _A100()


class _A100_80GBBase(MultiInstanceGPUAccelerator):
    device = "nvidia-a100-80gb"


class _A100_80GB(_A100_80GBBase):
    """An NVIDIA A100 80GB GPU and its partitions."""

    partition_1g_10gb = _A100_80GBBase.partitioned("1g.10gb")
    partition_2g_20gb = _A100_80GBBase.partitioned("2g.20gb")
    partition_3g_40gb = _A100_80GBBase.partitioned("3g.40gb")
    partition_4g_40gb = _A100_80GBBase.partitioned("4g.40gb")
    partition_7g_80gb = _A100_80GBBase.partitioned("7g.80gb")


A100_80GB = _A100_80GB()


class _V5EBase(MultiInstanceGPUAccelerator):
    device = "tpu-v5-lite-podslice"


class _V5E(_V5EBase):
    """Slices of a Google Cloud TPU v5e."""

    slice_1x1 = _V5EBase.partitioned("1x1")
    slice_2x2 = _V5EBase.partitioned("2x2")
    slice_2x4 = _V5EBase.partitioned("2x4")
    slice_4x4 = _V5EBase.partitioned("4x4")
    slice_4x8 = _V5EBase.partitioned("4x8")
    slice_8x8 = _V5EBase.partitioned("8x8")
    slice_8x16 = _V5EBase.partitioned("8x16")
    slice_16x16 = _V5EBase.partitioned("16x16")


V5E = _V5E()


class _V5PBase(MultiInstanceGPUAccelerator):
    device = "tpu-v5p-slice"


class _V5P(_V5PBase):
    """Slices of a Google Cloud TPU v5p."""

    slice_2x2x1 = _V5PBase.partitioned("2x2x1")
    slice_2x2x2 = _V5PBase.partitioned("2x2x2")
    slice_2x4x4 = _V5PBase.partitioned("2x4x4")
    slice_4x4x4 = _V5PBase.partitioned("4x4x4")
    slice_4x4x8 = _V5PBase.partitioned("4x4x8")
    slice_4x8x8 = _V5PBase.partitioned("4x8x8")
    slice_8x8x8 = _V5PBase.partitioned("8x8x8")
    slice_8x8x16 = _V5PBase.partitioned("8x8x16")
    slice_8x16x16 = _V5PBase.partitioned("8x16x16")
    slice_16x16x16 = _V5PBase.partitioned("16x16x16")
    slice_16x16x24 = _V5PBase.partitioned("16x16x24")


V5P = _V5P()
