"""Tasks for the map-task engine tests: function tasks and a plugin task, importable by a subprocess.

Each element records where and when it ran (``record``), so tests can see elements overlap, run in
several processes, or run one at a time.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path
from typing import Any

from flyweight import PythonCustomizedContainerTask, task
from flyweight._interface import Interface
from flyweight._tasks import ShimTaskExecutor, TaskTemplate
from flyweight.errors import RecoverableError


def record(log: str, x: int, seconds: float) -> None:
    """Append ``x pid start end`` to the file ``log`` (one line, written at once), sleeping ``seconds``."""
    start = time.monotonic()
    time.sleep(seconds)
    with open(log, "a") as f:
        f.write(f"{x} {os.getpid()} {start} {time.monotonic()}\n")


def spans(log: str) -> list[tuple[int, int, float, float]]:
    """What :func:`record` wrote: ``(x, pid, start, end)`` per element, sorted by ``x``."""
    rows = []
    for line in Path(log).read_text().splitlines():
        x, pid, start, end = line.split()
        rows.append((int(x), int(pid), float(start), float(end)))
    return sorted(rows)


def overlapped(rows: list[tuple[int, int, float, float]]) -> bool:
    """Whether two of the recorded runs were running at the same moment."""
    ordered = sorted(rows, key=lambda r: r[2])
    return any(b[2] < a[3] for a, b in itertools.pairwise(ordered))


@task
def slow_square(x: int, log: str, seconds: float) -> int:
    record(log, x, seconds)
    return x * x


@task(retries=2)
def flaky(x: int, marker: str) -> int:
    """Fails recoverably the first time it sees each ``x`` (a file under ``marker`` remembers)."""
    seen = Path(marker) / str(x)
    if not seen.exists():
        seen.write_text("1")
        raise RecoverableError(f"first try of {x}")
    return x + 100


@task
def picky(x: int) -> int:
    if x % 3 == 0:
        raise ValueError(f"{x} is a multiple of 3")
    return x


@task
def bad_output(x: int) -> int:
    return "not an int" if x == 2 else x  # type: ignore[return-value]


class ScaleExecutor(ShimTaskExecutor[Any]):
    """``y = x * custom['factor']``, recording the element; negative ``x`` fails."""

    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        x = kwargs["x"]
        if x < 0:
            raise ValueError(f"cannot scale {x}")
        if kwargs.get("log"):
            record(kwargs["log"], x, float(kwargs.get("seconds") or 0))
        return x * int(tt.custom["factor"])


class ScaleTask(PythonCustomizedContainerTask[None]):
    def __init__(self, name: str, factor: int, **kwargs: Any) -> None:
        self.factor = factor
        super().__init__(
            name=name,
            task_config=None,
            container_image=None,
            executor_type=ScaleExecutor,
            task_type="scale",
            interface=Interface(inputs={"x": int, "log": str, "seconds": float}, outputs={"y": int}),
            **kwargs,
        )

    def get_custom(self, settings: Any) -> dict[str, Any]:
        return {"factor": self.factor}


scale = ScaleTask("tests.runtime.map_tasks.scale", factor=3)
