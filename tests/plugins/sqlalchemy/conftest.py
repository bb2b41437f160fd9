"""Fixtures for the SQLAlchemy plugin's tests on a real PostgreSQL (``tools/postgres.py``).

* ``postgres`` (session): a throwaway PostgreSQL server on loopback, started on first use and stopped at
  the end of the session. Without PostgreSQL's binaries the test is skipped, or fails under
  ``FLYWEIGHT_REQUIRE_ORACLE=1`` (``make test`` installs Debian's ``postgresql`` package first).
* ``psycopg``: the driver module, under the same rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

import pytest
from tests.oracle import missing, require
from tools.postgres import Server, binaries, running


@pytest.fixture(scope="session")
def postgres() -> Iterator[Server]:
    if binaries() is None:
        missing(
            "PostgreSQL's initdb is not installed "
            "(Debian package postgresql; python tools/postgres.py ensure)"
        )
    with running() as server:
        yield server


@pytest.fixture(scope="session")
def psycopg() -> ModuleType:
    return require("psycopg", why="the PostgreSQL driver of the SQLAlchemy plugin's tests")
