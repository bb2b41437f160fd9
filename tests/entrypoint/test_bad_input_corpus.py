"""Bad input, proved: whatever the template and ``inputs.pb`` hold, ``flyweight-execute`` ends in one
complete ``outputs.pb`` or one complete ``error.pb``, never nothing, a partial file or a bare traceback.

A generated corpus (hypothesis, derandomized) against the three tasks of ``corpus_attempts`` (the sample
plugin, a SQLite3 task and a function task with one input of each kind):

* (a) the template's bytes damaged (bit flips, truncation, insertions …) or edited field by field, and
  a list of edits a person or a tool could make;
* (b) ``inputs.pb`` damaged or edited the same ways;
* (c) random literal maps (every kind of literal, wrong and missing names, extra inputs) against the
  function task's interface and the SQLite3 task's.

Every case must pass ``corpus_attempts.check``. Beyond that, only classifications that are already
settled are asserted: a file Flyte wrote that does not decode is the system's and not retried; inputs
that decode but do not fit the interface are the user's and not retried.

Most cases call ``flyweight._entrypoint.main`` in this process; a sample of each family also runs the
real console script in a subprocess.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import literals_pb2, tasks_pb2, types_pb2
from google.protobuf import duration_pb2, struct_pb2, timestamp_pb2
from hypothesis import HealthCheck, given, settings, strategies as st
from tests.entrypoint import bad_input
from tests.entrypoint.corpus_attempts import (
    DOC_FILE,
    INPUTS_FILE,
    NON_RECOVERABLE,
    SYSTEM,
    TARGET_NAMES,
    TARGETS,
    USER,
    Target,
    attempt,
    decodes,
    edited,
    fill,
    good_literal,
    location,
    option,
    origin_and_kind,
    run_in_process,
)

from flyweight._entrypoint import main
from flyweight._storage import FileAccess
from flyweight.errors import StorageError

# Many cheap in-process examples, a few subprocess ones; deterministic for CI.
FAST = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(FAST, max_examples=4)


@pytest.fixture(autouse=True, scope="module")
def _plain_environment() -> Iterator[None]:
    """No Flyte variables of the calling shell (error file naming, FLYTE_FAIL_ON_ERROR) in this process."""
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith(("FLYTE_", "_F_")):
                mp.delenv(name)
        yield


# --- the unharmed tasks work ------------------------------------------------------------------------


@pytest.mark.parametrize("name", TARGET_NAMES)
@pytest.mark.parametrize("in_subprocess", [False, True], ids=["in-process", "subprocess"])
def test_the_unharmed_tasks_write_outputs(name: str, in_subprocess: bool) -> None:
    target = TARGETS[name]
    outcome = attempt(target, target.template, target.inputs, in_subprocess)
    assert outcome.outputs is not None, outcome.error


# --- (a) templates ----------------------------------------------------------------------------------


@FAST
@given(name=st.sampled_from(TARGET_NAMES), data=st.data())
def test_damaged_template_bytes(name: str, data: st.DataObject) -> None:
    target = TARGETS[name]
    template = data.draw(bad_input.mutated_bytes(target.template), label="template")
    outcome = attempt(target, template, target.inputs)
    if not decodes(tasks_pb2.TaskTemplate, template):
        if target.args_from_template:  # a function task never reads its template
            assert outcome.outputs is not None, outcome.error
        else:  # Flyte wrote the file: a broken one is the platform's fault, and retrying cannot fix it
            assert origin_and_kind(outcome) == (SYSTEM, NON_RECOVERABLE), outcome.error


@FAST
@given(name=st.sampled_from(TARGET_NAMES), data=st.data())
def test_edited_template_fields(name: str, data: st.DataObject) -> None:
    target = TARGETS[name]
    pb = data.draw(bad_input.mutated_message(target.message), label="template")
    attempt(target, pb.SerializeToString(deterministic=True), target.inputs)


def _set_input_type(name: str, lt: types_pb2.LiteralType) -> Callable[[tasks_pb2.TaskTemplate], None]:
    return lambda pb: pb.interface.inputs.variables[name].type.CopyFrom(lt)


def _set_custom(**values: Any) -> Callable[[tasks_pb2.TaskTemplate], None]:
    return lambda pb: pb.custom.update(values)


def _drop_custom(key: str) -> Callable[[tasks_pb2.TaskTemplate], None]:
    return lambda pb: pb.custom.fields.pop(key)


def _set_args(args: Sequence[str]) -> Callable[[tasks_pb2.TaskTemplate], None]:
    def edit(pb: tasks_pb2.TaskTemplate) -> None:
        del pb.container.args[:]
        pb.container.args.extend(args)

    return edit


def _replace_arg(old: str, new: str) -> Callable[[tasks_pb2.TaskTemplate], None]:
    return lambda pb: _set_args([new if a == old else a for a in pb.container.args])(pb)


STRING = types_pb2.LiteralType(simple=types_pb2.STRING)
SCHEMA_OF_UNKNOWN_COLUMN = types_pb2.LiteralType(
    schema=types_pb2.SchemaType(columns=[types_pb2.SchemaType.SchemaColumn(name="a", type=99)])  # type: ignore[arg-type]
)
DATACLASS_WITH_KEYWORD_FIELD = types_pb2.LiteralType(
    simple=types_pb2.STRUCT,
    structure=types_pb2.TypeStructure(
        dataclass_type={"class": types_pb2.LiteralType(simple=types_pb2.INTEGER)}
    ),
)
FUNCTION_MODULE = "tests.entrypoint.corpus_tasks"

# Edits a person or a tool could make to a template, each a different way for the task to not fit.
TEMPLATE_EDITS: list[tuple[str, Callable[[tasks_pb2.TaskTemplate], Any]]] = [
    ("plugin", lambda pb: pb.id.ClearField("name")),
    ("plugin", lambda pb: pb.ClearField("interface")),
    ("plugin", _set_input_type("x", STRING)),
    ("plugin", _set_input_type("x", types_pb2.LiteralType())),
    ("plugin", _set_input_type("x", types_pb2.LiteralType(simple=99))),  # type: ignore[arg-type]
    ("plugin", _set_input_type("x", types_pb2.LiteralType(blob=types_pb2.BlobType(format="PythonPickle")))),
    ("plugin", _set_input_type("x", types_pb2.LiteralType(collection_type=types_pb2.LiteralType()))),
    ("plugin", lambda pb: pb.interface.outputs.variables.pop("y")),
    ("plugin", lambda pb: pb.interface.outputs.variables["z"].type.CopyFrom(STRING)),
    ("plugin", lambda pb: pb.interface.inputs.variables["extra"].type.CopyFrom(STRING)),
    ("plugin", lambda pb: pb.ClearField("custom")),
    ("plugin", _set_custom(factor="three")),
    ("plugin", _set_custom(factor=math.nan)),
    ("plugin", _set_custom(factor=math.inf)),
    ("plugin", _set_custom(factor=1e308)),
    ("plugin", _set_custom(factor=[3])),
    # Interfaces valid on the wire that the type engine cannot turn into Python types.
    ("plugin", _set_input_type("x", types_pb2.LiteralType(union_type=types_pb2.UnionType()))),
    ("plugin", _set_input_type("x", types_pb2.LiteralType(enum_type=types_pb2.EnumType()))),
    ("plugin", _set_input_type("x", types_pb2.LiteralType(enum_type=types_pb2.EnumType(values=[""])))),
    ("plugin", _set_input_type("x", types_pb2.LiteralType(enum_type=types_pb2.EnumType(values=["mro"])))),
    ("plugin", _set_input_type("x", types_pb2.LiteralType(enum_type=types_pb2.EnumType(values=["_order_"])))),
    ("plugin", _set_input_type("x", SCHEMA_OF_UNKNOWN_COLUMN)),
    ("plugin", _set_input_type("x", DATACLASS_WITH_KEYWORD_FIELD)),
    ("sqlite", lambda pb: pb.interface.outputs.variables["results"].type.schema.columns.add(name="nul\x00")),
    ("sqlite", _drop_custom("query_template")),
    ("sqlite", _drop_custom("uri")),
    ("sqlite", _set_custom(query_template="selec id from t")),
    ("sqlite", _set_custom(query_template="delete from t")),
    ("sqlite", _set_custom(query_template="select 1; select 2")),
    ("sqlite", _set_custom(query_template="select id, name from t where id = {{.inputs.nope}}")),
    ("sqlite", _set_custom(query_template=42)),
    ("sqlite", _set_custom(uri="missing.db")),
    ("sqlite", _set_custom(uri=".")),
    ("sqlite", _set_custom(uri=DOC_FILE)),
    ("sqlite", _set_custom(uri="")),
    ("sqlite", _set_custom(uri="http://127.0.0.1:9/corpus.db")),
    ("sqlite", _set_custom(uri="nosuchprotocol://corpus.db")),
    ("sqlite", _set_custom(compressed=True)),
    ("sqlite", _set_input_type("lo", types_pb2.LiteralType(simple=types_pb2.FLOAT))),
    ("sqlite", _set_input_type("lo", types_pb2.LiteralType(map_value_type=STRING))),
    ("sqlite", lambda pb: pb.interface.outputs.variables["results"].type.schema.columns.add(name="zzz")),
    ("sqlite", lambda pb: pb.interface.outputs.variables["results"].type.CopyFrom(STRING)),
    ("function", _replace_arg(FUNCTION_MODULE, "tests.entrypoint.no_such_module")),
    ("function", _replace_arg("typed", "typo")),
    ("function", _replace_arg("typed", "Point")),
    ("function", _replace_arg("flyweight.extend.default_task_resolver", "flyweight.extend.nothing")),
    ("function", _replace_arg("flyweight.extend.default_task_resolver", "os.path")),
    ("function", _replace_arg("{{.input}}", "{{.inputs}}")),
    ("function", _replace_arg("{{.outputPrefix}}", "{{.output_prefix}}")),
    ("function", _replace_arg("--output-prefix", "--output")),
    ("function", lambda pb: _set_args(list(pb.container.args)[:-1])(pb)),
    (
        "function",
        lambda pb: _set_args(list(pb.container.args)[: list(pb.container.args).index("--") + 1])(pb),
    ),
]


@pytest.mark.parametrize(
    ("name", "edit"), TEMPLATE_EDITS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(TEMPLATE_EDITS)]
)
def test_edited_templates(name: str, edit: Callable[[tasks_pb2.TaskTemplate], Any]) -> None:
    target = TARGETS[name]
    attempt(target, edited(target, edit), target.inputs)


def test_an_empty_output_prefix_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A template whose ``--output-prefix`` argument is ``""`` is invalid arguments, and nothing is written:
    joined naively with a file name, ``""`` names ``/outputs.pb``, at the root of the file system. (The
    writes are intercepted, so even a regression writes nothing outside the working directory.)"""
    target = TARGETS["function"]
    template = edited(target, _replace_arg("{{.outputPrefix}}", ""))
    root = Path(tempfile.mkdtemp(prefix="flyweight-corpus-"))
    writes: list[str] = []
    write_bytes = FileAccess.write_bytes

    def guarded(self: FileAccess, uri: str, data: bytes) -> None:
        writes.append(uri)
        if location(root, uri) is None:
            raise StorageError(f"this test lets nothing be written outside {root}, such as {uri!r}")
        write_bytes(self, uri, data)

    monkeypatch.setattr(FileAccess, "write_bytes", guarded)
    try:
        (root / INPUTS_FILE).write_bytes(target.inputs)
        (root / DOC_FILE).write_text("a document\n")
        argv = fill(target.container_args(template), root)
        assert option(argv, "--output-prefix") == ""
        rc, stderr = run_in_process(argv, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    assert (rc, writes) == (2, []), stderr


def test_no_thread_of_an_attempt_reads_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """After ``main()`` returns in a process that goes on (a test, a local engine), nothing of the attempt
    may touch that process's files. The threads the attempt starts are held back until ``main()``
    returns, as a busy machine's scheduler may do; then the next files opened take the descriptor
    numbers the attempt closed. (A signal reader that did not own its pipe's read end once took the
    first 64 bytes of the next file this process read.)"""
    gate = threading.Event()

    class HeldBack(threading.Thread):
        def run(self) -> None:
            gate.wait(5)
            super().run()

    target = TARGETS["function"]
    root = Path(tempfile.mkdtemp(prefix="flyweight-corpus-"))
    payload = bytes(range(256)) * 4
    try:
        (root / INPUTS_FILE).write_bytes(target.inputs)
        (root / DOC_FILE).write_text("a document\n")
        (root / "known.bin").write_bytes(payload)
        argv = fill(target.container_args(target.template), root)
        with monkeypatch.context() as mp:
            mp.setattr(threading, "Thread", HeldBack)
            with contextlib.redirect_stderr(io.StringIO()):
                assert main(argv[1:]) == 0
        files = [open(root / "known.bin", "rb") for _ in range(8)]  # noqa: SIM115 - all open at once
        try:
            gate.set()
            time.sleep(0.2)
            lengths = [len(f.read()) for f in files]
        finally:
            for f in files:
                f.close()
    finally:
        gate.set()
        shutil.rmtree(root, ignore_errors=True)
    assert lengths == [len(payload)] * len(files)


# --- (b) inputs.pb ----------------------------------------------------------------------------------


@FAST
@given(name=st.sampled_from(TARGET_NAMES), data=st.data())
def test_damaged_inputs_bytes(name: str, data: st.DataObject) -> None:
    target = TARGETS[name]
    inputs = data.draw(bad_input.mutated_bytes(target.inputs), label="inputs")
    outcome = attempt(target, target.template, inputs)
    if not decodes(literals_pb2.LiteralMap, inputs):  # Flyte wrote inputs.pb: as for the template
        assert origin_and_kind(outcome) == (SYSTEM, NON_RECOVERABLE), outcome.error


@FAST
@given(name=st.sampled_from(TARGET_NAMES), data=st.data())
def test_edited_inputs_fields(name: str, data: st.DataObject) -> None:
    target = TARGETS[name]
    lm = data.draw(
        bad_input.mutated_message(literals_pb2.LiteralMap.FromString(target.inputs)), label="inputs"
    )
    attempt(target, target.template, lm.SerializeToString(deterministic=True))


# --- (c) random literal maps ------------------------------------------------------------------------


@dataclasses.dataclass
class InputMap:
    """A literal map and what is known of it in advance."""

    data: bytes
    all_good: bool  # every input present with a literal made from a value of its type, nothing else
    names_wrong: bool  # an input is missing or an extra one is there (and nothing else was changed)


@st.composite
def input_maps(draw: st.DrawFn, target: Target) -> InputMap:
    """Good literals for most inputs; some inputs replaced by random literals, missing, or given another
    input's literal; and sometimes inputs the task does not have."""
    names = list(target.values)
    broken = draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    literals: dict[str, literals_pb2.Literal] = {}
    good = {n: good_literal(target.task, n, draw(target.values[n], label=n)) for n in names}
    missing = False  # a required input is missing (one with a default may be left out)
    random_literals = False
    for n in names:
        if n not in broken:
            literals[n] = good[n]
            continue
        how = draw(st.sampled_from(["random", "missing", "another input's"]))
        if how == "random":
            literals[n] = draw(bad_input.literals(), label=n)
            random_literals = True
        elif how == "another input's":
            literals[n] = good[draw(st.sampled_from(names))]
            random_literals = True
        else:
            missing = missing or n not in target.defaults
    extras = draw(st.lists(st.tuples(bad_input.odd_names(names), bad_input.literals(3)), max_size=2))
    overwrote = False
    for n, lit in extras:
        overwrote = overwrote or n in names
        literals[n] = lit
    extra = any(n not in names for n, _ in extras)
    data = literals_pb2.LiteralMap(literals=literals).SerializeToString(deterministic=True)
    clean = not random_literals and not overwrote
    return InputMap(data, clean and not missing and not extras, clean and (missing or extra))


@settings(FAST, max_examples=250)
@given(inputs=input_maps(TARGETS["function"]))
def test_random_literal_maps_against_a_function_task(inputs: InputMap) -> None:
    _random_literal_map_case(TARGETS["function"], inputs)


@FAST
@given(inputs=input_maps(TARGETS["sqlite"]))
def test_random_literal_maps_against_a_plugin_task(inputs: InputMap) -> None:
    _random_literal_map_case(TARGETS["sqlite"], inputs)


def _random_literal_map_case(target: Target, inputs: InputMap) -> None:
    outcome = attempt(target, target.template, inputs.data)
    if inputs.all_good:
        assert outcome.outputs is not None, outcome.error
    if inputs.names_wrong:
        assert outcome.error is not None
    # Inputs that do not fit the interface (missing, unexpected, or of another type) are the caller's
    # mistake, which no retry fixes: a TypeTransformerFailedError naming the input.
    if outcome.error is not None:
        assert origin_and_kind(outcome) == (USER, NON_RECOVERABLE), outcome.error


def _time(field: str, seconds: int, nanos: int = 0) -> literals_pb2.Literal:
    value = (timestamp_pb2.Timestamp if field == "datetime" else duration_pb2.Duration)(
        seconds=seconds, nanos=nanos
    )
    return literals_pb2.Literal(
        scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(**{field: value}))
    )


def _generic(**fields: Any) -> literals_pb2.Literal:
    s = struct_pb2.Struct()
    s.update(fields)
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(generic=s))


# Literals that made the type engine raise ValueError or OverflowError instead of saying they do not fit,
# so the attempt was reported as the system's (and retried, as RECOVERABLE).
UNREADABLE_LITERALS: list[tuple[str, literals_pb2.Literal]] = [
    ("when", _time("datetime", 2**62)),  # seconds past year 9999
    ("when", _time("datetime", 0, -5)),  # negative nanos
    ("span", _time("duration", 2**62)),  # more seconds than a timedelta holds
    ("i", _time("duration", -1, 5)),  # seconds and nanos of different signs: describing it failed
    (
        "ints",
        literals_pb2.Literal(
            collection=literals_pb2.LiteralCollection(literals=[_time("datetime", -(2**63))])
        ),
    ),
    ("point", _generic(x=math.nan, y=1.0)),  # NaN is not JSON
    ("nested", _generic(k=math.inf)),
]


@pytest.mark.parametrize("in_subprocess", [False, True], ids=["in-process", "subprocess"])
@pytest.mark.parametrize(
    ("name", "literal"), UNREADABLE_LITERALS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(UNREADABLE_LITERALS)]
)
def test_literals_out_of_range_are_the_users(
    name: str, literal: literals_pb2.Literal, in_subprocess: bool
) -> None:
    target = TARGETS["function"]
    lm = literals_pb2.LiteralMap.FromString(target.inputs)
    lm.literals[name].CopyFrom(literal)
    outcome = attempt(target, target.template, lm.SerializeToString(deterministic=True), in_subprocess)
    assert origin_and_kind(outcome) == (USER, NON_RECOVERABLE), outcome.error
    assert outcome.error is not None
    assert f"inputs.{name}" in outcome.error.message
    assert "TypeTransformerFailedError" in outcome.error.message


# --- the real console script ------------------------------------------------------------------------


@SLOW
@given(name=st.sampled_from(TARGET_NAMES), data=st.data())
def test_damaged_template_bytes_in_a_subprocess(name: str, data: st.DataObject) -> None:
    target = TARGETS[name]
    template = data.draw(bad_input.mutated_bytes(target.template), label="template")
    attempt(target, template, target.inputs, in_subprocess=True)


@SLOW
@given(name=st.sampled_from(TARGET_NAMES), data=st.data())
def test_damaged_inputs_bytes_in_a_subprocess(name: str, data: st.DataObject) -> None:
    target = TARGETS[name]
    inputs = data.draw(bad_input.mutated_bytes(target.inputs), label="inputs")
    attempt(target, target.template, inputs, in_subprocess=True)


@SLOW
@given(inputs=input_maps(TARGETS["function"]))
def test_random_literal_maps_in_a_subprocess(inputs: InputMap) -> None:
    attempt(TARGETS["function"], TARGETS["function"].template, inputs.data, in_subprocess=True)
