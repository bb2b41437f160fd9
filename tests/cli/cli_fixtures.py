"""Helpers for the in-process CLI tests: a click runner in a project directory, with the modules the
command imports removed from ``sys.modules`` afterwards (each test writes its own code under the same
module names)."""

from __future__ import annotations

import io
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flyweight._cli import main


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty project directory, made the working directory; modules loaded from it are forgotten."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    yield root
    forget_modules_under(tmp_path)


def forget_modules_under(directory: Path) -> None:
    """Remove from ``sys.modules`` the modules loaded from files under ``directory``."""
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).resolve().is_relative_to(directory.resolve()):
            del sys.modules[name]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def archive_members(data: bytes) -> list[tarfile.TarInfo]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return tar.getmembers()
