"""``flyweight package`` against ``pyflyte package`` for workflows that branch and fan out.

One module (written for each SDK, same names) holds a conditional, map tasks (plain, a
``functools.partial`` with a bound input, a ratio) and a dynamic task; both commands package it and the
archives must hold the same members in the same order, each the same message after the identity map
of ``test_cli_package_oracle.py`` plus, for a map task's template, ``pyflyte-map-execute`` and
flytekit's map resolver → ``flyweight-execute`` and ``flyweight.extend.map_task_resolver``. ``flyweight
run`` runs the same workflows and gives flytekit's results.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import task_pb2
from tests.cli.test_cli_package_oracle import _diff, _env, _run, identity_map, members, normalized, parse

pytestmark = pytest.mark.oracle

BIN = Path(sys.executable).parent
MAP_RESOLVER = "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver"

SOURCE = """\
import functools
from typing import List, Optional

from {sdk} import Workflow, conditional, dynamic, map_task, task, workflow


@task
def square(x: int) -> int:
    return x * x


@task(retries=1)
def scale(x: int, factor: int) -> int:
    return x * factor


@task
def total(xs: List[int]) -> int:
    return sum(xs)


@task
def total_some(xs: List[Optional[int]]) -> int:
    return sum(x for x in xs if x is not None)


@task
def negate(x: int) -> int:
    return -x


@workflow
def fan_out(xs: List[int]) -> int:
    squares = map_task(square, concurrency=2)(x=xs)
    scaled = map_task(functools.partial(scale, factor=3))(x=squares)
    return total(xs=scaled)


@workflow
def some_may_fail(xs: List[int]) -> int:
    return total_some(xs=map_task(square, min_success_ratio=0.75)(x=xs))


@workflow
def branch(x: int) -> int:
    s = square(x=x)
    return (
        conditional("sign")
        .if_(s > 10)
        .then(negate(x=s))
        .elif_(s == 0)
        .then(square(x=x))
        .else_()
        .then(scale(x=s, factor=2))
    )


@dynamic
def per_item(xs: List[int]) -> List[int]:
    return [square(x=x) for x in xs]


@workflow
def dynamic_total(xs: List[int]) -> int:
    return total(xs=per_item(xs=xs))


built = Workflow(name="control.built")
built_x = built.add_workflow_input("x", int)
built_node = built.add_entity(square, x=built_x)
built.add_workflow_output("squared", built_node.outputs["o0"])
"""

RUNS = [
    ("fan_out", {"xs": [1, 2, 3]}, 42),
    ("some_may_fail", {"xs": [1, 2]}, 5),
    ("branch", {"x": 4}, -16),
    ("branch", {"x": 0}, 0),
    ("branch", {"x": 2}, 8),
    ("dynamic_total", {"xs": [1, 2, 3]}, 14),
    ("built", {"x": 7}, 49),
]


def write(root: Path, sdk: str) -> Path:
    root.mkdir(parents=True)
    (root / "control.py").write_text(SOURCE.format(sdk=sdk))
    return root


def map_identity(message: Any, flytekit_version: str, image: str) -> Any:
    """A map task's template: flytekit's program and resolvers → flyweight's; others as for any entity."""
    if isinstance(message, task_pb2.TaskSpec) and message.template.container.args[:1] == [
        "pyflyte-map-execute"
    ]:
        tpl = message.template
        args = tpl.container.args
        args[0] = "pyflyte-execute"  # then mapped like any task's program
        assert args[12] == MAP_RESOLVER
        args[12] = "flyweight.extend.map_task_resolver"
        inner = list(args).index("resolver") + 1
        assert args[inner] == "flytekit.core.python_auto_container.default_task_resolver"
        args[inner] = "flyweight.extend.default_task_resolver"
        tpl.metadata.runtime.version = flytekit_version  # checked and replaced by identity_map
        args[12], saved = "flytekit.core.python_auto_container.default_task_resolver", args[12]
        out = identity_map(message, flytekit_version, image)
        out.template.container.args[12] = saved
        return out
    return identity_map(message, flytekit_version, image)


def test_package_members_equal_pyflytes(tmp_path: Path, flytekit_version: str) -> None:
    # one directory for both: a dynamic task's template records the source root (``_F_SS_C``)
    image, project = "ghcr.io/acme/app:v1", tmp_path / "project"
    write(project, "flytekit")
    _run(
        [
            str(BIN / "pyflyte"),
            "--pkgs",
            "control",
            "package",
            "--image",
            image,
            "-o",
            str(tmp_path / "t.tgz"),
        ],
        project,
    )
    shutil.rmtree(project)
    write(project, "flyweight")
    _run(
        [str(BIN / "flyweight"), "package", "control.py", "--image", image, "-o", str(tmp_path / "o.tgz")],
        project,
    )
    theirs = sorted(members(tmp_path / "t.tgz"))
    ours = members(tmp_path / "o.tgz")
    assert [n for n, _ in ours] == [n for n, _ in theirs]
    names = " ".join(n for n, _ in ours)
    assert "arraynode" in names and "per_item" in names and "branch" in names and "control.built" in names
    for (name, their_bytes), (_, our_bytes) in zip(theirs, ours, strict=True):
        expected = map_identity(parse(name, their_bytes), flytekit_version, image)
        got = normalized(parse(name, our_bytes))
        assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
            f"{name}:\n{_diff(expected, got)}"
        )


@pytest.mark.parametrize(("name", "inputs", "expected"), RUNS)
def test_flyweight_run_gives_flytekits_results(
    tmp_path: Path, flytekit_version: str, name: str, inputs: dict[str, Any], expected: int
) -> None:
    theirs_dir, ours_dir = write(tmp_path / "fk", "flytekit"), write(tmp_path / "fw", "flyweight")
    probe = f"import json, control; print(json.dumps(control.{name}(**{inputs!r})))"
    fk = subprocess.run(
        [sys.executable, "-c", probe], cwd=theirs_dir, env=_env(), capture_output=True, text=True, check=False
    )
    assert fk.returncode == 0, fk.stderr
    assert json.loads(fk.stdout.strip().splitlines()[-1]) == expected
    args = [f"--{k}={json.dumps(v)}" for k, v in inputs.items()]
    ours = subprocess.run(
        [str(BIN / "flyweight"), "run", "control.py", name, *args],
        cwd=ours_dir,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert ours.returncode == 0, ours.stdout + ours.stderr
    assert str(expected) in ours.stdout


@pytest.fixture(scope="module")
def flytekit_version(flytekit: Any) -> str:
    return str(flytekit.__version__)
