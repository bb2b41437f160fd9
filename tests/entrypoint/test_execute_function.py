"""``flyweight-execute`` running function tasks: the real console script in a subprocess, as in a Flyte pod.

Each test serializes a task of ``tests.entrypoint.function_tasks`` (or writes a module into the working
directory), fills the container arguments as Flyte does and runs them; the container imports the module
named after ``task-module`` and takes the attribute named after ``task-name``.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import errors_pb2, execution_pb2, literals_pb2
from tests.entrypoint import function_tasks as tasks

from flyweight.types import TypeEngine

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MODULE = "tests.entrypoint.function_tasks"
FLYTEKIT_RESOLVER = "flytekit.core.python_auto_container.default_task_resolver"
OURS = "flyweight.extend.default_task_resolver"

USER = execution_pb2.ExecutionError.USER
RECOVERABLE = errors_pb2.ContainerError.RECOVERABLE
NON_RECOVERABLE = errors_pb2.ContainerError.NON_RECOVERABLE


@dataclasses.dataclass
class Result:
    returncode: int
    stderr: str
    out: Path

    def files(self) -> list[str]:
        return sorted(os.listdir(self.out)) if self.out.exists() else []

    def outputs(self) -> dict[str, Any]:
        assert self.returncode == 0, self.stderr
        assert self.files() == ["outputs.pb"], (self.files(), self.stderr)
        lm = literals_pb2.LiteralMap.FromString((self.out / "outputs.pb").read_bytes())
        return {k: _value(v) for k, v in lm.literals.items()}

    def error(self) -> errors_pb2.ContainerError:
        assert self.returncode == 0, self.stderr
        assert self.files() == ["error.pb"], (self.files(), self.stderr)
        return errors_pb2.ErrorDocument.FromString((self.out / "error.pb").read_bytes()).error


def _value(lit: literals_pb2.Literal) -> Any:
    p = lit.scalar.primitive
    which = p.WhichOneof("value")
    return getattr(p, which) if which else None


@dataclasses.dataclass
class Attempt:
    root: Path
    args: list[str]
    out: Path

    def run(self, env: Mapping[str, str] | None = None) -> Result:
        full_env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_", "_FSEC_"))}
        full_env["PATH"] = f"{BIN}{os.pathsep}{full_env.get('PATH', '')}"
        full_env["PYTHONPATH"] = str(REPO)
        full_env.update(env or {})
        proc = subprocess.run(
            self.args, cwd=self.root, env=full_env, capture_output=True, text=True, timeout=60, check=False
        )
        return Result(proc.returncode, proc.stderr, self.out)

    def replace(self, old: str, new: str) -> None:
        assert old in self.args, (old, self.args)
        self.args[self.args.index(old)] = new


def prepare(
    root: Path, task: Any, inputs: Mapping[str, Any], args: list[str] | None = None, checkpoints: bool = True
) -> Attempt:
    """Write ``inputs.pb`` and fill the task's container arguments as Flyte does."""
    types = {k: task.python_interface.inputs[k] for k in inputs}
    (root / "inputs.pb").write_bytes(
        TypeEngine.dict_to_literal_map(None, dict(inputs), types).SerializeToString()
    )
    out = root / "out"
    fills = {
        "{{.input}}": str(root / "inputs.pb"),
        "{{.outputPrefix}}": str(out),
        "{{.rawOutputDataPrefix}}": str(root / "raw"),
    }
    if checkpoints:  # a first attempt: a fresh checkpoint prefix, and '""' for the previous one
        fills["{{.checkpointOutputPrefix}}"] = str(root / "checkpoint")
        fills["{{.prevCheckpointPrefix}}"] = '""'
    raw_args = args if args is not None else list(task.serialize_to_model(tasks.SETTINGS).container.args)
    return Attempt(root, [fills.get(a, a) for a in raw_args], out)


def test_the_arguments_are_pyflyte_executes_with_module_and_name() -> None:
    args = list(tasks.add.serialize_to_model(tasks.SETTINGS).container.args)
    assert args[0] == "flyweight-execute"
    assert args[args.index("--resolver") + 1] == OURS
    assert args[args.index("--") :] == ["--", "task-module", MODULE, "task-name", "add"]


def test_success_writes_the_output(tmp_path: Path) -> None:
    assert prepare(tmp_path, tasks.add, {"x": 5, "y": 1}).run().outputs() == {"o0": 6}


def test_a_default_the_inputs_leave_out_is_applied(tmp_path: Path) -> None:
    assert prepare(tmp_path, tasks.add, {"x": 5}).run().outputs() == {"o0": 15}


def test_unreplaced_checkpoint_placeholders_are_accepted(tmp_path: Path) -> None:
    attempt = prepare(tmp_path, tasks.add, {"x": 1, "y": 2}, checkpoints=False)
    assert "{{.checkpointOutputPrefix}}" in attempt.args
    assert attempt.run().outputs() == {"o0": 3}


def test_named_outputs(tmp_path: Path) -> None:
    assert prepare(tmp_path, tasks.split, {"x": 4, "label": "a"}).run().outputs() == {
        "total": 8,
        "label": "a:4",
    }


def test_no_outputs_writes_an_empty_map(tmp_path: Path) -> None:
    assert prepare(tmp_path, tasks.nothing, {"x": 1}).run().outputs() == {}


def test_flytekit_resolver_path_is_an_alias(tmp_path: Path) -> None:
    attempt = prepare(tmp_path, tasks.add, {"x": 2, "y": 2})
    attempt.replace(OURS, FLYTEKIT_RESOLVER)
    assert attempt.run().outputs() == {"o0": 4}


def test_the_task_sees_its_working_directory_and_secrets(tmp_path: Path) -> None:
    result = prepare(tmp_path, tasks.context, {}).run({"_FSEC_DB_PASSWORD": "s3cret"})
    out = result.outputs()
    workdir, secret = out["label"].split("|")
    assert (out["total"], secret) == (1, "s3cret")
    assert not Path(workdir).exists()  # removed when the attempt ends


def test_a_module_in_the_working_directory_imports(tmp_path: Path) -> None:
    (tmp_path / "beside_tasks.py").write_text(
        "from flyweight import task\n\n\n@task\ndef triple(x: int) -> int:\n    return 3 * x\n"
    )
    args = list(tasks.add.serialize_to_model(tasks.SETTINGS).container.args)
    args[-3:] = ["beside_tasks", "task-name", "triple"]
    assert prepare(tmp_path, tasks.add, {"x": 5}, args=args).run().outputs() == {"o0": 15}


# --- failures -----------------------------------------------------------------------------------------


def test_an_exception_in_the_function_is_a_user_error(tmp_path: Path) -> None:
    err = prepare(tmp_path, tasks.fails, {"x": 3}).run().error()
    assert (err.origin, err.kind, err.code) == (USER, NON_RECOVERABLE, "USER:RuntimeError")
    assert "ValueError: bad x: 3" in err.message
    assert "function_tasks.py" in err.message  # the traceback reaches the function


def test_recoverable_error_asks_for_a_retry(tmp_path: Path) -> None:
    err = prepare(tmp_path, tasks.flaky, {"x": 3}).run().error()
    assert (err.origin, err.kind, err.code) == (USER, RECOVERABLE, "USER:Recoverable")
    assert "the service is restarting" in err.message


def test_a_wrong_return_type_is_a_user_error_naming_the_output(tmp_path: Path) -> None:
    err = prepare(tmp_path, tasks.wrong_type, {"x": 3}).run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "o0" in err.message
    assert "not an int" in err.message


def test_a_missing_module_is_a_user_error_naming_it(tmp_path: Path) -> None:
    attempt = prepare(tmp_path, tasks.add, {"x": 1})
    attempt.replace(MODULE, "no_such_module.tasks")
    err = attempt.run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "no module named 'no_such_module.tasks'" in err.message


def test_a_missing_function_is_a_user_error_naming_it(tmp_path: Path) -> None:
    attempt = prepare(tmp_path, tasks.add, {"x": 1})
    attempt.replace("add", "subtract")
    err = attempt.run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert f"module {MODULE!r}" in err.message
    assert "no attribute 'subtract'" in err.message


def test_a_plain_function_is_not_a_task(tmp_path: Path) -> None:
    (tmp_path / "plain_functions.py").write_text("def triple(x: int) -> int:\n    return 3 * x\n")
    args = list(tasks.add.serialize_to_model(tasks.SETTINGS).container.args)
    args[-3:] = ["plain_functions", "task-name", "triple"]
    err = prepare(tmp_path, tasks.add, {"x": 5}, args=args).run().error()
    assert err.origin == USER
    assert "plain_functions.triple is a function, not a task" in err.message


def test_a_module_failing_on_import_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "broken_tasks.py").write_text("raise RuntimeError('cannot start')\n")
    args = list(tasks.add.serialize_to_model(tasks.SETTINGS).container.args)
    args[-3:] = ["broken_tasks", "task-name", "triple"]
    err = prepare(tmp_path, tasks.add, {"x": 5}, args=args).run().error()
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "importing module 'broken_tasks' failed: RuntimeError: cannot start" in err.message


def test_bad_loader_arguments_are_a_user_error(tmp_path: Path) -> None:
    attempt = prepare(tmp_path, tasks.add, {"x": 1})
    attempt.replace("task-name", "function")
    err = attempt.run().error()
    assert err.origin == USER
    assert "'task-module <module> task-name <name>'" in err.message


# --- a template registered by flytekit ----------------------------------------------------------------


@pytest.mark.oracle
def test_a_template_flytekit_made_runs(tmp_path: Path, flytekit: Any) -> None:
    from flytekit.configuration import Image, ImageConfig, SerializationSettings

    namespace = {"__name__": MODULE, "fk": flytekit, "fn": tasks.split.task_function}
    exec(compile("made = fk.task(retries=2)(fn)", "<oracle>", "exec"), namespace)
    image = Image(name="default", fqn="test", tag="tag")
    settings = SerializationSettings(
        project="proj", domain="dev", version="v1", image_config=ImageConfig(default_image=image)
    )
    fk_args = list(namespace["made"].get_container(settings).args)
    assert fk_args[0] == "pyflyte-execute"
    assert FLYTEKIT_RESOLVER in fk_args
    args = ["flyweight-execute", *fk_args[1:]]
    assert prepare(tmp_path, tasks.split, {"x": 1, "label": "k"}, args=args).run().outputs() == {
        "total": 2,
        "label": "k:1",
    }
