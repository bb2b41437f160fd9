"""Finding a container engine that works (``flyweight._runtime._engines``) and the command lines it builds
with. The engines here are small programs on a private PATH that answer as docker, podman and buildah
do, plus whatever this machine really has."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

import pytest

from flyweight._runtime._engines import Engine, find_engine


def fake(bin_dir: Path, name: str, status: int, said: str = "") -> None:
    path = bin_dir / name
    path.write_text(f"#!/bin/sh\necho '{said}' >&2\nexit {status}\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PATH", str(tmp_path))
    return tmp_path


def test_a_docker_without_its_daemon_is_skipped_with_the_reason(bin_dir: Path) -> None:
    fake(bin_dir, "docker", 1, "Cannot connect to the Docker daemon. Is the docker daemon running?")
    fake(bin_dir, "podman", 0)
    search = find_engine()
    assert search.engine == Engine("podman", str(bin_dir / "podman"))
    assert search.reasons == (
        "docker: installed, but it cannot build here (Cannot connect to the Docker daemon. Is the docker "
        "daemon running?)",
    )


def test_no_engine_explains_every_candidate(bin_dir: Path) -> None:
    fake(bin_dir, "buildah", 125, "error: no storage")
    search = find_engine()
    assert search.engine is None
    assert search.explain() == (
        "docker: not installed; podman: not installed; buildah: installed, but it cannot build here "
        "(error: no storage)"
    )


def test_docker_with_buildx_builds_and_pushes_in_one_step(bin_dir: Path) -> None:
    fake(bin_dir, "docker", 0)  # answers `info` and `buildx version`
    engine = find_engine().engine
    assert engine == Engine("docker", str(bin_dir / "docker"), buildx=True)
    commands = engine.commands(
        Path("ctx"), Path("ctx/Dockerfile"), ["r/a:1"], build_args={"B": "2", "A": "1"}, push=True
    )
    assert commands == [
        [engine.path, "buildx", "build", "--file=ctx/Dockerfile", "--tag=r/a:1", "--build-arg=A=1",
         "--build-arg=B=2", "--push", "ctx"],
    ]  # fmt: skip


@pytest.mark.parametrize(("name", "verb"), [("podman", "build"), ("buildah", "bud")])
def test_other_engines_build_then_push_each_tag(name: str, verb: str) -> None:
    engine = Engine(name, f"/usr/bin/{name}")
    commands = engine.commands(
        Path("c"), Path("c/Dockerfile"), ["r/a:1", "r/a:latest"], platform="linux/arm64", push=True
    )
    build = [f"/usr/bin/{name}", verb, "--file=c/Dockerfile", "--tag=r/a:1", "--tag=r/a:latest"]
    assert commands == [
        [*build, "--platform=linux/arm64", "c"],
        [f"/usr/bin/{name}", "push", "r/a:1"],
        [f"/usr/bin/{name}", "push", "r/a:latest"],
    ]
    assert engine.commands(Path("c"), Path("c/Dockerfile"), ["r/a:1"])[1:] == []  # no push unless asked


def test_this_machine_reasons_match_what_is_installed() -> None:
    """On the real PATH: a candidate said to be missing is missing; one said to fail is installed."""
    search = find_engine()
    for reason in search.reasons:
        name, _, why = reason.partition(": ")
        assert (shutil.which(name) is None) == (why == "not installed"), reason
    if search.engine is not None:
        assert Path(search.engine.path).exists()
