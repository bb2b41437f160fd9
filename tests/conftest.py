"""Shared test fixtures: the flytekit oracle, a real S3 server (moto, in a subprocess) and a read-only
loopback HTTP server.

Optional test dependencies follow one rule (``tests/oracle.py``): without them a test is skipped with
a reason, unless ``FLYWEIGHT_REQUIRE_ORACLE=1`` (as ``make test`` sets), where a missing dependency
is a failure, never a skip (the ``test`` extra installs flytekit, moto and the rest). Tests load
them through the ``flytekit`` fixture or ``tests.oracle.require``, never with their own import guard.

Fixtures:

* ``flytekit`` (session): the ``flytekit`` module, the test oracle (skips without it; fails under
  ``FLYWEIGHT_REQUIRE_ORACLE=1``).
* ``s3_server`` (session): the endpoint URL of a moto S3 server started for the test session.
* ``s3_env``: environment variables (fake credentials, region, endpoint under Flyte's and AWS's
  names) to pass to subprocesses that talk to ``s3_server``.
* ``s3_bucket``: sets ``s3_env`` in this process (monkeypatch), creates a fresh empty bucket and
  yields its URI, ``"s3://<bucket>"``.
* ``http_server``: serves a fresh temporary directory read-only over ``http://127.0.0.1``; yields
  ``(base_url, directory)``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.oracle import load_flytekit, require

_FAKE_KEY_ID = "testing-key-id"
_FAKE_SECRET = "testing-secret-key"
_REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _moto_command(port: int) -> list[str]:
    script = Path(sys.executable).parent / "moto_server"
    if script.exists():
        return [str(script), "-H", "127.0.0.1", "-p", str(port)]
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


def _wait_until_answers(url: str, proc: subprocess.Popen[bytes], attempts: int = 300) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for _ in range(attempts):
        if proc.poll() is not None:
            raise RuntimeError(f"moto_server exited with code {proc.returncode} before answering on {url}")
        try:
            with opener.open(f"{url}/moto-api/", timeout=1):
                return
        except urllib.error.HTTPError:
            return  # it answered, with an error status: the server is up
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not answer on {url}")


@pytest.fixture(scope="session")
def flytekit() -> ModuleType:
    """The ``flytekit`` module (the test oracle); skips without it, fails under FLYWEIGHT_REQUIRE_ORACLE=1."""
    return load_flytekit()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    """The endpoint URL (``http://127.0.0.1:<port>``) of a moto S3 server running for the session."""
    require("moto.server", why="moto[server], for the S3 tests")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "AWS_ACCESS_KEY_ID": _FAKE_KEY_ID, "AWS_SECRET_ACCESS_KEY": _FAKE_SECRET}
    proc = subprocess.Popen(
        _moto_command(port), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_until_answers(url, proc)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def s3_env(s3_server: str) -> dict[str, str]:
    """Environment variables that point AWS clients and flyweight (Flyte's names) at ``s3_server``."""
    return {
        "AWS_ACCESS_KEY_ID": _FAKE_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": _FAKE_SECRET,
        "AWS_DEFAULT_REGION": _REGION,
        "AWS_ENDPOINT_URL": s3_server,
        "AWS_EC2_METADATA_DISABLED": "true",
        "FLYTE_AWS_ENDPOINT": s3_server,
        "FLYTE_AWS_ACCESS_KEY_ID": _FAKE_KEY_ID,
        "FLYTE_AWS_SECRET_ACCESS_KEY": _FAKE_SECRET,
        "FLYTE_AWS_RETRIES": "1",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


def _s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=_FAKE_KEY_ID,
        aws_secret_access_key=_FAKE_SECRET,
        region_name=_REGION,
    )


@pytest.fixture
def s3_bucket(s3_server: str, s3_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh empty bucket on ``s3_server``, with ``s3_env`` set in this process; yields ``"s3://<name>"``."""
    for name, value in s3_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    name = f"test-{uuid.uuid4().hex[:20]}"
    _s3_client(s3_server).create_bucket(Bucket=name)
    yield f"s3://{name}"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Serves a fresh directory read-only on ``http://127.0.0.1:<port>``; yields ``(base_url, directory)``."""
    root = tmp_path_factory.mktemp("http-root")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="test-http-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with contextlib.suppress(OSError):
            shutil.rmtree(root)
