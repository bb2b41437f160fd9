"""Tasks taking and returning pydantic models and iterators, for the local-run and ``flyweight-execute``
tests (the container imports this module by name, with the repository on ``PYTHONPATH``)."""

from __future__ import annotations

import enum
import typing
from collections.abc import Iterator
from typing import Optional

from pydantic import BaseModel

from flyweight import task
from flyweight._settings import Image, ImageConfig, SerializationSettings
from flyweight.types import JSON, FlyteFile

SETTINGS = SerializationSettings(
    project="proj",
    domain="dev",
    version="v1",
    image_config=ImageConfig(default_image=Image(name="default", fqn="test", tag="tag")),
)


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Line(BaseModel):
    sku: str
    count: int


class Order(BaseModel):
    lines: list[Line]
    notes: dict[str, str] = {}
    discount: Optional[float] = None
    color: Color = Color.RED


@task
def total(order: Order) -> int:
    return sum(line.count for line in order.lines)


@task
def double(order: Order) -> Order:
    return Order(
        lines=[Line(sku=x.sku, count=x.count * 2) for x in order.lines], notes=order.notes, color=Color.GREEN
    )


@task
def count_up(n: int) -> Iterator[int]:
    yield from range(n)


@task
def total_of(xs: Iterator[int]) -> int:
    return sum(xs)


@task
def records(n: int) -> typing.Iterator[JSON]:  # typing's Iterator: collections.abc's is a plain list
    for i in range(n):
        yield {"i": i, "name": f"r{i}"}


@task
def names(rs: typing.Iterator[JSON]) -> list[str]:
    return [r["name"] for r in rs]  # type: ignore[call-overload,index]


class Document(BaseModel):
    title: str
    body: FlyteFile
    attachments: list[FlyteFile] = []


@task
def annotate(doc: Document) -> Document:
    """Reads a file held by a model and returns a new model holding a written file."""
    with open(doc.body) as f:
        text = f.read()
    out = FlyteFile.new("annotated.txt")
    with open(out, "w") as f:
        f.write(f"{text}, annotated")
    return Document(title=doc.title + "!", body=out, attachments=[doc.body])
