"""Servers that stop answering, for the storage timeout tests: a moto S3 server of the test's own (frozen
with SIGSTOP, so the kernel still accepts connections but nothing ever answers), a listener that
accepts and never replies, and an HTTP server that answers slowly but steadily.

Each test that freezes a server starts its own: the session's shared ``s3_server`` is never stopped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.oracle import require

KEY_ID = "testing-key-id"
SECRET = "testing-secret-key"
REGION = "us-east-1"

HANG = 60.0
"""Seconds after which a storage call counts as hung. A hang detector only: no test asserts a speed."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class MotoServer:
    """A moto S3 server in a subprocess that a test may freeze (SIGSTOP) and thaw (SIGCONT)."""

    def __init__(self) -> None:
        require("moto.server", why="moto[server], for the S3 tests")
        port = _free_port()
        self.url = f"http://127.0.0.1:{port}"
        script = Path(sys.executable).parent / "moto_server"
        command = (
            [str(script), "-H", "127.0.0.1", "-p", str(port)]
            if script.exists()
            else [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        )
        env = {**os.environ, "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET}
        self.proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._frozen = False
        try:
            self._wait_until_answers()
        except BaseException:
            self.stop()
            raise

    def _wait_until_answers(self) -> None:
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        for _ in range(300):
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto_server exited with code {self.proc.returncode} on {self.url}")
            try:
                with opener.open(f"{self.url}/moto-api/", timeout=1):
                    return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"moto_server did not answer on {self.url}")

    def env(self, timeout: float, retries: int = 1) -> dict[str, str]:
        """Variables pointing AWS clients and flyweight at this server, with the storage bound ``timeout``."""
        return {
            "AWS_ACCESS_KEY_ID": KEY_ID,
            "AWS_SECRET_ACCESS_KEY": SECRET,
            "AWS_DEFAULT_REGION": REGION,
            "AWS_ENDPOINT_URL": self.url,
            "AWS_EC2_METADATA_DISABLED": "true",
            "FLYTE_AWS_ENDPOINT": self.url,
            "FLYTE_AWS_ACCESS_KEY_ID": KEY_ID,
            "FLYTE_AWS_SECRET_ACCESS_KEY": SECRET,
            "FLYTE_AWS_RETRIES": str(retries),
            "FLYWEIGHT_STORAGE_TIMEOUT": f"{timeout:g}",
            "NO_PROXY": "127.0.0.1,localhost",
            "no_proxy": "127.0.0.1,localhost",
        }

    def client(self) -> Any:
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.url,
            aws_access_key_id=KEY_ID,
            aws_secret_access_key=SECRET,
            region_name=REGION,
        )

    def freeze(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)
        self._frozen = True

    def thaw(self) -> None:
        if self._frozen:
            os.kill(self.proc.pid, signal.SIGCONT)
            self._frozen = False

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """The server stopped for the block, running again after it (whatever happened in it)."""
        self.freeze()
        try:
            yield
        finally:
            self.thaw()

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.thaw()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@contextlib.contextmanager
def moto_server() -> Iterator[MotoServer]:
    """A fresh :class:`MotoServer`, thawed and terminated when the block ends."""
    server = MotoServer()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def silent_listener() -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a socket that accepts connections, reads nothing and never replies."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)

    thread = threading.Thread(target=accept, name="silent-listener", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(timeout=10)
        for conn in accepted:
            conn.close()


@contextlib.contextmanager
def dripping_server(body: bytes, pieces: int, pause: float) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` of a server that sends ``body`` to any GET in ``pieces`` parts,
    ``pause`` seconds apart: slow in total, but never silent for long."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    step = -(-len(body) // pieces)

    def serve(conn: socket.socket) -> None:
        with conn:
            request = b""
            while b"\r\n\r\n" not in request:
                data = conn.recv(4096)
                if not data:
                    return
                request += data
            head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            conn.sendall(head.encode())
            if request.startswith(b"HEAD"):
                return
            for start in range(0, len(body), step):
                time.sleep(pause)
                conn.sendall(body[start : start + step])

    def accept() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, name="dripping-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        with contextlib.suppress(OSError):
            listener.shutdown(socket.SHUT_RDWR)
        listener.close()
        thread.join(timeout=10)


def outcome(call: Callable[[], object], within: float = HANG) -> BaseException | None:
    """Run ``call`` in a thread; the exception it raised, or None. Fails the test if it is still running
    after ``within`` seconds (the hang this module exists to catch)."""
    raised: list[BaseException] = []

    def target() -> None:
        try:
            call()
        except BaseException as e:  # handed back to the test
            raised.append(e)

    thread = threading.Thread(target=target, name="storage-call", daemon=True)
    thread.start()
    thread.join(within)
    if thread.is_alive():
        pytest.fail(f"the storage call was still running after {within:g} s: it hangs")
    return raised[0] if raised else None
