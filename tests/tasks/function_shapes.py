"""Function tasks of many shapes, each decorated once with flyweight; the options live in ``OPTIONS`` so the
oracle test can decorate the same functions with flytekit's ``@task`` (same module, same names, so the
container arguments agree)."""

from __future__ import annotations

import dataclasses
import datetime
import typing
from typing import Any, NamedTuple, Optional

from flyweight import Description, Documentation, Resources, Secret, task


@dataclasses.dataclass
class Point:
    x: int
    y: float = 0.0


class Stats(NamedTuple):
    total: int
    label: str


OPTIONS: dict[str, dict[str, Any]] = {
    "no_inputs": {},
    "returns_nothing": {},
    "with_defaults": {},
    "named_outputs": {},
    "tuple_outputs": {},
    "with_resources": {
        "requests": Resources(cpu="1", mem="1Gi", ephemeral_storage="200Mi"),
        "limits": Resources(cpu="2", mem="2Gi", gpu="1"),
    },
    "with_resource_pairs": {"resources": Resources(cpu=("1", "2"), mem="1Gi")},
    "with_secrets": {
        "secret_requests": [
            Secret(group="db", key="password"),
            Secret(group="api", key="token", group_version="2"),
        ]
    },
    "cached": {
        "cache": True,
        "cache_version": "1.2",
        "cache_serialize": True,
        "cache_ignore_input_vars": ("seed",),
    },
    "retried": {
        "retries": 3,
        "timeout": datetime.timedelta(minutes=5),
        "interruptible": True,
        "deprecated": "use retried_v2",
    },
    "timeout_seconds": {"timeout": 90, "interruptible": False},
    "templated_image": {"container_image": "{{.image.default.fqn}}:{{.image.default.version}}-gpu"},
    "other_image": {"container_image": "{{.image.trainer.fqn}}:v9"},
    "plain_image": {"container_image": "ghcr.io/acme/tool:1.0"},
    "with_environment": {"environment": {"TASK_ENV": "t", "SHARED": "task"}},
    "deck_and_pod": {
        "enable_deck": True,
        "pod_template_name": "gpu-pod",
        "labels": {"team": "data"},
        "annotations": {"note": "x"},
    },
    "google_doc": {},
    "rest_doc": {},
    "numpy_doc": {},
    "docs_and_docstring": {
        "docs": Documentation(
            short_description="from docs", long_description=Description(value="long from docs")
        )
    },
    "structured": {},
}


@task(**OPTIONS["no_inputs"])
def no_inputs() -> int:
    return 7


@task(**OPTIONS["returns_nothing"])
def returns_nothing(x: int) -> None:
    assert x >= 0


@task(**OPTIONS["with_defaults"])
def with_defaults(
    a: int, b: str = "x", c: Optional[float] = None, d: typing.Optional[list[int]] = None, e: bool = False
) -> str:
    return f"{a}{b}{c}{d}{e}"


@task(**OPTIONS["named_outputs"])
def named_outputs(xs: list[int]) -> Stats:
    return Stats(total=sum(xs), label=f"n={len(xs)}")


@task(**OPTIONS["tuple_outputs"])
def tuple_outputs(n: int) -> tuple[int, str, float]:
    return n, str(n), n / 2


@task(**OPTIONS["with_resources"])
def with_resources(n: int) -> int:
    return n


@task(**OPTIONS["with_resource_pairs"])
def with_resource_pairs(n: int) -> int:
    return n


@task(**OPTIONS["with_secrets"])
def with_secrets() -> str:
    from flyweight import current_context

    return str(current_context().secrets.get("db", "password"))


@task(**OPTIONS["cached"])
def cached(n: int, seed: int = 0) -> int:
    return n + seed


@task(**OPTIONS["retried"])
def retried(n: int) -> int:
    return n


@task(**OPTIONS["timeout_seconds"])
def timeout_seconds(n: int) -> int:
    return n


@task(**OPTIONS["templated_image"])
def templated_image(n: int) -> int:
    return n


@task(**OPTIONS["other_image"])
def other_image(n: int) -> int:
    return n


@task(**OPTIONS["plain_image"])
def plain_image(n: int) -> int:
    return n


@task(**OPTIONS["with_environment"])
def with_environment() -> str:
    import os

    return os.environ.get("TASK_ENV", "")


@task(**OPTIONS["deck_and_pod"])
def deck_and_pod(n: int) -> int:
    return n


@task(**OPTIONS["google_doc"])
def google_doc(a: int, b: str) -> Stats:
    """Count things.

    A longer description
    over two lines.

    Args:
        a (int): the count
            continued here
        b: the label
        unknown: not an input

    Returns:
        the stats, shared by both outputs

    Raises:
        ValueError: never
    """
    return Stats(a, b)


@task(**OPTIONS["rest_doc"])
def rest_doc(a: int, b: str) -> int:
    """Add things.

    :param a: the first
    :param str b: the second
    :returns: the sum
    """
    return a + len(b)


@task(**OPTIONS["numpy_doc"])
def numpy_doc(a: int) -> Stats:
    """Numpy style.

    Parameters
    ----------
    a : int
        The count.

    Returns
    -------
    total : int
        The total.
    label : str
        The label.
    """
    return Stats(a, "x")


@task(**OPTIONS["docs_and_docstring"])
def docs_and_docstring(a: int) -> int:
    """Summary from the docstring."""
    return a


@task(**OPTIONS["structured"])
def structured(p: Point, m: dict[str, int], when: datetime.datetime, span: datetime.timedelta) -> Point:
    return Point(p.x + len(m), p.y)
