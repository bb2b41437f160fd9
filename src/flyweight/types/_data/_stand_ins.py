"""The shapes Flyte's Python SDK gives files, directories and tables inside a dataclass's JSON schema.

There ``FlyteFile``, ``FlyteDirectory``, ``StructuredDataset`` and ``FlyteSchema`` are dataclasses
(mashumaro ``SerializableType``\\ s), and the schema of a dataclass holding one describes their fields.
flyweight's classes are not dataclasses, so their transformers hand the schema builder these plain
dataclasses instead (``_schema_stand_in``): same names, same fields, same defaults, hence the same
schema bytes. Each is made on first use (defining a dataclass costs time at import).
"""

from __future__ import annotations

import dataclasses
import functools
import os
import typing

from flyweight.errors import TypeTransformerFailedError
from flyweight.types._ir._describe import describe_value


@functools.cache
def file_stand_in() -> type:
    @dataclasses.dataclass
    class FlyteFile:
        path: typing.Union[str, os.PathLike] = None  # type: ignore[type-arg,assignment]
        metadata: typing.Optional[dict[str, str]] = None

    return FlyteFile


@functools.cache
def directory_stand_in() -> type:
    @dataclasses.dataclass
    class FlyteDirectory:
        path: typing.Union[str, os.PathLike] = None  # type: ignore[type-arg,assignment]

    return FlyteDirectory


@functools.cache
def dataset_stand_in() -> type:
    @dataclasses.dataclass
    class StructuredDataset:
        uri: typing.Optional[str] = None
        file_format: typing.Optional[str] = ""

    return StructuredDataset


@functools.cache
def schema_stand_in() -> type:
    @dataclasses.dataclass
    class FlyteSchema:
        remote_path: typing.Optional[str] = None

    return FlyteSchema


def reference(plain: object, key: str, what: str) -> str:
    """The URI under ``key`` in a reference read from msgpack (``{"path": ...}``), or a clear error."""
    found = plain.get(key) if isinstance(plain, dict) else None
    if not isinstance(found, str):
        raise TypeTransformerFailedError(
            f"expected {what} (a mapping with a {key!r} string), got {describe_value(plain)}"
        )
    return found
