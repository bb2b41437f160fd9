"""A throwaway PostgreSQL server on loopback, for the SQLAlchemy plugin's tests, benchmark and demo.

``running()`` makes a cluster with ``initdb`` in a temporary directory, starts it with ``pg_ctl`` on a
free port (TCP on 127.0.0.1 only, its socket in the same directory) with one password-protected user,
and stops and removes it afterwards. It never touches the machine's own clusters. PostgreSQL refuses to
run as root: as root, the server runs as the ``postgres`` system user. Every wait is bounded.

``python tools/postgres.py ensure`` installs Debian's ``postgresql`` package when ``initdb`` is missing
(``make test`` runs it first); ``python tools/postgres.py check`` says whether a server can be made.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

USER = "flyweight"
PASSWORD = "s3cret-pw"
START_SECONDS = 60
INSTALL_SECONDS = 900
DEBIAN_PACKAGE = "postgresql"


@dataclass(frozen=True)
class Server:
    """How to reach a running throwaway server."""

    host: str
    port: int
    user: str
    password: str
    data_dir: Path
    bin_dir: Path

    def uri(self, password: str | None = None, driver: str = "postgresql+psycopg") -> str:
        """A SQLAlchemy URL for the ``postgres`` database (with this password, default the right one)."""
        pw = self.password if password is None else password
        return f"{driver}://{self.user}:{pw}@{self.host}:{self.port}/postgres"

    def uri_without_password(self, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{self.user}@{self.host}:{self.port}/postgres"

    def dsn(self) -> str:
        """A libpq connection string (for ``psycopg.connect``)."""
        return f"host={self.host} port={self.port} user={self.user} password={self.password} dbname=postgres"

    def stop(self, mode: str = "fast") -> None:
        """Stop the server now (``mode``: smart, fast or immediate); ``running()`` then only removes it."""
        _pg_ctl(self.bin_dir, self.data_dir, "-m", mode, "-w", "-t", "30", "stop")


def binaries() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl`` (Debian keeps them outside PATH), or None."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version_key)
    return Path(versions[-1]).parent if versions else None


def _version_key(path: str) -> tuple[int, str]:
    version = Path(path).parent.parent.name
    return (int(version) if version.isdigit() else 0, version)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _pg_ctl(bin_dir: Path, data: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        _as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), *args]),
        capture_output=True,
        timeout=START_SECONDS + 10,
        check=False,
    )


@contextlib.contextmanager
def _terminated_cleanly() -> Iterator[None]:
    """In the main thread, SIGTERM raises SystemExit inside the block, so ``finally`` stops the server
    (by default SIGTERM ends Python at once and would leave the server running)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def running() -> Iterator[Server]:
    """Start a fresh cluster, yield how to reach it, then stop and remove it (also on failure, and when
    the process is sent SIGTERM while in the block)."""
    with _terminated_cleanly(), _running() as server:
        yield server


@contextlib.contextmanager
def _running() -> Iterator[Server]:
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError(
            f"PostgreSQL's initdb was not found: install Debian's {DEBIAN_PACKAGE} package "
            "(python tools/postgres.py ensure)"
        )
    root = Path(tempfile.mkdtemp(prefix="flyweight-pg-"))
    data, pwfile, log = root / "data", root / "pw", root / "server.log"
    pwfile.write_text(PASSWORD)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(pwfile, "postgres")
    port = free_port()
    started = False
    try:
        initdb = [
            str(bin_dir / "initdb"),
            *("-D", str(data), "-U", USER, f"--pwfile={pwfile}"),
            *("--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--no-instructions"),
        ]
        done = subprocess.run(
            _as_server_user(initdb), capture_output=True, timeout=START_SECONDS, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr.decode(errors='replace').strip()}")
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        done = _pg_ctl(bin_dir, data, "-o", options, "-l", str(log), "-w", "-t", str(START_SECONDS), "start")
        if done.returncode != 0:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.decode(errors='replace').strip()}\n{tail}")
        started = True
        yield Server("127.0.0.1", port, USER, PASSWORD, data, bin_dir)
    finally:
        if started:
            _pg_ctl(bin_dir, data, "-m", "fast", "-w", "-t", "30", "stop")
        shutil.rmtree(root, ignore_errors=True)


def ensure_installed() -> Path:
    """``initdb``'s directory, installing Debian's ``postgresql`` package first when it is missing.

    Raises:
        RuntimeError: the package cannot be installed here (not Debian, not root and no password-less
            sudo, or apt failed); the message says what to install by hand.
    """
    found = binaries()
    if found is not None:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        raise RuntimeError(f"PostgreSQL is not installed and apt-get is missing: install {DEBIAN_PACKAGE}")
    prefix: list[str] = []
    if os.geteuid() != 0:
        sudo = shutil.which("sudo")
        if sudo is None:
            raise RuntimeError(f"PostgreSQL is not installed; as root: apt-get install {DEBIAN_PACKAGE}")
        prefix = [sudo, "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"installing Debian's {DEBIAN_PACKAGE} package (for the SQLAlchemy plugin's tests)", flush=True)
    for argv in (
        [apt, "-qq", "update"],
        [apt, "-qq", "-y", "--no-install-recommends", "install", DEBIAN_PACKAGE],
    ):
        done = subprocess.run(
            [*prefix, *argv], env=env, capture_output=True, timeout=INSTALL_SECONDS, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode(errors='replace').strip()}"
            )
    found = binaries()
    if found is None:
        raise RuntimeError(f"{DEBIAN_PACKAGE} was installed but initdb is still not found")
    return found


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "ensure":
        try:
            print(f"PostgreSQL: {ensure_installed()}")
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
            print(f"PostgreSQL could not be installed: {e}", file=sys.stderr)
            return 1
        return 0
    if command == "check":
        found = binaries()
        print(f"PostgreSQL: {found}" if found else "PostgreSQL: not installed")
        return 0 if found else 1
    print("usage: python tools/postgres.py [ensure|check]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
