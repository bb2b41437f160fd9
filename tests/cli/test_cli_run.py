"""``flyweight run FILE ENTITY --input VALUE``: inputs typed from the signature, plain progress lines,
the local cache, failures, plugin tasks through ``flyweight-execute``, outputs printed at the end."""

from __future__ import annotations

import datetime
import io
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from tests.cli.cli_fixtures import invoke, project
from tests.cli.cli_run_sources import RUN_FILES, RUN_SQL, RUN_WF, write
from tests.runtime.processes import HANG, eventually, needs_proc, processes_naming

from flyweight._cli._inputs import parse_value
from flyweight._cli._progress import LiveProgress, PlainProgress
from flyweight._cli._shapes import type_name
from flyweight.types import FlyteDirectory, FlyteFile

__all__ = ["project"]

CFG = '{"k": "v", "n": 2}'


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh local cache for the test (``FLYWEIGHT_CACHE_DIR``), its mode unset."""
    directory = tmp_path / "cache"
    monkeypatch.setenv("FLYWEIGHT_CACHE_DIR", str(directory))
    for name in ("FLYWEIGHT_CACHE_MODE", "FLYTE_LOCAL_CACHE_ENABLED", "FLYTE_LOCAL_CACHE_OVERWRITE"):
        monkeypatch.delenv(name, raising=False)
    return directory


@pytest.fixture
def wf_file(project: Path, cache_dir: Path) -> Path:
    return write(project, "run_wf", RUN_WF)


def _lines(output: str) -> list[list[str]]:
    return [line.split() for line in output.splitlines()]


def test_inputs_from_the_command_line_run_the_workflow(wf_file: Path) -> None:
    result = invoke(
        "run", "run_wf.py", "pipeline", "--x", "1", "--items", "[1, 2]", "--cfg", CFG, "--d", '{"b": 2}',
        "--color", "blue",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = v:8:[('b', 2)]:blue"


def test_defaults_apply_when_inputs_are_left_out(wf_file: Path) -> None:
    result = invoke("run", "run_wf.py", "pipeline", "--x", "1", "--items", "[]", "--cfg", '{"k": "w"}')
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = w:1:[('a', 1)]:red"


def test_help_lists_inputs_with_types_and_defaults(wf_file: Path) -> None:
    result = invoke("run", "run_wf.py", "pipeline", "--help")
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "--x int the start value [required]" in text
    assert "--items list[int] As JSON. [required]" in text
    assert "--cfg Cfg As JSON. [required]" in text
    assert '--d dict[str, int] As JSON. [default: {"a": 1}]' in text
    assert "--color Color One of: red, blue [default: red]" in text
    assert "--note Optional[str] [default: none]" in text
    for switch in ("--in-process", "--isolated", "--workers", "--blob-dir", "--cache / --no-cache"):
        assert switch in text
    assert "--overwrite-cache" in text


def test_the_file_lists_its_entities(wf_file: Path) -> None:
    result = invoke("run", "run_wf.py", "--help")
    assert result.exit_code == 0
    for name in ("pipeline", "failing", "add", "explode", "ten"):
        assert name in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--x", "one"], "Invalid value for '--x': 'one' is not a valid int"),
        (
            ["--items", "[1, 2"],
            "Invalid value for '--items': '[1, 2' is not a valid list[int]: not valid JSON",
        ),
        (["--items", '[1, "x"]'], "Invalid value for '--items': '[1, \"x\"]' is not a valid list[int]"),
        (["--cfg", '{"n": 2}'], "Invalid value for '--cfg': '{\"n\": 2}' is not a valid Cfg"),
        (["--color", "green"], "'green' is not a valid Color: expected one of red, blue"),
        (["--d", '{"a": "b"}'], "is not a valid dict[str, int]"),
        (["--items", "[1.5]"], "is not a valid list[int]: expected int, got number 1.5 at $[0]"),
        (["--cfg", '{"k": "v", "nn": 2}'], "is not a valid Cfg: unknown field 'nn' of Cfg at $"),
    ],
)
def test_a_value_that_does_not_parse_is_a_usage_error(wf_file: Path, args: list[str], message: str) -> None:
    base = {"--x": "1", "--items": "[1]", "--cfg": CFG}
    base.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = invoke("run", "run_wf.py", "pipeline", *[p for kv in base.items() for p in kv])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())


def test_a_missing_input_is_a_usage_error_naming_it(wf_file: Path) -> None:
    result = invoke("run", "run_wf.py", "pipeline", "--x", "1", "--cfg", CFG)
    assert result.exit_code == 2
    assert "Missing option '--items'. Expected a value of type list[int]." in result.output


def test_an_unknown_entity_names_what_the_file_has(wf_file: Path) -> None:
    result = invoke("run", "run_wf.py", "nothing")
    assert result.exit_code == 2
    assert "no task, workflow or launch plan named 'nothing' in run_wf.py" in result.output
    assert "pipeline" in result.output


def test_a_name_that_is_not_an_entity_says_what_it_is(wf_file: Path) -> None:
    (wf_file.parent / "odd.py").write_text(
        "from flyweight import task\nlimit = 3\ndef plain() -> None: ...\n@task\ndef real() -> None: ...\n"
    )
    result = invoke("run", "odd.py", "limit")
    assert result.exit_code == 2
    assert "'limit' in odd.py is of type int, not a task, workflow or launch plan (found: real)" in " ".join(
        result.output.split()
    )
    result = invoke("run", "odd.py", "plain")
    assert result.exit_code == 2
    assert "is a function (decorate it with flyweight's @task or @workflow)" in " ".join(
        result.output.split()
    )


def test_an_input_named_like_an_option_blocks_only_its_entity(project: Path) -> None:
    (project / "clash.py").write_text(
        "from flyweight import task\n"
        "@task\ndef asks(help: int) -> int:\n    return help\n"
        "@task\ndef fine(x: int) -> int:\n    return x\n"
    )
    listing = invoke("run", "clash.py", "--help")
    assert listing.exit_code == 0, listing.output
    assert "fine" in listing.output
    assert "asks" in listing.output
    assert invoke("run", "clash.py", "fine", "--x", "2").output.splitlines()[-1] == "o0 = 2"
    help_text = invoke("run", "clash.py", "asks", "--help")
    assert help_text.exit_code == 0
    assert "It cannot run: input 'help' has the name of an option" in " ".join(help_text.output.split())
    refused = invoke("run", "clash.py", "asks")
    assert refused.exit_code == 1
    assert "input 'help' has the name of an option of `flyweight run` (--help); rename the input" in (
        refused.output
    )


def test_a_missing_file_is_a_usage_error(project: Path) -> None:
    result = invoke("run", "nowhere.py", "wf")
    assert result.exit_code == 2
    assert "no such file: 'nowhere.py'" in result.output


def test_a_failing_node_prints_the_report_and_exits_1(wf_file: Path) -> None:
    result = invoke("run", "run_wf.py", "failing", "--x", "3")
    assert result.exit_code == 1
    assert "workflow 'run_wf.failing' failed: node n1 ('run_wf.explode')" in result.output
    assert "ValueError: no good: 3" in result.output
    failed = [line for line in _lines(result.output) if line[:3] == ["n1", "run_wf.explode", "failed"]]
    assert len(failed) == 1


def test_a_feature_the_local_engine_lacks_is_a_one_line_error_not_a_traceback(wf_file: Path) -> None:
    result = invoke("run", "run_wf.py", "uses_remote", "--x", "1")
    assert result.exit_code == 1
    assert "remote.add" in result.output and "cannot run locally" in result.output
    assert "Traceback" not in result.output


def test_a_dataclass_field_of_an_output_feeds_the_next_node(wf_file: Path) -> None:
    result = invoke("run", "run_wf.py", "field_of", "--k", "a")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith("1")


def test_plain_progress_and_a_cached_node_on_the_second_run(wf_file: Path, cache_dir: Path) -> None:
    args = ["run", "run_wf.py", "pipeline", "--x", "1", "--items", "[1, 2]", "--cfg", CFG]
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert _lines(first.output)[-2][0] == "report:"  # the run's report, named before the outputs
    states = [line[:3] for line in _lines(first.output)[:-2]]
    assert states == [
        ["n0", "run_wf.add", "running"],
        ["n0", "run_wf.add", "succeeded"],
        ["n1", "run_wf.show", "running"],
        ["n1", "run_wf.show", "succeeded"],
    ]
    assert _lines(first.output)[1][3:5] == ["attempt", "1"]
    assert _lines(first.output)[1][5].endswith("s")  # a duration
    assert (cache_dir / "local-cache.sqlite3").exists()

    second = invoke(*args)
    assert second.exit_code == 0
    assert _lines(second.output)[0] == ["n0", "run_wf.add", "cached"]
    assert second.output.splitlines()[-1] == first.output.splitlines()[-1]

    bypassed = invoke(*args, "--no-cache")
    assert _lines(bypassed.output)[0][:3] == ["n0", "run_wf.add", "running"]
    overwritten = invoke(*args, "--overwrite-cache")
    assert _lines(overwritten.output)[0][:3] == ["n0", "run_wf.add", "running"]


def test_a_task_runs_as_a_one_node_run(wf_file: Path) -> None:
    result = invoke("run", "run_wf.py", "split", "--x", "3")
    assert result.exit_code == 0, result.output
    assert _lines(result.output)[0][:3] == ["n0", "run_wf.split", "running"]
    assert result.output.splitlines()[-2:] == ["low = 3", "high = 10"]


def test_dates_durations_and_optionals(wf_file: Path) -> None:
    result = invoke(
        "run", "run_wf.py", "when", "--t", "2024-01-02T03:04:05", "--span", "1h30m", "--day", "2024-05-06"
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = 2024-01-02T04:34:05+00:00 2024-05-06"
    bad = invoke("run", "run_wf.py", "when", "--t", "yesterday", "--span", "1")
    assert bad.exit_code == 2
    assert "'yesterday' is not a valid datetime" in bad.output


def test_a_launch_plan_hides_its_fixed_inputs(wf_file: Path) -> None:
    help_text = invoke("run", "run_wf.py", "ten", "--help").output
    assert "--x" not in help_text
    assert "[default: [5]]" in help_text
    result = invoke("run", "run_wf.py", "ten", "--cfg", '{"k": "t"}')
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = t:15:[('a', 1)]:red"
    assert "Fixed inputs (not options): x=10." in " ".join(help_text.split())
    refused = invoke("run", "run_wf.py", "ten", "--cfg", '{"k": "t"}', "--x", "1")
    assert refused.exit_code == 2
    assert "input 'x' is fixed by the launch plan 'ten'; it cannot be given" in refused.output


def test_a_plugin_task_runs_through_the_container_entrypoint(project: Path, cache_dir: Path) -> None:
    write(project, "run_sql", RUN_SQL)
    blobs = project / "blobs"
    result = invoke("run", "run_sql.py", "tracks", "--min-ms", "300000", "--blob-dir", str(blobs))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = 136"
    assert (blobs / "n0" / "template.pb").exists()  # what only the subprocess path writes
    assert (blobs / "n0" / "0" / "outputs.pb").exists()

    in_process = invoke("run", "run_sql.py", "tracks", "--min-ms", "300000", "--in-process")
    assert in_process.output.splitlines()[-1] == "o0 = 136"


def test_a_table_output_is_summarized(project: Path, cache_dir: Path) -> None:
    write(project, "run_sql", RUN_SQL)
    result = invoke("run", "run_sql.py", "long_tracks", "--min-ms", "300000")
    assert result.exit_code == 0, result.output
    assert "results = DataFrame (136 rows, 2 columns)" in result.output
    assert "TrackId" in result.output


def test_parse_value_by_type(tmp_path: Path) -> None:
    assert parse_value("true", bool) is True
    assert parse_value("off", bool) is False
    assert parse_value("2.5", float) == 2.5
    assert parse_value("90", datetime.timedelta) == datetime.timedelta(seconds=90)
    assert parse_value("01:00:30", datetime.timedelta) == datetime.timedelta(hours=1, seconds=30)
    assert parse_value("none", int | None) is None
    assert parse_value('{"a": [1]}', dict[str, list[int]]) == {"a": [1]}
    (tmp_path / "f.txt").write_text("x")
    assert isinstance(parse_value(str(tmp_path / "f.txt"), FlyteFile), FlyteFile)
    assert isinstance(parse_value(str(tmp_path), FlyteDirectory), FlyteDirectory)
    assert isinstance(parse_value("s3://bucket/key", FlyteFile), FlyteFile)
    with pytest.raises(ValueError, match="no such file"):
        parse_value(str(tmp_path / "missing.txt"), FlyteFile)
    with pytest.raises(ValueError, match="expected true or false"):
        parse_value("maybe", bool)
    assert type_name(dict[str, list[int]] | None) == "Optional[dict[str, list[int]]]"


def test_plain_progress_lines() -> None:
    out = io.StringIO()
    progress = PlainProgress()
    sys_stdout, sys.stdout = sys.stdout, out
    try:
        progress("n0", "pending", {"entity": "t"})
        progress("n0", "running", {"entity": "t", "attempt": 1})
        progress(
            "n0", "retried", {"entity": "t", "attempt": 1, "duration": 0.5, "error": "flaky\nlast words"}
        )
        progress("n0", "failed", {"entity": "t", "attempt": 2, "duration": 1.25, "error": "gone"})
    finally:
        sys.stdout = sys_stdout
    lines = _lines(out.getvalue())
    assert lines[0] == ["n0", "t", "running", "attempt", "1"]
    assert lines[1] == ["n0", "t", "retried", "attempt", "1", "0.50s", "—", "last", "words"]
    assert lines[2] == ["n0", "t", "failed", "attempt", "2", "1.25s", "—", "gone"]


def test_the_live_table_has_a_row_per_node() -> None:
    from rich.console import Console

    progress = LiveProgress()
    progress("n0", "pending", {"entity": "a"})
    progress("n1", "cached", {"entity": "b"})
    progress("n0", "succeeded", {"entity": "a", "attempt": 1, "duration": 2.0})
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(progress._table())
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert ["n0", "a", "succeeded", "1", "2.00s"] in _lines(text)
    assert ["n1", "b", "cached"] in _lines(text)


def test_the_live_table_shows_names_as_text() -> None:
    from rich.console import Console

    progress = LiveProgress()
    progress("n0", "running", {"entity": "lib.[bold]odd[/]", "attempt": 1})
    console = Console(file=io.StringIO(), width=100, color_system=None)
    console.print(progress._table())
    assert "lib.[bold]odd[/]" in console.file.getvalue()  # type: ignore[attr-defined]


def test_flyweight_help_does_not_import_rich() -> None:
    code = (
        "import sys\nfrom flyweight._cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'rich' not in sys.modules, 'rich imported'\n"
        "assert 'run' in sys.modules['flyweight._cli._main'].main.commands"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "run" in done.stdout


def test_the_console_script_runs_a_workflow(tmp_path: Path) -> None:
    write(tmp_path, "run_wf", RUN_WF)
    script = Path(sys.executable).parent / "flyweight"
    env = {**os.environ, "FLYWEIGHT_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [str(script), "run", "run_wf.py", "pipeline", "--x", "2", "--items", "[3]", "--cfg", CFG],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "o0 = v:10:[('a', 1)]:red"
    assert "n0      run_wf.add" in done.stdout
    failed = subprocess.run(
        [str(script), "run", "run_wf.py", "failing", "--x", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert failed.returncode == 1
    assert "node n1 ('run_wf.explode')" in failed.stderr


def test_isolated_function_tasks_run_through_the_entrypoint(wf_file: Path, project: Path) -> None:
    blobs = project / "blobs"
    result = invoke(
        "run", "run_wf.py", "pipeline", "--x", "1", "--items", "[2]", "--cfg", CFG,
        "--isolated", "--no-cache", "--workers", "1", "--blob-dir", str(blobs),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = v:6:[('a', 1)]:red"
    assert (blobs / "n0" / "template.pb").exists()
    assert (blobs / "n1" / "0" / "outputs.pb").exists()


@pytest.fixture
def temp_dir(project: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the runs of the test make their temporary blob directories; ``run_files.py`` is written."""
    temp = project.parent / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    write(project, "run_files", RUN_FILES)
    return temp


def test_a_successful_run_removes_its_temporary_blob_dir(temp_dir: Path) -> None:
    result = invoke("run", "run_files.py", "quick", "--x", "hi", "--isolated")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = hi"
    assert not list(temp_dir.glob("flyweight-run-*"))
    assert "the run's files" not in result.output


def test_keep_blob_dir_keeps_it_and_says_where(temp_dir: Path) -> None:
    result = invoke("run", "run_files.py", "quick", "--x", "hi", "--isolated", "--keep-blob-dir")
    assert result.exit_code == 0, result.output
    (kept,) = temp_dir.glob("flyweight-run-*")
    assert f"the run's files are in {kept}" in result.stderr
    assert result.stdout.splitlines()[-1] == "o0 = hi"
    assert (kept / "n1" / "0" / "outputs.pb").exists()


def test_a_failed_run_keeps_its_blob_dir_and_says_where(temp_dir: Path) -> None:
    result = invoke("run", "run_files.py", "failing", "--x", "hi", "--isolated")
    assert result.exit_code == 1
    (kept,) = temp_dir.glob("flyweight-run-*")
    assert f"the run's files are in {kept}" in result.output
    assert (kept / "n1" / "0" / "error.pb").exists()


def test_a_run_whose_output_points_into_its_blob_dir_keeps_it(temp_dir: Path) -> None:
    """A file made by a task in a subprocess lives in the blob directory: removing it would leave the
    printed output pointing at nothing."""
    result = invoke("run", "run_files.py", "noted", "--text", "hello", "--isolated")
    assert result.exit_code == 0, result.output
    (kept,) = temp_dir.glob("flyweight-run-*")
    assert f"the run's files are in {kept} (an output points into it)" in result.stderr
    printed = Path(result.stdout.splitlines()[-1].removeprefix("o0 = "))
    assert kept in printed.parents
    assert printed.read_text() == "hello"


def test_a_run_without_subprocesses_makes_no_blob_dir(temp_dir: Path) -> None:
    result = invoke("run", "run_files.py", "noted", "--text", "hello")
    assert result.exit_code == 0, result.output
    assert not list(temp_dir.glob("flyweight-run-*"))
    assert Path(result.stdout.splitlines()[-1].removeprefix("o0 = ")).read_text() == "hello"


@needs_proc
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_run_and_ends_the_command_by_it(tmp_path: Path, sig: signal.Signals) -> None:
    """Ctrl-C (SIGINT) or SIGTERM: the task's subprocess is ended, the nodes that did not finish are shown
    cancelled, the files are kept, and the command ends by the signal (a shell sees 130 / 143)."""
    write(tmp_path, "run_files", RUN_FILES)
    pid_file, temp = tmp_path / "pid", tmp_path / "temp"
    temp.mkdir()
    env = {**os.environ, "FLYWEIGHT_CACHE_DIR": str(tmp_path / "cache"), "TMPDIR": str(temp)}
    script = Path(sys.executable).parent / "flyweight"
    command = [str(script), "run", "run_files.py", "sleepy", "--pid-file", str(pid_file), "--isolated"]
    run = subprocess.Popen(
        command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        eventually(lambda: pid_file.exists() or run.poll() is not None, "the task to start")
        assert run.poll() is None, run.communicate()
        run.send_signal(sig)
        out, err = run.communicate(timeout=HANG)
    finally:
        run.kill()
    assert run.returncode == -sig, err
    states = [line.split()[:3] for line in out.splitlines()]
    assert ["n0", "run_files.nap", "cancelled"] in states
    assert ["n1", "run_files.echo", "cancelled"] in states
    assert "— the run was interrupted" in out
    (kept,) = temp.glob("flyweight-run-*")
    assert f"flyweight run: stopped by {sig.name}; the run's files are in {kept}" in err
    eventually(lambda: not processes_naming(str(kept)), "the task's flyweight-execute to end")
