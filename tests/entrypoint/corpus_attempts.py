"""The bad-input corpus's three tasks, and one attempt of ``flyweight-execute`` run and checked.

``attempt(target, template, inputs)`` writes a template and an ``inputs.pb`` into a fresh directory, fills
the container arguments as Flyte does, runs them (``flyweight._entrypoint.main`` in this process, or the
console script in a subprocess) and checks the contract: exactly one complete ``outputs.pb`` or
``error.pb`` under the output prefix, and no bare traceback. The targets:

* ``plugin``: the sample plugin's ``ScaleExecutor``;
* ``sqlite``: a SQLite3 task reading a small database written beside each attempt;
* ``function``: ``corpus_tasks.typed``, a function task with one input of each kind.

Plugin tasks read their template from ``{{.taskTemplatePath}}``, so their container arguments come from
the unharmed template (the file the container reads is what went bad). A function task never reads its
template: what a bad template changes for it is the container arguments Flyte takes from it, so those
are taken from the damaged template when it still parses. Every path in the templates and inputs is
relative to the working directory, so the bytes, and derandomized examples, are the same everywhere.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from flyteidl.core import errors_pb2, execution_pb2, literals_pb2, tasks_pb2, types_pb2
from google.protobuf.message import DecodeError
from hypothesis import reject, strategies as st
from tests.entrypoint import bad_input, corpus_tasks, flyte_args, sample_plugin as plugin

from flyweight import kwtypes
from flyweight._entrypoint import main
from flyweight.plugins.sqlite3 import SQLite3Config, SQLite3Task
from flyweight.types import FlyteSchema, TypeEngine

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

USER = execution_pb2.ExecutionError.USER
SYSTEM = execution_pb2.ExecutionError.SYSTEM
RECOVERABLE = errors_pb2.ContainerError.RECOVERABLE
NON_RECOVERABLE = errors_pb2.ContainerError.NON_RECOVERABLE

TEMPLATE_FILE = "task_template.pb"
INPUTS_FILE = "inputs.pb"
DB_FILE = "corpus.db"
DOC_FILE = "doc.txt"
HANG_SECONDS = 20.0


# --- the tasks --------------------------------------------------------------------------------------


def _database() -> bytes:
    """A small SQLite database, as bytes (written into each case's working directory)."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / DB_FILE
        with contextlib.closing(sqlite3.connect(path)) as con:
            con.execute("create table t (id integer, name text)")
            con.executemany("insert into t values (?, ?)", [(1, "a"), (2, "b"), (3, "c")])
            con.commit()
        return path.read_bytes()


DB_BYTES = _database()

SQLITE_TASK = SQLite3Task(
    "corpus.sqlite",
    query_template="select id, name from t where id >= {{.inputs.lo}} and name != {{.inputs.skip}}",
    inputs=kwtypes(lo=int, skip=str),
    output_schema_type=FlyteSchema[kwtypes(id=int, name=str)],
    task_config=SQLite3Config(uri=DB_FILE),  # relative: the working directory of the attempt
)
PLUGIN_TASK = plugin.SamplePluginTask("corpus.scale", plugin.ScaleExecutor)
FUNCTION_TASK = corpus_tasks.typed

UTC = datetime.timezone.utc
DOC_LITERAL = literals_pb2.Literal(
    scalar=literals_pb2.Scalar(
        blob=literals_pb2.Blob(
            metadata=literals_pb2.BlobMetadata(type=types_pb2.BlobType(format="", dimensionality=0)),
            uri=DOC_FILE,
        )
    )
)


def good_literal(task: Any, name: str, value: Any) -> literals_pb2.Literal:
    if name == "doc":
        return DOC_LITERAL
    lt = task.interface.inputs[name].type.to_flyte_idl()
    return TypeEngine.to_literal(None, value, task.python_interface.inputs[name], lt)


def _good_inputs(task: Any, values: Mapping[str, Any]) -> bytes:
    lm = literals_pb2.LiteralMap(literals={k: good_literal(task, k, v) for k, v in values.items()})
    return lm.SerializeToString(deterministic=True)


FUNCTION_VALUES: dict[str, Any] = {
    "i": 7,
    "f": 2.5,
    "s": "text",
    "b": True,
    "when": datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC),
    "span": datetime.timedelta(minutes=3),
    "ints": [1, 2, 3],
    "scores": {"a": 0.5},
    "maybe": None,
    "either": "seven",
    "point": corpus_tasks.Point(1.0, 2.0, "p"),
    "color": corpus_tasks.Color.GREEN,
    "doc": None,
    "nested": [{"k": [1, 2]}],
}

MAX_DURATION = datetime.timedelta(days=3_652_500)  # what a protobuf Duration holds: ±10000 years

# Python values a literal of each input can be made from (to build maps with one input gone bad).
FUNCTION_VALUE_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "i": bad_input.INT64,
    "f": st.floats(),
    "s": st.text(max_size=6),
    "b": st.booleans(),
    "when": st.datetimes(timezones=st.just(UTC)),
    "span": st.timedeltas(-MAX_DURATION, MAX_DURATION),
    "ints": st.lists(bad_input.INT64, max_size=3),
    "scores": st.dictionaries(st.text(max_size=3), st.floats(), max_size=2),
    "maybe": st.none() | bad_input.INT64,
    "either": bad_input.INT64 | st.text(max_size=4),
    "point": st.builds(corpus_tasks.Point, st.floats(), st.floats(), st.text(max_size=3)),
    "color": st.sampled_from(corpus_tasks.Color),
    "doc": st.none(),
    "nested": st.lists(
        st.dictionaries(st.text(max_size=2), st.lists(bad_input.INT64, max_size=2), max_size=2), max_size=2
    ),
}
SQLITE_VALUE_STRATEGIES: dict[str, st.SearchStrategy[Any]] = {
    "lo": bad_input.INT64,
    "skip": st.text(max_size=6),
}


@dataclasses.dataclass(frozen=True, repr=False)
class Target:
    """A task as a container receives it: its template, its container arguments and good inputs."""

    name: str
    task: Any
    inputs: bytes
    values: Mapping[str, st.SearchStrategy[Any]]
    args_from_template: bool = False

    def __repr__(self) -> str:
        return f"TARGETS[{self.name!r}]"

    @property
    def template(self) -> bytes:
        return _template(self.name).SerializeToString(deterministic=True)

    @property
    def message(self) -> tasks_pb2.TaskTemplate:
        return _template(self.name)

    def container_args(self, template: bytes) -> list[str]:
        """The arguments Flyte starts the container with (see the module docstring)."""
        if self.args_from_template:
            with contextlib.suppress(DecodeError):
                args = list(tasks_pb2.TaskTemplate.FromString(template).container.args)
                if args and args[0] == "flyweight-execute":
                    return args
        return list(self.message.container.args)

    @property
    def defaults(self) -> set[str]:
        """Inputs that may be left out: a function task's with defaults (a template records none)."""
        if self.args_from_template:
            return set(self.task.python_interface.default_inputs_as_kwargs)
        return set()

    def output_names(self, template: bytes) -> set[str]:
        """The outputs ``outputs.pb`` must hold, all of them."""
        if self.args_from_template:  # a function task: the Python signature, whatever the template says
            return set(self.task.python_interface.outputs)
        return set(tasks_pb2.TaskTemplate.FromString(template).interface.outputs.variables)


_TEMPLATES: dict[str, tasks_pb2.TaskTemplate] = {}


def _template(name: str) -> tasks_pb2.TaskTemplate:
    if name not in _TEMPLATES:
        task = {"plugin": PLUGIN_TASK, "sqlite": SQLITE_TASK, "function": FUNCTION_TASK}[name]
        _TEMPLATES[name] = task.serialize_to_model(plugin.SETTINGS)
    return _TEMPLATES[name]


TARGETS = {
    "plugin": Target(
        "plugin",
        PLUGIN_TASK,
        _good_inputs(PLUGIN_TASK, {"x": 5, "label": "a"}),
        {"x": bad_input.INT64, "label": st.text(max_size=6)},
    ),
    "sqlite": Target(
        "sqlite", SQLITE_TASK, _good_inputs(SQLITE_TASK, {"lo": 2, "skip": "c"}), SQLITE_VALUE_STRATEGIES
    ),
    "function": Target(
        "function",
        FUNCTION_TASK,
        _good_inputs(FUNCTION_TASK, FUNCTION_VALUES),
        FUNCTION_VALUE_STRATEGIES,
        args_from_template=True,
    ),
}
TARGET_NAMES = list(TARGETS)


# --- running one attempt ----------------------------------------------------------------------------


def fill(args: Sequence[str], root: Path) -> list[str]:
    return flyte_args.fill(args, root, INPUTS_FILE, TEMPLATE_FILE)


class _Stuck(Exception):
    pass


def run_in_process(argv: list[str], root: Path) -> tuple[int, str]:
    """``main(argv[1:])`` with ``root`` as the working directory; returns the exit status and stderr."""
    stderr, stdout = io.StringIO(), io.StringIO()
    cwd, path = os.getcwd(), list(sys.path)
    fired: list[bool] = []

    def on_alarm(signum: int, frame: Any) -> None:
        fired.append(True)
        raise _Stuck(f"no outcome after {HANG_SECONDS} s")

    before = set(threading.enumerate())
    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        os.chdir(root)
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(stdout):
            rc = main(argv[1:])
        # Each attempt starts with none of the previous one's threads (what such a thread may still do
        # after main() returns is test_no_thread_of_an_attempt_reads_on's business).
        for thread in set(threading.enumerate()) - before:
            if thread.name.startswith("flyweight-"):  # not fsspec's event loop, which stays
                thread.join(timeout=5)
    except Exception as e:
        raise AssertionError(
            f"flyweight-execute raised {type(e).__name__}: {e} instead of writing outputs.pb or error.pb"
            f"\nstderr:\n{stderr.getvalue()}"
        ) from e
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        os.chdir(cwd)
        sys.path[:] = path
    assert not fired, f"flyweight-execute hung (more than {HANG_SECONDS} s)"
    return rc, stderr.getvalue()


def run_subprocess(argv: list[str], root: Path) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_", "_FSEC_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    try:
        proc = subprocess.run(
            argv, cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"flyweight-execute hung (more than {e.timeout} s)") from e
    return proc.returncode, proc.stderr


def option(argv: Sequence[str], name: str) -> str | None:
    """The value of option ``name`` in a command line (before ``--``), as given, or None."""
    head = list(argv[1:])
    if "--" in head:
        head = head[: head.index("--")]
    for i, arg in enumerate(head):
        if arg == name and i + 1 < len(head) and not head[i + 1].startswith("--"):
            return head[i + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return None


def location(root: Path, value: str) -> Path | None:
    """Where a local prefix given as ``value`` (relative to ``root``, the working directory) is; None
    when it is not a place inside ``root``."""
    path = value
    if value.startswith("file://"):
        path = value.removeprefix("file://")
        if not os.path.isabs(path):
            return None
    if not path or "://" in path or path.startswith("~"):
        return None
    full = os.path.normpath(os.path.join(root, path))
    return Path(full) if full == str(root) or full.startswith(str(root) + os.sep) else None


@dataclasses.dataclass
class Outcome:
    """What one attempt left: exactly one of ``outputs`` and ``error``."""

    returncode: int
    outputs: literals_pb2.LiteralMap | None
    error: errors_pb2.ContainerError | None


def check(argv: list[str], root: Path, rc: int, stderr: str, target: Target, template: bytes) -> Outcome:
    """The contract, for one attempt: no bare traceback on stderr, and exactly one complete ``outputs.pb``
    (every declared output) or ``error.pb`` (a message, a code, a kind, an origin, a time) under the
    output prefix. Damaged arguments may leave nothing only where nothing can be written: no output
    prefix, or one Flyte never filled in (exit status 2), or a place no file can be made (exit status 1,
    saying so on stderr)."""
    crash = re.search(r"^Traceback \(most recent call last\):", stderr, re.MULTILINE)
    assert crash is None, f"a bare traceback on stderr:\n{stderr}"
    prefix = option(argv, "--output-prefix")
    if prefix is None:  # invalid arguments and no output prefix: nowhere to write to
        assert rc == 2, (rc, argv, stderr)
        return Outcome(rc, None, None)
    out = location(root, prefix)
    assert out is not None, prefix  # stay_inside() lets no other run
    files = sorted(os.listdir(out)) if os.path.isdir(out) else []
    if "{{" in prefix and rc == 2:  # a prefix Flyte never filled in may be refused rather than used
        assert files == [], f"invalid arguments, yet {files} were written under {prefix!r}"
        return Outcome(rc, None, None)
    if out != root / "out" and rc == 1 and not files:  # args that name a place no file can be written
        assert "could not write" in stderr, stderr
        return Outcome(rc, None, None)
    assert files in (["outputs.pb"], ["error.pb"]), (
        f"expected exactly one of outputs.pb and error.pb in {out}, found {files} "
        f"(exit status {rc})\nargs: {argv}\nstderr:\n{stderr}"
    )
    data = (out / files[0]).read_bytes()
    if files == ["outputs.pb"]:
        assert rc == 0, (rc, stderr)
        lm = literals_pb2.LiteralMap.FromString(data)
        assert lm.SerializeToString(deterministic=True) == data
        assert set(lm.literals) == target.output_names(template), lm
        assert all(lit.WhichOneof("value") for lit in lm.literals.values()), lm
        return Outcome(rc, lm, None)
    assert rc in (0, 2), (rc, stderr)
    doc = errors_pb2.ErrorDocument.FromString(data)
    assert doc.SerializeToString() == data
    err = doc.error
    assert err.message.strip(), doc
    assert err.code, doc
    assert err.kind in (RECOVERABLE, NON_RECOVERABLE), doc
    assert err.origin in (USER, SYSTEM), doc
    assert err.timestamp.seconds > 0, doc
    return Outcome(rc, None, err)


def decodes(message: Any, data: bytes) -> bool:
    try:
        message.FromString(data)
    except DecodeError:
        return False
    return True


def origin_and_kind(outcome: Outcome) -> tuple[int, int] | None:
    """``(origin, kind)`` of the error document, None when the attempt wrote outputs."""
    return None if outcome.error is None else (outcome.error.origin, outcome.error.kind)


def stay_inside(argv: list[str], root: Path, in_subprocess: bool) -> None:
    """Skip a damaged command line that would write outside the attempt's directory (a damaged output
    prefix can name any place, and an empty one names the root directory: see
    ``test_an_empty_output_prefix_is_refused``), or that no process can be started with."""
    output, raw = option(argv, "--output-prefix"), option(argv, "--raw-output-data-prefix")
    if output is not None and location(root, output) is None:
        reject()
    if raw and location(root, raw) is None:
        reject()
    if in_subprocess and any("\x00" in a for a in argv):
        reject()


def attempt(target: Target, template: bytes, inputs: bytes, in_subprocess: bool = False) -> Outcome:
    """Run one attempt in a fresh working directory and check the contract; returns what it left."""
    root = Path(tempfile.mkdtemp(prefix="flyweight-corpus-"))
    try:
        (root / TEMPLATE_FILE).write_bytes(template)
        (root / INPUTS_FILE).write_bytes(inputs)
        (root / DB_FILE).write_bytes(DB_BYTES)
        (root / DOC_FILE).write_text("a document\n")
        argv = fill(target.container_args(template), root)
        stay_inside(argv, root, in_subprocess)
        run = run_subprocess if in_subprocess else run_in_process
        rc, stderr = run(argv, root)
        return check(argv, root, rc, stderr, target, template)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def edited(target: Target, edit: Callable[[tasks_pb2.TaskTemplate], Any]) -> bytes:
    pb = tasks_pb2.TaskTemplate()
    pb.CopyFrom(target.message)
    edit(pb)
    return pb.SerializeToString(deterministic=True)
