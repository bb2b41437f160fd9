"""Dynamic tasks: templates, parent workflows and DynamicJobSpecs byte for byte as flytekit 1.16.14 writes
them, and local runs (direct calls and the engine) giving flytekit's results.

The source (``dynamic_source.py``) is loaded afresh with each SDK for every serialization test: a
sub-workflow's node ids depend on whether it was first compiled inside a dynamic body (flytekit's ``d``
prefix), so both SDKs must start from the same state. flytekit's ``DynamicJobSpec`` comes from its
``dispatch_execute`` in a container-like context (``ExecutionState.Mode.TASK_EXECUTION`` with the
serialization settings in the context), as flytekit's own tests get it; ours from
``DynamicTask.dynamic_execute`` under a container execution state with the same settings. Task templates
inside differ only by :func:`tests.tasks.test_function_task_oracle.identity_map`.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flyteidl.core import dynamic_job_pb2
from tests.cli.cli_fixtures import invoke, project  # noqa: F401 - the project fixture
from tests.serialize.test_workflow_oracle import diff, get_fk_serializable, normalized, settings_pair
from tests.tasks.test_function_task_oracle import identity_map
from tests.workflows.sdk_switch import load_source

import flyweight
from flyweight import PythonFunctionTask, dynamic, task, workflow
from flyweight._context import ExecutionParameters, ExecutionState, FlyteContext, LazyDirectory
from flyweight._idl import LiteralMap
from flyweight._runtime import run_workflow
from flyweight._serialize import get_serializable
from flyweight._storage import FileAccess
from flyweight._workflows import DynamicTask, GeneratedWorkflow
from flyweight._workflows._dynamic_spec import (
    SERIALIZED_CONTEXT_ENV_VAR,
    runtime_settings,
    serialized_context,
    settings_from_context,
)
from flyweight.errors import TaskDefinitionError, WorkflowCompileError, WorkflowExecutionError
from flyweight.types import TypeEngine

SOURCE = Path(__file__).with_name("dynamic_source.py")
MODULE = "tests.workflows.dynamic_source"


def load(sdk: Any) -> ModuleType:
    """Load ``dynamic_source.py`` afresh with this SDK's names (``flytekit`` or ``flyweight``)."""
    return load_source(
        SOURCE,
        MODULE,
        task=sdk.task,
        workflow=sdk.workflow,
        dynamic=sdk.dynamic,
        conditional=sdk.conditional,
        LaunchPlan=sdk.LaunchPlan,
    )


def load_theirs(flytekit: Any) -> ModuleType:
    flytekit.LaunchPlan.CACHE.clear()  # flytekit caches launch plans by name across loads
    return load(flytekit)


@pytest.fixture
def pair(flytekit: Any) -> Iterator[tuple[ModuleType, ModuleType]]:
    """Fresh modules: (flytekit's, flyweight's)."""
    theirs = load_theirs(flytekit)
    yield theirs, load(flyweight)


@pytest.fixture(scope="module")
def theirs_once(flytekit: Any) -> ModuleType:
    return load_theirs(flytekit)


@pytest.fixture(scope="module")
def ours() -> ModuleType:
    return load(flyweight)


@pytest.fixture
def fresh() -> ModuleType:
    """flyweight's module, loaded for this test (serialization checks the module holds its tasks)."""
    return load(flyweight)


# -- helpers: each SDK's futures ----------------------------------------------------------------------


def fk_dynamic_output(fk_task: Any, inputs: dict[str, Any], fk_settings: Any) -> Any:
    """flytekit's ``dispatch_execute`` in a container-like context: a DynamicJobSpec or a LiteralMap."""
    from flytekit.core.context_manager import ExecutionState as FkState, FlyteContextManager
    from flytekit.core.type_engine import TypeEngine as FkTypeEngine

    fk_task._wf = None  # flytekit keeps the first graph a dynamic task compiled in this process
    base = FlyteContextManager.current_context().with_serialization_settings(fk_settings)
    with FlyteContextManager.with_context(base) as outer:
        state = outer.execution_state.with_params(mode=FkState.Mode.TASK_EXECUTION)
        with FlyteContextManager.with_context(outer.with_execution_state(state)) as ctx:
            types = {k: fk_task.python_interface.inputs[k] for k in inputs}
            literals = FkTypeEngine.dict_to_literal_map(ctx, inputs, types)
            return fk_task.dispatch_execute(ctx, literals).to_flyte_idl()


def container_context() -> FlyteContext:
    files = FileAccess()
    params = ExecutionParameters(working_dir=LazyDirectory(), local=False, file_access=files)
    return FlyteContext(files, ExecutionState(ExecutionState.CONTAINER, params))


def our_dynamic_output(our_task: DynamicTask[Any], inputs: dict[str, Any], settings: Any) -> Any:
    ctx = container_context()
    plan = our_task._interface_plan()
    literals = TypeEngine.dict_to_literal_map(ctx, inputs, {k: plan.source.inputs[k] for k in inputs})
    return our_task.dynamic_execute(ctx, literals, settings)


def _sort_upstream(nodes: Any) -> None:
    for node in nodes:
        ids = sorted(node.upstream_node_ids)
        del node.upstream_node_ids[:]
        node.upstream_node_ids.extend(ids)
        if node.HasField("branch_node"):
            branch = node.branch_node.if_else
            _sort_upstream([branch.case.then_node, *(c.then_node for c in branch.other)])
            if branch.HasField("else_node"):
                _sort_upstream([branch.else_node])


def normalized_job(spec: dynamic_job_pb2.DynamicJobSpec) -> dynamic_job_pb2.DynamicJobSpec:
    """``upstream_node_ids`` sorted (flytekit writes them in set order), as the workflow tests do."""
    out = dynamic_job_pb2.DynamicJobSpec()
    out.CopyFrom(spec)
    _sort_upstream(out.nodes)
    for sub in out.subworkflows:
        _sort_upstream(sub.nodes)
    return out


def expected_job(fk_spec: dynamic_job_pb2.DynamicJobSpec, ours: ModuleType) -> dynamic_job_pb2.DynamicJobSpec:
    """flytekit's spec with its task templates mapped to what flyweight writes for the same tasks."""
    out = normalized_job(fk_spec)
    for tpl in out.tasks:
        outputs = list(getattr(ours, tpl.id.name.rsplit(".", 1)[-1]).python_interface.outputs)
        tpl.CopyFrom(identity_map(tpl, outputs))
    return out


# -- serialization, byte for byte ---------------------------------------------------------------------

JOBS: list[tuple[str, dict[str, Any]]] = [
    ("fan_out", {"n": 3}),
    ("chained", {"x": 3}),
    ("with_sub_workflow", {"x": 1}),
    ("with_launch_plan", {"x": 1}),
    ("nested", {"n": 2}),
    ("deeper", {"n": 2}),
    ("with_conditional", {"x": 1}),
    ("list_of_promises", {"n": 2}),
    ("no_outputs", {"n": 2}),
    ("branchy", {"x": 3, "names": ["a", "b"], "flag": True}),
    ("with_options", {"x": 4}),
]


@pytest.mark.oracle
@pytest.mark.parametrize(("name", "inputs"), JOBS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(JOBS)])
def test_dynamic_job_spec_bytes_equal_flytekits(
    pair: tuple[ModuleType, ModuleType], name: str, inputs: dict[str, Any]
) -> None:
    theirs, ours = pair
    fk_settings, settings = settings_pair()
    fk_spec = fk_dynamic_output(getattr(theirs, name), inputs, fk_settings)
    assert isinstance(fk_spec, dynamic_job_pb2.DynamicJobSpec)
    got = our_dynamic_output(getattr(ours, name), inputs, settings)
    assert isinstance(got, dynamic_job_pb2.DynamicJobSpec)
    expected = expected_job(fk_spec, ours)
    got = normalized_job(got)
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )


def test_job_spec_shape(fresh: ModuleType) -> None:
    _, settings = settings_pair()
    spec = our_dynamic_output(fresh.fan_out, {"n": 4}, settings)
    assert [n.id for n in spec.nodes] == ["dn0", "dn1", "dn2", "dn3"]
    assert spec.min_successes == 4
    assert [t.id.name for t in spec.tasks] == [f"{MODULE}.add_one"]
    assert [b.promise.node_id for b in spec.outputs[0].binding.collection.bindings] == [
        "dn0",
        "dn1",
        "dn2",
        "dn3",
    ]
    nested = our_dynamic_output(fresh.nested, {"n": 2}, settings)
    inner = next(t for t in nested.tasks if t.id.name.endswith(".fan_out"))
    assert SERIALIZED_CONTEXT_ENV_VAR in {e.key for e in inner.container.env}  # it can build its own graph


NO_NODES: list[tuple[str, dict[str, Any]]] = [
    ("constants", {"n": 2}),
    ("fan_out", {"n": 0}),
    # flytekit leaves an input missing from inputs.pb a promise (its default is not applied): give it
    ("branchy", {"x": 1, "names": ["a", "b"], "flag": True, "label": None}),
    ("branchy", {"x": 1, "names": ["a"], "flag": False, "label": "given"}),
]


@pytest.mark.oracle
@pytest.mark.parametrize(("name", "inputs"), NO_NODES)
def test_a_body_without_nodes_gives_flytekits_outputs(
    pair: tuple[ModuleType, ModuleType], name: str, inputs: dict[str, Any]
) -> None:
    theirs, ours = pair
    fk_settings, settings = settings_pair()
    expected = fk_dynamic_output(getattr(theirs, name), inputs, fk_settings)
    got = our_dynamic_output(getattr(ours, name), inputs, settings)
    assert isinstance(got, LiteralMap)
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )


TEMPLATES = ["fan_out", "constants", "with_options", "list_of_promises", "no_outputs", "branchy"]


@pytest.mark.oracle
@pytest.mark.parametrize("name", TEMPLATES)
def test_task_template_equals_flytekits(pair: tuple[ModuleType, ModuleType], name: str) -> None:
    theirs, ours = pair
    fk_settings, settings = settings_pair()
    fk_spec = get_fk_serializable(OrderedDict(), fk_settings, getattr(theirs, name)).to_flyte_idl()
    our_task = getattr(ours, name)
    expected = identity_map(fk_spec.template, list(our_task.python_interface.outputs))
    got = get_serializable(OrderedDict(), settings, our_task)
    assert got.template.SerializeToString(deterministic=True) == expected.SerializeToString(
        deterministic=True
    ), diff(expected, got.template)
    assert got.description == fk_spec.description


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["uses_dynamic", "uses_two", "uses_deeper"])
def test_parent_workflow_spec_equals_flytekits(pair: tuple[ModuleType, ModuleType], name: str) -> None:
    theirs, ours = pair
    fk_settings, settings = settings_pair()
    expected = normalized(
        get_fk_serializable(OrderedDict(), fk_settings, getattr(theirs, name)).to_flyte_idl()
    )
    got = normalized(get_serializable(OrderedDict(), settings, getattr(ours, name)))
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )


@pytest.mark.oracle
def test_node_dependency_hints_are_registered_first(pair: tuple[ModuleType, ModuleType]) -> None:
    theirs, ours = pair
    fk_settings, settings = settings_pair()
    fk_mapping: OrderedDict[Any, Any] = OrderedDict()
    get_fk_serializable(fk_mapping, fk_settings, theirs.with_options)
    mapping: dict[Any, Any] = {}
    get_serializable(mapping, settings, ours.with_options)
    from flytekit.core.node import Node as FkNode

    expected_order = [getattr(k, "name", None) for k in fk_mapping if not isinstance(k, FkNode)]
    assert [getattr(k, "name", None) for k in mapping] == expected_order
    add_one = next(v for k, v in fk_mapping.items() if getattr(k, "name", "").endswith(".add_one"))
    ours_add_one = mapping[ours.add_one]
    expected = identity_map(add_one.to_flyte_idl().template, ["o0"])
    assert ours_add_one.template == expected  # with _F_SS_C too, as flytekit registers hints


@pytest.mark.oracle
def test_serialized_context_equals_flytekits(flytekit: Any) -> None:
    from flytekit.configuration import SerializationSettings as FkSettings

    fk_settings, settings = settings_pair()
    assert serialized_context(settings) == fk_settings.serialized_context
    env = {"A": "1", "B": "ü"}
    with_env = dataclasses.replace(fk_settings, env=env, git_repo="g")
    assert serialized_context(settings.with_overrides(env=env, git_repo="g")) == with_env.serialized_context
    back = FkSettings.from_transport(serialized_context(settings.with_overrides(env=env, git_repo="g")))
    assert (back.project, back.domain, back.version, back.env, back.git_repo) == (
        "proj",
        "dev",
        "v1",
        env,
        "g",
    )
    ours = settings_from_context(fk_settings.serialized_context)
    assert ours.image_config == settings.image_config
    assert (ours.project, ours.domain, ours.version, ours.python_interpreter) == (
        "proj",
        "dev",
        "v1",
        "/opt/venv/bin/python3",
    )


def test_runtime_settings_take_the_task_version() -> None:
    _, settings = settings_pair()
    value = serialized_context(settings.with_overrides(project=None, domain=None))
    environ = {
        SERIALIZED_CONTEXT_ENV_VAR: value,
        "_F_PRJ": "p2",
        "_F_DM": "d2",
        "FLYTE_INTERNAL_TASK_VERSION": "v9",
    }
    got = runtime_settings(environ)
    assert (got.project, got.domain, got.version) == ("p2", "d2", "v9")
    assert got.image_config == settings.image_config
    assert runtime_settings({}).version == ""
    with pytest.raises(TaskDefinitionError, match=r"_F_SS_C.*base64"):
        runtime_settings({SERIALIZED_CONTEXT_ENV_VAR: "not settings"})


# -- what the decorator makes ---------------------------------------------------------------------------


def test_dynamic_makes_a_dynamic_task(ours: ModuleType) -> None:
    assert isinstance(ours.fan_out, DynamicTask)
    assert ours.fan_out.execution_mode is PythonFunctionTask.ExecutionBehavior.DYNAMIC
    assert ours.fan_out.task_type == "python-task"
    assert ours.with_options.metadata.retries == 3
    assert [h.name for h in ours.with_options.node_dependency_hints] == [
        f"{MODULE}.add_one",
        f"{MODULE}.inner_wf",
    ]
    assert not isinstance(ours.add_one, DynamicTask)


def test_python_function_task_with_dynamic_mode_is_a_dynamic_task(ours: ModuleType) -> None:
    made = PythonFunctionTask(
        None, ours.fan_out.task_function, execution_mode=PythonFunctionTask.ExecutionBehavior.DYNAMIC
    )
    assert isinstance(made, DynamicTask)
    assert made(n=2) == [1, 2]
    positional = PythonFunctionTask(
        None, ours.chained.task_function, "python-task", None, PythonFunctionTask.ExecutionBehavior.DYNAMIC
    )
    assert isinstance(positional, DynamicTask)
    assert positional(x=1) == 16


def test_hints_and_eager_mode_are_refused_where_flytekit_refuses(ours: ModuleType) -> None:
    with pytest.raises(
        TaskDefinitionError, match="node_dependency_hints should only be used on dynamic tasks"
    ):
        task(node_dependency_hints=[ours.add_one])(ours.add_one.task_function)
    with pytest.raises(TaskDefinitionError, match="eager"):
        PythonFunctionTask(
            None, ours.add_one.task_function, execution_mode=PythonFunctionTask.ExecutionBehavior.EAGER
        )
    with pytest.raises(TaskDefinitionError, match="mode is DYNAMIC"):
        dynamic(execution_mode=PythonFunctionTask.ExecutionBehavior.DEFAULT)


# -- local runs, compared with flytekit's ---------------------------------------------------------------

RUNS: list[tuple[str, dict[str, Any]]] = [
    ("fan_out", {"n": 5}),
    ("fan_out", {"n": 0}),
    ("chained", {"x": 3}),
    ("with_sub_workflow", {"x": 1}),
    ("with_launch_plan", {"x": 2}),
    ("nested", {"n": 4}),
    ("deeper", {"n": 3}),
    ("with_conditional", {"x": 1}),
    ("with_conditional", {"x": -5}),
    ("constants", {"n": 2}),
    ("list_of_promises", {"n": 3}),
    ("no_outputs", {"n": 2}),
    ("branchy", {"x": 3, "names": ["a", "b"], "flag": True}),
    ("branchy", {"x": 3, "names": ["a", "b"], "flag": False}),
    ("branchy", {"x": 3, "names": ["a"], "flag": False, "label": "given"}),
    ("with_options", {"x": 4}),
]


def _plain(value: Any) -> Any:
    return tuple(value) if isinstance(value, tuple) else value


@pytest.mark.oracle
@pytest.mark.parametrize(("name", "inputs"), RUNS)
def test_direct_call_equals_flytekits(
    theirs_once: ModuleType, ours: ModuleType, name: str, inputs: dict[str, Any]
) -> None:
    getattr(theirs_once, name)._wf = None
    expected = _plain(getattr(theirs_once, name)(**inputs))
    assert _plain(getattr(ours, name)(**inputs)) == expected


WORKFLOW_RUNS: list[tuple[str, dict[str, Any]]] = [
    ("in_branch", {"x": 4}),
    ("in_branch", {"x": 0}),
    ("uses_dynamic", {"n": 6}),
    ("uses_two", {"n": 3, "x": 2}),
    ("uses_deeper", {"n": 3}),
]


@pytest.mark.oracle
@pytest.mark.parametrize(("name", "inputs"), WORKFLOW_RUNS)
def test_workflow_run_equals_flytekits(
    theirs_once: ModuleType, ours: ModuleType, name: str, inputs: dict[str, Any]
) -> None:
    for t in (
        theirs_once.fan_out,
        theirs_once.nested,
        theirs_once.deeper,
        theirs_once.with_options,
        theirs_once.constants,
    ):
        t._wf = None
    expected = _plain(getattr(theirs_once, name)(**inputs))
    assert _plain(run_workflow(getattr(ours, name), inputs)) == expected
    assert _plain(getattr(ours, name)(**inputs)) == expected


def _events(
    workflow: Any, inputs: dict[str, Any], **options: Any
) -> tuple[Any, list[tuple[str, str, dict[str, Any]]]]:
    events: list[tuple[str, str, dict[str, Any]]] = []
    out = run_workflow(
        workflow,
        inputs,
        on_event=lambda node, state, info: events.append((node, state, dict(info))),
        **options,
    )
    return out, events


def test_the_generated_graph_runs_as_a_sub_graph_of_the_node(ours: ModuleType) -> None:
    out, events = _events(ours.uses_dynamic, {"n": 3})
    assert out == 6
    done = [node for node, state, _ in events if state == "succeeded"]
    assert set(done) == {"n0", "n0-dn0", "n0-dn1", "n0-dn2", "n1"}
    assert done.index("n0") > max(done.index(f"n0-dn{i}") for i in range(3))  # the node ends with its graph
    assert done.index("n1") > done.index("n0")


def test_a_fan_out_of_200_runs_in_parallel(ours: ModuleType) -> None:
    # each `meet` task waits at a two-party barrier: a run that ran them one at a time would break it
    out, events = _events(ours.uses_meet_all, {"n": 200}, workers=4)
    assert out == sum(range(200))
    inner = {node for node, state, _ in events if state == "succeeded" and node.startswith("n0-dn")}
    assert len(inner) == 200


def test_a_dynamic_inside_a_dynamic_runs_its_own_graph(ours: ModuleType) -> None:
    out, events = _events(ours.uses_deeper, {"n": 2})
    assert out == [1, 3]
    done = {node for node, state, _ in events if state == "succeeded"}
    # deeper → nested(n=2) → fan_out(n=2) → add_one twice, each graph under its node
    assert {"n0-dn1", "n0-dn1-dn0", "n0-dn1-dn0-dn0", "n0-dn1-dn0-dn1", "n0-dn1-dn1"} <= done


def test_retries_of_inner_nodes_and_of_the_body(ours: ModuleType) -> None:
    ours.CALLS.clear()
    out, events = _events(_wrap(ours.retried_inside, "key", "inner"), {})
    assert out == 3  # flaky succeeds on its third attempt
    assert [node for node, state, _ in events if state == "retried"] == ["n0-dn0", "n0-dn0"]
    out, events = _events(_wrap(ours.flaky_body, "key", "body"), {})
    assert out == 3  # the second run of the body calls add_one(a=2)
    assert [node for node, state, _ in events if state == "retried"] == ["n0"]


def _wrap(dynamic_task: Any, name: str, value: Any) -> Any:
    """A one-node workflow calling ``dynamic_task`` with one constant input."""

    def body() -> int:
        return dynamic_task(**{name: value})

    body.__module__ = MODULE
    body.__qualname__ = body.__name__ = f"wrap_{dynamic_task.name.rsplit('.', 1)[-1]}_{value}"
    return workflow(body)


def test_a_failing_inner_node_is_named(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError) as info:
        run_workflow(ours.uses_failing, {"n": 5})
    message = str(info.value)
    assert "n0-dn3" in message and "boom at 3" in message and f"{MODULE}.boom" in message


def test_a_failing_body_is_the_nodes_failure(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError, match=r"the body refuses n=2") as info:
        run_workflow(_wrap(ours.failing_body, "n", 2), {})
    assert [f.node_id for f in info.value.failures] == ["n0"]
    with pytest.raises(RuntimeError, match="the body refuses n=5"):
        ours.failing_body(n=5)
    assert ours.failing_body(n=1) == 2


def test_a_wrong_input_type_names_the_input(ours: ModuleType) -> None:
    with pytest.raises(TypeError, match=r"\bn\b") as info:
        ours.fan_out(n="three")
    assert "fan_out" in str(info.value)
    with pytest.raises((TypeError, WorkflowExecutionError), match=r"\bn\b"):
        run_workflow(ours.uses_dynamic, {"n": "three"})


def test_a_wrong_call_in_the_body_names_the_task_and_the_node() -> None:
    @task
    def one(a: int) -> int:
        return a

    @dynamic
    def bad(n: int) -> int:
        return one(b=n)

    with pytest.raises(WorkflowCompileError, match=r"dynamic task .*bad.*node dn0.*unexpected input 'b'"):
        bad(n=1)


def test_generated_workflow_has_no_inputs(ours: ModuleType) -> None:
    ctx = container_context()
    generated = ours.chained.generate(ctx, ours.chained._interface_plan().write_inputs(ctx, {"x": 1}))
    assert isinstance(generated, GeneratedWorkflow)
    assert list(generated.python_interface.inputs) == []
    assert [n.id for n in generated.nodes] == ["dn0", "dn1", "dn2"]
    assert generated.name == f"{MODULE}.chained"


def test_in_a_container_dispatch_execute_refuses_a_graph(
    fresh: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SERIALIZED_CONTEXT_ENV_VAR, raising=False)
    ctx = container_context()
    inputs = TypeEngine.dict_to_literal_map(ctx, {"n": 2}, {"n": int})
    with pytest.raises(flyweight.PlatformError, match="futures.pb"):
        fresh.fan_out.dispatch_execute(ctx, inputs)
    constant = fresh.constants.dispatch_execute(ctx, inputs)
    assert set(constant.literals) == {"total", "label"}


# -- flyweight run ----------------------------------------------------------------------------------------

CLI_SOURCE = """
from flyweight import conditional, dynamic, task, workflow


@task
def add_one(a: int) -> int:
    return a + 1


@task
def total(xs: list[int]) -> int:
    return sum(xs)


@dynamic
def fan_out(n: int) -> list[int]:
    return [add_one(a=i) for i in range(n)]


@workflow
def wf(n: int) -> int:
    return total(xs=fan_out(n=n))


@dynamic
def fan_sum(n: int) -> int:
    return total(xs=[add_one(a=i) for i in range(n)])


@workflow
def branch(n: int) -> int:
    p = add_one(a=n)
    return conditional("c").if_(p > 1).then(fan_sum(n=p)).else_().then(add_one(a=p))
"""


@pytest.mark.usefixtures("project")
@pytest.mark.parametrize("engine", [[], ["--isolated"]])
def test_flyweight_run_runs_a_workflow_using_a_dynamic_task(engine: list[str]) -> None:
    Path("dyn_wf.py").write_text(CLI_SOURCE)  # in the project directory, the working directory
    result = invoke("run", "dyn_wf.py", "wf", *engine, "--n", "4")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = 10"
    assert "n0-dn3" in result.output  # the generated graph's nodes are reported under the node
    result = invoke("run", "dyn_wf.py", "fan_out", *engine, "--n", "2")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = [1, 2]"
    result = invoke("run", "dyn_wf.py", "branch", *engine, "--n", "2")  # in a conditional's branch
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "o0 = 6"
    assert "n1-n0-dn3" in result.output


def test_a_dynamic_task_in_a_branch_runs_its_graph_under_the_branch(ours: ModuleType) -> None:
    out, events = _events(ours.in_branch, {"x": 4})
    assert out == 144  # chained(5) = ((5 + 1) * 2) ** 2
    done = {node for node, state, _ in events if state == "succeeded"}
    assert {"n1-n0", "n1-n0-dn0", "n1-n0-dn1", "n1-n0-dn2"} <= done
