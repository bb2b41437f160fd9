"""``FlyteFile``: a task input or output that is a file, moved through the blob store.

On the wire a file is a single-part ``Blob`` literal: a URI and a format string (``FlyteFile["csv"]``
gives ``"csv"``). Going out, a local file is uploaded under the execution's raw output prefix and the
literal names the upload; a file that already lives in a store is referenced as it is. Coming in, a
remote URI becomes a ``FlyteFile`` whose local copy is downloaded only when task code first opens it
(``open(ff)``, ``ff.download()``, ``ff.open()``), so a task that never reads a file never pays for it.
``os.PathLike`` annotations use the same literal and never copy anything.
"""

from __future__ import annotations

import contextlib
import functools
import os
import pathlib
import typing
import uuid
from collections.abc import Callable, Iterator
from typing import IO, Any, Generic, TypeVar

from mashumaro.types import SerializableType

from flyweight._context import FlyteContextManager
from flyweight._idl import Literal, LiteralType
from flyweight._storage import FileAccess
from flyweight.errors import TypeTransformerFailedError
from flyweight.types._data._blob import (
    PICKLE_FORMAT,
    SINGLE,
    BlobValue,
    Download,
    FileExt,
    blob_literal,
    blob_literal_type,
    blob_of,
    file_access,
    is_remote,
    local,
    noop,
    with_format,
)
from flyweight.types._data._stand_ins import file_stand_in, reference
from flyweight.types._ir._describe import describe_value, type_name
from flyweight.types._registry._transformer import TypeTransformer

__all__ = ["FlyteFile", "FlyteFilePathTransformer"]

T = TypeVar("T")
PathType = typing.Union[str, "os.PathLike[str]"]


class FlyteFile(SerializableType, BlobValue, os.PathLike, Generic[T]):  # type: ignore[type-arg]
    """A file passed to or returned from a task.

    Return a local path (a ``str``, a ``pathlib.Path`` or a ``FlyteFile``) from a task declared to
    return ``FlyteFile`` and it is uploaded to the blob store; receive one and its contents are
    downloaded the first time the task opens it. ``FlyteFile["csv"]`` (or
    ``FlyteFile[typing.TypeVar("csv")]``) records the format in the type.

    Args:
        path: a local path, or the URI of a file in a blob store (``s3://...``, ``gs://...``,
            ``https://...``), which is then downloaded on first use.
        downloader: called once, before the local path is first used; for values made by code that
            fetches the data itself.
        remote_path: where to upload the file when it is returned, instead of a random location
            under the raw output prefix; ``False`` means "do not upload, the path is already where
            it should be".
        metadata: string key/values written into the literal's metadata.

    Example:
        >>> import os, tempfile
        >>> from flyweight.types import FlyteFile, TypeEngine
        >>> path = os.path.join(tempfile.mkdtemp(), "data.csv")
        >>> with open(path, "w") as f:
        ...     _ = f.write("a,b\\n1,2\\n")
        >>> lit = TypeEngine.to_literal(None, path, FlyteFile["csv"], None)
        >>> lit.scalar.blob.metadata.type.format, lit.scalar.blob.uri.endswith("/data.csv")
        ('csv', True)
        >>> ff = TypeEngine.to_python_value(None, lit, FlyteFile["csv"])
        >>> with open(ff) as f:
        ...     f.readline()
        'a,b\\n'
    """

    def __init__(
        self,
        path: PathType,
        downloader: Callable[[], object] = noop,
        remote_path: PathType | bool | None = None,
        metadata: dict[str, str] | None = None,
    ) -> None:
        self.path: PathType = path
        self.metadata = metadata
        self._downloader = downloader
        self._downloaded = False
        self._remote_path = remote_path
        self._remote_source: str | None = None
        self._local_path: PathType = path
        fa = FlyteContextManager.current_context().file_access
        if is_remote(path):
            self._remote_source = os.fspath(path)
            self._local_path = fa.get_random_local_path(self._remote_source)
            self._downloader = Download(self._remote_source, self._local_path, multipart=False)

    @classmethod
    def new_remote_file(cls, name: str | None = None, alt: str | None = None) -> FlyteFile[T]:
        """A new file under the raw output prefix, for a task that writes its output there directly.

        Args:
            name: the file's name under the prefix (default: a random one).
            alt: another bucket to use instead of the prefix's (for ``s3://bucket/...`` prefixes).

        Example:
            >>> from flyweight.types import FlyteFile
            >>> out = FlyteFile.new_remote_file("report.txt")
            >>> with out.open("w") as f:
            ...     _ = f.write("done")
            >>> open(out).read()
            'done'
        """
        fa = FlyteContextManager.current_context().file_access
        prefix = fa.raw_output_prefix.rstrip("/")
        if alt:
            scheme, sep, rest = prefix.partition("://")
            if not sep:
                raise ValueError(f"alt={alt!r} needs a bucket prefix (scheme://bucket/...), got {prefix!r}")
            _, _, key = rest.partition("/")
            prefix = f"{scheme}://{alt}/{key}".rstrip("/")
        path = f"{prefix}/{name or uuid.uuid4().hex}"
        if is_remote(path):
            return cls(path)
        return cls(path, remote_path=False)  # already in the store: returning it uploads nothing

    @classmethod
    def from_source(cls, source: PathType) -> FlyteFile[T]:
        """A file that refers to ``source`` (a local path or a remote URI), read like a task input."""
        lit = blob_literal(os.fspath(source), cls.extension(), multipart=False)
        return typing.cast("FlyteFile[T]", FlyteFilePathTransformer().to_python_value(None, lit, cls))

    @classmethod
    def new(cls, filename: PathType) -> FlyteFile[T]:
        """A file named ``filename`` (relative) in the running task's working directory."""
        if os.path.isabs(filename):
            raise ValueError(f"FlyteFile.new takes a relative path, got {os.fspath(filename)!r}")
        ctx = FlyteContextManager.current_context()
        return cls(os.path.join(ctx.user_space_params.working_directory, filename))

    @property
    def downloaded(self) -> bool:
        """Whether the local copy has been fetched (always True once the path was used)."""
        return self._downloaded

    @property
    def remote_path(self) -> PathType | bool | None:
        """The upload destination given by the user, if any (``False``: never upload)."""
        return self._remote_path

    @property
    def remote_source(self) -> str | None:
        """The remote URI this file was read from (a task input in a blob store), else None."""
        return self._remote_source

    def __fspath__(self) -> str:
        """The local path, after downloading the file if it has not been yet."""
        if not self._downloaded:
            self._downloader()
            self._downloaded = True
        return local(self._local_path)

    def download(self) -> str:
        """Fetch the file (once) and return its local path."""
        return self.__fspath__()

    @contextlib.contextmanager
    def open(self, mode: str = "r", **kwargs: Any) -> Iterator[IO[Any]]:
        """A file object streaming from (or to) the file's remote location, or the local file.

        ``mode`` is ``"r"``, ``"rb"``, ``"w"`` or ``"wb"`` for a remote file (any mode for a local one);
        ``encoding`` may be given for text modes. Nothing is downloaded to local disk: reading a
        remote input streams it. Writing to a file made by :meth:`new_remote_file` writes to the store
        directly.
        """
        fa = FlyteContextManager.current_context().file_access
        target = self._remote_source or (
            self._remote_path if isinstance(self._remote_path, (str, os.PathLike)) else None
        )
        if target is not None and is_remote(target):
            with fa.open(os.fspath(target), mode.replace("t", ""), **kwargs) as f:
                yield f
            return
        path = local(self.path)
        if any(c in mode for c in "wax+"):
            os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path, mode) as f:
            yield f

    def _identity(self) -> tuple[object, ...]:
        return (self._remote_path, self.extension())

    # mashumaro's hooks: a field of a DataClassJSONMixin class (``to_json`` / ``from_json``) is stored
    # as Flyte's Python SDK stores it, ``{"path": uri}`` after uploading a local file.
    def _serialize(self) -> Any:
        return file_transformer()._to_plain(None, self, type(self))

    @classmethod
    def _deserialize(cls, value: Any) -> Any:
        return file_transformer()._from_plain(None, value, cls)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic's hook, so pydantic models can hold files, stored as Flyte's Python SDK stores them:
        ``{"path": uri}`` after uploading a local file. Only pydantic calls it, so it imports no pydantic
        module itself (``_pydantic`` loads with the first model that has such a field)."""
        from flyweight.types._data._pydantic import data_core_schema

        return data_core_schema(source, handler)


class FlyteFilePathTransformer(TypeTransformer[FlyteFile[Any]]):
    """Converts ``FlyteFile`` (any format) and ``os.PathLike`` to and from single-part blob literals."""

    def __init__(self) -> None:
        super().__init__("FlyteFilePath", FlyteFile)

    @staticmethod
    def get_format(t: Any) -> str:
        t = _underlying(t)
        if t is os.PathLike:
            return ""
        return typing.cast(str, t.extension())

    def assert_type(self, t: Any, v: Any) -> None:
        if not isinstance(v, (str, os.PathLike)):
            raise TypeTransformerFailedError(
                f"expected {type_name(t)} (a FlyteFile, str or os.PathLike path), got {describe_value(v)}"
            )

    def get_literal_type(self, t: Any) -> LiteralType:
        return blob_literal_type(self.get_format(t), multipart=False)

    def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        t = _underlying(python_type)
        fmt = self.get_format(t)
        fa = file_access(ctx)
        if isinstance(python_val, FlyteFile):
            if python_val.remote_source is not None:
                return blob_literal(python_val.remote_source, fmt, False, python_val.metadata)
            source = os.fspath(python_val.path)
            destination = python_val.remote_path
            if t is os.PathLike or destination is False or is_remote(source):
                return blob_literal(source, fmt, False, python_val.metadata)
            return blob_literal(_upload(fa, source, destination), fmt, False, python_val.metadata)
        if isinstance(python_val, (str, os.PathLike)):
            source = os.fspath(python_val)
            if t is os.PathLike or is_remote(source):
                return blob_literal(source, fmt, False)
            return blob_literal(_upload(fa, source, None), fmt, False)
        raise TypeTransformerFailedError(
            f"expected {type_name(python_type)} (a FlyteFile, str or os.PathLike path), got "
            f"{describe_value(python_val)}"
        )

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> FlyteFile[Any]:
        t = _underlying(expected_python_type)
        blob = blob_of(lv, type_name(expected_python_type), multipart=False)
        uri = blob.uri
        metadata = dict(lv.metadata) or None
        fa = file_access(ctx)
        remote = is_remote(uri)
        if not remote and not os.path.isfile(local(uri)):
            raise TypeTransformerFailedError(
                f"expected {type_name(expected_python_type)}, got a blob literal whose uri {uri!r} is not "
                "a file on this machine"
            )
        if t is os.PathLike:
            return FlyteFile(uri, metadata=metadata)
        if not (isinstance(t, type) and issubclass(t, FlyteFile)):
            raise TypeTransformerFailedError(
                f"expected FlyteFile or os.PathLike, got the type {type_name(t)}"
            )
        if not remote:
            return t(local(uri), metadata=metadata)
        local_copy = fa.get_random_local_path(uri)
        ff = t(local_copy, downloader=Download(uri, local_copy, multipart=False), metadata=metadata)
        ff._remote_source = uri
        return ff

    # -- as a dataclass field (see flyweight.types._ir._nodes.Custom) ------------------------------

    def _to_plain(self, ctx: Any, python_val: Any, python_type: Any) -> Any:
        """``{"path": uri}`` (and ``"metadata"`` when there is some), after uploading a local file, as
        Flyte's Python SDK stores a ``FlyteFile`` field; an ``os.PathLike`` field is its path string."""
        if not isinstance(python_val, (str, os.PathLike)):
            raise TypeTransformerFailedError(
                f"expected {type_name(python_type)}, got {describe_value(python_val)}"
            )
        if _underlying(python_type) is os.PathLike:
            return os.fspath(python_val)
        lit = self.to_literal(
            ctx, python_val, python_type, blob_literal_type(self.get_format(python_type), False)
        )
        out: dict[str, Any] = {"path": lit.scalar.blob.uri}
        if lit.metadata:
            out["metadata"] = dict(lit.metadata)
        return out

    def _from_plain(self, ctx: Any, plain: Any, python_type: Any) -> Any:
        if _underlying(python_type) is os.PathLike:
            if not isinstance(plain, str):
                raise TypeTransformerFailedError(f"expected a path string, got {describe_value(plain)}")
            return pathlib.PurePath(plain)
        uri = reference(plain, "path", type_name(python_type))
        metadata = plain.get("metadata")
        lit = blob_literal(
            uri, self.get_format(python_type), False, metadata if isinstance(metadata, dict) else None
        )
        return self.to_python_value(ctx, lit, python_type)

    def _schema_stand_in(self, python_type: Any) -> Any:
        return os.PathLike if _underlying(python_type) is os.PathLike else file_stand_in()

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        from flyweight.types._data._iterator import is_json_iterator_type  # guessing is rare: on first use

        if (
            literal_type.WhichOneof("type") == "blob"
            and literal_type.blob.dimensionality == SINGLE
            and literal_type.blob.format != PICKLE_FORMAT
            and not is_json_iterator_type(literal_type)  # Iterator[JSON]'s, whichever module loaded first
        ):
            return with_format(FlyteFile, literal_type.blob.format)
        raise ValueError(f"transformer {self.name!r} cannot turn {literal_type} into a Python type")

    def get_mime_type_from_extension(self, extension: str) -> str | list[str]:
        """The MIME type(s) a file of this format has (used by plugins that check file contents)."""
        import mimetypes

        known: dict[str, str | list[str]] = {
            "hdf5": "text/plain",
            "joblib": "application/octet-stream",
            "python_pickle": "application/octet-stream",
            "ipynb": "application/json",
            "onnx": "application/json",
            "tfrecord": "application/octet-stream",
            "jsonl": ["application/json", "application/x-ndjson"],
        }
        for ext, mime in mimetypes.types_map.items():
            known[ext.lstrip(".")] = mime  # the platform's table wins, as in flytekit
        return known[extension]


@functools.cache
def file_transformer() -> FlyteFilePathTransformer:
    """The one transformer of ``FlyteFile`` and ``os.PathLike``, which the type engine loads on first use."""
    return FlyteFilePathTransformer()


def _underlying(t: Any) -> Any:
    """``Annotated[X, ...]`` → ``X``."""
    while typing.get_origin(t) is typing.Annotated:
        t = typing.get_args(t)[0]
    return t


def _upload(fa: FileAccess, source: str, destination: PathType | bool | None) -> str:
    """Upload the local file ``source`` to ``destination`` (default: a random path under the raw
    output prefix) and return where it went."""
    path = local(source)
    if not os.path.isfile(path):
        what = "is a directory, not a file" if os.path.isdir(path) else "does not exist"
        raise TypeTransformerFailedError(
            f"expected a file to upload, but {source!r} {what}; return the path of an existing file "
            "(or a FlyteFile with a remote URI)"
        )
    if isinstance(destination, (str, os.PathLike)):
        target = os.fspath(destination)
    else:
        target = fa.get_random_remote_path(path)
    return str(fa.put_data(path, target, is_multipart=False) or target)


def _alias(ext: str) -> Any:
    return with_format(FlyteFile, typing.Annotated[str, FileExt(ext)])


# flytekit's named file formats (flytekit.types.file), for code that imports them.
HDF5EncodedFile = _alias("hdf5")
HTMLPage = _alias("html")
JoblibSerializedFile = _alias("joblib")
JPEGImageFile = _alias("jpeg")
PDFFile = _alias("pdf")
PNGImageFile = _alias("png")
PythonPickledFile = _alias("python_pickle")
PythonNotebook = _alias("ipynb")
SVGImageFile = _alias("svg")
CSVFile = _alias("csv")
ONNXFile = _alias("onnx")
TFRecordFile = _alias("tfrecord")
JSONLFile = _alias("jsonl")
