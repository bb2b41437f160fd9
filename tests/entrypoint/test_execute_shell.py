"""``flyweight-execute`` running ``ShellTask``s: the container imports the module the task was made in and
takes the variable bound to it (an instance task has no function), as flytekit's resolver does."""

from __future__ import annotations

from pathlib import Path

from flyteidl.core import errors_pb2, literals_pb2
from tests.entrypoint.test_execute_function import RECOVERABLE, USER, prepare
from tests.tasks import shell_shapes as shapes


def test_a_shell_task_runs_in_the_container_and_uploads_its_output(tmp_path: Path) -> None:
    result = prepare(tmp_path, shapes.ints_and_strs, {"n": 9, "word": "nine"}).run()
    assert result.returncode == 0, result.stderr
    assert result.files() == ["outputs.pb"], result.stderr
    lm = literals_pb2.LiteralMap.FromString((result.out / "outputs.pb").read_bytes())
    uri = lm.literals["out"].scalar.blob.uri
    assert uri.startswith(str(tmp_path / "raw")), uri
    assert Path(uri).read_text() == "nine 9\n"


def test_a_failing_script_leaves_a_recoverable_user_error(tmp_path: Path) -> None:
    result = prepare(tmp_path, shapes.no_outputs, {"n": -1}).run()
    error = result.error()
    assert (error.origin, error.kind) == (USER, RECOVERABLE)
    assert error.code == "USER:Recoverable"
    assert "the script (/bin/bash) exited with status 1" in error.message
    assert error.kind == errors_pb2.ContainerError.RECOVERABLE
