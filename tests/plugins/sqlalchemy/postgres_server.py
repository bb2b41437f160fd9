"""A throwaway PostgreSQL server on loopback for the SQLAlchemy plugin's tests.

A cluster made with ``initdb`` in a temporary directory, started with ``pg_ctl`` on a free port (TCP on
127.0.0.1 only, its socket in the same directory), with one password-protected user; stopped and removed
afterwards. Never the machine's own cluster. PostgreSQL refuses to run as root: as root, the server runs
as the ``postgres`` system user. Every wait is bounded (``pg_ctl -w -t``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

USER = "flyweight"
PASSWORD = "s3cret-pw"
START_SECONDS = 60


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str
    data_dir: Path

    def uri(self, password: str | None = None, driver: str = "postgresql+psycopg") -> str:
        pw = self.password if password is None else password
        return f"{driver}://{self.user}:{pw}@{self.host}:{self.port}/postgres"

    def uri_without_password(self) -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/postgres"


def binaries() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl`` (Debian keeps them outside PATH), or None."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(versions[-1]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextlib.contextmanager
def running() -> Iterator[Server]:
    """Start a fresh cluster, yield how to reach it, then stop and remove it (also on failure)."""
    bin_dir = binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL's initdb was not found (Debian package: postgresql)")
    root = Path(tempfile.mkdtemp(prefix="flyweight-pg-"))
    data, pwfile, log = root / "data", root / "pw", root / "server.log"
    pwfile.write_text(PASSWORD)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(pwfile, "postgres")
    port = _free_port()
    started = False
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    USER,
                    f"--pwfile={pwfile}",
                    "--auth-host=scram-sha-256",
                    "--auth-local=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--no-instructions",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=START_SECONDS,
        )
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            _as_server_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    options,
                    "-l",
                    str(log),
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=START_SECONDS + 10,
        )
        started = True
        yield Server("127.0.0.1", port, USER, PASSWORD, data)
    finally:
        if started:
            subprocess.run(
                _as_server_user(
                    [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "-t", "30", "stop"]
                ),
                capture_output=True,
                timeout=40,
                check=False,
            )
        shutil.rmtree(root, ignore_errors=True)
