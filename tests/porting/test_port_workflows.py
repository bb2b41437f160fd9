"""Porting sweep: flytekit workflows from Flyte's user guide run under flyweight after changing only imports.

Each module of ``workflows_flytekit/`` is flytekit code modelled on a flytesnacks example (conditionals,
map tasks, dynamic workflows, sub-workflows, launch plans, failure nodes, ``create_node`` and ``>>``,
the imperative ``Workflow``, ``with_overrides``, gates, references, attribute access on promises). Its
flyweight version is made by rewriting only its import lines (checked), and both are loaded under the
same module name. For each workflow the test checks:

1. a local call gives flyweight the result flytekit gives (gates: flyweight's run with ``gate_inputs``);
2. everything ``get_serializable`` registers for the workflow, its default launch plan and each named
   launch plan is flytekit's, byte for byte, after the registration identity map (C14 / F1).

Where flyweight differs on purpose the test asserts flyweight's documented behaviour, citing the row
of ``docs/compatibility.md``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flyteidl.core import workflow_pb2 as core_workflow_pb2
from tests.serialize.test_workflow_oracle import (
    diff,
    get_fk_serializable,
    registration_identity_map,
    settings_pair,
)
from tests.workflows.sdk_switch import load_source

import flyweight
from flyweight.errors import WorkflowExecutionError
from flyweight.extend import get_serializable

pytestmark = pytest.mark.oracle

HERE = Path(__file__).parent / "workflows_flytekit"
PACKAGE = "tests.porting.workflows_flytekit"
MODULES = sorted(p.stem for p in HERE.glob("*.py") if p.stem != "__init__")

# Whole import lines of flytekit → flyweight (README: "Imports"; W30 for ``create_node``).
IMPORT_LINES = {
    "from flytekit.core.task import Echo": "from flyweight import Echo",
    "from flytekit.core.node_creation import create_node": "from flyweight import create_node",
    "from flytekit.types.error import FlyteError": "from flyweight.types import FlyteError",
    "from flytekit.types.error.error import FlyteError": "from flyweight.types import FlyteError",
    "from flytekit.types.file import FlyteFile": "from flyweight.types import FlyteFile",
    "from flytekit.core.utils import timeit": "from flyweight.deck import timeit",
    "from flytekit.deck import MarkdownRenderer, TopFrameRenderer": (
        "from flyweight.deck import MarkdownRenderer, TopFrameRenderer"
    ),
}
IMPORT_PREFIXES = {"from flytekit import ": "from flyweight import "}


def source(name: str) -> str:
    return (HERE / f"{name}.py").read_text()


def ported_source(name: str) -> str:
    out = []
    for line in source(name).splitlines(keepends=True):
        bare = line.rstrip("\n")
        new_line = IMPORT_LINES[bare] + "\n" if bare in IMPORT_LINES else line
        for old, new in IMPORT_PREFIXES.items():
            if new_line.startswith(old):
                new_line = new + new_line[len(old) :]
        out.append(new_line)
    return "".join(out)


@pytest.mark.parametrize("name", MODULES)
def test_only_import_lines_change(name: str) -> None:
    before, after = source(name).splitlines(), ported_source(name).splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed
    assert all(a.startswith(("from ", "import ")) for a, _ in changed)
    assert not [line for line in after if "flytekit" in line and line.startswith(("from ", "import "))]


# -- loading both versions --------------------------------------------------------------------------


@dataclasses.dataclass
class Pair:
    theirs: ModuleType
    ours: ModuleType
    module: str


def _clear_launch_plan_caches() -> None:
    from flytekit import LaunchPlan as FkLaunchPlan

    FkLaunchPlan.CACHE.clear()  # both SDKs cache launch plans by name across modules
    flyweight.LaunchPlan.CACHE.clear()


@pytest.fixture(scope="module")
def pairs(flytekit: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Pair]:
    out_dir = tmp_path_factory.mktemp("ported_workflows")
    loaded: dict[str, Pair] = {}
    for name in MODULES:
        module = f"{PACKAGE}.{name}"
        _clear_launch_plan_caches()
        theirs = load_source(HERE / f"{name}.py", module)
        (out_dir / f"{name}.py").write_text(ported_source(name))
        _clear_launch_plan_caches()
        ours = load_source(out_dir / f"{name}.py", module)
        loaded[name] = Pair(theirs, ours, module)
    return loaded


@contextlib.contextmanager
def current(pair: Pair, module: ModuleType) -> Iterator[ModuleType]:
    """Make ``module`` the one ``sys.modules`` holds under the shared name while an SDK looks it up."""
    saved = sys.modules.get(pair.module)
    sys.modules[pair.module] = module
    try:
        yield module
    finally:
        if saved is not None:
            sys.modules[pair.module] = saved


@pytest.fixture(autouse=True)
def _local_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # flytekit's local cache lives in ~/.flyte: keep it off. flyweight's (L6) goes to a fresh directory,
    # and FLYWEIGHT_CACHE_MODE wins over FLYTE_LOCAL_CACHE_ENABLED there.
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "false")
    monkeypatch.setenv("FLYWEIGHT_CACHE_MODE", "use")
    monkeypatch.setenv("FLYWEIGHT_CACHE_DIR", str(tmp_path / "cache"))


# -- comparing values -------------------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A value with both SDKs' classes taken out: dataclasses by name and fields, tuples as tuples."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, plain(dataclasses.asdict(value)))
    if isinstance(value, tuple):
        return tuple(plain(v) for v in value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


# (module, entity, inputs): entities called with the same inputs under both SDKs.
RUNS: list[tuple[str, str, dict[str, Any]]] = [
    ("attrs", "advanced_workflow", {}),
    ("attrs", "dataclass_wf", {}),
    ("attrs", "dict_wf", {}),
    ("attrs", "list_wf", {}),
    ("attrs", "simple_wf_with_named_outputs", {}),
    ("attrs", "training_wf", {"name": "vit", "epochs": 7}),
    ("conditions", "boolean_input_wf", {"boolean_input": False}),
    ("conditions", "branch_to_subworkflow", {"radius": 0.5, "seed": 1}),
    ("conditions", "branch_to_subworkflow", {"radius": 0.5}),
    ("conditions", "by_kind", {"kind": "loud", "name": "ada"}),
    ("conditions", "by_kind", {"kind": "quiet", "name": "ada"}),
    ("conditions", "optional_input", {"x": 3}),
    ("conditions", "boolean_input_wf", {"boolean_input": True}),
    ("conditions", "boolean_wf", {"seed": 1}),
    ("conditions", "boolean_wf", {}),
    ("conditions", "consume_task_output", {"radius": 0.4}),
    ("conditions", "consume_task_output", {"radius": 0.4, "seed": 7}),
    ("conditions", "nested_conditions", {"radius": 0.4}),
    ("conditions", "nested_conditions", {"radius": 0.7}),
    ("conditions", "nested_conditions", {"radius": 5.0}),
    ("conditions", "noop_in_conditional", {"radius": 0.4, "seed": 7}),
    ("conditions", "noop_in_conditional", {"radius": 0.4}),
    ("conditions", "shape_properties", {"radius": 0.5}),
    ("conditions", "shape_properties", {"radius": 3.0}),
    ("conditions", "shape_properties_accept_conditional_output", {"radius": 0.5}),
    ("conditions", "shape_properties_with_multiple_branches", {"radius": 2.0}),
    ("conditions", "sort_small", {"numbers": [3, 1, 2]}),
    ("decks", "deck_wf", {}),
    ("decks", "deck_wf", {"n": 10}),
    ("dynamics", "dynamic_wf", {"s1": "Pear", "s2": "Earth"}),
    ("dynamics", "doubled_total", {"xs": [1, 2]}),
    ("dynamics", "fan_out_wf", {}),
    ("dynamics", "plan_wf", {"strategy": "loop"}),
    ("dynamics", "plan_wf", {"strategy": "subworkflow", "n": 2}),
    ("dynamics", "plan_wf", {}),
    (
        "dynamics",
        "merge_sort",
        {"numbers": [1813, 3105, 3260, 2634, 383, 7037, 3291, 2403, 315, 7164], "numbers_count": 10},
    ),
    ("imperative", "guarded_wf", {"x": 4}),
    ("imperative", "imperative_wf", {"x": [-3, 0, 3], "y": [7, 4, -2]}),
    ("launch_plans", "calls_launch_plans", {}),
    ("launch_plans", "cron_lp", {"kickoff_time": datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc)}),
    ("launch_plans", "default_lp", {"x": [-3, 0, 3], "y": [7, 4, -2]}),
    ("launch_plans", "fixed_rate_lp", {}),
    ("launch_plans", "int_doubler_wf_lp", {}),
    ("launch_plans", "simple_wf_lp", {"x": [3, 5, 3], "y": [-3, 2, -2]}),
    ("launch_plans", "simple_wf_lp", {}),
    ("launch_plans", "simple_wf_lp_fixed_inputs", {"y": [7, 4, -2]}),
    ("launch_plans", "tuned_lp", {}),
    ("launch_plans", "wacky_int_doubler_lp", {"a": 21}),
    ("maps", "map_workflow", {}),
    ("maps", "map_workflow_partial_with_task_output", {}),
    ("maps", "map_workflow_with_lists", {}),
    ("maps", "multiple_inputs_map_workflow", {"list_q": [2, 4], "p": 1.5, "s": 2.0}),
    ("maps", "overridden_map", {}),
    ("maps", "sum_of_squares", {}),
    ("nodes", "chain_launchplans_wf", {}),
    ("nodes", "chain_tasks_wf", {}),
    ("nodes", "chain_workflows_wf", {}),
    ("nodes", "decorating_task_wf", {"x": 10}),
    ("nodes", "decorating_workflow", {"x": 10.0}),
    ("nodes", "my_pipeline", {"x": [1, 1, 2, 5]}),
    ("nodes", "nested_regression_line_lp", {}),
    ("nodes", "nested_regression_line_wf", {}),
    ("nodes", "regression_line_wf", {"val": 2}),
    ("nodes", "simple_wf", {"x": [-3, 0, 3], "y": [7, 4, -2]}),
    ("failures", "healthy", {}),
]

# Side effects the tasks record, compared as lists when the graph orders them, else as sets.
RECORDS = {"attrs": "SEEN", "nodes": "CALLS", "failures": "EVENTS", "imperative": "HANDLED"}
# E1: flytekit runs a body's calls in the order they are written, ignoring ``>>``; flyweight runs the
# compiled graph, so ``>>`` orders them as on a cluster. Side effects in the graph's order:
ORDERED = {
    "chain_tasks_wf": ["t0", "t1", "t2"],
    "chain_workflows_wf": ["t0", "t1"],
    "chain_launchplans_wf": ["t0", "t1"],
    "decorating_workflow": ["setup", "teardown"],
}


def _records(module: ModuleType, name: str) -> list[str] | None:
    return getattr(module, RECORDS[name]) if name in RECORDS else None


def _call(pair: Pair, module: ModuleType, name: str, entity: str, inputs: dict[str, Any]) -> tuple[Any, Any]:
    records = _records(module, name)
    if records is not None:
        records.clear()
    with current(pair, module):
        result = getattr(module, entity)(**inputs)
    seen = None if records is None else list(records)
    return plain(result), seen


def _run_id(run: tuple[str, str, dict[str, Any]]) -> str:
    name, entity, inputs = run
    return f"{name}.{entity}({','.join(f'{k}={v}' for k, v in inputs.items())})"[:80]


XFAIL: dict[str, pytest.MarkDecorator] = {}  # undocumented differences, each with its reason


def _marked(name: str, entity: str) -> list[pytest.MarkDecorator]:
    mark = XFAIL.get(f"{name}.{entity}")
    return [mark] if mark is not None else []


@pytest.mark.parametrize("run", [pytest.param(r, id=_run_id(r), marks=_marked(r[0], r[1])) for r in RUNS])
def test_local_run_equals_flytekits(pairs: dict[str, Pair], run: tuple[str, str, dict[str, Any]]) -> None:
    name, entity, inputs = run
    pair = pairs[name]
    expected, their_records = _call(pair, pair.theirs, name, entity, inputs)
    got, our_records = _call(pair, pair.ours, name, entity, inputs)
    assert got == expected
    if their_records is not None:
        assert sorted(our_records or []) == sorted(their_records)
    if entity in ORDERED:
        assert our_records == ORDERED[entity]


# (module, entity, inputs, message): both SDKs fail the run; flyweight raises WorkflowExecutionError
# (E5, E16).
FAILING_RUNS: list[tuple[str, str, dict[str, Any], str]] = [
    ("conditions", "nested_conditions", {"radius": 0.95}, "0.9 is an outlier."),
    (
        "conditions",
        "shape_properties_with_multiple_branches",
        {"radius": 20.0},
        "within the range of 0 to 10",
    ),
    ("conditions", "sort_small", {"numbers": [5, 4, 3, 2, 1, 0]}, "too many numbers to sort here"),
    ("conditions", "by_kind", {"kind": "odd", "name": "x"}, "unknown kind"),
    ("failures", "wf2", {}, "Fail!"),
    ("failures", "subwf", {"name": "c1"}, "Fail!"),
]


@pytest.mark.parametrize("run", FAILING_RUNS, ids=[_run_id(r[:3]) for r in FAILING_RUNS])
def test_failing_local_run_fails_under_both(
    pairs: dict[str, Pair], run: tuple[str, str, dict[str, Any], str]
) -> None:
    name, entity, inputs, message = run
    pair = pairs[name]
    records = _records(pair.theirs, name)
    if records is not None:
        records.clear()
    with current(pair, pair.theirs), pytest.raises(Exception, match=message):
        getattr(pair.theirs, entity)(**inputs)
    their_records = None if records is None else list(records)
    our = _records(pair.ours, name)
    if our is not None:
        our.clear()
    # E5 / E16: a failing node is a WorkflowExecutionError naming the node, the task's error its cause.
    with current(pair, pair.ours), pytest.raises(WorkflowExecutionError, match=message):
        getattr(pair.ours, entity)(**inputs)
    if their_records is not None:
        assert sorted(our or []) == sorted(their_records)


def test_created_node_outputs_read_in_a_local_run(pairs: dict[str, Pair]) -> None:
    """W30: flytekit's local run cannot read ``n.outputs[...]`` of a created node; flyweight runs the
    compiled graph and reads it as a cluster does."""
    pair = pairs["nodes"]
    with current(pair, pair.theirs), pytest.raises(AttributeError, match="no attribute 'outputs'"):
        pair.theirs.created_nodes_wf(n=3)
    pair.ours.CALLS.clear()
    with current(pair, pair.ours):
        assert pair.ours.created_nodes_wf(n=3) == 9 + 81
    assert pair.ours.CALLS == ["t0"]


def test_fail_after_executable_nodes_complete(pairs: dict[str, Pair]) -> None:
    """E6: flytekit's local run stops at the sub-workflow's failure; flyweight honours the policy and
    runs wf1's own ``t1`` (independent of the sub-workflow) before failing, reporting both failures."""
    pair = pairs["failures"]
    pair.theirs.EVENTS.clear()
    with current(pair, pair.theirs), pytest.raises(Exception, match="Fail!"):
        pair.theirs.wf1()
    assert pair.theirs.EVENTS.count("t1 1 2") == 1
    pair.ours.EVENTS.clear()
    with current(pair, pair.ours), pytest.raises(WorkflowExecutionError, match="2 nodes failed") as e:
        pair.ours.wf1()
    assert sorted(f.node_id for f in e.value.failures) == ["n1-n1", "n2"]
    assert sorted(pair.ours.EVENTS) == sorted([*pair.theirs.EVENTS, "t1 1 2"])
    assert pair.ours.EVENTS[-1] == "clean_up my_cluster"  # the handler runs once the workflow has failed


def test_optional_input_left_out(pairs: dict[str, Pair]) -> None:
    """E1: flytekit's local call runs the body with the Python default (``None``), so ``x.is_none()``
    fails there; flyweight runs the compiled graph, where the input is a promise as on a cluster."""
    pair = pairs["conditions"]
    with current(pair, pair.theirs), pytest.raises(AttributeError, match="is_none"):
        pair.theirs.optional_input()
    with current(pair, pair.ours):
        assert pair.ours.optional_input() == 0


def test_imperative_failure_handler_runs_locally(pairs: dict[str, Pair]) -> None:
    """W31 / W35: the handler of ``add_on_failure_handler`` runs in a local run of flyweight, with the
    workflow's inputs and the error; flytekit's local run of an imperative workflow does not call it."""
    pair = pairs["imperative"]
    pair.theirs.HANDLED.clear()
    with current(pair, pair.theirs), pytest.raises(Exception, match="negative: -1"):
        pair.theirs.guarded_wf(x=-1)
    assert pair.theirs.HANDLED == []
    pair.ours.HANDLED.clear()
    with current(pair, pair.ours), pytest.raises(WorkflowExecutionError, match="negative: -1"):
        pair.ours.guarded_wf(x=-1)
    assert pair.ours.HANDLED == ["-1: ValueError: negative: -1"]


GATE_RUNS: list[tuple[str, dict[str, Any], dict[str, Any], Any]] = [
    ("sleep_wf", {"num": 4}, {}, 4),
    (
        "reporting_wf",
        {"data": [1.0, 2.0, 6.0]},
        {"title": "Q3"},
        {"title": "Q3", "mean": 3.0, "length": 3, "max": 6.0, "min": 1.0},
    ),
    (
        "reporting_with_approval_wf",
        {"data": [2.0, 4.0]},
        {"title": "ok", "approve-final-report": True},
        {"title": "ok", "mean": 3.0, "length": 2, "max": 4.0, "min": 2.0},
    ),
    (
        "approval_as_promise_wf",
        {"data": [5.0]},
        {"title": "t", "raw-report-approval": "yes"},
        {"title": "t", "mean": 5.0, "length": 1, "max": 5.0, "min": 5.0},
    ),
    (
        "conditional_wf",
        {"data": [1.0, 3.0]},
        {"title-input": "fine", "review-passes": True},
        {"title": "fine", "mean": 2.0, "length": 2, "max": 3.0, "min": 1.0},
    ),
    (
        "conditional_wf",
        {"data": [1.0]},
        {"title-input": "x", "review-passes": False},
        {"invalid_report": True},
    ),
]


@pytest.mark.parametrize(("entity", "inputs", "gates", "expected"), GATE_RUNS)
def test_gates_run_locally_with_their_values(
    pairs: dict[str, Pair], entity: str, inputs: dict[str, Any], gates: dict[str, Any], expected: Any
) -> None:
    """W37: flytekit's local run reads gate values from a terminal; flyweight takes them up front."""
    pair = pairs["gates"]
    with current(pair, pair.ours):
        got = flyweight.run_workflow(
            getattr(pair.ours, entity), inputs, in_process=True, gate_inputs=gates, skip_sleep=True
        )
    assert got == expected


def test_a_denied_approval_fails_the_run(pairs: dict[str, Pair]) -> None:
    pair = pairs["gates"]
    with current(pair, pair.ours), pytest.raises(WorkflowExecutionError, match="approve-final-report"):
        flyweight.run_workflow(
            pair.ours.reporting_with_approval_wf,
            {"data": [1.0]},
            in_process=True,
            gate_inputs={"title": "t", "approve-final-report": False},
        )


@pytest.mark.parametrize("entity", ["wf", "reference_lp_wf", "mixed_wf"])
def test_references_cannot_run_locally(pairs: dict[str, Pair], entity: str) -> None:
    """W32: both SDKs refuse to run a reference locally (flyweight: at the reference's node)."""
    pair = pairs["references"]
    with current(pair, pair.theirs), pytest.raises(Exception, match="mock"):
        getattr(pair.theirs, entity)()
    with current(pair, pair.ours), pytest.raises(WorkflowExecutionError, match="cannot run locally"):
        getattr(pair.ours, entity)()


# -- serialization ----------------------------------------------------------------------------------


def _entity_names(module: ModuleType, kind: Callable[[Any], bool]) -> list[str]:
    return sorted(k for k, v in vars(module).items() if not k.startswith("_") and kind(v))


def _message(value: Any) -> Any:
    return value.to_flyte_idl() if hasattr(value, "to_flyte_idl") else value


def _their_registration(entity: Any) -> list[tuple[str, Any]]:
    from flytekit.core.condition import BranchNode as FkBranchNode
    from flytekit.core.node import Node as FkNode

    fk_settings, _ = settings_pair()
    mapping: OrderedDict[Any, Any] = OrderedDict()
    get_fk_serializable(mapping, fk_settings, entity)
    return [
        (k.name, sorted_upstream(identity_map(_message(v))))
        for k, v in mapping.items()
        if not isinstance(k, (FkNode, FkBranchNode)) and not _is_reference_spec(v)
    ]


MAP_RESOLVERS = {
    "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver": "flyweight.extend.map_task_resolver",
    "flytekit.core.python_auto_container.default_task_resolver": "flyweight.extend.default_task_resolver",
}


def identity_map(message: Any) -> Any:
    """flytekit's registration message → what flyweight writes (C14 / F1; W24 for map tasks; an echo
    task has no container to map)."""
    import flytekit
    from flyteidl.admin import task_pb2

    if isinstance(message, task_pb2.TaskSpec):
        tpl = message.template
        if not tpl.HasField("container"):
            assert tpl.metadata.runtime.version == flytekit.__version__
            tpl.metadata.runtime.version = flyweight.__version__
            return message
        args = tpl.container.args
        if args[0] == "pyflyte-map-execute":
            args[0] = "flyweight-execute"
            for i, arg in enumerate(args):
                args[i] = MAP_RESOLVERS.get(arg, arg)
            assert tpl.metadata.runtime.version == flytekit.__version__
            tpl.metadata.runtime.version = flyweight.__version__
            return message
    return registration_identity_map(message)


def _is_reference_spec(v: Any) -> bool:
    return type(v).__name__ == "ReferenceSpec"


def sorted_upstream(message: Any) -> Any:
    """W1: flytekit lists ``upstream_node_ids`` in set order, flyweight in first-use order; sort them in
    every node, branch nodes' inner nodes included."""
    from google.protobuf.message import Message

    if isinstance(message, core_workflow_pb2.Node):
        ids = sorted(message.upstream_node_ids)
        del message.upstream_node_ids[:]
        message.upstream_node_ids.extend(ids)
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if isinstance(value, Message):
            sorted_upstream(value)
            continue
        items = value.values() if hasattr(value, "values") else value  # a map or a repeated field
        for item in items:
            if isinstance(item, Message):
                sorted_upstream(item)
    return message


def _our_registration(entity: Any) -> list[tuple[str, Any]]:
    _, settings = settings_pair()
    mapping: OrderedDict[Any, Any] = OrderedDict()
    get_serializable(mapping, settings, entity)
    return [(k.name, sorted_upstream(v)) for k, v in mapping.items()]


def _output_order_mapped(theirs: Any, ours: Any) -> Any:
    """C10: flyweight records a multi-output task's declaration order in the template's config."""
    from flyteidl.admin import task_pb2

    from flyweight._serialize import OUTPUT_ORDER_KEY

    if isinstance(ours, task_pb2.TaskSpec) and OUTPUT_ORDER_KEY in ours.template.config:
        assert len(theirs.template.interface.outputs.variables) > 1
        theirs.template.config[OUTPUT_ORDER_KEY] = ours.template.config[OUTPUT_ORDER_KEY]
    return theirs


def assert_same_registration(theirs: Any, ours: Any, pair: Pair) -> None:
    with current(pair, pair.theirs):
        expected = _their_registration(theirs)
    with current(pair, pair.ours):
        got = _our_registration(ours)

    def key(name: str, message: Any) -> tuple[str, str]:
        return type(message).__name__, name  # a default launch plan has its workflow's name

    assert sorted(key(*e) for e in got) == sorted(key(*e) for e in expected)
    wanted_by_key = {key(*e): e[1] for e in expected}
    for name, message in got:
        wanted = _output_order_mapped(wanted_by_key[key(name, message)], message)
        assert message.SerializeToString(deterministic=True) == wanted.SerializeToString(
            deterministic=True
        ), f"{name}:\n{diff(wanted, message)}"


def _workflows(pair: Pair) -> list[str]:
    from flytekit.core.workflow import WorkflowBase

    return _entity_names(pair.theirs, lambda v: isinstance(v, WorkflowBase))


def _launch_plans(pair: Pair) -> list[str]:
    from flytekit import LaunchPlan as FkLaunchPlan

    return _entity_names(
        pair.theirs, lambda v: isinstance(v, FkLaunchPlan) and type(v).__name__ != "ReferenceLaunchPlan"
    )


SERIALIZED: list[tuple[str, str]] = [
    ("decks", "deck_wf"),
    ("attrs", "advanced_workflow"),
    ("attrs", "dataclass_wf"),
    ("attrs", "dict_wf"),
    ("attrs", "list_wf"),
    ("attrs", "simple_wf_with_named_outputs"),
    ("attrs", "training_wf"),
    ("conditions", "boolean_input_wf"),
    ("conditions", "boolean_wf"),
    ("conditions", "branch_to_subworkflow"),
    ("conditions", "by_kind"),
    ("conditions", "optional_input"),
    ("conditions", "consume_task_output"),
    ("conditions", "nested_conditions"),
    ("conditions", "noop_in_conditional"),
    ("conditions", "shape_properties"),
    ("conditions", "shape_properties_accept_conditional_output"),
    ("conditions", "shape_properties_with_multiple_branches"),
    ("conditions", "sort_small"),
    ("dynamics", "dynamic_wf"),
    ("dynamics", "doubled_total"),
    ("dynamics", "fan_out_wf"),
    ("dynamics", "plan_wf"),
    ("dynamics", "merge_sort"),
    ("failures", "clean_up_wf"),
    ("failures", "healthy"),
    ("failures", "subwf"),
    ("failures", "wf1"),
    ("failures", "wf2"),
    ("gates", "approval_as_promise_wf"),
    ("gates", "conditional_wf"),
    ("gates", "reporting_wf"),
    ("gates", "reporting_with_approval_wf"),
    ("gates", "sleep_wf"),
    ("imperative", "guarded_wf"),
    ("imperative", "imperative_wf"),
    ("launch_plans", "calls_launch_plans"),
    ("launch_plans", "date_formatter_wf"),
    ("launch_plans", "int_doubler_wf"),
    ("launch_plans", "positive_wf"),
    ("launch_plans", "simple_wf"),
    ("maps", "map_workflow"),
    ("maps", "map_workflow_partial_with_task_output"),
    ("maps", "map_workflow_with_lists"),
    ("maps", "multiple_inputs_map_workflow"),
    ("maps", "overridden_map"),
    ("maps", "sum_of_squares"),
    ("nodes", "chain_launchplans_wf"),
    ("nodes", "chain_tasks_wf"),
    ("nodes", "chain_workflows_wf"),
    ("nodes", "created_nodes_wf"),
    ("nodes", "decorating_task_wf"),
    ("nodes", "decorating_workflow"),
    ("nodes", "my_pipeline"),
    ("nodes", "nested_regression_line_lp"),
    ("nodes", "nested_regression_line_wf"),
    ("nodes", "regression_line_wf"),
    ("nodes", "simple_wf"),
    ("nodes", "slope_intercept_wf"),
    ("nodes", "sub_workflow_0"),
    ("nodes", "sub_workflow_1"),
    ("references", "mixed_wf"),
    ("references", "reference_lp_wf"),
    ("references", "wf"),
]


def _serialized() -> list[Any]:
    out = []
    for name, entity in SERIALIZED:
        marks = _marked(name, entity)
        out.append(pytest.param(name, entity, id=f"{name}.{entity}", marks=marks))
    return out


@pytest.mark.parametrize(("name", "entity"), _serialized())
def test_registration_equals_flytekits(pairs: dict[str, Pair], name: str, entity: str) -> None:
    pair = pairs[name]
    assert_same_registration(getattr(pair.theirs, entity), getattr(pair.ours, entity), pair)


@pytest.mark.parametrize(("name", "entity"), _serialized())
def test_default_launch_plan_equals_flytekits(pairs: dict[str, Pair], name: str, entity: str) -> None:
    from flytekit import LaunchPlan as FkLaunchPlan

    pair = pairs[name]
    theirs = FkLaunchPlan.get_default_launch_plan(None, getattr(pair.theirs, entity))
    ours = flyweight.LaunchPlan.get_default_launch_plan(None, getattr(pair.ours, entity))
    assert_same_registration(theirs, ours, pair)


LAUNCH_PLANS: list[tuple[str, str]] = [
    ("launch_plans", "cron_lp"),
    ("launch_plans", "default_lp"),
    ("launch_plans", "fixed_rate_lp"),
    ("launch_plans", "int_doubler_wf_lp"),
    ("launch_plans", "int_doubler_wf_scheduled_lp"),
    ("launch_plans", "simple_wf_lp"),
    ("launch_plans", "simple_wf_lp_fixed_inputs"),
    ("launch_plans", "tuned_lp"),
    ("launch_plans", "wacky_int_doubler_lp"),
    ("nodes", "launch_plan"),
]


@pytest.mark.parametrize(("name", "entity"), LAUNCH_PLANS, ids=[f"{n}.{e}" for n, e in LAUNCH_PLANS])
def test_launch_plan_registration_equals_flytekits(pairs: dict[str, Pair], name: str, entity: str) -> None:
    pair = pairs[name]
    assert_same_registration(getattr(pair.theirs, entity), getattr(pair.ours, entity), pair)


def test_every_workflow_and_launch_plan_is_covered(pairs: dict[str, Pair]) -> None:
    for name, pair in pairs.items():
        covered = {e for n, e in SERIALIZED if n == name}
        assert set(_workflows(pair)) <= covered, name
        assert set(_launch_plans(pair)) <= {e for n, e in LAUNCH_PLANS if n == name}, name


@pytest.mark.parametrize(("name", "entity"), _serialized())
def test_registration_order_equals_flytekits(pairs: dict[str, Pair], name: str, entity: str) -> None:
    """Entities come in flytekit's order (``pyflyte package`` numbers its members by it: K1, W15)."""
    pair = pairs[name]
    with current(pair, pair.theirs):
        expected = [n for n, _ in _their_registration(getattr(pair.theirs, entity))]
    with current(pair, pair.ours):
        got = [n for n, _ in _our_registration(getattr(pair.ours, entity))]
    assert got == expected
