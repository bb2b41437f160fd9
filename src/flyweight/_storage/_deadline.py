"""Bounded time against storage: one setting, ``FLYWEIGHT_STORAGE_TIMEOUT``, and the two ways it is kept.

An endpoint that accepts connections and then never answers (a frozen server, a dropped route, a
full load balancer) must end a task with a recoverable error, not hang it until Flyte's own
timeout, if there is one. Two mechanisms keep that bound:

* **per request**: the clients' connect and read timeouts and retries are sized from the bound
  (:func:`attempt_timeouts`), so a request that gets no answer fails, retries included, within it.
  This is what bounds streamed reads (``FileAccess.open``) and filesystems handed to callers;
* **per operation**: every other ``FileAccess`` operation on an asynchronous fsspec filesystem (S3,
  http(s), GCS, Azure…) runs under a watchdog (:func:`call`) that gives up when the operation has
  made no progress for the whole bound, whatever layer would otherwise keep retrying or waiting (s3fs
  retries of its own, a write to a server that stopped reading, a protocol without timeouts).

Progress, not the total time, is what is bounded: a large transfer that keeps moving bytes is never
cut off. Downloads progress with each chunk received; uploads with each request completed (one PUT,
or one part of a multipart upload); a listing or an existence check must finish within the bound.
"""

from __future__ import annotations

import importlib
import math
import os
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flyweight.errors import StorageError

if TYPE_CHECKING:
    import asyncio

__all__ = [
    "DEFAULT_TIMEOUT",
    "TIMEOUT_VARIABLE",
    "attempt_timeouts",
    "botocore_backoff",
    "call",
    "storage_timeout",
    "timeout_in",
]

TIMEOUT_VARIABLE = "FLYWEIGHT_STORAGE_TIMEOUT"
DEFAULT_TIMEOUT = 120.0
"""Seconds one storage operation may go without progress, retries included."""

_MAX_CONNECT = 10.0
_POLL = 1.0  # how often the waiting thread looks at the watchdog (and lets Ctrl-C through)


def storage_timeout(environ: Mapping[str, str]) -> float:
    """The bound in seconds from ``FLYWEIGHT_STORAGE_TIMEOUT`` (default 120).

    Raises:
        StorageError: the variable is set to something other than a number of seconds above 0.
    """
    raw = environ.get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise StorageError(
            f"expected a number of seconds above 0 in {TIMEOUT_VARIABLE}, got {raw!r}; "
            f"set it to e.g. {DEFAULT_TIMEOUT:g} (the default)"
        )
    return value


def botocore_backoff(attempts: int) -> float:
    """The longest botocore's standard retry mode sleeps between ``attempts`` attempts in all."""
    return float(sum(min(2 ** (k - 1), 20) for k in range(1, attempts)))


def attempt_timeouts(total: float, attempts: int, backoff: float = 0.0) -> tuple[float, float]:
    """``(connect, read)`` timeouts for one request attempt so that ``attempts`` of them fit in ``total``.

    Each attempt gets an equal share of what the back-off between attempts leaves (at least half of
    ``total``; when back-off would take more, the watchdog of :func:`call` keeps the bound). A quarter
    of an attempt's share, at most 10 s, is for connecting; the rest is the longest wait for data.

    Example:
        >>> attempt_timeouts(120.0, 4, botocore_backoff(4))  # the defaults for S3
        (7.0625, 21.1875)
        >>> attempt_timeouts(120.0, 2)  # http(s): up to two requests to open a URL
        (10.0, 50.0)
    """
    share = max(total - backoff, total / 2) / max(attempts, 1)
    connect = min(_MAX_CONNECT, share / 4)
    return connect, share - connect


def timeout_in(e: BaseException) -> BaseException | None:
    """The timeout (of any client library) that ``e`` is, or was raised from; None if there is none."""
    seen: set[int] = set()
    current: BaseException | None = e
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        # By name: botocore's ReadTimeoutError, aiohttp's SocketTimeoutError, fsspec's FSTimeoutError and
        # (before Python 3.11) asyncio's TimeoutError share no base class but this word.
        if isinstance(current, TimeoutError) or any(
            "Timeout" in cls.__name__ for cls in type(current).__mro__
        ):
            return current
        # The chain a traceback shows: the cause, else the exception being handled unless suppressed.
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return None


class _Watch:
    """When the watched operation last made progress; fsspec callbacks move it forward."""

    def __init__(self) -> None:
        self.last = time.monotonic()

    def touch(self, *_: object, **__: object) -> None:
        self.last = time.monotonic()

    def callback(self) -> object:
        """An fsspec ``Callback`` that counts any update, its own or a child transfer's, as progress."""
        callbacks = importlib.import_module("fsspec.callbacks")
        cb = callbacks.Callback(hooks={"flyweight-progress": self.touch})
        cb.branched = lambda *_, **__: self.callback()
        return cb


def _loop_of(fs: Any) -> asyncio.AbstractEventLoop | None:
    """The event loop ``fs`` runs its coroutines on, or None (a synchronous filesystem, or already on it)."""
    if not getattr(fs, "async_impl", False):
        return None
    import asyncio

    loop: asyncio.AbstractEventLoop | None = getattr(fs, "loop", None)
    if loop is None or loop.is_closed():
        return None
    try:
        if asyncio.get_running_loop() is loop:
            return None  # fsspec's own wrapper explains why this cannot work
    except RuntimeError:
        pass
    return loop


def call(fs: Any, method: str, *args: object, progress: bool = False, **kwargs: object) -> Any:
    """``fs.<method>(*args, **kwargs)``, abandoned once it has made no progress for the storage bound.

    On an asynchronous fsspec filesystem the coroutine ``fs._<method>`` runs on the filesystem's event
    loop while this thread watches it; after ``FLYWEIGHT_STORAGE_TIMEOUT`` seconds without progress
    it is cancelled and ``TimeoutError`` is raised. With ``progress``, the method is given a
    ``callback`` (fsspec's transfer callbacks) and every update restarts the clock; without it the
    bound is on the whole call. A synchronous filesystem is called directly, bounded only by its
    own timeouts.

    Raises:
        TimeoutError: no progress for the whole bound.
        StorageError: ``FLYWEIGHT_STORAGE_TIMEOUT`` is not a number of seconds above 0.
    """
    limit = storage_timeout(os.environ)
    loop = _loop_of(fs)
    if loop is None:
        return getattr(fs, method)(*args, **kwargs)
    import asyncio
    import concurrent.futures

    watch = _Watch()
    if progress:
        kwargs["callback"] = watch.callback()
    future = asyncio.run_coroutine_threadsafe(getattr(fs, "_" + method)(*args, **kwargs), loop)
    try:
        while True:
            idle = time.monotonic() - watch.last
            concurrent.futures.wait([future], timeout=max(min(_POLL, limit - idle), 0.01))
            if future.done():
                return future.result()
            if time.monotonic() - watch.last >= limit:
                raise TimeoutError(f"no progress for {limit:g} s, cancelled")
    except BaseException:
        future.cancel()
        raise
