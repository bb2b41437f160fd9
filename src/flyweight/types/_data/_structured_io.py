"""Where table files go and come from: straight to local destinations, one upload for remote ones.

Dataframe handlers write a file with a native writer (pyarrow's, pandas'); that writer is fastest on
a local path. :func:`local_target` gives the destination itself when it is local (no copy) and a
local scratch file that is uploaded once when it is remote; :func:`local_source` does the reverse for
reading. References to tables held inside other values (a dataclass field, console input) become
ordinary literals in :func:`literal_from_reference`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from flyweight._context import FlyteContextManager
from flyweight._idl import (
    Literal,
    Scalar,
    Schema,
    SchemaType,
    StructuredDatasetLiteral,
    StructuredDatasetMetadata,
    StructuredDatasetType,
)
from flyweight._storage import FileAccess, is_remote, join, local_path
from flyweight.errors import StorageError, TypeTransformerFailedError

if TYPE_CHECKING:
    from flyweight._context import FlyteContext
from flyweight.types._ir._describe import describe_literal

__all__ = [
    "copy_to_raw_output",
    "current_file_access",
    "data_file",
    "literal_from_reference",
    "local_source",
    "local_target",
]


def current_file_access(ctx: FlyteContext | None) -> FileAccess:
    """The file access of ``ctx`` (a ``FlyteContext``), or of the current context when ``ctx`` has none."""
    fa = getattr(ctx, "file_access", None)
    if isinstance(fa, FileAccess):
        return fa
    return FlyteContextManager.current_context().file_access


@contextlib.contextmanager
def local_target(fa: FileAccess, uri: str, is_dir: bool = False) -> Iterator[str]:
    """A local path to write ``uri``'s content to: ``uri`` itself when local (its parent made), else a
    scratch path uploaded to ``uri`` when the block ends without an error (and then removed)."""
    if not is_remote(uri):
        path = local_path(uri)
        os.makedirs(path if is_dir else os.path.dirname(os.path.abspath(path)), exist_ok=True)
        yield path
        return
    scratch = fa.get_random_local_path(None if is_dir else os.path.basename(uri.rstrip("/")))
    os.makedirs(scratch if is_dir else os.path.dirname(scratch), exist_ok=True)
    try:
        yield scratch
        fa.put_data(scratch, uri, is_multipart=is_dir)
    finally:
        shutil.rmtree(scratch if is_dir else os.path.dirname(scratch), ignore_errors=True)


@contextlib.contextmanager
def local_source(fa: FileAccess, uri: str) -> Iterator[str]:
    """A local path holding ``uri``'s content (a file or a directory): ``uri`` itself when local, else
    a scratch copy removed when the block ends.

    Raises:
        TypeTransformerFailedError: nothing is at ``uri``.
        StorageError: something is there, but it could not be read.
    """
    if not is_remote(uri):
        if not os.path.exists(local_path(uri)):
            raise _missing(uri)
        yield local_path(uri)
        return
    scratch = fa.get_random_local_path()
    try:
        try:
            fa.get_data(uri, scratch, is_multipart=True)
        except StorageError as e:
            if not fa.exists(uri):  # asked only on failure: nothing there is the user's to fix
                raise _missing(uri) from e
            raise
        yield scratch
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _missing(uri: str) -> TypeTransformerFailedError:
    return TypeTransformerFailedError(
        f"no structured dataset at {uri!r}: no such file or directory; check the uri given to "
        "StructuredDataset(uri=...), or that the task that wrote it succeeded"
    )


def copy_to_raw_output(fa: FileAccess, uri: str) -> str:
    """Copy local data at ``uri`` under the raw output prefix, as Flyte's Python SDK does for a
    ``StructuredDataset(uri=<local path>)`` output; a remote ``uri`` is returned unchanged.

    A directory lands at ``<prefix>/<random>/<name>/`` (with the trailing slash), a file at
    ``<prefix>/<random>/<name>``.
    """
    if is_remote(uri):
        return uri
    path = local_path(uri)
    if not os.path.exists(path):
        raise TypeTransformerFailedError(
            f"StructuredDataset(uri={uri!r}): no such file or directory; give the location of "
            "existing data, or a dataframe: StructuredDataset(dataframe=df)"
        )
    is_dir = os.path.isdir(path)
    dst = join(fa.raw_output_prefix, uuid.uuid4().hex, os.path.basename(path.rstrip(os.sep)))
    if is_dir:
        dst += "/"
    fa.put_data(path, dst, is_multipart=is_dir)
    return dst


def literal_from_reference(lv: Literal, uri_key: str, format_key: str | None) -> Literal:
    """The structured-dataset literal (or, with no ``format_key``, the schema literal) that a
    reference stored as msgpack (``{"uri": ..., "file_format": ...}``, a dataclass field) or as a
    generic struct (console input) stands for."""
    scalar = lv.scalar
    which = scalar.WhichOneof("value")
    data: Any
    if which == "binary":
        if scalar.binary.tag != "msgpack":
            raise TypeTransformerFailedError(
                f"expected a msgpack binary, got one tagged {scalar.binary.tag!r}"
            )
        import msgpack

        data = msgpack.loads(scalar.binary.value)
    else:
        from google.protobuf import json_format

        data = json_format.MessageToDict(scalar.generic)
    uri = data.get(uri_key) if isinstance(data, dict) else None
    if not isinstance(uri, str):
        raise TypeTransformerFailedError(
            f"expected a reference with a {uri_key!r}, got {describe_literal(lv)}"
        )
    if format_key is None:
        return Literal(scalar=Scalar(schema=Schema(uri=uri, type=SchemaType())))
    fmt = data.get(format_key) or ""
    metadata = StructuredDatasetMetadata(structured_dataset_type=StructuredDatasetType(format=fmt))
    return Literal(scalar=Scalar(structured_dataset=StructuredDatasetLiteral(uri=uri, metadata=metadata)))


def data_file(path: str) -> str:
    """The one data file in a dataset directory (``<uri>/00000``, as datasets are usually written), or
    ``path`` itself: a single file is read directly, a third faster than discovering a dataset.
    Names starting with ``_`` or ``.`` are not data, as for Arrow's own dataset discovery."""
    if not os.path.isdir(path):
        return path
    with os.scandir(path) as entries:
        data = [e for e in entries if not e.name.startswith(("_", "."))]
    if len(data) == 1 and data[0].is_file():
        return data[0].path
    return path
