"""Helpers for the table tests: isolated storage contexts for flyweight (and flytekit), sample frames,
and literals with their generated locations masked so two writers' literals compare byte for byte."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flyweight._context import ExecutionParameters, ExecutionState, FlyteContext, FlyteContextManager
from flyweight._idl import Literal
from flyweight._storage import FileAccess


@contextlib.contextmanager
def flyweight_storage(root: Path, raw_output_prefix: str | None = None) -> Iterator[FlyteContext]:
    """Run the block in a flyweight context writing under ``root/raw`` (or ``raw_output_prefix``)."""
    os.makedirs(root / "sandbox", exist_ok=True)
    fa = FileAccess(
        raw_output_prefix=raw_output_prefix or str(root / "raw"), local_sandbox_dir=str(root / "sandbox")
    )
    ctx = FlyteContext(fa, ExecutionState(None, ExecutionParameters(file_access=fa)))
    with FlyteContextManager.with_context(ctx):
        yield ctx


@contextlib.contextmanager
def flytekit_storage(root: Path) -> Iterator[Any]:
    """Run the block in a flytekit context writing under ``root/raw``; yields that context."""
    from flytekit.core.context_manager import FlyteContextManager as FkManager
    from flytekit.core.data_persistence import FileAccessProvider

    os.makedirs(root / "sandbox", exist_ok=True)
    fa = FileAccessProvider(local_sandbox_dir=str(root / "sandbox"), raw_output_prefix=str(root / "raw"))
    with FkManager.with_context(FkManager.current_context().with_file_access(fa)) as ctx:
        yield ctx


def sample_frame(n: int = 5) -> Any:
    """A DataFrame with an int, a float, a string, a bool and a (microsecond) timestamp column."""
    import pandas as pd

    return pd.DataFrame(
        {
            "id": list(range(n)),
            "score": [i * 0.5 for i in range(n)],
            "name": [f"row-{i}" for i in range(n)],
            "ok": [i % 2 == 0 for i in range(n)],
            "at": pd.to_datetime([1_700_000_000_000_000 + i for i in range(n)], unit="us").as_unit("us"),
        }
    )


def as_message(lit: Any) -> Literal:
    """A flyteidl ``Literal`` from a flyweight message or a flytekit model."""
    return lit if isinstance(lit, Literal) else lit.to_flyte_idl()


def masked(lit: Any) -> bytes:
    """The literal's deterministic bytes with every table location blanked."""
    msg = Literal()
    msg.CopyFrom(as_message(lit))
    _blank(msg)
    return msg.SerializeToString(deterministic=True)


def _blank(msg: Literal) -> None:
    scalar = msg.scalar
    which = scalar.WhichOneof("value")
    if which == "structured_dataset":
        scalar.structured_dataset.uri = ""
    elif which == "schema":
        scalar.schema.uri = ""
    elif which == "union":
        _blank(scalar.union.value)


def location(lit: Any) -> str:
    """The table location a literal refers to (structured dataset or schema, through a union)."""
    msg = as_message(lit)
    scalar = msg.scalar
    which = scalar.WhichOneof("value")
    if which == "union":
        return location(scalar.union.value)
    return scalar.structured_dataset.uri if which == "structured_dataset" else scalar.schema.uri


def files_under(uri: str) -> list[str]:
    """Relative paths of the files below a local location."""
    root = Path(uri[len("file://") :] if uri.startswith("file://") else uri)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
