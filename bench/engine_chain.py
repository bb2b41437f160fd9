"""Local run of N chained trivial function tasks: flyweight's engine (in-process) vs flytekit's local run.

Usage: ``.venv/bin/python bench/engine_chain.py [N ...]`` (default 100 1000). Not a test: prints numbers
(the first call includes compiling the workflow; the others are runs only).
"""

from __future__ import annotations

import sys
import time
from typing import Any

N = 0
TASK: Any = None


def inc(x: int) -> int:
    return x + 1


def chain(x: int) -> int:
    for _ in range(N):
        x = TASK(x=x)
    return x


def measure(label: str, sdk: Any, n: int, repeat: int = 3) -> None:
    global N, TASK
    N = n
    TASK = sdk.task(inc)
    wf = sdk.workflow(chain)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        assert wf(x=0) == n
        times.append(time.perf_counter() - start)
    print(
        f"{label:10s} n={n:5d}  first {times[0] * 1e3:8.1f} ms   best of rest {min(times[1:]) * 1e3:8.1f} ms"
    )


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100, 1000]
    import flyweight

    for n in sizes:
        measure("flyweight", flyweight, n)
    import flytekit

    for n in sizes:
        measure("flytekit", flytekit, n)


if __name__ == "__main__":
    main()
