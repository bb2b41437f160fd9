"""The benchmark's inputs, shared by every worker so both SDKs convert exactly the same values.

This module runs under flyweight's interpreter and under the flytekit venv's, so it uses only the
standard library. The values are deterministic (no random module, no hash order) so the literals the
two SDKs produce can be compared byte for byte across processes.
"""

from __future__ import annotations

import gc
import hashlib
import json
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

# Sizes the issue asks for; ``--quick`` divides them by 10.
SIZES = {"list_int": 1_000_000, "dict_str_float": 100_000, "list_item": 10_000}

# A warm-up conversion of this many elements runs before timing, so one-time costs (building the
# type engine's caches, lazy imports) are not counted as conversion time: cold start is measured
# separately by the import benchmark.
WARMUP_SIZE = 10


@dataclass
class Item:
    """A small record, the typical element of a list of dataclasses passed between tasks."""

    sku: str
    qty: int
    price: float


def ints(n: int) -> list[int]:
    """Small ints around zero mixed with full-range int64 values, so varints of every width appear."""
    out = []
    for i in range(n):
        if i % 4 == 0:
            out.append((i * 6364136223846793005 + 1442695040888963407) % 2**64 - 2**63)
        else:
            out.append(i - n // 2)
    return out


def floats(n: int) -> dict[str, float]:
    """Keys inserted out of sorted order, so deterministic map serialization has sorting to do."""
    out = {f"key-{(i * 7919) % n:07d}": i * 0.37 - 12345.678 + (i % 7) / 3 for i in range(n)}
    if len(out) != n:
        raise ValueError(f"size {n} shares a factor with 7919; the keys would collide")
    return out


def items(n: int) -> list[Item]:
    """Dataclasses with a string, a possibly negative int and a float each."""
    return [
        Item(sku=f"SKU-{i:06d}", qty=(i * 37) % 1000 - 100, price=round((i * 1.37) % 500, 2))
        for i in range(n)
    ]


def build(case: str, n: int) -> tuple[Any, Any]:
    """The value of ``case`` with ``n`` elements and its Python type annotation."""
    if case == "list_int":
        return ints(n), list[int]
    if case == "dict_str_float":
        return floats(n), dict[str, float]
    if case == "list_item":
        return items(n), list[Item]
    raise ValueError(f"unknown case {case!r}")


def timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    """Call ``fn`` once and return its result and wall time in seconds.

    A full collection runs first, outside the timed region, so garbage left by the previous step
    does not get charged to this one.
    """
    gc.collect()
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def versions() -> dict[str, Any]:
    """Versions of the interpreter and the packages that decide the results, for the report."""
    found: dict[str, Any] = {"python": platform.python_version()}
    for name in ("flyweight", "flytekit", "flyteidl", "protobuf"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    try:
        from google.protobuf.internal import api_implementation

        found["protobuf_backend"] = api_implementation.Type()
    except ImportError:
        found["protobuf_backend"] = None
    return found


def emit(result: dict[str, Any]) -> None:
    """Print the worker's one JSON line; the driver reads the last line of stdout."""
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def serialization_settings(settings: Any, image_config: Any, image: Any) -> Any:
    """The settings every worker serializes its templates with, built from one SDK's classes.

    ``settings``, ``image_config`` and ``image`` are that SDK's ``SerializationSettings``,
    ``ImageConfig`` and ``Image``: passed in, as this module imports neither SDK.
    """
    default_image = image(name="default", fqn="ghcr.io/flyweight-bench/default", tag="1")
    return settings(
        project="bench",
        domain="development",
        version="v1",
        image_config=image_config(default_image=default_image),
    )


def write_template(out: Path, data: bytes, side: str, packages: Sequence[str] = ()) -> None:
    """Write a serialized TaskTemplate to ``out`` and print the worker's JSON line.

    The line holds the side, the template's size and sha256, the versions (``versions()``) and, when
    ``packages`` names any, those packages' installed versions under ``packages``.
    """
    out.write_bytes(data)
    result: dict[str, Any] = {
        "side": side,
        "template_size": len(data),
        "template_sha256": hashlib.sha256(data).hexdigest(),
        "versions": versions(),
    }
    if packages:
        result["packages"] = {name: metadata.version(name) for name in packages}
    emit(result)


if __name__ == "__main__":
    emit(versions())  # the driver's version probe when no other worker runs
