"""``flyweight package`` against ``pyflyte package`` (flytekit 1.16.14, the oracle), member by member.

The same project (``cli_sources``: a module with tasks, a sub-workflow, a multi-output task and a named
launch plan, and a package of two modules importing each other) is written once for each SDK, in two
directories under the same module names, and packaged by each SDK's command in a subprocess. The archives
must hold the same member names in the same (registration) order, and each member the same message after
the identity map: ``pyflyte-execute`` → ``flyweight-execute``, flytekit's resolver path → ours, the runtime
version, the default image when none is given, the output-order entry of a multi-output task (ADR 0005);
``upstream_node_ids``, which flytekit writes in set order, are compared as sets.

flytekit is needed (the ``flytekit`` fixture, and its ``pyflyte``): without it these tests are skipped, unless
``FLYWEIGHT_REQUIRE_ORACLE=1``, in which case they fail.
"""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from tests.cli.cli_sources import write_project
from tests.oracle import missing

from flyweight._serialize import OUTPUT_ORDER_KEY
from flyweight._settings import default_image
from flyweight._version import __version__

pytestmark = pytest.mark.oracle

BIN = Path(sys.executable).parent
FLYTEKIT_RESOLVER = "flytekit.core.python_auto_container.default_task_resolver"
RESOLVER_AT = 12
OUTPUT_ORDERS = {"wf_pipeline.summarize": "total,label"}
KINDS: dict[str, Any] = {
    "1": task_pb2.TaskSpec,
    "2": workflow_pb2.WorkflowSpec,
    "3": launch_plan_pb2.LaunchPlan,
}


@pytest.fixture(scope="module")
def flytekit_version(flytekit: Any) -> str:
    if not (BIN / "pyflyte").exists():
        missing("pyflyte (the oracle's command) is not installed in this environment")
    return str(flytekit.__version__)


def _env() -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if k not in ("FLYTE_INTERNAL_IMAGE", "FLYWEIGHT_DEFAULT_IMAGE")
    }
    env["PYTHONPATH"] = ""
    return env


def _run(cmd: list[str], cwd: Path) -> None:
    done = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{cmd} failed:\n{done.stdout}\n{done.stderr}"


def members(archive: Path) -> list[tuple[str, bytes]]:
    with tarfile.open(archive) as tar:
        out = []
        for m in tar.getmembers():
            f = tar.extractfile(m)
            assert f is not None
            out.append((m.name, f.read()))
        return out


def parse(name: str, data: bytes) -> Any:
    message = KINDS[name.rsplit("_", 1)[1].removesuffix(".pb")]()
    message.ParseFromString(data)
    return message


def _sorted_upstream(template: Any) -> None:
    for node in template.nodes:
        ids = sorted(node.upstream_node_ids)
        del node.upstream_node_ids[:]
        node.upstream_node_ids.extend(ids)


def identity_map(message: Any, flytekit_version: str, image: str | None) -> Any:
    """flytekit's registration message → what flyweight must write for the same source."""
    if isinstance(message, task_pb2.TaskSpec):
        tpl = message.template
        args = tpl.container.args
        assert args[0] == "pyflyte-execute"
        args[0] = "flyweight-execute"
        assert args[RESOLVER_AT] == FLYTEKIT_RESOLVER
        args[RESOLVER_AT] = "flyweight.extend.default_task_resolver"
        assert tpl.metadata.runtime.version == flytekit_version
        tpl.metadata.runtime.version = __version__
        if image is None:
            assert tpl.container.image.startswith("cr.flyte.org/flyteorg/flytekit:py3.")
            tpl.container.image = default_image()
        if tpl.id.name in OUTPUT_ORDERS:
            tpl.config[OUTPUT_ORDER_KEY] = OUTPUT_ORDERS[tpl.id.name]
    return normalized(message)


def normalized(message: Any) -> Any:
    if isinstance(message, workflow_pb2.WorkflowSpec):
        _sorted_upstream(message.template)
        for sub in message.sub_workflows:
            _sorted_upstream(sub)
    return message


def _diff(a: Any, b: Any) -> str:
    return "\n".join(
        difflib.unified_diff(str(a).splitlines(), str(b).splitlines(), "pyflyte", "flyweight", lineterm="")
    )


@pytest.mark.parametrize("image", ["ghcr.io/acme/app:v1", None], ids=["image", "default-image"])
def test_package_members_equal_pyflytes(tmp_path: Path, flytekit_version: str, image: str | None) -> None:
    theirs_dir = write_project(tmp_path / "fk", "flytekit")
    ours_dir = write_project(tmp_path / "fw", "flyweight")
    image_args = ["--image", image] if image else []
    _run(
        [
            str(BIN / "pyflyte"),
            "--pkgs",
            "wf_pipeline",
            "--pkgs",
            "pkg",
            "package",
            *image_args,
            "-o",
            str(tmp_path / "theirs.tgz"),
        ],
        theirs_dir,
    )
    _run(
        [
            str(BIN / "flyweight"),
            "package",
            "wf_pipeline.py",
            "pkg",
            *image_args,
            "-o",
            str(tmp_path / "ours.tgz"),
        ],
        ours_dir,
    )
    theirs = sorted(members(tmp_path / "theirs.tgz"))  # pyflyte adds them in directory-listing order
    ours = members(tmp_path / "ours.tgz")
    assert [n for n, _ in ours] == [n for n, _ in theirs]
    assert len(ours) == 12
    for (name, their_bytes), (_, our_bytes) in zip(theirs, ours, strict=True):
        expected = identity_map(parse(name, their_bytes), flytekit_version, image)
        got = normalized(parse(name, our_bytes))
        assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
            f"{name}:\n{_diff(expected, got)}"
        )


def test_serialize_files_equal_pyflyte_serialize(tmp_path: Path, flytekit_version: str) -> None:
    theirs_dir = write_project(tmp_path / "fk", "flytekit")
    ours_dir = write_project(tmp_path / "fw", "flyweight")
    (tmp_path / "theirs").mkdir()
    image = "ghcr.io/acme/app:v1"
    _run(
        [
            str(BIN / "pyflyte"),
            "--pkgs",
            "wf_pipeline",
            "serialize",
            "--image",
            image,
            "workflows",
            "-f",
            str(tmp_path / "theirs"),
        ],
        theirs_dir,
    )
    _run(
        [
            str(BIN / "flyweight"),
            "serialize",
            "wf_pipeline.py",
            "--image",
            image,
            "-f",
            str(tmp_path / "ours"),
        ],
        ours_dir,
    )
    names = sorted(p.name for p in (tmp_path / "theirs").iterdir())
    assert sorted(p.name for p in (tmp_path / "ours").iterdir()) == names
    for name in names:
        expected = identity_map(
            parse(name, (tmp_path / "theirs" / name).read_bytes()), flytekit_version, image
        )
        got = normalized(parse(name, (tmp_path / "ours" / name).read_bytes()))
        assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
            f"{name}:\n{_diff(expected, got)}"
        )
