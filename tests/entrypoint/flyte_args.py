"""Container arguments as Flyte fills them, against a local directory laid out as a pod's would be.

``root/<inputs>`` is ``{{.input}}``, ``root/out`` the output prefix, ``root/raw`` the raw output prefix,
``root/<template>`` the template path, ``root/checkpoint`` the checkpoint prefix, and ``""`` the previous
checkpoint (a first attempt).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

__all__ = ["fill"]


def fill(args: Sequence[str], root: Path, inputs: str = "inputs.pb", template: str = "task.pb") -> list[str]:
    """``args`` with each of Flyte's placeholders replaced by its place under ``root``."""
    fills = {
        "{{.input}}": str(root / inputs),
        "{{.outputPrefix}}": str(root / "out"),
        "{{.rawOutputDataPrefix}}": str(root / "raw"),
        "{{.taskTemplatePath}}": str(root / template),
        "{{.checkpointOutputPrefix}}": str(root / "checkpoint"),
        "{{.prevCheckpointPrefix}}": '""',
    }
    return [fills.get(a, a) for a in args]
