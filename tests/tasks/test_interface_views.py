"""``task.interface`` and an executor's ``tt.interface`` read as flytekit's models (ADR 0022).

Oracle comparisons: the same task shapes are declared in both SDKs (function tasks from the same source,
plugin tasks with the same interface and executor) and what flytekit code reads of the interface — names
in order, counts, descriptions, ``type.simple`` and the other type parts, ``to_flyte_idl()`` bytes — must
be the same. Then what the views promise beyond that: they are read-only, they copy nothing, and no
local call builds one.
"""

from __future__ import annotations

import datetime
import linecache
import typing
from pathlib import Path
from types import ModuleType
from typing import Any, Optional, Union

import pytest
from flyteidl.core import interface_pb2, tasks_pb2, types_pb2
from tests.entrypoint import sample_plugin
from tests.tasks import interface_view_plugins as plugins
from tests.tasks.interface_view_plugins import Color, CountingExecutor, RecordingExecutor, read_interface
from tests.tasks.oracle_plugins import FlyweightPluginTask, Point, flytekit_plugin_task_class

import flyweight
from flyweight._interface import Interface, kwtypes
from flyweight._tasks import TaskTemplate, _model_views
from flyweight._tasks._model_views import LiteralTypeView, VariableMapView, VariableView

# -- shapes: one source, compiled in each SDK's namespace ------------------------------------------------

SHAPES: dict[str, str] = {
    "ints": "def ints(a: int, b: int = 3) -> int:\n    return a + b\n",
    "strs_doc": (
        "def strs_doc(name: str, greeting: str = 'hi') -> str:\n"
        '    """Greets.\n\n'
        "    :param name: who to greet\n"
        "    :param greeting: the word said\n"
        "    :return: the greeting\n"
        '    """\n'
        "    return greeting + name\n"
    ),
    "google_doc": (
        "def google_doc(count: int, label: str)"
        " -> typing.NamedTuple('Out', [('total', int), ('tag', str)]):\n"
        '    """Counts.\n\n'
        "    Args:\n"
        "        count: how many\n"
        "        label: what to call it\n\n"
        "    Returns:\n"
        "        the total and the tag\n"
        '    """\n'
        "    return count, label\n"
    ),
    "containers": (
        "def containers(xs: list[int], m: dict[str, float], nested: list[dict[str, list[str]]])"
        " -> dict[str, list[int]]:\n    return {}\n"
    ),
    "dataclasses": "def dataclasses(p: Point, ps: list[Point]) -> Point:\n    return p\n",
    "files": "def files(f: FlyteFile, d: FlyteDirectory, fs: list[FlyteFile]) -> FlyteFile:\n    return f\n",
    "optionals": (
        "def optionals(a: Optional[int] = None, b: Optional[str] = None, c: Union[int, str] = 1)"
        " -> Optional[float]:\n    return None\n"
    ),
    "enum_time": (
        "def enum_time(c: Color, when: datetime.datetime, span: datetime.timedelta, flag: bool)"
        " -> tuple[int, str, float]:\n    return 1, 's', 1.0\n"
    ),
    "many_inputs": (
        "def many_inputs(zeta: int, b: str, a: float, c: bool, x10: int, x2: int, my_input: str)"
        " -> tuple[int, int, int, int]:\n    return 1, 2, 3, 4\n"
    ),
    "nothing": "def nothing() -> None:\n    return None\n",
}


def _namespace(side: str) -> dict[str, Any]:
    ns: dict[str, Any] = {
        "__name__": __name__,
        "typing": typing,
        "datetime": datetime,
        "Optional": Optional,
        "Union": Union,
        "Point": Point,
        "Color": Color,
    }
    if side == "flytekit":
        from flytekit.types.directory import FlyteDirectory
        from flytekit.types.file import FlyteFile

        ns.update(FlyteFile=FlyteFile, FlyteDirectory=FlyteDirectory)
    else:
        ns.update(FlyteFile=flyweight.FlyteFile, FlyteDirectory=flyweight.FlyteDirectory)
    return ns


def function_task(side: str, shape: str, fk: ModuleType | None = None) -> Any:
    ns = _namespace(side)
    source = SHAPES[shape]
    filename = f"<interface-views {side} {shape}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)  # for getsource
    exec(compile(source, filename, "exec"), ns)
    fn = ns[shape]
    return fk.task(fn) if fk is not None else flyweight.task(fn)


@pytest.mark.oracle
@pytest.mark.parametrize("shape", list(SHAPES))
def test_a_function_tasks_interface_reads_as_flytekits(flytekit: ModuleType, shape: str) -> None:
    theirs = function_task("flytekit", shape, flytekit).interface
    ours = function_task("flyweight", shape).interface
    assert read_interface(ours) == read_interface(theirs)
    # equal to flytekit's model, and each mapping to flytekit's dict
    assert ours == theirs
    assert ours.inputs == theirs.inputs
    assert ours.outputs == dict(theirs.outputs)
    assert theirs.inputs == ours.inputs  # reflected: flytekit's dict defers to the view
    assert ours.to_flyte_idl() == theirs.to_flyte_idl()


# -- templates, as an executor reads them ----------------------------------------------------------------

TEMPLATE_CASES: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    # id: (inputs, outputs, input values)
    "ints": ({"n": int}, {"o": int}, {"n": 2}),
    "strs": ({"name": str, "greeting": str}, {"text": str}, {"name": "a", "greeting": "b"}),
    "containers": (
        {"xs": list[int], "weights": dict[str, float]},
        {"total": int, "mean": float},  # flytekit's shim cannot return a list: it converts by type(value)
        {"xs": [1, 2], "weights": {"a": 0.5}},
    ),
    "dataclass-optional": (
        {"zeta": Optional[int], "point": Point, "limit": int},
        {"count": int, "label": str, "ratio": float},
        {"zeta": None, "point": Point(1, 2.0), "limit": 3},
    ),
    "many-inputs": (
        {"zeta": int, "b": str, "a": float, "c": bool, "x10": int, "x2": int, "my_input": str},
        {"y3": int, "y1": int, "y2": str},
        {"zeta": 1, "b": "b", "a": 1.0, "c": True, "x10": 10, "x2": 2, "my_input": "m"},
    ),
    "nothing": ({}, {}, {}),
}


@pytest.mark.oracle
@pytest.mark.parametrize("case", list(TEMPLATE_CASES))
def test_an_executors_template_interface_reads_as_flytekits(flytekit: ModuleType, case: str) -> None:
    from flytekit.core.interface import Interface as FlytekitInterface

    inputs, outputs, values = TEMPLATE_CASES[case]
    fk_task = flytekit_plugin_task_class()(
        f"views.{case}",
        {"k": 1},
        RecordingExecutor,
        interface=FlytekitInterface(inputs=inputs, outputs=outputs),
    )
    our_task = FlyweightPluginTask(
        f"views.{case}", {"k": 1}, RecordingExecutor, interface=Interface(inputs=inputs, outputs=outputs)
    )
    plugins.READS.clear()
    want = fk_task(**values)
    got = our_task(**values)
    assert got == want
    theirs, ours = plugins.READS
    assert ours == theirs
    # the task's own interface reads the same as the template's, in both SDKs
    assert read_interface(our_task.interface) == ours
    assert read_interface(fk_task.interface) == theirs


def test_a_counting_executor_runs_locally_and_through_flyweight_execute(tmp_path: Path) -> None:
    from tests.entrypoint.test_execute import prepare

    task = sample_plugin.SamplePluginTask(
        "views.counting",
        CountingExecutor,  # type: ignore[arg-type]
        outputs=kwtypes(n=int, names=str, x_simple=int, strings=str, found=bool),
    )
    local = task(x=5, label="a")
    assert tuple(local) == (5, "label,x", types_pb2.INTEGER, "label", True)
    result = prepare(tmp_path, task).run()
    outputs = result.outputs().literals
    got = {
        k: flyweight.TypeEngine.to_python_value(None, v, task.python_interface.outputs[k])
        for k, v in outputs.items()
    }
    assert got == local._asdict()


# -- what the views promise ------------------------------------------------------------------------------


def _task() -> Any:
    return function_task("flyweight", "dataclasses")


def test_the_views_are_read_only() -> None:
    iface = _task().interface
    with pytest.raises(TypeError):
        iface.inputs["p"] = iface.inputs["p"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        iface.inputs["p"].description = "changed"  # type: ignore[misc]
    lt = iface.inputs["p"].type
    with pytest.raises(AttributeError):
        lt.simple = types_pb2.INTEGER  # type: ignore[misc]
    with pytest.raises(AttributeError):
        lt.CopyFrom(types_pb2.LiteralType())
    with pytest.raises(AttributeError):
        lt.ClearField("structure")
    structure = lt.structure
    assert structure is not None
    with pytest.raises(AttributeError):
        structure.tag = "x"  # type: ignore[misc]


def test_reading_a_missing_name_adds_nothing_to_the_message() -> None:
    task = _task()
    before = task._interface_idl.SerializeToString(deterministic=True)
    with pytest.raises(KeyError):
        task.interface.inputs["missing"]
    assert task.interface.outputs.get("missing") is None
    assert "missing" not in task.interface.inputs
    assert 3 not in task.interface.inputs
    assert task._interface_idl.SerializeToString(deterministic=True) == before


def test_to_flyte_idl_is_a_copy_and_changing_it_changes_nothing() -> None:
    task = _task()
    pb = task.interface.to_flyte_idl()
    assert isinstance(pb, interface_pb2.TypedInterface)
    assert pb == task._interface_idl
    pb.inputs.variables["p"].description = "changed"
    del pb.outputs.variables["o0"]
    assert task.interface.inputs["p"].description == "p"
    assert list(task.interface.outputs) == ["o0"]
    metadata = task.interface.inputs["p"].type.metadata
    assert metadata is not None
    metadata["title"] = "changed"
    assert task.interface.inputs["p"].type.metadata["title"] == "Point"  # type: ignore[index]


def test_the_views_hold_the_message_without_copying_it() -> None:
    task = _task()
    iface = task.interface
    assert iface._pb is task._interface_idl
    assert iface.inputs["p"]._pb is task._interface_idl.inputs.variables["p"]
    assert iface.inputs["p"] is iface.inputs["p"]  # made once per mapping view


def test_a_template_views_interface_is_made_once_and_reads_the_template() -> None:
    task = FlyweightPluginTask(
        "views.once", {}, RecordingExecutor, interface=Interface(inputs={"b": int, "a": str})
    )
    tt = task.task_template
    assert tt.interface is tt.interface
    assert tt.interface._pb is tt.to_flyte_idl().interface
    assert list(tt.interface.inputs) == ["b", "a"]  # the declaration order, not the map's


def test_protobuf_reads_still_work_through_the_views() -> None:
    lt = _task().interface.outputs["o0"].type
    assert lt.HasField("structure")
    assert lt.WhichOneof("type") == "simple"
    assert lt.to_flyte_idl().simple == types_pb2.STRUCT
    assert lt == lt.to_flyte_idl()
    assert hash(lt) == hash(LiteralTypeView(lt.to_flyte_idl()))
    assert isinstance(lt.SerializeToString(), bytes)


def test_a_template_without_a_recorded_order_lists_the_maps_own() -> None:
    pb = tasks_pb2.TaskTemplate()
    for name in ("b", "a"):
        pb.interface.outputs.variables[name].type.simple = types_pb2.INTEGER
    tt = TaskTemplate(pb)
    assert list(tt.interface.outputs) == list(pb.interface.outputs.variables)
    assert len(tt.interface.outputs) == 2


def test_an_order_that_does_not_name_the_keys_is_not_used() -> None:
    pb = interface_pb2.VariableMap()
    pb.variables["a"].description = "a"
    assert list(VariableMapView(pb.variables, ["a", "b"])) == ["a"]
    assert list(VariableMapView(pb.variables, ["z"])) == ["a"]
    view = VariableMapView(pb.variables)
    assert repr(view).startswith("{'a': VariableView(")
    assert isinstance(view["a"], VariableView)


def test_no_local_call_builds_a_view(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hot path reads the messages: a function task, a plugin task and a workflow run without one."""

    def refuse(self: object, *args: object) -> None:
        raise AssertionError("a view was built on the local-call path")

    task = function_task("flyweight", "ints")
    plugin = FlyweightPluginTask(
        "views.hot",
        {"factor": 2},
        sample_plugin.ScaleExecutor,
        interface=Interface(inputs={"x": int, "label": str}, outputs={"y": int}),
    )

    @flyweight.workflow
    def wf(a: int) -> int:
        return task(a=a)  # type: ignore[no-any-return]

    monkeypatch.setattr(_model_views.MessageView, "__init__", refuse)
    monkeypatch.setattr(_model_views.VariableMapView, "__init__", refuse)
    assert task(a=1) == 4
    assert plugin(x=2, label="a") == 4
    assert wf(a=2) == 5
