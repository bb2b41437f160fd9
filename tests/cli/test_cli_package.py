"""``flyweight package``: the archive's layout, reproducibility, options and clear errors."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from tests.cli.cli_fixtures import archive_members, forget_modules_under, invoke, project
from tests.cli.cli_sources import write_project

__all__ = ["project"]

EXPECTED = [
    "00_wf_pipeline.double_1.pb",
    "01_wf_pipeline.summarize_1.pb",
    "02_wf_pipeline.add_1.pb",
    "03_wf_pipeline.sub_2.pb",
    "04_wf_pipeline.sub_3.pb",
    "05_wf_pipeline.pipeline_2.pb",
    "06_wf_pipeline.pipeline_3.pb",
    "07_pipeline_ten_3.pb",
    "08_pkg.helpers.shout_1.pb",
    "09_pkg.jobs.greet_1.pb",
    "10_pkg.jobs.greeting_2.pb",
    "11_pkg.jobs.greeting_3.pb",
]


def _package(*args: str) -> bytes:
    result = invoke("package", *args, "-o", "out.tgz", "--force")
    assert result.exit_code == 0, result.output
    return Path("out.tgz").read_bytes()


def test_archive_holds_pyflytes_member_names_in_registration_order(project: Path) -> None:
    write_project(project, "flyweight")
    data = _package("wf_pipeline.py", "pkg", "--image", "ghcr.io/acme/app:v1")
    assert [m.name for m in archive_members(data)] == EXPECTED
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        task = task_pb2.TaskSpec.FromString(tar.extractfile("00_wf_pipeline.double_1.pb").read())  # type: ignore[union-attr]
        wf = workflow_pb2.WorkflowSpec.FromString(tar.extractfile("05_wf_pipeline.pipeline_2.pb").read())  # type: ignore[union-attr]
        lp = launch_plan_pb2.LaunchPlan.FromString(tar.extractfile("07_pipeline_ten_3.pb").read())  # type: ignore[union-attr]
    assert task.template.container.image == "ghcr.io/acme/app:v1"
    assert task.template.container.args[0] == "flyweight-execute"
    assert list(task.template.container.args[-4:]) == ["task-module", "wf_pipeline", "task-name", "double"]
    assert task.template.id.project == task.template.id.domain == task.template.id.version == ""
    assert [s.id.name for s in wf.sub_workflows] == ["wf_pipeline.sub"]
    assert lp.spec.workflow_id.name == "wf_pipeline.pipeline"
    assert lp.spec.default_inputs.parameters["x"].default.scalar.primitive.integer == 10


def test_archive_is_reproducible_and_normalized(project: Path, tmp_path: Path) -> None:
    write_project(project, "flyweight")
    first = _package("wf_pipeline.py", "pkg")
    second = _package("wf_pipeline.py", "pkg")
    assert first == second
    header = first[:10]
    assert header[:3] == b"\x1f\x8b\x08"
    assert header[3] == 0  # no FNAME: the output's name is not recorded
    assert header[4:8] == b"\0\0\0\0"  # mtime 0
    for m in archive_members(first):
        assert (m.mtime, m.uid, m.gid, m.uname, m.gname, m.mode, m.type) == (
            0,
            0,
            0,
            "",
            "",
            0o644,
            tarfile.REGTYPE,
        )
    assert gzip.decompress(first)  # a valid gzip stream


def test_same_source_elsewhere_gives_the_same_archive(project: Path, tmp_path: Path) -> None:
    write_project(project, "flyweight")
    first = _package("wf_pipeline.py")
    forget_modules_under(project)
    other = write_project(tmp_path / "elsewhere" / "copy", "flyweight")
    os.chdir(other)
    assert _package("wf_pipeline.py") == first


def test_options_reach_the_templates(project: Path) -> None:
    write_project(project, "flyweight")
    data = _package(
        "wf_pipeline",
        "--image",
        "ghcr.io/acme/app:v1",
        "--image",
        "gpu=ghcr.io/acme/gpu:v2",
        "--project",
        "p",
        "--domain",
        "development",
        "--version",
        "v7",
        "--env",
        "A=1",
        "--env",
        "B=x=y",
    )
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        task = task_pb2.TaskSpec.FromString(tar.extractfile("0_wf_pipeline.double_1.pb").read())  # type: ignore[union-attr]
        lp = launch_plan_pb2.LaunchPlan.FromString(tar.extractfile("7_pipeline_ten_3.pb").read())  # type: ignore[union-attr]
    ident = task.template.id
    assert (ident.project, ident.domain, ident.version) == ("p", "development", "v7")
    assert {e.key: e.value for e in task.template.container.env} == {"A": "1", "B": "x=y"}
    assert (lp.id.project, lp.id.version, lp.spec.workflow_id.version) == ("p", "v7", "v7")


def test_a_directory_source_root(project: Path, tmp_path: Path) -> None:
    write_project(project / "code", "flyweight")
    result = invoke("package", "code/pkg/jobs.py", "--source", "code", "-o", "out.tgz")
    assert result.exit_code == 0, result.output
    names = [m.name for m in archive_members(Path("out.tgz").read_bytes())]
    assert names == [
        "0_pkg.helpers.shout_1.pb",
        "1_pkg.jobs.greet_1.pb",
        "2_pkg.jobs.greeting_2.pb",
        "3_pkg.jobs.greeting_3.pb",
    ]


@pytest.mark.parametrize(
    ("files", "args", "message"),
    [
        ({}, ["missing.py"], "no such file or directory: 'missing.py'"),
        (
            {"broken.py": "x = 1\nraise ValueError('bad config')\n"},
            ["broken.py"],
            "module 'broken' failed to import: ValueError: bad config",
        ),
        ({"syntax.py": "def f(:\n"}, ["syntax.py"], "module 'syntax' failed to import: "),
        ({"empty.py": "x = 1\n"}, ["empty.py"], "no tasks, workflows or launch plans found in empty"),
        ({"notes.txt": "hi"}, ["notes.txt"], "is not a Python file"),
        ({}, ["../outside.py"], "outside the source root"),
        (
            {"script.py": "import sys\nsys.exit(3)\n"},
            ["script.py"],
            "'script' failed to import: SystemExit: 3",
        ),
        (
            {"my-flow.py": ""},
            ["my-flow.py"],
            "(got 'my-flow'); rename it so each part is a Python identifier",
        ),
        ({}, ["."], "'.' is the source root itself; name a file or package below it"),
        ({"empty.py": ""}, ["empty.py", "--image", "ghcr.io/acme/app"], "has no tag or digest"),
        ({"empty.py": ""}, ["empty.py", "--image", "a:1", "--image", "b:2"], "two default images"),
        ({"empty.py": ""}, ["empty.py", "--env", "NOVALUE"], "expected KEY=VALUE"),
    ],
)
def test_bad_inputs_give_clear_errors(
    project: Path, files: dict[str, str], args: list[str], message: str
) -> None:
    (project.parent / "outside.py").write_text("")
    for name, text in files.items():
        (project / name).write_text(text)
    result = invoke("package", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (project / "flyte-package.tgz").exists()


def test_an_existing_output_needs_force(project: Path) -> None:
    write_project(project, "flyweight")
    Path("flyte-package.tgz").write_bytes(b"old")
    result = invoke("package", "wf_pipeline.py")
    assert result.exit_code == 1
    assert "already exists; pass --force" in result.output
    assert Path("flyte-package.tgz").read_bytes() == b"old"
    assert invoke("package", "wf_pipeline.py", "-f").exit_code == 0
    assert len(archive_members(Path("flyte-package.tgz").read_bytes())) == 8


def test_an_output_that_cannot_be_written_is_an_error_and_leaves_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(project, "flyweight")

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("flyweight._cli._archive.os.replace", refuse)
    result = invoke("package", "wf_pipeline.py", "-o", "out.tgz")
    assert result.exit_code == 1
    assert "Error: cannot write " in result.output
    assert "out.tgz: Permission denied" in result.output
    assert not [p.name for p in project.iterdir() if "out.tgz" in p.name]


def test_the_console_script_reports_errors_and_exits_1(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "flyweight"
    (tmp_path / "broken.py").write_text("raise RuntimeError('boom')\n")
    done = subprocess.run(
        [str(script), "package", "broken.py"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "module 'broken' failed to import: RuntimeError: boom" in done.stderr
    assert "broken.py, line 1" in done.stderr
    usage = subprocess.run(
        [str(script), "package"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert usage.returncode == 2
    assert "Missing argument" in usage.stderr


def test_the_console_script_packages(tmp_path: Path) -> None:
    write_project(tmp_path, "flyweight")
    script = Path(sys.executable).parent / "flyweight"
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [str(script), "package", "wf_pipeline.py", "pkg", "-o", "out.tgz", "-f"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        runs.append((tmp_path / "out.tgz").read_bytes())
    assert runs[0] == runs[1]
    assert [m.name for m in archive_members(runs[0])] == EXPECTED


def test_a_packaged_task_runs_under_flyweight_execute(tmp_path: Path) -> None:
    """The container arguments in the archive work: run them as Flyte would, from the project directory."""
    from flyteidl.core import literals_pb2

    from flyweight.types import TypeEngine

    write_project(tmp_path, "flyweight")
    script = Path(sys.executable).parent / "flyweight"
    done = subprocess.run(
        [str(script), "package", "wf_pipeline.py", "-o", "out.tgz"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with tarfile.open(tmp_path / "out.tgz") as tar:
        member = tar.extractfile("0_wf_pipeline.double_1.pb")
        assert member is not None
        spec = task_pb2.TaskSpec.FromString(member.read())
    inputs = literals_pb2.LiteralMap(literals={"x": TypeEngine.to_literal(None, 21, int, None)})
    (tmp_path / "inputs.pb").write_bytes(inputs.SerializeToString())
    filled = {
        "{{.input}}": str(tmp_path / "inputs.pb"),
        "{{.outputPrefix}}": str(tmp_path / "outputs"),
        "{{.rawOutputDataPrefix}}": str(tmp_path / "raw"),
        "{{.checkpointOutputPrefix}}": str(tmp_path / "checkpoint"),
        "{{.prevCheckpointPrefix}}": "",
    }
    args = [filled.get(a, a) for a in spec.template.container.args]
    assert args[0] == "flyweight-execute"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("PYTHONPATH", None)
    run = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=60)
    assert run.returncode == 0, run.stderr
    outputs = literals_pb2.LiteralMap.FromString((tmp_path / "outputs" / "outputs.pb").read_bytes())
    assert outputs.literals["o0"].scalar.primitive.integer == 42
