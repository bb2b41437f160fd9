"""``tools/images.py`` and ``docker/Dockerfile``: the runtime images are the ones templates name, the
Dockerfile takes the arguments the tool passes, and without a working engine the tool prints the
commands and exits 3. A real build runs only where an engine works (``make image``)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from tools import images

from flyweight._runtime._engines import find_engine
from flyweight.extend import DefaultImages, PythonVersion
from flyweight.plugins.sqlalchemy import SQLAlchemyDefaultImages

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = (REPO / "docker" / "Dockerfile").read_text()


def test_the_images_are_the_ones_templates_name() -> None:
    listed = {(i.python, i.extras): i.name for i in images.images()}
    for python in images.PYTHONS:
        version = PythonVersion(tuple(int(p) for p in python.split(".")))
        assert listed[(python, "pandas")] == DefaultImages.find_image_for(version)
        assert listed[(python, "pandas,postgres")] == SQLAlchemyDefaultImages.find_image_for(version)
    assert "ghcr.io/flyweight/flyweight:py3.11-sqlalchemy-" in listed[("3.11", "pandas,postgres")]


def test_the_dockerfile_takes_the_tool_s_arguments_and_the_extras_exist() -> None:
    declared = set(re.findall(r"^ARG (\w+)", DOCKERFILE, re.MULTILINE))
    optional = (
        (REPO / "pyproject.toml").read_text().split("[project.optional-dependencies]")[1].split("\n[")[0]
    )
    extras = set(re.findall(r"^([\w-]+) = \[", optional, re.MULTILINE))
    for image in images.images():
        assert set(image.build_args()) <= declared
        assert set(image.extras.split(",")) <= extras
    assert re.search(r"^USER flyte$", DOCKERFILE, re.MULTILINE)  # never root
    assert "flyweight-execute" in DOCKERFILE


def test_the_build_context_holds_the_package_and_nothing_else() -> None:
    ignore = (REPO / ".dockerignore").read_text().split()
    assert ignore[ignore.index("*") :][:4] == ["*", "!pyproject.toml", "!README.md", "!src"]
    for copied in re.findall(r"^COPY (?!--from)(.+) /src/", DOCKERFILE, re.MULTILINE):
        for path in copied.split():
            assert (REPO / path).exists(), path


def test_without_an_engine_the_tool_prints_the_commands_and_exits_3() -> None:
    if find_engine().engine is not None:
        pytest.skip("a container engine works here: `make image` builds for real")
    done = subprocess.run(
        [sys.executable, str(REPO / "tools" / "images.py"), "build", "--python", "3.12", "--push"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == images.NO_ENGINE
    assert "no container engine can build here" in done.stderr
    name = DefaultImages.find_image_for(PythonVersion.PYTHON_3_12)
    assert f"--build-arg PYTHON_VERSION=3.12 --build-arg EXTRAS=pandas -t {name} ." in done.stdout
    assert f"docker push {name}" in done.stdout


def test_a_dry_run_prints_the_commands_and_succeeds() -> None:
    assert images.main(["build", "--dry-run", "--all"]) == 0
