"""Local runs in each task's image environment (``run_workflow(in_image=True)``, ``--in-image``).

The environments are real virtual environments made by pip (offline: the one package a spec installs
is a wheel built here), in a cache directory of the test's own. The failure the feature exists for: a
task whose code imports a package that this environment has but its ImageSpec lacks fails here, as it
would on the cluster, and passes once the spec lists the package.
"""

from __future__ import annotations

import base64
import hashlib
import importlib
import os
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from flyweight import run_workflow
from flyweight._runtime._engines import RUNNERS, find_engine
from flyweight._runtime._image_env import ImageEnvironments, Interpreter, runtime_image_extras
from flyweight.errors import WorkflowExecutionError

BIN = Path(sys.executable).parent


def wheel(dest: Path, name: str = "imgenvdemo", version: str = "1.0") -> Path:
    """A pure-Python wheel of one module ``name`` whose ``VALUE`` is ``"from the spec"``."""
    path = dest / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}.py": b'VALUE = "from the spec"\n',
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for member, data in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append(f"{member},sha256={digest},{len(data)}")
    record.append(f"{info}/RECORD,,")
    with zipfile.ZipFile(path, "w") as zf:
        for member, data in files.items():
            zf.writestr(member, data)
        zf.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


PROJECT = """
from flyweight import ImageSpec, task, workflow

bare = ImageSpec(name="bare", registry="localhost:30000")
with_pkg = ImageSpec(
    name="withpkg", registry="localhost:30000", packages=[{wheel!r}], pip_extra_args="--no-index"
)
old_python = ImageSpec(name="old", registry="localhost:30000", python_version="3.8")
late = ImageSpec(name="late", registry="localhost:30000", runtime_packages=[{wheel!r}])
NO_SUCH_WHEEL = "/no/such/pkg-1.0-py3-none-any.whl"
broken = ImageSpec(name="broken", registry="localhost:30000", runtime_packages=[NO_SUCH_WHEEL])


@task(container_image=bare)
def inc(x: int) -> int:
    return x + 1


@task(container_image=bare)
def needs_pkg_bare() -> str:
    import imgenvdemo

    return imgenvdemo.VALUE


@task(container_image=with_pkg)
def needs_pkg() -> str:
    import imgenvdemo

    return imgenvdemo.VALUE


@task(container_image=late)
def needs_pkg_late() -> str:
    import imgenvdemo

    return imgenvdemo.VALUE


@task(container_image=broken)
def needs_broken() -> int:
    return 1


@task(container_image=bare)
def where_am_i() -> str:
    import sys

    return sys.prefix


@task(container_image=old_python)
def on_old_python() -> int:
    return 1


@task(container_image="ghcr.io/acme/custom:1.0")
def in_a_plain_image() -> int:
    return 1


@workflow
def chain(x: int) -> int:
    return inc(x=inc(x=x))


@workflow
def good() -> str:
    return needs_pkg()


@workflow
def bad() -> str:
    return needs_pkg_bare()


@workflow
def installed_at_start() -> str:
    return needs_pkg_late()


@workflow
def install_fails() -> int:
    return needs_broken()


@workflow
def prefix() -> str:
    return where_am_i()


@workflow
def old() -> int:
    return on_old_python()


@workflow
def plain() -> int:
    return in_a_plain_image()
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ModuleType]]:
    root = tmp_path_factory.mktemp("imgproj")
    (root / "imgproj_wf.py").write_text(PROJECT.replace("{wheel!r}", repr(str(wheel(root)))))
    cache = tmp_path_factory.mktemp("imgcache")
    saved_cwd, saved_env = Path.cwd(), os.environ.get("FLYWEIGHT_CACHE_DIR")
    os.chdir(root)
    os.environ["FLYWEIGHT_CACHE_DIR"] = str(cache)
    sys.path.insert(0, str(root))
    try:
        yield root, importlib.import_module("imgproj_wf")
    finally:
        sys.path.remove(str(root))
        sys.modules.pop("imgproj_wf", None)
        os.chdir(saved_cwd)
        if saved_env is None:
            os.environ.pop("FLYWEIGHT_CACHE_DIR", None)
        else:
            os.environ["FLYWEIGHT_CACHE_DIR"] = saved_env


def test_tasks_run_in_their_spec_s_environment(project: tuple[Path, ModuleType]) -> None:
    _, wf = project
    assert run_workflow(wf.chain, {"x": 1}, in_image=True) == 3
    prefix = run_workflow(wf.prefix, in_image=True)
    assert prefix != sys.prefix  # not this environment
    assert "image-envs" in prefix and "spec-bare-" in prefix


def test_a_package_missing_from_the_spec_fails_here_as_on_the_cluster(
    project: tuple[Path, ModuleType],
) -> None:
    _, wf = project
    # This environment has the package (so a plain local run passes) ...
    sys.path.insert(0, str(project[0] / "site"))
    (project[0] / "site").mkdir(exist_ok=True)
    (project[0] / "site" / "imgenvdemo.py").write_text('VALUE = "from this environment"\n')
    try:
        assert run_workflow(wf.bad, in_process=True) == "from this environment"
    finally:
        sys.path.remove(str(project[0] / "site"))
        sys.modules.pop("imgenvdemo", None)
    # ... the spec does not: in its environment the task fails, naming the missing module
    with pytest.raises(WorkflowExecutionError, match="No module named 'imgenvdemo'"):
        run_workflow(wf.bad, in_image=True)
    # a spec that lists the package gets it from pip
    assert run_workflow(wf.good, in_image=True) == "from the spec"


def test_runtime_packages_are_installed_when_the_task_starts(project: tuple[Path, ModuleType]) -> None:
    """flytekit's entrypoint pip-installs ImageSpec.runtime_packages before the task; so does ours."""
    _, wf = project
    assert run_workflow(wf.installed_at_start, in_image=True) == "from the spec"
    with pytest.raises(WorkflowExecutionError, match="pip could not install the runtime packages"):
        run_workflow(wf.install_fails, in_image=True)


def test_a_spec_for_another_python_fails_saying_so(project: tuple[Path, ModuleType]) -> None:
    with pytest.raises(WorkflowExecutionError, match=r"asks for Python 3\.8, but this is Python 3\.\d+"):
        run_workflow(project[1].old, in_image=True)


def test_a_plain_image_needs_docker_or_podman(project: tuple[Path, ModuleType]) -> None:
    if find_engine(RUNNERS).engine is not None:
        pytest.skip("docker or podman works here: the plain image would really be pulled and run")
    with pytest.raises(
        WorkflowExecutionError, match=r"image 'ghcr.io/acme/custom:1.0'.*needs docker or podman"
    ):
        run_workflow(project[1].plain, in_image=True)


def test_in_image_and_in_process_exclude_each_other(project: tuple[Path, ModuleType]) -> None:
    with pytest.raises(ValueError, match="cannot be in_process"):
        run_workflow(project[1].chain, {"x": 1}, in_image=True, in_process=True)


def test_the_cli_flag(project: tuple[Path, ModuleType]) -> None:
    root, _ = project
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        argv = [str(BIN / "flyweight"), "run", "imgproj_wf.py", *args]
        return subprocess.run(
            argv, cwd=root, env=env, capture_output=True, text=True, timeout=600, check=False
        )

    done = run("chain", "--in-image", "--x", "5")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "o0 = 7"
    failed = run("bad", "--in-image")
    assert failed.returncode == 1
    assert "No module named 'imgenvdemo'" in failed.stdout + failed.stderr
    both = run("chain", "--in-image", "--in-process", "--x", "1")
    assert both.returncode == 2
    assert "drop --in-process" in both.stderr


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("ghcr.io/flyweight/flyweight:py3.11-0.1.0", ("3.11", "0.1.0", ("pandas",))),
        ("ghcr.io/flyweight/flyweight:py3.12-sqlalchemy-0.1.0", ("3.12", "0.1.0", ("pandas", "postgres"))),
        ("ghcr.io/flyweight/flyweight:py3.11-latest", ("3.11", "latest", ("pandas",))),
        ("ghcr.io/flyweight/flyweight:py3.11-spark-0.1.0", None),  # no such flyweight image
        ("ghcr.io/acme/flyweight:py3.11-0.1.0", None),
    ],
)
def test_flyweight_s_own_images_are_recognised(image: str, expected: object) -> None:
    assert runtime_image_extras(image) == expected


def test_a_task_without_an_image_runs_with_what_the_default_image_holds(tmp_path: Path) -> None:
    """The default image holds flyweight with pandas: its environment links what is installed here."""
    from flyweight import task

    @task
    def nothing() -> int:
        return 1

    envs = ImageEnvironments(tmp_path, tmp_path / "cache")
    interpreter = envs.for_task(nothing)
    assert interpreter.python is not None
    probe = "import flyweight, pandas, pyarrow, sys; print(sys.prefix)"
    done = subprocess.run(
        [interpreter.python, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()).parent == tmp_path / "cache"
    assert envs.for_task(nothing) is interpreter  # made once per image


def test_the_container_command_mounts_the_run_and_the_code() -> None:
    interpreter = Interpreter("image x", ("/src",), engine="/usr/bin/podman", image="ghcr.io/acme/x:1")
    args = ["flyweight-execute", "--inputs", "/blob/n0/0/inputs.pb"]
    env = {"FLYTE_INTERNAL_EXECUTION_ID": "r1", "HOME": "/root", "PYTHONPATH": "/src"}
    command = interpreter.command(args, env, [Path("/blob/n0")], "unused")
    uid = f"{os.getuid()}:{os.getgid()}"
    assert (
        command
        == textwrap.dedent(f"""
        /usr/bin/podman run --rm --user {uid} --volume /blob/n0:/blob/n0 --volume /src:/src --workdir /src
        --env FLYTE_INTERNAL_EXECUTION_ID=r1 --env PYTHONPATH=/src ghcr.io/acme/x:1
        flyweight-execute --inputs /blob/n0/0/inputs.pb
    """).split()
    )
