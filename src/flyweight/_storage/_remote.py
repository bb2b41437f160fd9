"""Remote filesystems: fsspec loaded on first use, configured as Flyte configures it, cached, and every
failure turned into a ``StorageError``.

fsspec, s3fs and their network stacks are optional and slow to import, so nothing here imports them
until a remote location is actually used. Creating an S3 client is also slow, so filesystems are
cached per protocol and configuration (the configuration is read from the environment on each call,
so a changed endpoint, credential or timeout gives a fresh filesystem). S3 and http(s) clients get
connect and read timeouts and retries sized from ``FLYWEIGHT_STORAGE_TIMEOUT`` (see ``_deadline``).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
import time
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any

from flyweight._storage import _deadline
from flyweight.errors import StorageError, UnsupportedLocationError

__all__ = [
    "INSTALL_HINT",
    "describe",
    "filesystem",
    "http_options",
    "s3_options",
    "storage_errors",
    "strip_protocol",
]

INSTALL_HINT = "pip install 'flyweight[s3]'"

_DEFAULT_RETRIES = 3
_CACHE: dict[tuple[object, ...], Any] = {}  # → an fsspec filesystem (fsspec ships no types)
_LOCK = threading.Lock()

if hasattr(os, "register_at_fork"):  # clients hold sockets and an event loop: not valid in a child
    os.register_at_fork(after_in_child=_CACHE.clear)


def _fsspec() -> ModuleType:
    try:
        return importlib.import_module("fsspec")
    except ImportError as e:
        raise UnsupportedLocationError(
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


def s3_options(environ: Mapping[str, str], anonymous: bool = False) -> dict[str, object]:
    """s3fs options from Flyte's settings, as flytekit passes them, plus bounded retries and timeouts.

    ``FLYTE_AWS_ENDPOINT``, ``FLYTE_AWS_ACCESS_KEY_ID`` and ``FLYTE_AWS_SECRET_ACCESS_KEY`` are used
    when set; everything else (``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL``, profiles, instance roles)
    is left to botocore's own lookup. ``FLYTE_AWS_RETRIES`` (default 3) bounds botocore's retries;
    the connect and read timeouts of each attempt are sized so that all attempts and the back-off
    between them fit in ``FLYWEIGHT_STORAGE_TIMEOUT`` (default 120 s).
    """
    options: dict[str, object] = {"cache_regions": True, "use_listings_cache": False}
    key = environ.get("FLYTE_AWS_ACCESS_KEY_ID")
    secret = environ.get("FLYTE_AWS_SECRET_ACCESS_KEY")
    endpoint = environ.get("FLYTE_AWS_ENDPOINT")
    if key:
        options["key"] = key
    if secret:
        options["secret"] = secret
    if endpoint:
        options["client_kwargs"] = {"endpoint_url": endpoint}
    attempts = _retries(environ) + 1
    connect, read = _deadline.attempt_timeouts(
        _deadline.storage_timeout(environ), attempts, _deadline.botocore_backoff(attempts)
    )
    options["config_kwargs"] = {
        "connect_timeout": connect,
        "read_timeout": read,
        "retries": {"total_max_attempts": attempts, "mode": "standard"},
    }
    if anonymous:
        options["anon"] = True
    return options


def http_options(environ: Mapping[str, str]) -> dict[str, object]:
    """fsspec ``HTTPFileSystem`` options: aiohttp connect and read timeouts sized from the storage bound.

    fsspec's http filesystem does not retry, but finding a URL's size (to open it) may take two
    requests, a HEAD then a GET, so each request gets half the bound. There is no timeout on the
    total: aiohttp's default of 5 minutes would cut off a large download that is still moving.
    """
    connect, read = _deadline.attempt_timeouts(_deadline.storage_timeout(environ), attempts=2)
    try:
        aiohttp = importlib.import_module("aiohttp")
    except ImportError:
        return {}  # fsspec reports the missing dependency when the filesystem is made
    return {
        "client_kwargs": {"timeout": aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)}
    }


def _options(protocol: str, anonymous: bool, environ: Mapping[str, str]) -> dict[str, object]:
    if protocol in ("s3", "s3a"):
        return s3_options(environ, anonymous)
    if protocol in ("http", "https"):
        return http_options(environ)
    if protocol == "file":
        return {"auto_mkdir": True}
    if protocol == "gs" and anonymous:
        return {"token": "anon"}
    if protocol in ("abfs", "abfss") and anonymous:
        return {"anon": True}
    return {}


def _freeze(value: object) -> object:
    if isinstance(value, Mapping):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def filesystem(protocol: str, anonymous: bool = False, **kwargs: object) -> Any:
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
        raise UnsupportedLocationError(
            f"cannot access {protocol}:// locations: {e} (for s3:// and http(s)://: {INSTALL_HINT})"
        ) from e
    except ValueError as e:
        raise UnsupportedLocationError(
            f"expected a location with a known protocol, got {protocol}:// ({e}); "
            "check the spelling, or install the fsspec implementation for it"
        ) from e
    if protocol in ("s3", "s3a"):
        # s3fs's own retry loops (nested: around each call and around each read) multiply botocore's
        # attempts; one attempt each leaves botocore's FLYTE_AWS_RETRIES as the only retries, which
        # keeps the timeouts sized in s3_options true.
        fs.retries = 1
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


def _timed_out(action: str, uri: str, e: BaseException, elapsed: float) -> StorageError:
    e = _deadline.timeout_in(e) or e  # fsspec's http info() reports a timeout as "not found"
    try:
        bound = f"now {_deadline.storage_timeout(os.environ):g}"
    except StorageError:
        bound = "unreadable"
    return StorageError(
        f"cannot {action} {uri!r}: timed out after {elapsed:.1f} s without an answer from storage "
        f"({describe(e)}); check the network and the endpoint (FLYTE_AWS_ENDPOINT / AWS_ENDPOINT_URL "
        f"for S3), or raise {_deadline.TIMEOUT_VARIABLE} (seconds, {bound}; it bounds each operation, "
        "retries included) if the endpoint is only slow; retrying may succeed"
    )


@contextlib.contextmanager
def storage_errors(action: str, uri: str) -> Iterator[None]:
    """Turn any failure inside the block into ``StorageError("cannot <action> <uri>: <cause>; <hint>")``.

    A timeout says so, after how long, and which setting bounds it (``FLYWEIGHT_STORAGE_TIMEOUT``).
    """
    start = time.monotonic()
    try:
        yield
    except StorageError:
        raise
    except Exception as e:
        if _deadline.timeout_in(e) is not None:
            raise _timed_out(action, uri, e, time.monotonic() - start) from e
        raise StorageError(f"cannot {action} {uri!r}: {describe(e)}; {_hint(e)}") from e
