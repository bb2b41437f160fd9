"""Map tasks in workflows: serialized byte for byte as flytekit 1.16.14 does, run by the local engine.

The workflows of ``map_source.py`` are loaded once with each SDK under the same module name. Their
``WorkflowSpec`` (the ``ArrayNode`` and its sub-node) must have equal deterministic bytes, and each map
task's template must equal flytekit's after the identity map (program and resolvers); local runs must
give flytekit's results.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any, List, Optional  # noqa: UP035  (the types flytekit's map interface holds)

import pytest
from flyteidl.core import tasks_pb2
from tests.serialize.test_workflow_oracle import (
    assert_same_workflow_spec,
    diff,
    get_fk_serializable,
    settings_pair,
)
from tests.workflows.sdk_switch import load_source

import flyweight
from flyweight import Echo, LaunchPlan, Resources, dynamic, map_task, task, workflow
from flyweight._runtime import run_workflow
from flyweight._serialize import get_serializable
from flyweight._tasks._map import ArrayNodeMapTask
from flyweight._version import __version__
from flyweight.errors import TaskDefinitionError, WorkflowExecutionError

SOURCE = Path(__file__).with_name("map_source.py")
MODULE = "tests.workflows.map_source"
SHAPES = [
    "chained",
    "constant_list",
    "from_task",
    "no_outputs",
    "optional_inputs",
    "partial_bound",
    "plain",
    "ratio",
    "strings",
    "two_lists",
    "with_concurrency",
    "zero_concurrency",
]
PROGRAM_AT, RESOLVER_AT, INNER_RESOLVER_AT = 0, 12, 17


def load(task_decorator: Any, workflow_decorator: Any, map_function: Any, resources: Any) -> ModuleType:
    """Load ``map_source.py`` afresh with these SDK names."""
    return load_source(
        SOURCE,
        MODULE,
        task=task_decorator,
        workflow=workflow_decorator,
        map_task=map_function,
        Resources=resources,
    )


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    return load(flytekit.task, flytekit.workflow, flytekit.map_task, flytekit.Resources)


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:
    return load(task, workflow, map_task, Resources)


def identity_map(tpl: tasks_pb2.TaskTemplate) -> tasks_pb2.TaskTemplate:
    """flytekit's map template → what flyweight writes: program, map resolver, inner resolver, version."""
    import flytekit

    out = tasks_pb2.TaskTemplate()
    out.CopyFrom(tpl)
    args = out.container.args
    assert args[PROGRAM_AT] == "pyflyte-map-execute"
    args[PROGRAM_AT] = "flyweight-execute"
    assert args[RESOLVER_AT] == "flytekit.core.array_node_map_task.ArrayNodeMapTaskResolver"
    args[RESOLVER_AT] = "flyweight.extend.map_task_resolver"
    assert args[INNER_RESOLVER_AT] == "flytekit.core.python_auto_container.default_task_resolver"
    args[INNER_RESOLVER_AT] = "flyweight.extend.default_task_resolver"
    assert out.metadata.runtime.version == flytekit.__version__
    out.metadata.runtime.version = __version__
    return out


# -- serialization, byte for byte ---------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_workflow_spec_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    assert_same_workflow_spec(getattr(theirs, shape), getattr(ours, shape))


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_map_templates_equal_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    fk_settings, settings = settings_pair()
    fk_mapping: OrderedDict[Any, Any] = OrderedDict()
    get_fk_serializable(fk_mapping, fk_settings, getattr(theirs, shape))
    mapping: OrderedDict[Any, Any] = OrderedDict()
    get_serializable(mapping, settings, getattr(ours, shape))
    expected = {
        k.name: identity_map(v.to_flyte_idl().template)
        for k, v in fk_mapping.items()
        if getattr(k, "name", "").endswith("-arraynode")
    }
    got = {k.name: v.template for k, v in mapping.items() if isinstance(k, ArrayNodeMapTask)}
    assert expected
    assert sorted(got) == sorted(expected)
    for name, tpl in got.items():
        assert tpl.SerializeToString(deterministic=True) == expected[name].SerializeToString(
            deterministic=True
        ), diff(expected[name], tpl)


def test_the_array_node(ours: ModuleType) -> None:
    spec = get_serializable(OrderedDict(), settings_pair()[1], ours.ratio)
    node = spec.template.nodes[0]
    array = node.array_node
    assert node.metadata.name == array.node.id == array.node.metadata.name
    assert array.node.id.startswith("tests.workflows.map_source.map_scaled_")
    assert array.node.id.endswith("-arraynode")
    assert array.min_success_ratio == 0.5
    assert list(array.bound_inputs) == ["factor", "label"]
    assert array.node.metadata.retries.retries == 2  # the task's, on the sub-node
    assert array.node.metadata.interruptible
    assert not node.metadata.interruptible  # the ArrayNode's own metadata has only its name
    assert [b.var for b in array.node.inputs] == [b.var for b in node.inputs]
    assert not array.node.upstream_node_ids


def test_min_successes_is_written_unlike_flytekit(ours: ModuleType) -> None:
    # flytekit passes both members of the success-criteria oneof and the ratio wins, losing the count
    mt = map_task(ours.square, min_successes=2)

    @workflow
    def wf(xs: list[int]) -> list[int | None]:
        return mt(x=xs)  # type: ignore[no-any-return]

    array = get_serializable(OrderedDict(), settings_pair()[1], wf).template.nodes[0].array_node
    assert array.WhichOneof("success_criteria") == "min_successes"
    assert array.min_successes == 2
    assert run_workflow(wf, {"xs": [1, 2, 3]}) == [1, 4, 9]


def test_the_template_names_a_plugin_task_by_type_and_name() -> None:
    from tests.runtime.map_tasks import scale

    mt = map_task(scale)
    assert mt.name.startswith("scale.map_tests.runtime.map_tasks.scale_")
    tpl = mt.serialize_to_model(settings_pair()[1])
    assert tpl.type == "scale"
    args = list(tpl.container.args)
    at = args.index("--resolver")
    assert args[at + 1 :] == [
        "flyweight.extend.map_task_resolver",
        "--",
        "vars",
        "",
        "resolver",
        "flyweight.extend.default_task_template_resolver",
        "{{.taskTemplatePath}}",
        "tests.runtime.map_tasks.ScaleExecutor",
    ]
    assert dict(tpl.custom)["factor"] == 3
    assert tpl.interface.inputs.variables["x"].type.collection_type.simple  # List[int]
    assert mt.execution_mode == 1  # FULL_STATE: not a plain function task


# -- local runs, compared with flytekit's ----------------------------------------------------------------

RUNS: list[tuple[str, dict[str, Any]]] = [
    ("plain", {"xs": [1, 2, 3]}),
    ("plain", {"xs": []}),
    ("with_concurrency", {"xs": list(range(10))}),
    ("zero_concurrency", {"xs": [5]}),
    ("two_lists", {"xs": [1, 2], "fs": [3, 4], "ls": ["a", "b"]}),
    ("partial_bound", {"xs": [1, 2, 7]}),
    ("ratio", {"xs": [1, -2, 3]}),
    ("ratio", {"xs": [1, 2, 3, 4]}),
    ("chained", {"xs": [1, 2, 3]}),
    ("strings", {"a": ["a", "b"], "b": ["c", "d"]}),
    ("no_outputs", {"xs": [1, 2]}),
    ("optional_inputs", {"xs": [1, None, 3]}),
    ("constant_list", {}),
    ("from_task", {"xs": []}),
    ("from_task", {"xs": [4, 5]}),
]


@pytest.mark.oracle
@pytest.mark.parametrize(("shape", "inputs"), RUNS)
def test_local_run_equals_flytekits(
    theirs: ModuleType, ours: ModuleType, shape: str, inputs: dict[str, Any]
) -> None:
    expected = getattr(theirs, shape)(**inputs)
    assert run_workflow(getattr(ours, shape), inputs) == expected
    assert run_workflow(getattr(ours, shape), inputs, workers=1) == expected
    assert getattr(ours, shape)(**inputs) == expected


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("square", {"x": [1, 2, 3]}),
        ("scaled", {"x": [1, 2], "factor": [2, 3], "label": ["", ""]}),
        ("concat", {"a": ["x"], "b": ["y"]}),
        ("show", {"x": [1]}),
    ],
)
def test_direct_call_equals_flytekits(theirs: ModuleType, ours: ModuleType, name: str, kwargs: Any) -> None:
    import flytekit

    assert map_task(getattr(ours, name))(**kwargs) == flytekit.map_task(getattr(theirs, name))(**kwargs)


@pytest.mark.oracle
def test_a_partial_direct_call_equals_flytekits(theirs: ModuleType, ours: ModuleType) -> None:
    import flytekit

    expected = flytekit.map_task(functools.partial(theirs.scaled, factor=5, label=""))(x=[1, 2])
    assert map_task(functools.partial(ours.scaled, factor=5, label=""))(x=[1, 2]) == expected == [5, 10]


# -- failures -------------------------------------------------------------------------------------------


def test_a_failing_element_fails_the_map_and_names_its_index(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError) as info:
        run_workflow(ours.two_lists, {"xs": [1, -2, 3, -4], "fs": [1, 1, 1, 1], "ls": ["", "", "", ""]})
    text = str(info.value)
    assert "element 1: ValueError: negative input -2" in text
    assert "map_scaled_" in text


def test_too_many_failures_below_the_ratio(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError, match=r"2 of 3 elements failed and 2 had to succeed"):
        run_workflow(ours.ratio, {"xs": [1, -2, -3]})


def test_the_direct_call_raises_the_elements_error(ours: ModuleType) -> None:
    with pytest.raises(ValueError, match="negative input -2"):
        map_task(ours.scaled)(x=[1, -2], factor=[1, 1], label=["", ""])


def test_lists_of_different_lengths(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError, match=r"different lengths: x has 2 elements, factor has 1"):
        run_workflow(ours.two_lists, {"xs": [1, 2], "fs": [1], "ls": ["a", "b"]})


def test_a_wrong_input_type_names_the_input(ours: ModuleType) -> None:
    with pytest.raises(TypeError, match=r"xs"):
        run_workflow(ours.plain, {"xs": ["a"]})


# -- what map_task refuses, as flytekit does ---------------------------------------------------------------


@task
def two(x: int) -> tuple[int, int]:
    return x, x


@task(cache=True, cache_version="1")
def cached(x: int) -> int:
    return x


def lambda_free(x: int) -> list[int]:
    return [cached(x=x)]


@workflow
def a_workflow(x: int) -> int:
    return cached(x=x)


@pytest.mark.parametrize(
    ("target", "match"),
    [
        (two, "only tasks with a single output"),
        (a_workflow, "maps a task, not a workflow"),
        (Echo(name="e", inputs={"a": int}), "no container"),
        (functools.partial(cached, 1), "bind inputs by keyword"),
        (functools.partial(cached, y=1), "y bound, but the task has no such input"),
        ("square", "needs a task"),
        (dynamic(lambda_free), "not @dynamic or @eager"),
    ],
)
def test_refused_targets(target: Any, match: str) -> None:
    with pytest.raises(TaskDefinitionError, match=match):
        map_task(target)


def test_a_launch_plan_becomes_an_array_node() -> None:  # tests/workflows/test_map_launch_plan.py
    from flyweight._workflows import ArrayNode

    assert isinstance(map_task(LaunchPlan.get_or_create(a_workflow)), ArrayNode)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"concurrency": -1}, "concurrency must be"),
        ({"concurrency": 1.5}, "concurrency must be"),
        ({"min_success_ratio": 1.5}, "min_success_ratio must be"),
        ({"min_success_ratio": "half"}, "min_success_ratio must be"),
        ({"min_successes": -2}, "min_successes must be"),
    ],
)
def test_bad_options(options: dict[str, Any], match: str) -> None:
    with pytest.raises(TaskDefinitionError, match=match):
        map_task(cached, **options)


def test_unknown_keyword() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        map_task(cached, parallelism=3)


def test_the_map_interface() -> None:
    mt = map_task(functools.partial(cached))
    assert mt.python_interface.inputs == {"x": List[int]}  # noqa: UP006
    assert mt.python_interface.outputs == {"o0": List[int]}  # noqa: UP006
    ratio = map_task(cached, min_success_ratio=0.9)
    assert ratio.python_interface.outputs == {"o0": List[Optional[int]]}  # noqa: UP006
    assert ratio.required_successes(10) == 9
    assert map_task(cached, min_successes=4).required_successes(3) == 3
    assert map_task(cached).required_successes(7) == 7
    assert flyweight.map_task is map_task
