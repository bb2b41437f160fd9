"""Accelerators a task can ask for: ``@task(accelerator=T4)``, ``with_overrides(accelerator=...)``.

The names of ``flytekit.extras.accelerators`` (flytekit 1.16.14), with the same devices: port by changing
``from flytekit.extras.accelerators import A100`` to ``from flyweight.accelerators import A100``. A device
that is not listed: ``GPUAccelerator("nvidia-...")``. Partitions: ``A100.partition_1g_5gb``,
``A100.unpartitioned``, ``V5E.slice_2x2``. An accelerator only changes the registered template
(``extended_resources.gpu_accelerator``): it has no effect on local runs.
"""

from __future__ import annotations

from flyweight._settings._accelerators import (
    A10G,
    A100,
    A100_80GB,
    H100,
    H200,
    K80,
    L4,
    L4_VWS,
    L40S,
    M60,
    P4,
    P100,
    RTX_PRO_6000,
    T4,
    V5E,
    V5P,
    V100,
    BaseAccelerator,
    GPUAccelerator,
    MultiInstanceGPUAccelerator,
)

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
