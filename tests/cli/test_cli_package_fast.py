"""``flyweight package --copy all|auto|none`` (fast registration) against ``pyflyte package`` 1.16.14.

One SDK-neutral project (its module picks flytekit or flyweight from ``WF_SDK``, so both SDKs see the same
bytes) is packaged by each command. The archives must hold the same members, the code tarball under the
same content-derived name ``fast<md5>.tar.gz`` with the same uncompressed tar (flyweight's gzip header
has no file name: docs/compatibility.md), and each template the same arguments after the identity map,
the fast prefix ``pyflyte-fast-execute`` → ``flyweight-fast-execute`` included; a plugin task on a
prebuilt image gets no prefix, in either SDK. flyweight's archive is reproducible byte for byte.
"""

from __future__ import annotations

import gzip
import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import task_pb2
from tests.cli.test_cli_package_control_oracle import map_identity
from tests.cli.test_cli_package_oracle import _diff, _env, flytekit_version, members, normalized, parse

from flyweight._settings._source_files import _DockerIgnore, _DockerPattern

BIN = Path(sys.executable).parent
__all__ = ["flytekit_version"]  # the fixture, shared with the other package oracle tests
IMAGE = "ghcr.io/acme/app:v1"
PREFIX = ["--additional-distribution", "{{ .remote_package_path }}", "--dest-dir", "/root", "--"]

MODULE = """\
import os
import typing

if os.environ.get("WF_SDK") == "flytekit":
    from flytekit import map_task, task, workflow
    from flytekit.extras.sqlite3.task import SQLite3Config, SQLite3Task
else:
    from flyweight import map_task, task, workflow
    from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task

from pkg import helper


@task
def double(x: int) -> int:
    return helper.twice(x)


@task
def total(xs: typing.List[int]) -> int:
    return sum(xs)


query = SQLite3Task(
    name="wf.query", query_template="select 1", task_config=SQLite3Config(uri="/data/db.sqlite")
)


@workflow
def wf(x: int) -> int:
    return double(x=x)


@workflow
def mapped(xs: typing.List[int]) -> int:
    return total(xs=map_task(double)(x=xs))
"""

FILES = {
    "wf.py": MODULE,
    "pkg/__init__.py": "",
    "pkg/helper.py": "def twice(x):\n    return 2 * x\n",
    "pkg/unused.py": "VALUE = 1\n",
    "notes.txt": "not a module\n",
    "run.sh": "#!/bin/sh\necho hi\n",
    ".flyteignore": "secret.txt\n",
    ".dockerignore": "# comment\ndata/**\n!data/keep.csv\n",
    "secret.txt": "ignored by .flyteignore\n",
    "data/big.csv": "ignored by .dockerignore\n",
    "data/keep.csv": "kept by the exception\n",
    ".gitignore": "build/\n",
    "build/out.txt": "ignored by git\n",
    ".cache/x": "a standard ignore\n",
    "pkg/__pycache__/helper.cpython-311.pyc": "a standard ignore\n",
}
ALL = [
    ".dockerignore",
    ".flyteignore",
    ".gitignore",
    "data/keep.csv",
    "notes.txt",
    "pkg/__init__.py",
    "pkg/helper.py",
    "pkg/unused.py",
    "run.sh",
    "wf.py",
]
AUTO = ["pkg/__init__.py", "pkg/helper.py", "wf.py"]


def write(root: Path) -> Path:
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "run.sh").chmod(0o755)
    if shutil.which("git"):
        subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


def _run(cmd: list[str], cwd: Path, sdk: str) -> subprocess.CompletedProcess[str]:
    env = {**_env(), "WF_SDK": sdk, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def pyflyte(project: Path, out: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    cmd = [str(BIN / "pyflyte"), "--pkgs", "wf", "package", "--image", IMAGE, "-o", str(out), *flags]
    return _run(cmd, project, "flytekit")


def flyweight(project: Path, out: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return _run(
        [str(BIN / "flyweight"), "package", "wf.py", "--image", IMAGE, "-o", str(out), *flags], project, ""
    )


def ok(done: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert done.returncode == 0, f"{done.args} failed:\n{done.stdout}\n{done.stderr}"
    return done


def code(archive: Path) -> tuple[str, bytes]:
    found = [(n, d) for n, d in members(archive) if n.startswith("fast")]
    assert len(found) == 1, [n for n, _ in members(archive)]
    return found[0]


def tar_names(data: bytes) -> list[str]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return tar.getnames()


def _strip_fast(message: Any, program: str) -> Any:
    """A task template's arguments without the fast prefix (checked to be ``program``'s)."""
    args = message.template.container.args
    assert list(args[:6]) == [program, *PREFIX], list(args)
    del args[:6]
    return message


@pytest.mark.oracle
@pytest.mark.parametrize("copy", ["all", "auto"])
def test_fast_package_equals_pyflytes(tmp_path: Path, flytekit_version: str, copy: str) -> None:
    theirs_dir, ours_dir = write(tmp_path / "fk"), write(tmp_path / "fw")
    ok(pyflyte(theirs_dir, tmp_path / "t.tgz", "--copy", copy))
    ok(flyweight(ours_dir, tmp_path / "o.tgz", "--copy", copy))
    theirs, ours = sorted(members(tmp_path / "t.tgz")), members(tmp_path / "o.tgz")
    assert [n for n, _ in ours] == [n for n, _ in theirs]
    (their_code, their_tar), (our_code, our_tar) = code(tmp_path / "t.tgz"), code(tmp_path / "o.tgz")
    assert our_code == their_code  # same files, same digest
    assert tar_names(our_tar) == tar_names(their_tar) == (ALL if copy == "all" else AUTO)
    assert gzip.decompress(our_tar) == gzip.decompress(their_tar)  # only the gzip header differs
    plugin = 0
    for (name, their_bytes), (_, our_bytes) in zip(theirs, ours, strict=True):
        if name.startswith("fast"):
            continue
        expected, got = parse(name, their_bytes), parse(name, our_bytes)
        if isinstance(expected, task_pb2.TaskSpec):
            if expected.template.type == "sqlite":  # a prebuilt image: no fast prefix in either SDK
                assert expected.template.container.args[0] == "pyflyte-execute"
                assert got.template.container.args[0] == "flyweight-execute"
                plugin += 1
                continue
            expected, got = (
                _strip_fast(expected, "pyflyte-fast-execute"),
                _strip_fast(got, "flyweight-fast-execute"),
            )
        expected = map_identity(expected, flytekit_version, IMAGE)
        got = normalized(got)
        assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
            f"{name}:\n{_diff(expected, got)}"
        )
    assert plugin == 1


def test_copy_none_is_the_default_and_ships_no_code(tmp_path: Path) -> None:
    project = write(tmp_path / "p")
    ok(flyweight(project, tmp_path / "default.tgz"))
    ok(flyweight(project, tmp_path / "none.tgz", "--copy", "none"))
    assert (tmp_path / "default.tgz").read_bytes() == (tmp_path / "none.tgz").read_bytes()
    names = [n for n, _ in members(tmp_path / "none.tgz")]
    assert not any(n.startswith("fast") for n in names)
    for name, data in members(tmp_path / "none.tgz"):
        if name.endswith("_1.pb"):
            assert parse(name, data).template.container.args[0] == "flyweight-execute"


def test_fast_package_is_reproducible(tmp_path: Path) -> None:
    first, second = write(tmp_path / "a"), write(tmp_path / "b")
    ok(flyweight(first, tmp_path / "1.tgz", "--copy", "all"))
    ok(flyweight(first, tmp_path / "2.tgz", "--copy", "all"))
    os.utime(second / "wf.py", (1_000_000, 1_000_000))  # times and places do not matter
    ok(flyweight(second, tmp_path / "3.tgz", "--copy", "all"))
    one = (tmp_path / "1.tgz").read_bytes()
    assert one == (tmp_path / "2.tgz").read_bytes() == (tmp_path / "3.tgz").read_bytes()
    _, data = code(tmp_path / "1.tgz")
    assert data[3] == 0 and data[4:8] == b"\0\0\0\0"  # gzip: no file name, no time
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for m in tar.getmembers():
            assert (m.mtime, m.uid, m.gid, m.uname, m.gname) == (315532800, 0, 0, "", "")
            assert m.mode == (0o755 if m.name == "run.sh" else 0o644)


def test_the_package_inside_the_source_is_not_packed(tmp_path: Path) -> None:
    project = write(tmp_path / "p")
    ok(flyweight(project, project / "flyte-package.tgz", "--copy", "all"))
    ok(flyweight(project, project / "flyte-package.tgz", "--copy", "all", "--force"))
    assert "flyte-package.tgz" not in tar_names(code(project / "flyte-package.tgz")[1])


def test_fast_flag_is_deprecated_copy_all(tmp_path: Path) -> None:
    project = write(tmp_path / "p")
    done = ok(flyweight(project, tmp_path / "fast.tgz", "--fast"))
    assert "The --fast flag is deprecated, please use --copy all instead" in done.stderr
    ok(flyweight(project, tmp_path / "all.tgz", "--copy", "all"))
    assert (tmp_path / "fast.tgz").read_bytes() == (tmp_path / "all.tgz").read_bytes()


def test_fast_and_copy_conflict(tmp_path: Path) -> None:
    project = write(tmp_path / "p")
    done = flyweight(project, tmp_path / "x.tgz", "--fast", "--copy", "auto")
    assert done.returncode == 2
    assert "Cannot use both --fast and --copy flags together. Please move to --copy" in done.stderr
    assert not (tmp_path / "x.tgz").exists()


@pytest.mark.oracle
def test_pyflyte_has_the_same_conflict(tmp_path: Path, flytekit_version: str) -> None:
    project = write(tmp_path / "p")
    done = pyflyte(project, tmp_path / "x.tgz", "--fast", "--copy", "auto")
    assert done.returncode != 0
    assert "Cannot use both --fast and --copy flags together" in done.stdout + done.stderr


def test_in_container_source_path_is_the_dest_dir(tmp_path: Path) -> None:
    project = write(tmp_path / "p")
    ok(flyweight(project, tmp_path / "d.tgz", "--copy", "auto", "-d", "/app"))
    for name, data in members(tmp_path / "d.tgz"):
        if name.endswith("wf.double_1.pb"):
            args = list(parse(name, data).template.container.args)
            assert args[:6] == ["flyweight-fast-execute", *PREFIX[:3], "/app", "--"]


@pytest.mark.parametrize(
    "patterns",
    [
        ["data/**", "!data/keep.csv"],
        ["*.txt"],
        ["**/*.CSV"],
        ["data"],
        ["./pkg/../data/*", "# x"],
        ["pkg/[a-h]*.py", "?otes.txt"],
        ["**"],
        ["!notes.txt", "*"],
    ],
)
def test_docker_patterns_as_docker_py(patterns: list[str]) -> None:
    from tests.oracle import require

    build = require("docker.utils.build", why="docker-py's PatternMatcher, the oracle of .dockerignore")
    theirs = build.PatternMatcher(patterns)
    ours = _DockerIgnore.__new__(_DockerIgnore)
    ours.patterns = [p for p in map(_DockerPattern, patterns) if p.parts]
    ours.patterns.append(_DockerPattern("!.dockerignore"))
    for path in [
        "data/big.csv",
        "data/keep.csv",
        "notes.txt",
        "pkg/helper.py",
        "data",
        ".dockerignore",
        "a/b/c.csv",
    ]:
        assert ours.matches(path) == theirs.matches(path), (patterns, path)
