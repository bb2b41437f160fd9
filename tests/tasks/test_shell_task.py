"""``ShellTask``: templates byte-equal to flytekit's, local results equal to flytekit's, clear failures.

The shapes are in ``tests.tasks.shell_shapes``; the oracle makes the same tasks with flytekit's classes
in code run as that module, so both name the same module and variable in their container arguments.
"""

from __future__ import annotations

import datetime
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import task_pb2 as admin_task_pb2
from tests.oracle import load_flytekit
from tests.tasks import shell_shapes as shapes
from tests.tasks.test_function_task_oracle import identity_map, settings_pair, text_diff

import flyweight
from flyweight import FlyteDirectory, FlyteFile, OutputLocation, ShellTask, kwtypes, task, workflow
from flyweight._failure import classify
from flyweight.errors import RecoverableError, TaskDefinitionError, TaskExecutionError
from flyweight.extend import get_serializable

NAMES = list(shapes.SHELL)


def flytekit_shell_task(name: str) -> Any:
    fk = load_flytekit()
    from flytekit.extras.tasks.shell import OutputLocation as FkOutputLocation, ShellTask as FkShellTask
    from flytekit.types.directory import FlyteDirectory as FkDirectory
    from flytekit.types.file import FlyteFile as FkFile

    spec = shapes.shell_specs(FkOutputLocation, FkFile, FkDirectory, fk.Resources)[name]
    # Made in code run as the shapes module (flytekit records the module a task is made in), and given
    # the variable name flyweight's task is bound to there.
    namespace = {"__name__": shapes.__name__, "cls": FkShellTask, "spec": spec}
    exec(compile("made = cls(**spec)", "<oracle>", "exec"), namespace)
    made = namespace["made"]
    made._lhs = name
    return made


# -- templates ---------------------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.usefixtures("flytekit")
@pytest.mark.parametrize("name", NAMES)
def test_template_and_registration_bytes_equal_flytekits(name: str) -> None:
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    fk_settings, settings = settings_pair()
    fk_spec = fk_get_serializable(OrderedDict(), fk_settings, flytekit_shell_task(name)).to_flyte_idl()
    ours = getattr(shapes, name)
    expected = admin_task_pb2.TaskSpec()
    expected.CopyFrom(fk_spec)
    expected.template.CopyFrom(identity_map(fk_spec.template, list(ours.python_interface.outputs)))
    got = get_serializable(OrderedDict(), settings, ours)
    assert got.template.SerializeToString(deterministic=True) == expected.template.SerializeToString(
        deterministic=True
    ), text_diff(expected.template, got.template)
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True)
    assert got.template.type == "python-task"
    assert list(got.template.container.args[-4:]) == ["task-module", shapes.__name__, "task-name", name]


def test_an_instance_task_not_bound_at_module_level_cannot_be_registered() -> None:
    def make() -> ShellTask[Any]:
        return ShellTask("shell.local", script="echo hi")

    local = make()
    _, settings = settings_pair()
    with pytest.raises(TaskDefinitionError, match="module-level variable"):
        local.serialize_to_model(settings)
    assert local() is None  # a local call needs no importable name


# -- local results equal flytekit's ----------------------------------------------------------------


def _read(value: Any) -> Any:
    """A result's contents: a file's text, a directory's files and their texts."""
    if value is None:
        return None
    if isinstance(value, tuple):
        return tuple(_read(v) for v in value)
    path = os.fspath(value) if not hasattr(value, "download") else value.download()
    path = os.fspath(path)
    if os.path.isdir(path):
        return {n: Path(path, n).read_text() for n in sorted(os.listdir(path))}
    return (os.path.basename(path), Path(path).read_text())


def _inputs(name: str, tmp_path: Path, flytekit_types: bool) -> dict[str, Any]:
    if name == "file_input":
        src = tmp_path / ("fk" if flytekit_types else "fw") / "words.txt"
        src.parent.mkdir()
        src.write_text("hello\nshell\n")
        if flytekit_types:
            from flytekit.types.file import FlyteFile as FkFile

            return {"f": FkFile(str(src))}
        return {"f": FlyteFile(str(src))}
    return {
        "ints_and_strs": {"n": 3, "word": "three"},
        "output_dir": {"n": 7},
        "two_outputs": {"when": datetime.datetime(2024, 5, 6, 7, 8, 9)},
        "script_file": {"x": 42},
        "no_outputs": {"n": 1},
        "with_options": {},
    }[name]


@pytest.mark.oracle
@pytest.mark.usefixtures("flytekit")
@pytest.mark.parametrize("name", NAMES)
def test_local_calls_give_flytekits_results(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    expected = _read(flytekit_shell_task(name)(**_inputs(name, tmp_path, True)))
    fk_out = capfd.readouterr().out
    got = _read(getattr(shapes, name)(**_inputs(name, tmp_path, False)))
    assert got == expected
    if name == "no_outputs":
        assert "positive" in fk_out
        assert "positive" in capfd.readouterr().out


def test_file_input_is_interpolated_as_its_local_path(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("abc\n")
    out = shapes.file_input(f=FlyteFile(str(src)))
    assert Path(os.fspath(out)).read_text() == "ABC\n"
    assert os.path.basename(os.fspath(out)) == "in.txt.upper"  # the location: the input's local path + .upper


def test_a_directory_input_is_its_local_path(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x").write_text("1")
    t = ShellTask(
        "shell.dir_in",
        script="ls {inputs.d} > {outputs.listing}",
        inputs={"d": FlyteDirectory},
        output_locs=[OutputLocation("listing", FlyteFile, "{ctx.working_directory}/listing")],
    )
    assert Path(os.fspath(t(d=FlyteDirectory(str(tmp_path / "d"))))).read_text() == "x\n"


def test_result_keeps_the_last_run() -> None:
    assert shapes.no_outputs(n=2) is None
    result = shapes.no_outputs.result
    assert result is not None
    assert (result.returncode, result.output) == (0, "positive\n")


def test_a_workflow_runs_shell_tasks_locally() -> None:
    @task
    def read(f: FlyteFile) -> str:
        with open(f) as fh:
            return fh.read().strip()

    @workflow
    def wf(n: int) -> str:
        return read(f=shapes.ints_and_strs(n=n, word="w"))

    assert wf(n=5) == "w 5"


# -- failures -----------------------------------------------------------------------------------------


def test_a_failing_script_is_a_user_error_with_its_status_and_stderr() -> None:
    t = ShellTask(
        "shell.fails", script="echo going; echo 'no such thing: {inputs.x}' >&2; exit 3", inputs={"x": str}
    )
    with pytest.raises(RecoverableError) as info:
        t(x="thing")
    e = info.value
    assert (e.returncode, e.stdout, e.stderr) == (3, "going\n", "no such thing: thing\n")  # type: ignore[attr-defined]
    assert "exited with status 3" in str(e)
    assert "no such thing: thing" in str(e)
    failure = classify(e)
    assert (failure.origin, failure.recoverable) == ("USER", True)


def test_only_the_end_of_a_long_stderr_is_in_the_message() -> None:
    t = ShellTask("shell.noisy", script="for i in $(seq 1 100); do echo line$i >&2; done; exit 1")
    with pytest.raises(RecoverableError) as info:
        t()
    assert "line100" in str(info.value)
    assert "line50\n" not in str(info.value)


def test_a_killed_script_names_the_signal() -> None:
    t = ShellTask("shell.killed", script="kill -9 $$")
    with pytest.raises(RecoverableError, match="killed by signal SIGKILL"):
        t()


def test_a_missing_output_is_named() -> None:
    t = ShellTask(
        "shell.forgets",
        script="echo done",
        output_locs=[OutputLocation("report", FlyteFile, "{ctx.working_directory}/report.txt")],
    )
    with pytest.raises(TaskExecutionError, match=r"did not write output 'report': no file at .*report\.txt"):
        t()


def test_a_file_where_a_directory_should_be_is_named() -> None:
    t = ShellTask(
        "shell.wrong_kind",
        script="echo x > {outputs.d}",
        output_locs=[OutputLocation("d", FlyteDirectory, "{ctx.working_directory}/d")],
    )
    with pytest.raises(TaskExecutionError, match=r"no directory at .*\(a file is there\)"):
        t()


@pytest.mark.parametrize(
    ("script", "match"),
    [
        ("echo {inputs.y}", r"uses \{inputs.y\}, but the task has no input 'y' \(inputs: x\)"),
        ("echo {outputs.nope}", r"no output 'nope' \(outputs: none\)"),
        ("echo ${HOME}", r"uses \{HOME\}; only .*a shell variable as \$\{\{VAR\}\}"),
        ("echo {}", r"uses \{\}"),
        ("echo {inputs}", r"name one"),
        ("echo }", r"not a valid template"),
    ],
)
def test_a_template_naming_what_the_task_lacks_is_refused_when_made(script: str, match: str) -> None:
    with pytest.raises(TaskDefinitionError, match=match):
        ShellTask("shell.bad", script=script, inputs={"x": int})


def test_an_output_location_may_use_inputs_and_ctx_only() -> None:
    with pytest.raises(TaskDefinitionError, match="output location can use inputs and ctx only"):
        ShellTask("shell.bad", script="true", output_locs=[OutputLocation("o", FlyteFile, "{outputs.o}")])
    with pytest.raises(TaskDefinitionError, match="no input 'z'"):
        ShellTask("shell.bad", script="true", output_locs=[OutputLocation("o", FlyteFile, "{inputs.z}")])


def test_a_script_file_naming_an_unknown_input_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sh"
    bad.write_text("echo {inputs.missing}\n")
    with pytest.raises(TaskDefinitionError, match=r"the script file .* uses \{inputs.missing\}"):
        ShellTask("shell.bad_file", script_file=str(bad))
    good = tmp_path / "good.sh"
    good.write_text("echo fine\n")
    t = ShellTask("shell.changes", script_file=str(good))
    good.write_text("echo {inputs.missing}\n")  # changed after the task was made: checked when it runs
    with pytest.raises(TaskDefinitionError, match="missing"):
        t()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({}, "a script is needed"),
        ({"script": "x", "script_file": __file__}, "not both"),
        ({"script_file": "/no/such/script.sh"}, "does not exist"),
        ({"script": "x", "task_config": object()}, "task_config must be None"),
        ({"script": "x", "output_locs": [OutputLocation("o", int, "p")]}, "FlyteFile or FlyteDirectory"),
        ({"script": "x", "output_locs": ["p"]}, "OutputLocation"),
    ],
)
def test_definition_mistakes_are_refused(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(TaskDefinitionError, match=match):
        ShellTask("shell.bad", **kwargs)


def test_a_missing_shell_is_a_clear_error() -> None:
    t = ShellTask("shell.no_shell", script="true", shell="/no/such/shell")
    with pytest.raises(TaskExecutionError, match="cannot start the shell '/no/such/shell'"):
        t()


def test_raw_shell_task_exports_its_env(tmp_path: Path) -> None:
    script = tmp_path / "s.sh"
    script.write_text('echo "$GREETING $1" > out.txt\n')
    raw = flyweight.get_raw_shell_task("shell.raw")
    out = raw(env={"GREETING": "hi"}, script_args="there", script_file=str(script))
    assert Path(os.fspath(out), "out.txt").read_text() == "hi there\n"
    assert list(raw.python_interface.inputs) == list(kwtypes(env=dict, script_args=str, script_file=str))
