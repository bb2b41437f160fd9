"""Ctrl-C and SIGTERM during a local run: the run ends cleanly instead of leaving its subprocesses behind.

Python turns SIGINT into ``KeyboardInterrupt`` in the main thread, but its default for SIGTERM is to die
on the spot: the run's ``flyweight-execute`` subprocesses, each in a session of its own (so that a
terminal's Ctrl-C reaches only the driver, which decides), would be left running with no parent. While a
run goes in the main thread, :func:`handling_signals` installs one handler for both signals that raises
instead — ``KeyboardInterrupt`` for SIGINT, :class:`~flyweight._failure.Interrupted` for SIGTERM — so
the engine can end what runs, report the rest as cancelled, and let the caller end the process as the
signal would have (:func:`die_by`: status 130 / 143 as a shell sees it).

A handler is installed only where the signal has Python's default disposition (``default_int_handler``
for SIGINT, ``SIG_DFL`` for SIGTERM): a program's own handler, or an ignored signal, is left alone, and
the previous handlers are restored when the run ends. Two things keep the ending from being torn: once
the run is :func:`stopping`, further signals are recorded and dropped (ending the run is bounded), and
:func:`shielded` defers a signal over a few steps that must happen together (a subprocess started and
recorded as the run's).
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType
from typing import NoReturn

from flyweight._failure import Interrupted

__all__ = ["die_by", "handling_signals", "shielded", "signal_of", "stopping"]


class _State:
    """What the handler needs; changed only in the main thread (the only thread a handler runs in)."""

    def __init__(self) -> None:
        self.installed = False  # our handler is installed by an active handling_signals()
        self.stopping = False  # the run is ending: record signals, raise none
        self.shield = 0  # depth of shielded() blocks
        self.pending: int | None = None  # a signal that arrived while shielded


_state = _State()


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _exception(number: int) -> BaseException:
    if number == signal.SIGINT:
        return KeyboardInterrupt()
    return Interrupted(signal.Signals(number).name, "the local run was asked to stop")


def _on_signal(number: int, frame: FrameType | None) -> None:
    if _state.stopping:
        return
    if _state.shield:
        _state.pending = _state.pending or number
        return
    raise _exception(number)


def _defaults() -> dict[int, object]:
    """The signals whose disposition is Python's default, with that disposition."""
    found: dict[int, object] = {}
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        found[signal.SIGINT] = signal.default_int_handler
    sigterm = getattr(signal, "SIGTERM", None)
    if sigterm is not None and signal.getsignal(sigterm) == signal.SIG_DFL:
        found[sigterm] = signal.SIG_DFL
    return found


@contextlib.contextmanager
def handling_signals() -> Iterator[frozenset[int]]:
    """While the block runs, SIGINT raises ``KeyboardInterrupt`` and SIGTERM raises
    :class:`~flyweight._failure.Interrupted` (each only where it had Python's default disposition).

    Yields the signals this block took over, whose default behaviour its caller owns: empty outside the
    main thread, for signals with a handler of the program's own, and inside another
    ``handling_signals()`` block (the outer one owns them). The handlers are restored on exit.
    """
    if not _in_main_thread() or _state.installed:
        yield frozenset()
        return
    taken: dict[int, object] = {}
    try:
        for number, previous in _defaults().items():
            signal.signal(number, _on_signal)
            taken[number] = previous
    except (OSError, ValueError):  # pragma: no cover - a platform that refuses the handler
        pass
    _state.installed, _state.stopping, _state.pending = bool(taken), False, None
    try:
        yield frozenset(taken)
    finally:
        for number, previous in taken.items():
            signal.signal(number, previous)  # type: ignore[arg-type]
        _state.installed, _state.stopping, _state.pending = False, False, None


def stopping() -> None:
    """Say that the run is ending (called in the main thread): until the handlers are removed, SIGINT and
    SIGTERM are dropped, so a second Ctrl-C cannot cut short the bounded work of ending the run."""
    if _in_main_thread() and _state.installed:
        _state.stopping = True


@contextlib.contextmanager
def shielded() -> Iterator[None]:
    """Defer SIGINT and SIGTERM (as our handler raises them) to the end of a few steps that must happen
    together, such as starting a subprocess and recording it, so that an interrupt cannot come between
    them and leave a process nobody will end."""
    if not _in_main_thread() or not _state.installed:
        yield
        return
    _state.shield += 1
    try:
        yield
    finally:
        _state.shield -= 1
        number = _state.pending if _state.shield == 0 else None
        if number is not None:
            _state.pending = None
    if number is not None and not _state.stopping:
        raise _exception(number)


def signal_of(error: BaseException) -> int | None:
    """The signal that ``error`` stands for: SIGINT for ``KeyboardInterrupt``, SIGTERM (or the one it
    names) for :class:`~flyweight._failure.Interrupted`; None for anything else."""
    if isinstance(error, KeyboardInterrupt):
        return int(signal.SIGINT)
    if isinstance(error, Interrupted):
        number = getattr(signal, error.signal_name, None)
        return int(number) if number is not None else None
    return None


def die_by(number: int) -> NoReturn:
    """End this process by signal ``number`` with its default disposition, as it would have ended without
    our handler (a shell sees status 128 + ``number``: 130 for SIGINT, 143 for SIGTERM; a calling
    shell script stops as it does for Ctrl-C). Output buffered by ``sys.stdout`` and ``sys.stderr`` is
    written first. Where the signal cannot end the process this way, exits with ``128 + number``."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    with contextlib.suppress(OSError, ValueError):
        signal.signal(number, signal.SIG_DFL)
        signal.raise_signal(number)
    raise SystemExit(128 + number)
