"""``flyweight-execute`` end to end: the real console script, run the way a Flyte container runs it.

Each test serializes a plugin task, writes the template and ``inputs.pb`` into a temporary directory,
fills the template's container arguments as Flyte does (``{{.input}}``, ``{{.outputPrefix}}``,
``{{.rawOutputDataPrefix}}``, ``{{.taskTemplatePath}}``) and runs them in a subprocess.
"""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import errors_pb2, execution_pb2, literals_pb2, tasks_pb2
from tests.entrypoint import sample_plugin as plugin

from flyweight.types import TypeEngine

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
EXECUTE = BIN / "flyweight-execute"
MODULE = "tests.entrypoint.sample_plugin"
FLYTEKIT_RESOLVER = "flytekit.core.python_customized_container_task.default_task_template_resolver"

USER = execution_pb2.ExecutionError.USER
SYSTEM = execution_pb2.ExecutionError.SYSTEM
RECOVERABLE = errors_pb2.ContainerError.RECOVERABLE
NON_RECOVERABLE = errors_pb2.ContainerError.NON_RECOVERABLE

GOOD_INPUTS: dict[str, Any] = {"x": 5, "label": "a"}


@dataclasses.dataclass
class Attempt:
    """One prepared task attempt: its directory, the filled container args, and where outputs go."""

    root: Path
    args: list[str]
    out: Path
    raw: Path
    template: Path
    inputs: Path

    def run(self, env: Mapping[str, str] | None = None) -> Result:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_"))}
        full_env["PATH"] = f"{BIN}{os.pathsep}{full_env.get('PATH', '')}"
        full_env["PYTHONPATH"] = str(REPO)
        full_env.update(env or {})
        proc = subprocess.run(
            self.args, cwd=self.root, env=full_env, capture_output=True, text=True, timeout=60, check=False
        )
        return Result(proc.returncode, proc.stdout, proc.stderr, self.out)

    def replace(self, old: str, new: str) -> None:
        assert old in self.args, (old, self.args)
        self.args[self.args.index(old)] = new

    def remove_option(self, option: str) -> None:
        i = self.args.index(option)
        del self.args[i : i + 2]


@dataclasses.dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str
    out: Path

    def files(self) -> list[str]:
        return sorted(os.listdir(self.out)) if self.out.exists() else []

    def outputs(self) -> literals_pb2.LiteralMap:
        assert self.returncode == 0, self.stderr
        assert self.files() == ["outputs.pb"], (self.files(), self.stderr)
        return literals_pb2.LiteralMap.FromString((self.out / "outputs.pb").read_bytes())

    def error(self, name: str = "error.pb") -> errors_pb2.ContainerError:
        assert self.files() == [name], (self.files(), self.stderr)
        return errors_pb2.ErrorDocument.FromString((self.out / name).read_bytes()).error


def scale_task(executor: type[Any] = plugin.ScaleExecutor, **kwargs: Any) -> plugin.SamplePluginTask:
    return plugin.SamplePluginTask("entrypoint.scale", executor, **kwargs)


def literal_map(values: Mapping[str, Any], types: Mapping[str, Any]) -> literals_pb2.LiteralMap:
    return TypeEngine.dict_to_literal_map(None, dict(values), dict(types))


def prepare(
    root: Path,
    task: Any = None,
    inputs: Mapping[str, Any] | literals_pb2.LiteralMap | bytes = GOOD_INPUTS,
    template: tasks_pb2.TaskTemplate | bytes | None = None,
    uri: Callable[[Path], str] = str,
) -> Attempt:
    """Write the template and inputs under ``root`` and fill the container args as Flyte does."""
    task = task if task is not None else scale_task()
    pb = task.serialize_to_model(plugin.SETTINGS)
    template_path, inputs_path = root / "task_template.pb", root / "inputs.pb"
    out, raw = root / "out", root / "raw"
    if template is None:
        template = pb
    template_path.write_bytes(template if isinstance(template, bytes) else template.SerializeToString())
    if isinstance(inputs, bytes):
        data = inputs
    elif isinstance(inputs, literals_pb2.LiteralMap):
        data = inputs.SerializeToString()
    else:
        data = literal_map(inputs, plugin.SCALE_INPUTS).SerializeToString()
    inputs_path.write_bytes(data)
    fills = {
        "{{.input}}": uri(inputs_path),
        "{{.outputPrefix}}": uri(out),
        "{{.rawOutputDataPrefix}}": uri(raw),
        "{{.taskTemplatePath}}": uri(template_path),
    }
    args = [fills.get(a, a) for a in pb.container.args]
    return Attempt(root, args, out, raw, template_path, inputs_path)


def integer(lit: literals_pb2.Literal) -> int:
    return int(lit.scalar.primitive.integer)


# --- success ------------------------------------------------------------------------------------


def test_the_script_is_installed_next_to_the_interpreter() -> None:
    assert EXECUTE.exists()


def test_success_writes_outputs_only(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    assert attempt.args[0] == "flyweight-execute"
    result = attempt.run()
    assert result.stdout == ""
    out = result.outputs()
    assert list(out.literals) == ["y"]
    assert integer(out.literals["y"]) == 15


def test_outputs_land_under_their_names_when_the_interface_map_is_reordered(tmp_path: Path) -> None:
    task = scale_task(plugin.SplitExecutor, outputs=plugin.SPLIT_OUTPUTS)
    pb = task.serialize_to_model(plugin.SETTINGS)
    declared = list(plugin.SPLIT_OUTPUTS)
    variables = {name: pb.interface.outputs.variables[name] for name in declared}
    # Rebuild the outputs map with its entries on the wire in reversed order (a concatenation of
    # messages is their merge, so each piece appends one entry).
    pieces = []
    for name in reversed(declared):
        piece = tasks_pb2.TaskTemplate()
        piece.interface.outputs.variables[name].CopyFrom(variables[name])
        pieces.append(piece.SerializeToString())
    pb.interface.outputs.ClearField("variables")
    data = pb.SerializeToString() + b"".join(pieces)
    tail = data[-sum(map(len, pieces)) :]
    assert tail.index(b"doubled") < tail.index(b"label") < tail.index(b"total")
    assert set(tasks_pb2.TaskTemplate.FromString(data).interface.outputs.variables) == set(declared)
    out = prepare(tmp_path, task, template=data).run().outputs()
    assert integer(out.literals["total"]) == 6
    assert out.literals["label"].scalar.primitive.string_value == "a:5"
    assert [integer(v) for v in out.literals["doubled"].collection.literals] == [5, 10]


def test_flytekit_resolver_path_is_an_alias(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    attempt.replace("flyweight.extend.default_task_template_resolver", FLYTEKIT_RESOLVER)
    assert integer(attempt.run().outputs().literals["y"]) == 15


def test_missing_raw_output_prefix_works(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    attempt.remove_option("--raw-output-data-prefix")
    assert integer(attempt.run().outputs().literals["y"]) == 15


def test_unreplaced_raw_output_prefix_works(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    attempt.replace(str(attempt.raw), "{{.rawOutputDataPrefix}}")
    assert integer(attempt.run().outputs().literals["y"]) == 15


@pytest.mark.parametrize("trailing_slash", [False, True], ids=["plain", "trailing-slash"])
def test_file_uris_everywhere(tmp_path: Path, trailing_slash: bool) -> None:
    attempt = prepare(tmp_path, uri=lambda p: f"file://{p}")
    if trailing_slash:
        attempt.replace(f"file://{attempt.out}", f"file://{attempt.out}/")
    assert all(a.startswith("file://") for a in attempt.args if str(tmp_path) in a)
    assert integer(attempt.run().outputs().literals["y"]) == 15


def test_an_executor_module_in_the_working_directory_imports(tmp_path: Path) -> None:
    (tmp_path / "beside_executor.py").write_text(
        "from flyweight._tasks import ShimTaskExecutor\n\n\n"
        "class Beside(ShimTaskExecutor):\n"
        "    def execute_from_model(self, tt, **kwargs):\n"
        "        return kwargs['x'] * 100\n"
    )
    attempt = prepare(tmp_path)
    attempt.replace(f"{MODULE}.ScaleExecutor", "beside_executor.Beside")
    assert integer(attempt.run().outputs().literals["y"]) == 500


def test_the_executor_sees_the_execution(tmp_path: Path) -> None:
    attempt = prepare(tmp_path, scale_task(plugin.ContextExecutor, outputs=plugin.CONTEXT_OUTPUTS))
    env = {
        "FLYTE_INTERNAL_EXECUTION_PROJECT": "flytesnacks",
        "_F_DM": "development",
        "_F_NM": "a1b2c3",
        "_F_TK_PRJ": "flytesnacks",
        "_F_TK_DM": "development",
        "_F_TK_NM": "entrypoint.scale",
        "FLYTE_INTERNAL_TASK_VERSION": "v7",
    }
    out = attempt.run(env).outputs().literals
    text = {k: v.scalar.primitive.string_value for k, v in out.items()}
    assert text == {
        "execution": "flytesnacks/development/a1b2c3",
        "task": "TASK:flytesnacks/development/entrypoint.scale@v7",
        "raw": str(attempt.raw),
        "output_prefix": str(attempt.out),
    }


def test_without_a_raw_output_prefix_the_executor_gets_a_local_one(tmp_path: Path) -> None:
    attempt = prepare(tmp_path, scale_task(plugin.ContextExecutor, outputs=plugin.CONTEXT_OUTPUTS))
    attempt.replace(str(attempt.raw), "{{.rawOutputDataPrefix}}")
    raw = attempt.run().outputs().literals["raw"].scalar.primitive.string_value
    assert raw
    assert "{{" not in raw
    assert not raw.startswith(str(tmp_path))


def test_test_flag_loads_and_writes_nothing(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    attempt.args.insert(attempt.args.index("--resolver"), "--test")
    attempt.replace("flyweight.extend.default_task_template_resolver", "no.such.resolver")
    result = attempt.run()
    assert (result.returncode, result.files(), result.stderr) == (0, [], "")


def test_ignore_outputs_writes_nothing(tmp_path: Path) -> None:
    result = prepare(tmp_path, scale_task(plugin.IgnoringExecutor)).run()
    assert (result.returncode, result.files()) == (0, [])
    assert not result.out.exists()


# --- failures of the user's code or inputs: USER --------------------------------------------------


def test_executor_value_error_is_a_user_error_with_its_traceback(tmp_path: Path) -> None:
    result = prepare(tmp_path, scale_task(plugin.FailingExecutor)).run()
    assert result.returncode == 0
    err = result.error()
    assert (err.origin, err.kind, err.code) == (USER, NON_RECOVERABLE, "USER:RuntimeError")
    assert err.message.startswith("Trace:\n\n    Traceback (most recent call last):")
    assert "in execute_from_model" in err.message
    assert err.message.endswith("\nMessage:\n\n    ValueError: the warehouse rejected x=5")
    assert err.timestamp.seconds > 0
    assert err.worker == ""
    assert "ValueError: the warehouse rejected x=5" in result.stderr


def test_recoverable_error_is_retried_as_the_users(tmp_path: Path) -> None:
    err = prepare(tmp_path, scale_task(plugin.FlakyExecutor)).run().error()
    assert (err.origin, err.kind, err.code) == (USER, RECOVERABLE, "USER:Recoverable")
    assert "RecoverableError: the warehouse is restarting" in err.message


def test_an_executor_calling_sys_exit_still_leaves_error_pb(tmp_path: Path) -> None:
    err = prepare(tmp_path, scale_task(plugin.ExitingExecutor)).run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "sys.exit(3)" in err.message


def test_an_integer_error_code_is_kept_as_text(tmp_path: Path) -> None:
    err = prepare(tmp_path, scale_task(plugin.CodedExecutor)).run().error()
    assert (err.origin, err.kind, err.code) == (USER, NON_RECOVERABLE, "17")


def test_missing_input_is_a_user_error(tmp_path: Path) -> None:
    inputs = literal_map({"x": 5}, {"x": int})
    err = prepare(tmp_path, inputs=inputs).run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "missing inputs 'label'" in err.message


def test_input_of_the_wrong_type_is_a_user_error_naming_it(tmp_path: Path) -> None:
    inputs = literal_map({"x": "five", "label": "a"}, {"x": str, "label": str})
    err = prepare(tmp_path, inputs=inputs).run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "TypeTransformerFailedError" in err.message
    assert re.search(r"inputs\.x\b", err.message), err.message


def test_output_of_the_wrong_type_is_a_user_error_naming_it(tmp_path: Path) -> None:
    err = prepare(tmp_path, scale_task(plugin.WrongTypeExecutor)).run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert re.search(r"outputs\.y\b", err.message), err.message
    assert "'forty-two'" in err.message


def test_too_few_return_values_is_a_user_error(tmp_path: Path) -> None:
    task = scale_task(plugin.TooFewExecutor, outputs=plugin.SPLIT_OUTPUTS)
    err = prepare(tmp_path, task).run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "doubled" in err.message


@pytest.mark.parametrize(
    "executor",
    [f"{MODULE}.NoSuchExecutor", "no_such_module.Executor", "nodots"],
    ids=["no-attribute", "no-module", "not-dotted"],
)
def test_unknown_executor_path_is_a_user_error(tmp_path: Path, executor: str) -> None:
    attempt = prepare(tmp_path)
    attempt.replace(f"{MODULE}.ScaleExecutor", executor)
    result = attempt.run()
    assert result.returncode == 0
    err = result.error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "TaskLoadError" in err.message
    assert executor in err.message


@pytest.mark.parametrize(
    "resolver", ["no.such.resolver", f"{MODULE}.not_a_resolver"], ids=["not-importable", "not-a-resolver"]
)
def test_bad_resolver_ends_in_error_pb(tmp_path: Path, resolver: str) -> None:
    attempt = prepare(tmp_path)
    attempt.replace("flyweight.extend.default_task_template_resolver", resolver)
    result = attempt.run()
    assert result.returncode == 0
    err = result.error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert resolver in err.message


def test_a_failure_inside_a_users_resolver_is_a_user_error(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    attempt.replace("flyweight.extend.default_task_template_resolver", f"{MODULE}.broken_resolver")
    err = attempt.run().error()
    assert (err.origin, err.kind, err.code) == (USER, NON_RECOVERABLE, "USER:RuntimeError")
    assert "RuntimeError: cannot make sense of" in err.message


def test_a_resolver_that_returns_no_task_is_a_user_error(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    attempt.replace("flyweight.extend.default_task_template_resolver", f"{MODULE}.number_resolver")
    err = attempt.run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "returned a value of type int" in err.message


# --- failures of the platform: SYSTEM ------------------------------------------------------------


def test_malformed_template_is_a_system_error(tmp_path: Path) -> None:
    err = prepare(tmp_path, template=b"not a template").run().error()
    assert (err.origin, err.kind, err.code) == (SYSTEM, NON_RECOVERABLE, "SYSTEM")
    assert "task_template.pb" in err.message


def test_garbage_inputs_are_a_system_error(tmp_path: Path) -> None:
    err = prepare(tmp_path, inputs=b"\xff\xff\xff garbage").run().error()
    assert (err.origin, err.kind, err.code) == (SYSTEM, NON_RECOVERABLE, "SYSTEM")
    assert "inputs.pb" in err.message
    assert "LiteralMap" in err.message


def test_missing_inputs_file_is_a_recoverable_system_error(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    attempt.inputs.unlink()
    err = attempt.run().error()
    assert (err.origin, err.kind, err.code) == (SYSTEM, RECOVERABLE, "SYSTEM")


def test_a_task_returning_no_literal_map_is_a_system_error(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    attempt.replace("flyweight.extend.default_task_template_resolver", f"{MODULE}.odd_resolver")
    err = attempt.run().error()
    assert (err.origin, err.kind, err.code) == (SYSTEM, NON_RECOVERABLE, "SYSTEM")
    assert "returned a value of type dict from dispatch_execute, not a LiteralMap" in err.message


def test_outputs_that_cannot_be_written_become_error_pb(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    (attempt.out / "outputs.pb").mkdir(parents=True)  # a directory where the file must go
    result = attempt.run()
    assert result.returncode == 0
    assert result.files() == ["error.pb", "outputs.pb"]
    assert (attempt.out / "outputs.pb").is_dir()
    err = errors_pb2.ErrorDocument.FromString((attempt.out / "error.pb").read_bytes()).error
    assert (err.origin, err.kind, err.code) == (SYSTEM, RECOVERABLE, "SYSTEM")
    assert "outputs.pb" in err.message


def test_unwritable_output_prefix_exits_1_and_leaves_nothing(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    blocker = tmp_path / "blocker"
    blocker.write_text("a regular file")
    attempt.replace(str(attempt.out), str(blocker / "out"))
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    result = attempt.run()
    assert result.returncode == 1
    assert "could not write error.pb" in result.stderr
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before
    assert blocker.read_text() == "a regular file"


# --- environment ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "T"])
def test_fail_on_error_exits_1_after_writing_error_pb(tmp_path: Path, value: str) -> None:
    result = prepare(tmp_path, scale_task(plugin.FailingExecutor)).run({"FLYTE_FAIL_ON_ERROR": value})
    assert result.returncode == 1
    assert result.error().origin == USER


def test_fail_on_error_does_not_affect_success(tmp_path: Path) -> None:
    result = prepare(tmp_path).run({"FLYTE_FAIL_ON_ERROR": "true"})
    assert integer(result.outputs().literals["y"]) == 15


def test_distributed_error_strategy_names_the_file_and_the_worker(tmp_path: Path) -> None:
    result = prepare(tmp_path, scale_task(plugin.FailingExecutor)).run({"_F_DES": "1", "_F_WN": "worker-3"})
    assert result.returncode == 0
    (name,) = result.files()
    assert re.fullmatch(r"error-[0-9a-f]{32}\.pb", name), name
    err = result.error(name)
    assert err.worker == "worker-3"
    assert err.origin == USER


def test_long_environment_names_win_over_short_ones(tmp_path: Path) -> None:
    env = {
        "FLYTE_INTERNAL_DIST_ERROR_STRATEGY": "ALL",
        "FLYTE_INTERNAL_WORKER_NAME": "long-name",
        "_F_WN": "short-name",
    }
    result = prepare(tmp_path, scale_task(plugin.FailingExecutor)).run(env)
    (name,) = result.files()
    assert result.error(name).worker == "long-name"


# --- the command line ----------------------------------------------------------------------------


def test_help_lists_the_options(tmp_path: Path) -> None:
    proc = subprocess.run([str(EXECUTE), "--help"], capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode == 0
    for option in (
        "--inputs",
        "--output-prefix",
        "--raw-output-data-prefix",
        "--checkpoint-path",
        "--prev-checkpoint",
        "--dynamic-addl-distro",
        "--dynamic-dest-dir",
        "--test",
        "--resolver",
    ):
        assert option in proc.stdout
    assert "ignored" in proc.stdout


def test_ignored_options_are_accepted(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    cut = attempt.args.index("--resolver")
    attempt.args[cut:cut] = [
        "--checkpoint-path",
        "{{.checkpointOutputPrefix}}",
        "--prev-checkpoint",
        '""',
        "--dynamic-addl-distro",
        "s3://bucket/code.tar.gz",
        "--dynamic-dest-dir",
        ".",
    ]
    assert integer(attempt.run().outputs().literals["y"]) == 15


def test_usage_error_exits_2_and_leaves_an_error_pb_when_it_can(tmp_path: Path) -> None:
    attempt = prepare(tmp_path)
    attempt.remove_option("--inputs")
    result = attempt.run()
    assert result.returncode == 2
    assert "--inputs" in result.stderr
    err = result.error()
    assert (err.origin, err.kind, err.code) == (SYSTEM, NON_RECOVERABLE, "SYSTEM")
    assert "--inputs" in err.message


def test_usage_error_without_an_output_prefix_writes_nothing(tmp_path: Path) -> None:
    proc = subprocess.run(
        [str(EXECUTE), "--inputs", "x"], cwd=tmp_path, capture_output=True, text=True, check=False, timeout=60
    )
    assert proc.returncode == 2
    assert "usage: flyweight-execute" in proc.stderr
    assert list(tmp_path.iterdir()) == []
