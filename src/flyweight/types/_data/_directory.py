"""``FlyteDirectory``: a task input or output that is a directory of files, moved through the blob store.

On the wire a directory is a multipart ``Blob`` literal: the URI of a prefix and a format string.
Going out, a local directory is uploaded (recursively) under the raw output prefix; a directory that
already lives in a store is referenced as it is. Coming in, a remote prefix becomes a
``FlyteDirectory`` whose local copy is downloaded only when task code first uses its path
(``os.listdir(fd)``, ``fd.download()``).
"""

from __future__ import annotations

import functools
import os
import typing
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from mashumaro.types import SerializableType

from flyweight._context import FlyteContextManager
from flyweight._idl import Literal, LiteralType
from flyweight._storage import FileAccess
from flyweight.errors import TypeTransformerFailedError
from flyweight.types._data._blob import (
    MULTIPART,
    BlobValue,
    Download,
    blob_literal,
    blob_literal_type,
    blob_of,
    file_access,
    is_remote,
    local,
    noop,
    with_format,
)
from flyweight.types._data._file import FlyteFile, PathType, _underlying
from flyweight.types._data._stand_ins import directory_stand_in, reference
from flyweight.types._ir._describe import describe_value, type_name
from flyweight.types._registry._transformer import TypeTransformer

__all__ = ["FlyteDirToMultipartBlobTransformer", "FlyteDirectory"]

T = TypeVar("T")


class FlyteDirectory(SerializableType, BlobValue, os.PathLike, Generic[T]):  # type: ignore[type-arg]
    """A directory passed to or returned from a task.

    Return a local directory (a ``str``, ``pathlib.Path`` or ``FlyteDirectory``) from a task declared
    to return ``FlyteDirectory`` and it is uploaded; receive one and it is downloaded the first time
    the task uses its path. ``FlyteDirectory["csv"]`` records a format for the files inside.

    Args:
        path: a local directory, or the URI of a prefix in a blob store.
        downloader: called once, before the local path is first used.
        remote_directory: where to upload the directory when it is returned, instead of a random
            location under the raw output prefix; ``False`` means "do not upload".

    Example:
        >>> import os, tempfile
        >>> from flyweight.types import FlyteDirectory, TypeEngine
        >>> d = tempfile.mkdtemp()
        >>> with open(os.path.join(d, "a.txt"), "w") as f:
        ...     _ = f.write("a")
        >>> lit = TypeEngine.to_literal(None, d, FlyteDirectory, None)
        >>> fd = TypeEngine.to_python_value(None, lit, FlyteDirectory)
        >>> sorted(os.listdir(fd))
        ['a.txt']
    """

    def __init__(
        self,
        path: PathType,
        downloader: Callable[[], object] | None = None,
        remote_directory: PathType | bool | None = None,
    ) -> None:
        self.path: PathType = path
        self._downloader = downloader or noop
        self._downloaded = False
        self._remote_directory = remote_directory
        self._remote_source: str | None = None
        self._local_path: PathType = path
        if is_remote(path):
            self._remote_source = os.fspath(path)
            self._local_path = FlyteContextManager.current_context().file_access.get_random_local_path()
            self._downloader = Download(self._remote_source, self._local_path, multipart=True)

    @classmethod
    def new_remote(cls, stem: str | None = None, alt: str | None = None) -> FlyteDirectory[T]:
        """A new directory under the raw output prefix (named ``stem``, default random)."""
        if stem and Path(stem).suffix:
            raise ValueError(f"a directory stem has no file extension, got {stem!r}")
        remote: FlyteFile[Any] = FlyteFile.new_remote_file(stem or uuid.uuid4().hex, alt=alt)
        return cls(os.fspath(remote.path), remote_directory=remote.remote_path)

    @classmethod
    def new(cls, dirname: PathType) -> FlyteDirectory[T]:
        """A new, empty directory named ``dirname`` (relative) in the running task's working directory."""
        if os.path.isabs(dirname):
            raise ValueError(f"FlyteDirectory.new takes a relative path, got {os.fspath(dirname)!r}")
        ctx = FlyteContextManager.current_context()
        path = os.path.join(ctx.user_space_params.working_directory, dirname)
        os.makedirs(path, exist_ok=False)
        return cls(path)

    @classmethod
    def from_source(cls, source: PathType) -> FlyteDirectory[T]:
        """A directory that refers to ``source`` (a local path or a remote URI), read like a task input."""
        lit = blob_literal(os.fspath(source), cls.extension(), multipart=True)
        value = FlyteDirToMultipartBlobTransformer().to_python_value(None, lit, cls)
        return typing.cast("FlyteDirectory[T]", value)

    @property
    def downloaded(self) -> bool:
        return self._downloaded

    @property
    def remote_directory(self) -> PathType | bool | None:
        """The upload destination given by the user, if any (``False``: never upload)."""
        return self._remote_directory

    @property
    def remote_source(self) -> str | None:
        """The remote URI this directory was read from (a task input in a blob store), else None."""
        return self._remote_source

    @property
    def sep(self) -> str:
        return "/"

    def __fspath__(self) -> str:
        """The local path, after downloading the directory if it has not been yet."""
        if not self._downloaded:
            self._downloader()
            self._downloaded = True
        return local(self._local_path)

    def download(self) -> str:
        """Fetch the directory (once) and return its local path."""
        return self.__fspath__()

    def _location(self) -> str:
        if self._remote_source:
            return self._remote_source
        if isinstance(self._remote_directory, (str, os.PathLike)):
            return os.fspath(self._remote_directory)
        return os.fspath(self.path)

    def new_file(self, name: str | None = None) -> FlyteFile[Any]:
        """A new file in this directory (a random name unless ``name`` is given); nothing is created."""
        return FlyteFile(self.sep.join([os.fspath(self.path).rstrip(self.sep), name or uuid.uuid4().hex]))

    def new_dir(self, name: str | None = None) -> FlyteDirectory[Any]:
        """A new sub-directory of this one (a random name unless ``name`` is given); nothing is created."""
        return FlyteDirectory(
            self.sep.join([os.fspath(self.path).rstrip(self.sep), name or uuid.uuid4().hex])
        )

    @classmethod
    def listdir(cls, directory: FlyteDirectory[Any]) -> list[FlyteFile[Any] | FlyteDirectory[Any]]:
        """The entries of ``directory`` as files and directories, without downloading anything.

        For a directory in a blob store each entry downloads itself when first used.
        """
        location = directory._location()
        fa = FlyteContextManager.current_context().file_access
        out: list[FlyteFile[Any] | FlyteDirectory[Any]] = []
        if not is_remote(location):
            base = local(location)
            for name in sorted(os.listdir(base)):
                joined = os.path.join(base, name)
                out.append(FlyteFile(joined) if os.path.isfile(joined) else FlyteDirectory(joined))
            return out
        fs = fa.get_filesystem_for_path(location)
        root = location.rstrip("/")
        for entry in sorted(fs.ls(root, detail=True), key=lambda e: str(e["name"])):
            name = str(entry["name"]).rstrip("/").rsplit("/", 1)[-1]
            remote = f"{root}/{name}"
            if entry.get("type") == "directory":
                out.append(FlyteDirectory(remote))
            else:
                out.append(FlyteFile(remote))
        return out

    def crawl(self, maxdepth: int | None = None, topdown: bool = True) -> Iterator[tuple[str, str]]:
        """``(base, relative path)`` of every file below this directory (downloading it if remote)."""
        base = self.download()
        for root, dirs, files in os.walk(base, topdown=topdown):
            rel_root = os.path.relpath(root, base)
            depth = 0 if rel_root == "." else rel_root.count(os.sep) + 1
            if maxdepth is not None and depth + 1 >= maxdepth:
                dirs[:] = []
            for f in sorted(files):
                yield base, f if rel_root == "." else os.path.join(rel_root, f)

    def __truediv__(self, other: str | os.PathLike[str]) -> Path:
        return Path(os.fspath(self.path)) / other

    def _identity(self) -> tuple[object, ...]:
        return (self._remote_directory, self.extension())

    # mashumaro's hooks: a field of a DataClassJSONMixin class (``to_json`` / ``from_json``) is stored
    # as Flyte's Python SDK stores it, ``{"path": uri}`` after uploading a local directory.
    def _serialize(self) -> Any:
        return directory_transformer()._to_plain(None, self, type(self))

    @classmethod
    def _deserialize(cls, value: Any) -> Any:
        return directory_transformer()._from_plain(None, value, cls)

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """pydantic's hook, so pydantic models can hold directories, stored as Flyte's Python SDK stores them:
        ``{"path": uri}`` after uploading a local directory. Only pydantic calls it, so it imports no
        pydantic module itself (``_pydantic`` loads with the first model that has such a field)."""
        from flyweight.types._data._pydantic import data_core_schema

        return data_core_schema(source, handler)


class FlyteDirToMultipartBlobTransformer(TypeTransformer[FlyteDirectory[Any]]):
    """Converts ``FlyteDirectory`` (any format) to and from multipart blob literals."""

    def __init__(self) -> None:
        super().__init__("FlyteDirectory", FlyteDirectory)

    @staticmethod
    def get_format(t: Any) -> str:
        return typing.cast(str, _underlying(t).extension())

    def assert_type(self, t: Any, v: Any) -> None:
        if not isinstance(v, (str, os.PathLike)):
            raise TypeTransformerFailedError(
                f"expected {type_name(t)} (a FlyteDirectory, str or os.PathLike path), "
                f"got {describe_value(v)}"
            )

    def get_literal_type(self, t: Any) -> LiteralType:
        return blob_literal_type(self.get_format(t), multipart=True)

    def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: LiteralType) -> Literal:
        fmt = self.get_format(python_type)
        fa = file_access(ctx)
        destination: PathType | bool | None = None
        if isinstance(python_val, FlyteDirectory):
            if python_val.remote_source is not None:
                return blob_literal(python_val.remote_source, fmt, True)
            source = os.fspath(python_val.path)
            destination = python_val.remote_directory
            if destination is False or (
                not isinstance(destination, (str, os.PathLike)) and is_remote(source)
            ):
                return blob_literal(source, fmt, True)
        elif isinstance(python_val, (str, os.PathLike)):
            source = os.fspath(python_val)
            if is_remote(source):
                return blob_literal(source, fmt, True)
        else:
            raise TypeTransformerFailedError(
                f"expected {type_name(python_type)} (a FlyteDirectory, str or os.PathLike path), got "
                f"{describe_value(python_val)}"
            )
        path = local(source)
        if not os.path.isdir(path):
            what = "is a file, not a directory" if os.path.isfile(path) else "does not exist"
            raise TypeTransformerFailedError(
                f"expected a directory to upload, but {source!r} {what}; return the path of an existing "
                "directory (or a FlyteDirectory with a remote URI)"
            )
        if isinstance(destination, (str, os.PathLike)):
            target = os.fspath(destination)
        else:
            target = _random_remote_directory(fa)
        uri = fa.put_data(path, target, is_multipart=True) or target
        return blob_literal(str(uri), fmt, True)

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> FlyteDirectory[Any]:
        t = _underlying(expected_python_type)
        blob = blob_of(lv, type_name(expected_python_type), multipart=True)
        uri = blob.uri
        fa = file_access(ctx)
        if not is_remote(uri):
            path = local(uri)
            if not os.path.isdir(path):
                raise TypeTransformerFailedError(
                    f"expected {type_name(expected_python_type)}, got a blob literal whose uri {uri!r} is "
                    "not a directory on this machine"
                )
            return typing.cast("FlyteDirectory[Any]", t(path, remote_directory=False))
        local_dir = fa.get_random_local_path()
        fd = t(local_dir, downloader=Download(uri, local_dir, multipart=True))
        fd._remote_source = uri
        return typing.cast("FlyteDirectory[Any]", fd)

    # -- as a dataclass field (see flyweight.types._ir._nodes.Custom) ------------------------------

    def _to_plain(self, ctx: Any, python_val: Any, python_type: Any) -> Any:
        """``{"path": uri}``, after uploading a local directory, as Flyte's Python SDK stores a
        ``FlyteDirectory`` field."""
        if not isinstance(python_val, (str, os.PathLike)):
            raise TypeTransformerFailedError(
                f"expected {type_name(python_type)}, got {describe_value(python_val)}"
            )
        lit = self.to_literal(
            ctx, python_val, python_type, blob_literal_type(self.get_format(python_type), True)
        )
        return {"path": lit.scalar.blob.uri}

    def _from_plain(self, ctx: Any, plain: Any, python_type: Any) -> Any:
        uri = reference(plain, "path", type_name(python_type))
        return self.to_python_value(ctx, blob_literal(uri, self.get_format(python_type), True), python_type)

    def _schema_stand_in(self, python_type: Any) -> Any:
        return directory_stand_in()

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.WhichOneof("type") == "blob" and literal_type.blob.dimensionality == MULTIPART:
            return with_format(FlyteDirectory, literal_type.blob.format)
        raise ValueError(f"transformer {self.name!r} cannot turn {literal_type} into a Python type")


@functools.cache
def directory_transformer() -> FlyteDirToMultipartBlobTransformer:
    """The one ``FlyteDirectory`` transformer, which the type engine loads on first use."""
    return FlyteDirToMultipartBlobTransformer()


def _random_remote_directory(fa: FileAccess) -> str:
    make = getattr(fa, "get_random_remote_directory", None)
    if make is not None:
        return str(make())
    return str(fa.get_random_remote_path())


# flytekit's named directory formats (flytekit.types.directory), for code that imports them.
TensorboardLogs: Any = with_format(FlyteDirectory, "tensorboard")
TFRecordsDirectory: Any = with_format(FlyteDirectory, "tfrecord")
