"""Shared test fixtures: the flytekit oracle, a real S3 server (moto, in a subprocess), a read-only
loopback HTTP server and a headless Chromium for HTML reports.

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
* ``chromium_browser`` (session): headless Chromium under playwright (``tests/browser.py``; skips
  without playwright or a Chromium, fails under ``FLYWEIGHT_REQUIRE_ORACLE=1``: run
  ``python tools/chromium.py ensure``).
* ``browser_page``: ``browser_page(path_or_url, *, wait_for=None, timeout_s=30) -> PageView`` opens a
  page in ``chromium_browser`` (console errors, page errors, blocked requests, a screenshot, and
  ``assert_clean()`` / ``assert_not_blank()``); its pages close after the test.
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
from tests.browser import Chromium, PageOpener, launched
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


@pytest.fixture(scope="session", autouse=True)
def _run_reports_in_a_temporary_directory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """``flyweight run`` writes a report per run, by default into the user's cache directory: during the
    tests (and their subprocesses) into a temporary one instead."""
    saved = os.environ.get("FLYWEIGHT_REPORT_DIR")
    os.environ["FLYWEIGHT_REPORT_DIR"] = str(tmp_path_factory.mktemp("run-reports"))
    yield
    if saved is None:
        os.environ.pop("FLYWEIGHT_REPORT_DIR", None)
    else:
        os.environ["FLYWEIGHT_REPORT_DIR"] = saved


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


# --- A headless Chromium for HTML reports (tests/browser.py) --------------------------------------


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Chromium]:
    """Headless Chromium under playwright, started once for the session and closed at its end."""
    with launched() as chromium:
        yield chromium


@pytest.fixture
def browser_page(chromium_browser: Chromium) -> Iterator[PageOpener]:
    """``browser_page(path_or_url, *, wait_for=None, timeout_s=30) -> PageView``; its pages close after
    the test."""
    opener = PageOpener(chromium_browser)
    try:
        yield opener
    finally:
        opener.close()
