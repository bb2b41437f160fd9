"""``tools/postgres.py``: the throwaway PostgreSQL server of the SQLAlchemy tests, benchmark and demo."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from tests.oracle import missing
from tools import postgres

REPO = Path(__file__).resolve().parent.parent


def test_usage_and_check(capsys: pytest.CaptureFixture[str]) -> None:
    assert postgres.main(["frobnicate"]) == 2
    assert "usage" in capsys.readouterr().err
    assert postgres.main(["check"]) == (0 if postgres.binaries() else 1)


def test_without_binaries_running_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "binaries", lambda: None)
    with pytest.raises(RuntimeError, match="Debian's postgresql package"), postgres.running():
        pass


def test_without_apt_ensure_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "binaries", lambda: None)
    monkeypatch.setattr(postgres.shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="install postgresql"):
        postgres.ensure_installed()
    assert postgres.main(["ensure"]) == 1


def test_a_server_starts_answers_and_is_removed() -> None:
    if postgres.binaries() is None:
        missing("PostgreSQL's initdb is not installed (python tools/postgres.py ensure)")
    with postgres.running() as server:
        assert postgres.ensure_installed() == server.bin_dir  # present: nothing is installed
        with socket.create_connection((server.host, server.port), timeout=10):
            pass
        data = server.data_dir
        assert data.is_dir()
    assert not data.exists()


def test_sigterm_stops_and_removes_the_server(tmp_path: Path) -> None:
    if postgres.binaries() is None:
        missing("PostgreSQL's initdb is not installed (python tools/postgres.py ensure)")
    code = (
        "import sys, time\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from tools.postgres import running\n"
        "with running() as s:\n"
        "    print(s.data_dir, s.port, flush=True)\n"
        "    time.sleep(120)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        data, port = child.stdout.readline().split()
        child.send_signal(signal.SIGTERM)
        assert child.wait(timeout=60) == 128 + signal.SIGTERM
    finally:
        child.kill()
    assert not Path(data).exists()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(port)), timeout=5).close()
