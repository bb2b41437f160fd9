"""``flyweight serialize``: the registration files in a folder, the same bytes as the archive members."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

from tests.cli.cli_fixtures import invoke, project
from tests.cli.cli_sources import write_project

__all__ = ["project"]


def test_folder_holds_the_archive_members(project: Path) -> None:
    write_project(project, "flyweight")
    result = invoke("serialize", "wf_pipeline.py", "pkg", "-f", "out/pbs")
    assert result.exit_code == 0, result.output
    assert "Serialized 12 entities" in result.output
    files = {p.name: p.read_bytes() for p in (project / "out" / "pbs").iterdir()}
    assert invoke("package", "wf_pipeline.py", "pkg", "-o", "out.tgz").exit_code == 0
    with tarfile.open(fileobj=io.BytesIO(Path("out.tgz").read_bytes())) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]
    assert files == members


def test_stale_registration_files_need_force(project: Path) -> None:
    write_project(project, "flyweight")
    out = project / "out"
    out.mkdir()
    (out / "99_old.task_1.pb").write_bytes(b"stale")
    (out / "notes.pb").write_bytes(b"keep")
    result = invoke("serialize", "pkg", "-f", "out")
    assert result.exit_code == 1
    assert "already holds registration files (99_old.task_1.pb" in result.output
    assert invoke("serialize", "pkg", "-f", "out", "--force").exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "0_pkg.helpers.shout_1.pb",
        "1_pkg.jobs.greet_1.pb",
        "2_pkg.jobs.greeting_2.pb",
        "3_pkg.jobs.greeting_3.pb",
        "notes.pb",
    ]


def test_errors_leave_the_folder_alone(project: Path) -> None:
    (project / "broken.py").write_text("import no_such_module_here\n")
    result = invoke("serialize", "broken.py", "-f", "out")
    assert result.exit_code == 1
    assert "ModuleNotFoundError: No module named 'no_such_module_here'" in result.output
    assert not (project / "out").exists()


def test_a_failed_write_keeps_the_files_already_there(project: Path) -> None:
    write_project(project, "flyweight")
    out = project / "out"
    assert invoke("serialize", "pkg", "-f", "out").exit_code == 0
    (out / "3_pkg.jobs.greeting_3.pb").unlink()
    (out / "3_pkg.jobs.greeting_3.pb").mkdir()  # the last file cannot be written
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    result = invoke("serialize", "pkg", "-f", "out", "--force")
    assert result.exit_code == 1
    assert "Error: cannot write into" in result.output
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_a_folder_below_a_file_is_an_error(project: Path) -> None:
    write_project(project, "flyweight")
    (project / "notes").write_text("")
    result = invoke("serialize", "pkg", "-f", "notes/out")
    assert result.exit_code == 1
    assert "cannot write into" in result.output
    assert "Not a directory" in result.output
