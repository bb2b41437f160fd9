"""``flyweight-fast-execute``: a fast package's task runs from its code tarball, fetched from storage.

A small project is packaged with ``--copy all``; its tarball goes to the real S3 server; the task's
container arguments, Flyte's placeholders filled, run from an empty working directory in a process whose
``PYTHONPATH`` does not hold the project. A template ``pyflyte package`` wrote runs the same way. A missing,
truncated or unsafe tarball leaves ``error.pb`` (SYSTEM) and nothing outside the destination.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import task_pb2
from flyteidl.core import errors_pb2, execution_pb2, literals_pb2
from tests.cli.test_cli_package_fast import BIN, flyweight, ok, pyflyte, write
from tests.cli.test_cli_package_oracle import flytekit_version, members

from flyweight._entrypoint._fast import main
from flyweight._storage import FileAccess
from flyweight.types import TypeEngine

__all__ = ["flytekit_version"]


def template(archive: Path, task: str = "wf.double") -> tuple[list[str], bytes]:
    """The container arguments of ``task`` and the code tarball in ``archive``."""
    files = dict(members(archive))
    code = next(data for name, data in files.items() if name.startswith("fast"))
    spec = task_pb2.TaskSpec.FromString(next(d for n, d in files.items() if n.endswith(f"_{task}_1.pb")))
    return list(spec.template.container.args), code


def fill(args: list[str], root: Path, package: str) -> list[str]:
    fills = {
        "{{.input}}": str(root / "inputs.pb"),
        "{{.outputPrefix}}": str(root / "out"),
        "{{.rawOutputDataPrefix}}": str(root / "raw"),
        "{{.checkpointOutputPrefix}}": str(root / "checkpoint"),
        "{{.prevCheckpointPrefix}}": '""',
        "{{ .remote_package_path }}": package,
    }
    out = [fills.get(a, a) for a in args]
    out[out.index("--dest-dir") + 1] = str(root / "code")  # /root in the template: a pod's home
    return out


def run(args: list[str], root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (root / "inputs.pb").write_bytes(
        TypeEngine.dict_to_literal_map(None, {"x": 21}, {"x": int}).SerializeToString()
    )
    empty = root / "empty"
    empty.mkdir(exist_ok=True)
    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    environ.update(env)
    return subprocess.run(
        [str(BIN / "flyweight-fast-execute"), *args[1:]],
        cwd=empty,
        check=False,
        env=environ,
        capture_output=True,
        text=True,
    )


def output(root: Path) -> int:
    outputs = literals_pb2.LiteralMap.FromString((root / "out" / "outputs.pb").read_bytes())
    return int(outputs.literals["o0"].scalar.primitive.integer)


def system_error(root: Path) -> errors_pb2.ContainerError:
    error = errors_pb2.ErrorDocument.FromString((root / "out" / "error.pb").read_bytes()).error
    assert error.origin == execution_pb2.ExecutionError.SYSTEM, error
    assert error.code == "SYSTEM"
    return error


def test_a_fast_task_runs_from_s3(tmp_path: Path, s3_bucket: str) -> None:
    project = write(tmp_path / "project")
    ok(flyweight(project, tmp_path / "p.tgz", "--copy", "all"))
    args, code = template(tmp_path / "p.tgz")
    assert args[:6] == [
        "flyweight-fast-execute",
        "--additional-distribution",
        "{{ .remote_package_path }}",
        "--dest-dir",
        "/root",
        "--",
    ]
    assert args[6] == "flyweight-execute"
    uri = f"{s3_bucket}/code/fast.tar.gz"
    FileAccess().write_bytes(uri, code)
    root = tmp_path / "pod"
    root.mkdir()
    done = run(fill(args, root, uri), root)
    assert done.returncode == 0, done.stderr
    assert output(root) == 42
    assert (root / "code" / "pkg" / "helper.py").is_file()
    assert not (root / "empty" / "wf.py").exists()


@pytest.mark.oracle
def test_a_pyflyte_made_fast_template_runs(tmp_path: Path, flytekit_version: str) -> None:
    project = write(tmp_path / "project")
    ok(pyflyte(project, tmp_path / "t.tgz", "--copy", "all"))
    args, code = template(tmp_path / "t.tgz")
    assert args[0] == "pyflyte-fast-execute" and args[6] == "pyflyte-execute"
    (tmp_path / "fast.tar.gz").write_bytes(code)
    root = tmp_path / "pod"
    root.mkdir()
    # the module defines flyweight tasks unless WF_SDK says flytekit: flyweight-execute runs them
    done = run(fill(args, root, str(tmp_path / "fast.tar.gz")), root, WF_SDK="flyweight")
    assert done.returncode == 0, done.stderr
    assert output(root) == 42


def _tar(add: Any) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        good = tarfile.TarInfo("good.py")
        good.size = 2
        tar.addfile(good, io.BytesIO(b"x\n"))
        add(tar)
    return buf.getvalue()


def _file(name: str) -> Any:
    def add(tar: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.size = 4
        tar.addfile(info, io.BytesIO(b"bad\n"))

    return add


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> Any:
    def add(tar: tarfile.TarFile) -> None:
        info = tarfile.TarInfo(name)
        info.type = kind
        info.linkname = target
        tar.addfile(info)

    return add


def _two(*adds: Any) -> Any:
    def add(tar: tarfile.TarFile) -> None:
        for a in adds:
            a(tar)

    return add


UNSAFE = {
    "dotdot": _file("../x"),
    "nested-dotdot": _file("a/../../x"),
    "absolute": _file("/tmp/flyweight-fast-absolute-x"),
    "symlink-out": _link("out", "../x"),
    "symlink-absolute": _link("out", "/etc"),
    "through-symlink": _two(_link("d", "."), _file("d/x")),
    "dotdot-after-symlink": _two(_link("d", "sub"), _link("e", "d/../../x")),
    "hardlink-out": _link("h", "../x", tarfile.LNKTYPE),
    "device": _link("dev", "", tarfile.CHRTYPE),
    "fifo": _link("fifo", "", tarfile.FIFOTYPE),
}


def _attempt(root: Path, package: str) -> int:
    execute = ["flyweight-execute", "--inputs", str(root / "i.pb"), "--output-prefix", str(root / "out")]
    loader = [
        "--resolver",
        "flyweight.extend.default_task_resolver",
        "--",
        "task-module",
        "m",
        "task-name",
        "t",
    ]
    return main(
        ["--additional-distribution", package, "--dest-dir", str(root / "dest"), "--", *execute, *loader]
    )


@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_an_unsafe_tarball_is_refused_whole(tmp_path: Path, case: str) -> None:
    root = tmp_path / "pod"
    root.mkdir()
    (tmp_path / "code.tar.gz").write_bytes(_tar(UNSAFE[case]))
    assert _attempt(root, str(tmp_path / "code.tar.gz")) == 1
    assert "cannot be unpacked" in system_error(root).message
    assert not (root / "dest").exists() or list((root / "dest").iterdir()) == []  # not even the good one
    assert not (root / "x").exists() and not (tmp_path / "x").exists()
    assert not Path("/tmp/flyweight-fast-absolute-x").exists()


def test_a_missing_tarball_is_a_system_error(tmp_path: Path) -> None:
    root = tmp_path / "pod"
    root.mkdir()
    done = run(
        [
            *["flyweight-fast-execute", "--additional-distribution", str(tmp_path / "nope.tar.gz")],
            *[
                "--dest-dir",
                str(root / "code"),
                "--",
                "flyweight-execute",
                "--inputs",
                str(root / "inputs.pb"),
            ],
            *["--output-prefix", str(root / "out"), "--resolver", "r", "--", "x"],
        ],
        root,
    )
    assert done.returncode == 1
    assert "could not fetch the code tarball" in system_error(root).message


def test_a_truncated_tarball_is_a_system_error(tmp_path: Path) -> None:
    root = tmp_path / "pod"
    root.mkdir()
    data = _tar(_file("more.py"))
    (tmp_path / "cut.tar.gz").write_bytes(data[: len(data) // 2])
    assert _attempt(root, str(tmp_path / "cut.tar.gz")) == 1
    assert "damaged or truncated" in system_error(root).message
    assert not (root / "dest").exists() or list((root / "dest").iterdir()) == []


def test_a_safe_tarball_with_inner_links_unpacks(tmp_path: Path) -> None:
    from flyweight._entrypoint._fast import unpack

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name in ("pkg/a.py", "pkg/sub/b.py"):
            info = tarfile.TarInfo(name)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"1"))
        _link("pkg/sub/up.py", "../a.py")(tar)
        _link("pkg/hard.py", "pkg/a.py", tarfile.LNKTYPE)(tar)
    (tmp_path / "t.tar").write_bytes(buf.getvalue())
    assert unpack(str(tmp_path / "t.tar"), str(tmp_path / "dest")) == 4
    assert (tmp_path / "dest" / "pkg" / "sub" / "up.py").read_text() == "1"
    assert (tmp_path / "dest" / "pkg" / "hard.py").read_text() == "1"
