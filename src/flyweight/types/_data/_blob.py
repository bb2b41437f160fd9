"""What files, directories and pickles share: blob literals, formats, storage access, lazy downloads.

``FlyteFile`` (a single blob), ``FlyteDirectory`` (a multipart blob) and the pickle fallback (a
single blob in the ``PythonPickle`` format) all move data between a task's local disk and the blob
store through the file access of the current context. This module holds that common ground so
each type's module only says what is particular to it.
"""

from __future__ import annotations

import os
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flyweight._context import FlyteContextManager
from flyweight._idl import Blob, BlobType, Literal, LiteralType
from flyweight._storage import FileAccess, is_remote as _storage_is_remote, local_path
from flyweight.errors import TypeTransformerFailedError
from flyweight.types._ir._describe import describe_literal

if TYPE_CHECKING:
    from flyweight._context import FlyteContext

SINGLE = BlobType.BlobDimensionality.SINGLE
MULTIPART = BlobType.BlobDimensionality.MULTIPART
PICKLE_FORMAT = "PythonPickle"


class FileExt:
    """A file format that a plain string cannot spell, for ``FlyteFile[...]`` and ``FlyteDirectory[...]``.

    Args:
        ext: the format, e.g. ``"tar.gz"``.

    Example:
        >>> from typing import Annotated
        >>> from flyweight.types import FileExt, FlyteFile
        >>> FlyteFile[Annotated[str, FileExt("tar.gz")]].extension()
        'tar.gz'
    """

    def __init__(self, ext: str) -> None:
        self._ext = ext

    def __str__(self) -> str:
        return self._ext

    def __repr__(self) -> str:
        return self._ext

    @staticmethod
    def check_and_convert_to_str(item: Any) -> str:
        """The format named by ``item``: a string, a ``TypeVar`` or ``Annotated[str, FileExt(...)]``."""
        if typing.get_origin(item) is not typing.Annotated:
            return str(item)
        args = typing.get_args(item)
        if args[0] is str:
            return str(args[1])
        raise TypeError(f"a file format must be Annotated[str, FileExt(...)], got {item!r}")


def format_name(item: Any) -> str:
    """The format string of a ``FlyteFile[item]`` parameter: ``"csv"`` for ``"csv"``, ``".csv"``,
    ``TypeVar("csv")`` (whose name prints as ``~csv``) and ``Annotated[str, FileExt("csv")]``."""
    if item is None:
        return ""
    return FileExt.check_and_convert_to_str(item).strip().lstrip("~").lstrip(".")


_FORMATTED: dict[tuple[type, str], type] = {}


def with_format(cls: type, item: Any) -> type:
    """The subclass of ``cls`` (``FlyteFile`` or ``FlyteDirectory``) that records the format named by
    ``item``, made once per format so ``FlyteFile["csv"] is FlyteFile["csv"]``; ``cls`` for no format."""
    fmt = format_name(item)
    if not fmt:
        return cls
    found = _FORMATTED.get((cls, fmt))
    if found is None:
        name = f"{cls.__name__}[{fmt}]"
        attrs = {
            "_format": fmt,
            "_unformatted": cls,
            "__module__": cls.__module__,
            "__qualname__": name,
            "__doc__": f"A {cls.__name__} in the format {fmt!r}.",
        }
        found = type(name, (cls,), attrs)
        _FORMATTED[(cls, fmt)] = found
    return found


Reduced = tuple[Callable[[type, str, dict[str, Any]], object], tuple[type, str, dict[str, Any]]]
"""What ``__reduce__`` of a file or directory gives: :func:`restore` and its arguments."""


def reduce(value: BlobValue) -> Reduced:
    """``__reduce__`` of a file or directory: the format classes are made at run time, so a pickle
    names the plain class and the format and :func:`restore` rebuilds the value."""
    cls = type(value)
    base = cls.__dict__.get("_unformatted", cls)
    return restore, (base, cls.__dict__.get("_format", ""), dict(value.__dict__))


def restore(base: type, fmt: str, state: dict[str, Any]) -> object:
    value: object = object.__new__(with_format(base, fmt))
    value.__dict__.update(state)
    return value


def blob_type(fmt: str, multipart: bool) -> BlobType:
    return BlobType(format=fmt, dimensionality=MULTIPART if multipart else SINGLE)


def blob_literal_type(fmt: str, multipart: bool) -> LiteralType:
    return LiteralType(blob=blob_type(fmt, multipart))


def blob_literal(
    uri: str, fmt: str, multipart: bool, metadata: typing.Mapping[str, str] | None = None
) -> Literal:
    lit = Literal()
    blob = lit.scalar.blob
    blob.metadata.type.CopyFrom(blob_type(fmt, multipart))
    blob.uri = uri
    if metadata:
        lit.metadata.update(metadata)
    return lit


def blob_of(lit: Literal, expected: str, multipart: bool) -> Blob:
    """The blob a literal holds, checked for its dimensionality; ``expected`` names the Python type."""
    if lit.WhichOneof("value") != "scalar" or lit.scalar.WhichOneof("value") != "blob":
        raise TypeTransformerFailedError(f"expected {expected}, got {describe_literal(lit)}")
    blob = lit.scalar.blob
    if blob.metadata.type.dimensionality != (MULTIPART if multipart else SINGLE):
        what = "a directory (multipart blob)" if multipart else "a file (single blob)"
        raise TypeTransformerFailedError(
            f"expected {expected}, got {describe_literal(lit)} {blob.uri!r}, which is not {what}"
        )
    return blob


def file_access(ctx: FlyteContext | None = None) -> FileAccess:
    """The file access of ``ctx`` when it has one, else of the current context."""
    found = getattr(ctx, "file_access", None)
    if isinstance(found, FileAccess):
        return found
    return FlyteContextManager.current_context().file_access


def is_remote(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a blob store or web location rather than this machine's disk."""
    return _storage_is_remote(os.fspath(path))


def local(path: str | os.PathLike[str]) -> str:
    """The local filesystem path of a local path or ``file://`` URI."""
    return local_path(os.fspath(path))


class Download:
    """Fetches ``remote`` into ``local_path`` through the current context's file access when called.

    It is the ``downloader`` of a file or directory read from a remote literal: nothing moves until
    task code first touches the value's path.
    """

    def __init__(self, remote: str, local_path_: str, multipart: bool) -> None:
        self.remote = remote
        self.local_path = local_path_
        self.multipart = multipart

    def __call__(self) -> None:
        fa = FlyteContextManager.current_context().file_access
        fa.get_data(self.remote, self.local_path, is_multipart=self.multipart)

    def __repr__(self) -> str:
        return f"Download({self.remote!r} -> {self.local_path!r})"


def noop() -> None:
    """The downloader of a value whose data is already on local disk."""


class BlobValue:
    """What ``FlyteFile`` and ``FlyteDirectory`` share: identity by where the data came from, so
    comparing, hashing, printing or pickling a value never downloads it.

    Subclasses set ``path`` and ``_remote_source`` and say what else tells two values apart.
    """

    path: str | os.PathLike[str]
    _remote_source: str | None
    _format: typing.ClassVar[str] = ""  # set by ``Kind["csv"]`` on the subclass it makes (``with_format``)

    def __class_getitem__(cls, item: Any) -> Any:
        """``FlyteFile["csv"]`` / ``FlyteDirectory["csv"]``: the subclass recording the format ``csv`` (the
        same class every time)."""
        return with_format(cls, item)

    @classmethod
    def extension(cls) -> str:
        """The format of this type: ``"csv"`` for ``FlyteFile["csv"]``, ``""`` when none was given."""
        return cls._format

    def _identity(self) -> tuple[object, ...]:
        """What makes two values of the same kind equal, besides their source."""
        raise NotImplementedError

    def _source(self) -> str:
        return self._remote_source or str(os.fspath(self.path))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, BlobValue) and _kind(other) is _kind(self):
            return (self._source(), *self._identity()) == (other._source(), *other._identity())
        if isinstance(other, (str, os.PathLike)):
            return os.fspath(self.path) == os.fspath(other) or self._remote_source == os.fspath(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._source())

    def __reduce__(self) -> Reduced:
        return reduce(self)

    def __str__(self) -> str:
        return str(os.fspath(self.path))

    def __repr__(self) -> str:
        extra = f", remote_source={self._remote_source!r}" if self._remote_source else ""
        return f"{type(self).__qualname__}({os.fspath(self.path)!r}{extra})"


def _kind(value: BlobValue) -> type:
    """The unparametrised class of a blob value (``FlyteFile`` for ``FlyteFile["csv"]``)."""
    for cls in type(value).__mro__:
        if BlobValue in cls.__bases__:
            return cls
    return type(value)
