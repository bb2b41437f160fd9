"""Remote filesystems: fsspec loaded on first use, configured as Flyte configures it, cached, and every
failure turned into a ``StorageError``.

fsspec, s3fs and their network stacks are optional and slow to import, so nothing here imports them
until a remote location is actually used. Creating an S3 client is also slow, so filesystems are
cached per protocol and configuration (the configuration is read from the environment on each call,
so a changed endpoint or credential gives a fresh filesystem).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from collections.abc import Iterator, Mapping
from typing import Any

from flyweight.errors import StorageError

__all__ = ["INSTALL_HINT", "describe", "filesystem", "s3_options", "storage_errors", "strip_protocol"]

INSTALL_HINT = "pip install 'flyweight[s3]'"

_DEFAULT_RETRIES = 3
_CACHE: dict[tuple[Any, ...], Any] = {}
_LOCK = threading.Lock()

if hasattr(os, "register_at_fork"):  # clients hold sockets and an event loop: not valid in a child
    os.register_at_fork(after_in_child=_CACHE.clear)


def _fsspec() -> Any:
    try:
        return importlib.import_module("fsspec")
    except ImportError as e:
        raise StorageError(
            f"remote locations need fsspec, which is not installed ({e}); install it with {INSTALL_HINT}"
        ) from e


def _retries(environ: Mapping[str, str]) -> int:
    raw = environ.get("FLYTE_AWS_RETRIES", "").strip()
    if not raw:
        return _DEFAULT_RETRIES
    try:
        value = int(raw)
    except ValueError:
        raise StorageError(
            f"expected a whole number of retries in FLYTE_AWS_RETRIES, got {raw!r}; set it to e.g. 3"
        ) from None
    return max(value, 0)


def s3_options(environ: Mapping[str, str], anonymous: bool = False) -> dict[str, Any]:
    """s3fs options from Flyte's settings, as flytekit passes them, plus bounded retries.

    ``FLYTE_AWS_ENDPOINT``, ``FLYTE_AWS_ACCESS_KEY_ID`` and ``FLYTE_AWS_SECRET_ACCESS_KEY`` are used
    when set; everything else (``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL``, profiles, instance roles)
    is left to botocore's own lookup. ``FLYTE_AWS_RETRIES`` (default 3) bounds botocore's retries.
    """
    options: dict[str, Any] = {"cache_regions": True, "use_listings_cache": False}
    key = environ.get("FLYTE_AWS_ACCESS_KEY_ID")
    secret = environ.get("FLYTE_AWS_SECRET_ACCESS_KEY")
    endpoint = environ.get("FLYTE_AWS_ENDPOINT")
    if key:
        options["key"] = key
    if secret:
        options["secret"] = secret
    if endpoint:
        options["client_kwargs"] = {"endpoint_url": endpoint}
    options["config_kwargs"] = {"retries": {"max_attempts": _retries(environ) + 1, "mode": "standard"}}
    if anonymous:
        options["anon"] = True
    return options


def _options(protocol: str, anonymous: bool, environ: Mapping[str, str]) -> dict[str, Any]:
    if protocol in ("s3", "s3a"):
        return s3_options(environ, anonymous)
    if protocol == "file":
        return {"auto_mkdir": True}
    if protocol == "gs" and anonymous:
        return {"token": "anon"}
    if protocol in ("abfs", "abfss") and anonymous:
        return {"anon": True}
    return {}


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def filesystem(protocol: str, anonymous: bool = False, **kwargs: Any) -> Any:
    """The (cached) fsspec filesystem for ``protocol``, configured from the environment.

    Keyword arguments are passed to the filesystem's constructor over the configured options.

    Raises:
        StorageError: fsspec or the protocol's implementation is not installed, or the protocol is
            unknown.
    """
    environ = os.environ
    options = {**_options(protocol, anonymous, environ), **kwargs}
    # botocore also reads AWS_* variables itself, so they are part of what configures the client.
    aws = tuple(sorted((k, v) for k, v in environ.items() if k.startswith("AWS_")))
    key = (protocol, _freeze(options), aws if protocol in ("s3", "s3a") else ())
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    fsspec = _fsspec()
    try:
        fs = fsspec.filesystem(protocol, skip_instance_cache=True, **options)
    except ImportError as e:
        raise StorageError(
            f"cannot access {protocol}:// locations: {e} (for s3:// and http(s)://: {INSTALL_HINT})"
        ) from e
    except ValueError as e:
        raise StorageError(
            f"expected a location with a known protocol, got {protocol}:// ({e}); "
            "check the spelling, or install the fsspec implementation for it"
        ) from e
    if protocol in ("s3", "s3a"):
        fs.retries = 2  # s3fs's own loop, around botocore's bounded retries
    with _LOCK:
        return _CACHE.setdefault(key, fs)


def strip_protocol(fs: Any, uri: str) -> str:
    """``uri`` as ``fs`` names it internally (``bucket/key`` for ``s3://bucket/key``)."""
    return str(fs._strip_protocol(uri))


def _is_network_error(e: BaseException) -> bool:
    return any("Connect" in cls.__name__ or "Timeout" in cls.__name__ for cls in type(e).__mro__)


def _hint(e: BaseException) -> str:
    if isinstance(e, FileNotFoundError):
        return "check that the location exists (on an object store, its bucket too)"
    if isinstance(e, PermissionError):
        return (
            "check the credentials (FLYTE_AWS_ACCESS_KEY_ID / AWS_ACCESS_KEY_ID, a profile or a role) "
            "and the permissions on the location"
        )
    if isinstance(e, (IsADirectoryError, NotADirectoryError)):
        return "check whether the location is a file or a directory"
    if _is_network_error(e):
        return (
            "check the network and the endpoint (FLYTE_AWS_ENDPOINT / AWS_ENDPOINT_URL for S3); "
            "retrying may succeed"
        )
    return "retrying may succeed"


def describe(e: BaseException) -> str:
    """``"TypeName: message"`` for ``e``, with the message of its cause when it has none of its own."""
    text = str(e).strip() or str(e.__cause__ or "").strip()
    described = f"{type(e).__name__}: {text}" if text else type(e).__name__
    return f"not found ({described})" if isinstance(e, FileNotFoundError) else described


@contextlib.contextmanager
def storage_errors(action: str, uri: str) -> Iterator[None]:
    """Turn any failure inside the block into ``StorageError("cannot <action> <uri>: <cause>; <hint>")``."""
    try:
        yield
    except StorageError:
        raise
    except Exception as e:
        raise StorageError(f"cannot {action} {uri!r}: {describe(e)}; {_hint(e)}") from e
