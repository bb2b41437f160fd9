"""A function task with one input of each kind the type engine reads, for the bad-input corpus.

The container imports this module by name (the tests run ``flyweight-execute`` with the repository on
``PYTHONPATH``). The task only describes what it was given: it never opens its file, so a blob's URI
is checked by the type engine alone, not fetched.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import Optional, Union

from flyweight import task
from flyweight.types import FlyteFile


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclasses.dataclass
class Point:
    x: float
    y: float
    label: str = ""


@task
def typed(
    i: int,
    f: float,
    s: str,
    b: bool,
    when: datetime.datetime,
    span: datetime.timedelta,
    ints: list[int],
    scores: dict[str, float],
    maybe: Optional[int],  # the typing spellings, as older task code writes them
    either: Union[int, str],
    point: Point,
    color: Color,
    doc: FlyteFile,
    nested: list[dict[str, list[int]]],
) -> str:
    return (
        f"{i} {f!r} {s!r} {b} {when.isoformat()} {span} {ints} {scores} {maybe} {either!r} {point} "
        f"{color.value} {type(doc).__name__} {nested}"
    )
