"""Stopping an attempt from outside: SIGTERM, SIGINT, or the death of the process that started it.

Kubernetes stops a pod by sending SIGTERM to its processes and, after a grace period (30 s by default),
SIGKILL. Python's default for SIGTERM is to die at once, which leaves no ``error.pb`` and the task's own
child processes running. :class:`StopGuard` instead, while an attempt runs:

* turns SIGTERM and SIGINT into :class:`~flyweight._failure.Interrupted` raised in the main thread while
  task code runs (a ``BaseException``, so ``except Exception`` in task code does not swallow it), and
  only records the signal while a result is being written, so a finished result is never cut short;
* asks the task's child processes to stop (SIGTERM to every descendant, and to every member of its
  process group when this process leads one), then kills those left after a short wait;
* if the main thread has not written a result ``FLYWEIGHT_STOP_GRACE`` seconds (default 10) after the
  signal (task code stuck in a C call), writes the error document from a helper thread and ends the
  process itself, well inside Kubernetes' grace period;
* when ``FLYWEIGHT_PARENT_FD`` names the read end of a pipe whose write end the starting process holds
  (the local engine does this), treats end-of-file on it as that process's death and stops the same way,
  so nothing is left running when a local run's driver is killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from types import FrameType, TracebackType

from flyweight._failure import Interrupted

__all__ = ["DEFAULT_GRACE", "PARENT_FD_ENV", "StopGuard", "end_processes", "process_tree"]

PARENT_FD_ENV = "FLYWEIGHT_PARENT_FD"
GRACE_ENV = "FLYWEIGHT_STOP_GRACE"
DEFAULT_GRACE = 10.0
_CHILD_GRACE = 2.0
_SIGNALS = ("SIGTERM", "SIGINT")


def _grace(environ: Mapping[str, str]) -> float:
    raw = environ.get(GRACE_ENV, "").strip()
    try:
        value = float(raw) if raw else DEFAULT_GRACE
    except ValueError:
        return DEFAULT_GRACE
    return value if value > 0 else DEFAULT_GRACE


def _stat(pid: str) -> tuple[bytes, int, int] | None:
    """``(state, parent pid, process group)`` of a process, from ``/proc/<pid>/stat``; None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces and parentheses itself.
    fields = data[data.rfind(b")") + 2 :].split()
    try:
        return fields[0], int(fields[1]), int(fields[2])
    except (IndexError, ValueError):
        return None


def process_tree(root: int | None = None) -> list[int]:
    """The processes to stop with ``root`` (default: this one): its descendants, and every other member
    of its process group when it leads one. Empty where ``/proc`` is not available."""
    root = os.getpid() if root is None else root
    try:
        names = [n for n in os.listdir("/proc") if n.isdigit()]
    except OSError:
        return []
    parents: dict[int, int] = {}
    groups: dict[int, int] = {}
    for name in names:
        info = _stat(name)
        if info is not None:
            _, parents[int(name)], groups[int(name)] = info
    leader = groups.get(root) == root
    found = {pid for pid, group in groups.items() if leader and group == root}
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    found.discard(root)
    return sorted(found)


def _send(pids: list[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(OSError):
            os.kill(pid, sig)


def end_processes(pids: list[int], grace: float = _CHILD_GRACE) -> None:
    """SIGTERM ``pids``, wait up to ``grace`` seconds for them to go, then SIGKILL the rest."""
    if not pids:
        return
    _send(pids, signal.SIGTERM)
    deadline = time.monotonic() + grace
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)
        alive = [pid for pid in alive if _alive(pid)]
    _send(alive, signal.SIGKILL)


def _alive(pid: int) -> bool:
    info = _stat(str(pid))
    return info is not None and info[0] != b"Z"  # a zombie has ended; only its parent's wait is missing


class StopGuard:
    """Turns a stop request into :class:`Interrupted` and makes sure a result is written in bounded time.

    Args:
        write_failure: writes the error document for an :class:`Interrupted` and returns the exit status;
            called from a helper thread only if the main thread has not reported a result in time.
        environ: where ``FLYWEIGHT_STOP_GRACE`` and ``FLYWEIGHT_PARENT_FD`` are read.
    """

    def __init__(self, write_failure: Callable[[Interrupted], int], environ: Mapping[str, str]) -> None:
        self._write_failure = write_failure
        self._grace = _grace(environ)
        self._parent_fd = environ.get(PARENT_FD_ENV, "").strip()
        self._previous: dict[int, object] = {}
        self._lock = threading.RLock()  # the signal handler runs in the main thread, which may hold it
        self._raising = False
        self.stopped: Interrupted | None = None
        self._done = threading.Event()
        self._wakeup: tuple[int, int] | None = None
        self._previous_wakeup = -1

    # -- installing ---------------------------------------------------------------------------------
    def __enter__(self) -> StopGuard:
        if threading.current_thread() is threading.main_thread():
            for name in _SIGNALS:
                number = getattr(signal, name, None)
                if number is None:
                    continue
                try:
                    self._previous[number] = signal.signal(number, self._on_signal)
                except (OSError, ValueError):
                    pass
            self._watch_signals()
        if self._parent_fd.isdigit():
            threading.Thread(
                target=self._watch_parent, args=(int(self._parent_fd),), name="flyweight-parent", daemon=True
            ).start()
        return self

    def _watch_signals(self) -> None:
        """Hear signals in a thread too: Python runs a signal handler only when the main thread returns to
        the interpreter, which a task stuck in a C call never does. The interpreter's C-level handler writes
        the signal's number to a wakeup pipe; a thread reading it starts the stop (and its deadline)."""
        read_end, write_end = os.pipe()
        os.set_blocking(write_end, False)
        try:
            self._previous_wakeup = signal.set_wakeup_fd(write_end, warn_on_full_buffer=False)
        except (OSError, ValueError):
            os.close(read_end)
            os.close(write_end)
            return
        self._wakeup = (read_end, write_end)
        threading.Thread(
            target=self._read_wakeups, args=(read_end,), name="flyweight-signals", daemon=True
        ).start()

    def _read_wakeups(self, fd: int) -> None:
        # This thread alone closes the read end, when the guard closes the write end (end-of-file): a
        # descriptor closed under a reader could be reused by another file before the read starts.
        numbers = {getattr(signal, name) for name in _SIGNALS if hasattr(signal, name)}
        try:
            while True:
                try:
                    data = os.read(fd, 64)
                except InterruptedError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                for number in data:
                    if number in numbers and not self._done.is_set():
                        self.stop(signal.Signals(number).name)
        finally:
            with contextlib.suppress(OSError):
                os.close(fd)

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._done.set()
        if self._wakeup is not None:
            with contextlib.suppress(OSError, ValueError):
                signal.set_wakeup_fd(self._previous_wakeup)
            with contextlib.suppress(OSError):
                os.close(self._wakeup[1])  # the reader thread sees end-of-file and closes its end
            self._wakeup = None
        for number, handler in self._previous.items():
            with contextlib.suppress(OSError, ValueError, TypeError):
                signal.signal(number, handler)  # type: ignore[arg-type]
        self._previous.clear()

    @contextlib.contextmanager
    def task_running(self) -> Iterator[None]:
        """While inside, a stop request raises :class:`Interrupted` here; outside, it is only recorded."""
        with self._lock:
            if self.stopped is not None:
                raise self.stopped
            self._raising = True
        try:
            yield
        finally:
            with self._lock:
                self._raising = False

    # -- stopping -----------------------------------------------------------------------------------
    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        self.stop(signal.Signals(number).name)

    def stop(self, signal_name: str, reason: str = "") -> None:
        """Stop the attempt: end the task's children, start the deadline, and raise :class:`Interrupted`
        if task code is running in this (the main) thread."""
        with self._lock:
            first = self.stopped is None
            if first:
                self.stopped = Interrupted(signal_name, reason)
            raising = self._raising and threading.current_thread() is threading.main_thread()
            if raising:
                self._raising = False  # raise once; cleanup code that follows runs undisturbed
        if first:
            _send(process_tree(), signal.SIGTERM)
            threading.Thread(target=self._deadline, name="flyweight-stop", daemon=True).start()
        if raising and self.stopped is not None:
            raise self.stopped

    def end_children(self) -> None:
        """End what the task started (after a stop): SIGTERM, a short wait, SIGKILL."""
        end_processes(process_tree())

    def _deadline(self) -> None:
        if self._done.wait(self._grace):
            return
        stopped = self.stopped
        assert stopped is not None
        end_processes(process_tree(), grace=0.5)
        status = 1
        with contextlib.suppress(BaseException):
            status = self._write_failure(stopped)
        os._exit(status)

    def _watch_parent(self, fd: int) -> None:
        try:
            while os.read(fd, 4096):
                pass
        except OSError:
            pass  # an fd that is not a pipe we can read: treat as closed
        if self._done.is_set():
            return
        self.stop("SIGTERM", "the process that started it exited")  # records, ends children, deadline
        # A real signal to the main thread interrupts a blocking call there, and its handler raises.
        with contextlib.suppress(Exception):
            main = threading.main_thread().ident
            if main is not None and signal.SIGTERM in self._previous:  # only where our handler is in place
                signal.pthread_kill(main, signal.SIGTERM)
