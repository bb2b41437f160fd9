"""``Echo``: a task with no container whose outputs are its inputs, against flytekit 1.16.14 (the oracle).

Templates and registration forms are compared byte for byte with flytekit's after the identity map
(runtime version, and the output-order ``config`` entry a flyweight task with two or more outputs adds);
workflows using an echo task are compared as ``tests/serialize/test_workflow_oracle.py`` compares them;
local calls and local workflow runs must give flytekit's results. Without flytekit the oracle tests are
skipped, unless ``FLYWEIGHT_REQUIRE_ORACLE=1``, in which case they fail.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from flyteidl.admin import task_pb2 as admin_task_pb2
from flyteidl.core import errors_pb2, execution_pb2, literals_pb2, tasks_pb2
from tests.serialize.test_workflow_oracle import diff, normalized, settings_pair
from tests.tasks.oracle_plugins import Point

import flyweight
from flyweight._serialize import OUTPUT_ORDER_KEY, get_serializable
from flyweight._version import __version__
from flyweight.errors import TaskDefinitionError
from flyweight.types import TypeEngine

REPO = Path(__file__).resolve().parents[2]

# Module level, so that a container could import it (``task-module tests.tasks.test_echo task-name …``).
ECHO_ONE = flyweight.Echo("tests.tasks.test_echo.echo_one", inputs={"a": int})


@dataclasses.dataclass
class Shape:
    id: str
    name: str
    inputs: dict[str, Any] | None
    call: dict[str, Any]


SHAPES = [
    Shape("none", "echo_none", None, {}),
    Shape("empty-dict", "echo_empty", {}, {}),
    Shape("one-int", "echo_int", {"a": int}, {"a": 7}),
    Shape("one-str-prefixed", "my.module.echo_str", {"s": str}, {"s": "hello"}),
    Shape("one-list", "echo_list", {"xs": list[int]}, {"xs": [1, 2, 3]}),
    Shape("one-dataclass", "pkg.echo_point", {"p": Point}, {"p": Point(x=1, y=2.5, label="q")}),
    Shape(
        "several",
        "echo_several",
        {"a": int, "b": str, "c": list[int], "d": Point},
        {"a": 1, "b": "x", "c": [4, 5], "d": Point(x=3, y=0.5)},
    ),
    Shape(
        "several-prefixed",
        "a.b.c.echo_several",
        {"z": str, "a": int},
        {"z": "last-declared-first", "a": 2},
    ),
]
IDS = [s.id for s in SHAPES]


# -- the oracle -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fk(flytekit: Any) -> Any:
    return flytekit


def fk_echo(name: str, inputs: dict[str, Any] | None) -> Any:
    from flytekit.core.task import Echo

    return Echo(name=name, inputs=inputs)


def fk_serializable(settings: Any, entity: Any) -> Any:
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    return fk_get_serializable(OrderedDict(), settings, entity).to_flyte_idl()


def identity_map(tpl: tasks_pb2.TaskTemplate, inputs: int) -> tasks_pb2.TaskTemplate:
    """flytekit's echo template → what flyweight must produce for the same task."""
    import flytekit

    out = tasks_pb2.TaskTemplate()
    out.CopyFrom(tpl)
    assert out.metadata.runtime.version == flytekit.__version__
    out.metadata.runtime.version = __version__
    if inputs >= 2:
        out.config[OUTPUT_ORDER_KEY] = ",".join(f"o{i}" for i in range(inputs))
    return out


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_template_bytes_equal_flytekits(fk: Any, shape: Shape) -> None:
    fk_settings, settings = settings_pair()
    theirs = fk_serializable(fk_settings, fk_echo(shape.name, shape.inputs)).template
    expected = identity_map(theirs, len(shape.inputs or {}))
    got = flyweight.Echo(shape.name, inputs=shape.inputs).serialize_to_model(settings)
    assert got.type == "echo"
    assert not got.HasField("container")
    assert got.interface == expected.interface, diff(expected.interface, got.interface)
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_registration_spec_bytes_equal_flytekits(fk: Any, shape: Shape) -> None:
    fk_settings, settings = settings_pair()
    theirs = fk_serializable(fk_settings, fk_echo(shape.name, shape.inputs))
    expected = admin_task_pb2.TaskSpec()
    expected.CopyFrom(theirs)
    expected.template.CopyFrom(identity_map(theirs.template, len(shape.inputs or {})))
    got = get_serializable(OrderedDict(), settings, flyweight.Echo(shape.name, inputs=shape.inputs))
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES, ids=IDS)
def test_local_calls_give_flytekits_results(fk: Any, shape: Shape) -> None:
    expected = fk_echo(shape.name, shape.inputs)(**shape.call)
    got = flyweight.Echo(shape.name, inputs=shape.inputs)(**shape.call)
    assert got == expected
    if isinstance(expected, tuple):
        assert type(got).__name__ == type(expected).__name__ == "DefaultNamedTupleOutput"
        assert got._fields == expected._fields == tuple(f"o{i}" for i in range(len(shape.call)))
    else:
        assert type(got) is type(expected)


@pytest.mark.oracle
def test_positional_calls_give_flytekits_results(fk: Any) -> None:
    inputs = {"a": int, "b": str, "c": list[int]}
    expected = fk_echo("pos", inputs)(1, "x", [2])
    got = flyweight.Echo("pos", inputs=inputs)(1, "x", [2])
    assert tuple(got) == tuple(expected) == (1, "x", [2])


# -- in a workflow -----------------------------------------------------------------------------------------


class Out(NamedTuple):
    n: int
    label: str
    p: Point


def build_workflow(echo_class: Any, workflow: Any) -> Any:
    """A workflow passing its inputs through two echo tasks (one input, then three), with a constant."""
    one = echo_class(name="shapes.echo_one", inputs={"a": int})
    three = echo_class(name="shapes.echo_three", inputs={"n": int, "label": str, "p": Point})

    @workflow
    def through_echo(a: int, label: str) -> Out:
        x = one(a=a)
        n, s, p = three(n=x, label=label, p=Point(x=1, y=1.5))
        return Out(n=n, label=s, p=p)

    return through_echo


def _fk_workflow() -> Any:
    from flytekit import LaunchPlan, workflow
    from flytekit.core.task import Echo

    LaunchPlan.CACHE.clear()
    return build_workflow(Echo, workflow)


def _our_workflow() -> Any:
    return build_workflow(flyweight.Echo, flyweight.workflow)


@pytest.mark.oracle
def test_workflow_spec_bytes_equal_flytekits(fk: Any) -> None:
    fk_settings, settings = settings_pair()
    expected = normalized(fk_serializable(fk_settings, _fk_workflow()))
    got = normalized(get_serializable(OrderedDict(), settings, _our_workflow()))
    nodes = {n.id: n for n in got.template.nodes}
    assert [b.var for b in nodes["n1"].inputs] == ["label", "n", "p"]
    assert nodes["n1"].task_node.reference_id.name == "shapes.echo_three"
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )


@pytest.mark.oracle
def test_workflow_registration_includes_flytekits_echo_templates(fk: Any) -> None:
    fk_settings, settings = settings_pair()
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    fk_mapping: OrderedDict[Any, Any] = OrderedDict()
    fk_get_serializable(fk_mapping, fk_settings, _fk_workflow())
    theirs = {
        getattr(k, "name", None): v.to_flyte_idl()
        for k, v in fk_mapping.items()
        if getattr(k, "task_type", None) == "echo"
    }
    mapping: OrderedDict[Any, Any] = OrderedDict()
    get_serializable(mapping, settings, _our_workflow())
    ours = {k.name: v for k, v in mapping.items() if getattr(k, "task_type", None) == "echo"}
    assert sorted(ours) == sorted(theirs) == ["shapes.echo_one", "shapes.echo_three"]
    for name, spec in theirs.items():
        expected = identity_map(spec.template, len(spec.template.interface.inputs.variables))
        assert ours[name].template.SerializeToString(deterministic=True) == expected.SerializeToString(
            deterministic=True
        ), diff(expected, ours[name].template)


@pytest.mark.oracle
def test_workflow_runs_give_flytekits_results(fk: Any) -> None:
    expected = _fk_workflow()(a=5, label="hi")
    ours = _our_workflow()
    called = ours(a=5, label="hi")
    ran = flyweight.run_workflow(ours, {"a": 5, "label": "hi"})
    assert tuple(called) == tuple(ran) == tuple(expected) == (5, "hi", Point(x=1, y=1.5))
    assert type(called).__name__ == type(ran).__name__ == "Out"


def test_an_echo_node_runs_in_process_in_the_local_engine() -> None:
    events: list[tuple[str, str, dict[str, Any]]] = []
    ran = flyweight.run_workflow(
        _our_workflow(), {"a": 3, "label": "x"}, on_event=lambda n, s, i: events.append((n, s, dict(i)))
    )
    assert tuple(ran) == (3, "x", Point(x=1, y=1.5))
    wheres = {i["where"] for _, _, i in events if i.get("kind") == "task" and "where" in i}
    assert wheres == {"in-process"}


# -- behaviour without the oracle ------------------------------------------------------------------------


def test_outputs_are_the_inputs_in_declaration_order() -> None:
    e = flyweight.Echo("order", inputs={"z": str, "a": int, "m": list[int]})
    assert e.task_type == "echo"
    assert list(e.python_interface.outputs.items()) == [("o0", str), ("o1", int), ("o2", list[int])]
    assert e.get_container(flyweight.SerializationSettings(project="p", domain="d", version="v")) is None
    # keywords in another order still map by the declaration (flytekit maps by keyword order and fails)
    assert tuple(e(m=[1], a=2, z="s")) == ("s", 2, [1])


def test_values_are_checked_against_the_declared_types() -> None:
    e = flyweight.Echo("typed", inputs={"a": int})
    with pytest.raises(flyweight.TypeTransformerFailedError):
        e(a="not an int")


def test_metadata_and_docs_reach_the_template() -> None:
    e = flyweight.Echo(
        "with_meta",
        inputs={"a": int},
        metadata=flyweight.TaskMetadata(retries=2),
        docs=flyweight.Documentation(short_description="pass a through"),
    )
    tpl = e.serialize_to_model(flyweight.SerializationSettings(project="p", domain="d", version="v"))
    assert tpl.metadata.retries.retries == 2
    assert e.docs is not None and e.docs.short_description == "pass a through"


@pytest.mark.parametrize("bad", [[int], (int, str), "a", 3])
def test_inputs_that_are_not_a_mapping_are_refused(bad: Any) -> None:
    with pytest.raises(TypeError, match="inputs must be a mapping of input name to type"):
        flyweight.Echo("bad", inputs=bad)


@pytest.mark.parametrize("kwarg", ["interface", "outputs", "task_type"])
def test_outputs_interface_or_type_cannot_be_declared(kwarg: Any) -> None:
    with pytest.raises(TypeError, match=f"{kwarg} cannot be given: an echo task's outputs are its inputs"):
        flyweight.Echo("bad", inputs={"a": int}, **{kwarg: None})


def test_an_input_with_a_default_is_refused() -> None:
    with pytest.raises(TaskDefinitionError, match="input 'a' is declared as"):
        flyweight.Echo("bad", inputs={"a": (int, 3)})


def test_unknown_keywords_and_bad_names_are_refused() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        flyweight.Echo("bad", inputs={"a": int}, retries=3)
    with pytest.raises(TypeError, match="non-empty str name"):
        flyweight.Echo("", inputs={"a": int})


def test_flyweight_execute_refuses_an_echo_task(tmp_path: Path) -> None:
    """Flyte never starts a container for an echo task (no container in its template); asked to run one by
    hand, ``flyweight-execute`` writes a USER error saying so."""
    (tmp_path / "inputs.pb").write_bytes(
        TypeEngine.dict_to_literal_map(None, {"a": 1}, {"a": int}).SerializeToString()
    )
    out = tmp_path / "out"
    args = [
        *("flyweight-execute", "--inputs", str(tmp_path / "inputs.pb"), "--output-prefix", str(out)),
        *("--raw-output-data-prefix", str(tmp_path / "raw")),
        *("--resolver", "flyweight.extend.default_task_resolver"),
        *("--", "task-module", "tests.tasks.test_echo", "task-name", "ECHO_ONE"),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_", "_FSEC_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(out)) == ["error.pb"], proc.stderr
    error = errors_pb2.ErrorDocument.FromString((out / "error.pb").read_bytes()).error
    assert error.origin == execution_pb2.ExecutionError.USER
    assert error.kind == errors_pb2.ContainerError.NON_RECOVERABLE
    assert "echo task" in error.message and "propeller" in error.message


def test_a_local_dispatch_passes_the_literals_through() -> None:
    lm = TypeEngine.dict_to_literal_map(None, {"a": 9}, {"a": int})
    out = ECHO_ONE.dispatch_execute(None, lm)
    assert isinstance(out, literals_pb2.LiteralMap)
    assert out.literals["o0"] == lm.literals["a"]
