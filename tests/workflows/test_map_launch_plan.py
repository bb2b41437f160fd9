"""``map_task`` over a launch plan (flytekit's ``ArrayNode`` with a launch-plan sub-node): serialized byte for
byte as flytekit 1.16.14 does, run by the local engine (which flytekit's own local run cannot do).

The workflows of ``map_launch_plan_source.py`` are loaded once with each SDK under the same module name.
Their ``WorkflowSpec`` must have equal deterministic bytes, and everything ``get_serializable`` registers
(tasks, the launch plans' workflows, the launch plans, the workflow) must come in flytekit's order with
equal bytes (tasks after the usual identity map: program, resolver, runtime version). Local runs are
checked against the values the elements must give, since flytekit fails to run these workflows locally;
direct calls (outside a workflow) are compared with flytekit's, which work.
"""

from __future__ import annotations

import functools
import os
from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any, List, Optional  # noqa: UP035  (the types flytekit's map interface holds)

import pytest
from flyteidl.core import workflow_pb2
from tests.runtime.map_tasks import overlapped, slow_square, spans
from tests.serialize.test_workflow_oracle import (
    assert_same_workflow_spec,
    diff,
    get_fk_serializable,
    registration_identity_map,
    settings_pair,
)
from tests.workflows.sdk_switch import load_source

import flyweight
from flyweight import LaunchPlan, map_task, task, workflow
from flyweight._runtime import run_workflow
from flyweight._serialize import get_serializable
from flyweight._workflows import ArrayNode
from flyweight._workflows._array_node import dnsify
from flyweight.errors import TaskDefinitionError, WorkflowCompileError, WorkflowExecutionError

SOURCE = Path(__file__).with_name("map_launch_plan_source.py")
MODULE = "tests.workflows.map_launch_plan_source"
SHAPES = [
    "chained",
    "concurrency_ratio",
    "defaults",
    "fixed",
    "in_a_branch",
    "long_name",
    "min_successes",
    "no_outputs",
    "workflow_plan",
    "zeros",
]


def load(sdk: Any) -> ModuleType:
    """Load ``map_launch_plan_source.py`` afresh with the names of ``sdk`` (flytekit or flyweight)."""
    sdk.LaunchPlan.CACHE.clear()  # both cache launch plans by name; the source makes them again
    return load_source(
        SOURCE,
        MODULE,
        task=sdk.task,
        workflow=sdk.workflow,
        map_task=sdk.map_task,
        LaunchPlan=sdk.LaunchPlan,
        conditional=sdk.conditional,
    )


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    return load(flytekit)


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:
    return load(flyweight)


def as_message(value: Any) -> Any:
    return value.to_flyte_idl() if hasattr(value, "to_flyte_idl") else value


# -- serialization, byte for byte ---------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_workflow_spec_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    assert_same_workflow_spec(getattr(theirs, shape), getattr(ours, shape))


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_everything_registered_equals_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    """The launch plan and its workflow are registered as for a launch-plan node, in flytekit's order
    (flytekit also records nodes and conditionals, which are not registrable entities: W15)."""
    from flytekit.core.condition import BranchNode as FkBranchNode
    from flytekit.core.node import Node as FkNode

    fk_settings, settings = settings_pair()
    fk_mapping: OrderedDict[Any, Any] = OrderedDict()
    get_fk_serializable(fk_mapping, fk_settings, getattr(theirs, shape))
    mapping: OrderedDict[Any, Any] = OrderedDict()
    get_serializable(mapping, settings, getattr(ours, shape))
    expected = [
        (k.name, registration_identity_map(as_message(v)))
        for k, v in fk_mapping.items()
        if not isinstance(k, (FkNode, FkBranchNode))
    ]
    got = [(k.name, v) for k, v in mapping.items()]
    assert [name for name, _ in got] == [name for name, _ in expected]
    assert any(isinstance(k, flyweight.LaunchPlan) for k in mapping)
    for (name, message), (_, wanted) in zip(got, expected, strict=True):
        assert message.SerializeToString(deterministic=True) == wanted.SerializeToString(
            deterministic=True
        ), f"{name}:\n{diff(wanted, message)}"


def test_the_array_node(ours: ModuleType) -> None:
    spec = get_serializable(OrderedDict(), settings_pair()[1], ours.concurrency_ratio)
    node = spec.template.nodes[0]
    array = node.array_node
    assert node.metadata.name == array.node.metadata.name == "map_lp_fixed"
    assert array.node.id == "map-lp-fixed"
    assert array.node.workflow_node.launchplan_ref.name == "map_lp_fixed"
    assert [b.var for b in node.inputs] == [b.var for b in array.node.inputs] == ["x"]  # y is fixed
    assert array.parallelism == 2
    assert array.WhichOneof("success_criteria") == "min_success_ratio"
    assert array.min_success_ratio == 0.5
    assert array.execution_mode == workflow_pb2.ArrayNode.FULL_STATE
    assert array.data_mode == workflow_pb2.ArrayNode.SINGLE_INPUT_FILE
    assert array.is_original_sub_node_interface.value is True
    assert not array.bound_inputs
    assert not array.node.upstream_node_ids


def test_min_successes_wins_over_the_ratio_and_zero_is_written(ours: ModuleType) -> None:
    settings = settings_pair()[1]
    two = get_serializable(OrderedDict(), settings, ours.min_successes).template.nodes[0].array_node
    assert (two.WhichOneof("success_criteria"), two.min_successes) == ("min_successes", 2)
    zero = get_serializable(OrderedDict(), settings, ours.zeros).template.nodes[0].array_node
    assert zero.WhichOneof("success_criteria") == "min_successes"
    assert zero.HasField("parallelism")  # concurrency=0: written, as flytekit does
    assert zero.parallelism == zero.min_successes == 0
    plain = get_serializable(OrderedDict(), settings, ours.fixed).template.nodes[0].array_node
    assert not plain.HasField("parallelism")
    both = map_task(ours.fixed_lp, min_successes=1, min_success_ratio=0.5)
    assert (both.min_successes, both.min_success_ratio) == (1, None)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("inner_lp", "inner-lp"),
        ("tests.mod.Inner_LP", "tests-mod-inner-l-p"),
        ("_x__y-", "x--y"),
        ("a!b c", "abc"),
        ("CamelCase", "camel-case"),
    ],
)
def test_dnsify_is_flytekits(flytekit: Any, name: str, expected: str) -> None:
    from flytekit.core.utils import _dnsify

    assert dnsify(name) == _dnsify(name) == expected


@pytest.mark.oracle
def test_a_long_name_is_hashed_as_flytekit_does(flytekit: Any) -> None:
    from flytekit.core.utils import _dnsify

    name = "Map_LP.CamelCase_with_a_name_long_enough_to_be_hashed_into_a_dns_label" * 2
    assert dnsify(name) == _dnsify(name)
    assert len(dnsify(name)) <= 63


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("plan", "options"),
    [
        ("fixed_lp", {}),
        ("default_lp", {}),
        ("none_lp", {}),
        ("fixed_lp", {"min_success_ratio": 0.5}),
        ("default_lp", {"concurrency": 3}),
    ],
)
def test_the_interface_is_flytekits(
    theirs: ModuleType, ours: ModuleType, plan: str, options: dict[str, Any]
) -> None:
    import flytekit

    expected = flytekit.map_task(getattr(theirs, plan), **options).python_interface
    got = map_task(getattr(ours, plan), **options).python_interface
    assert got.inputs == expected.inputs
    assert got.outputs == expected.outputs


def test_the_interface(ours: ModuleType) -> None:
    array = map_task(ours.fixed_lp)
    assert isinstance(array, ArrayNode)
    assert array.python_interface.inputs == {"x": List[int]}  # noqa: UP006  (y is fixed)
    assert array.python_interface.outputs == {"o0": List[int]}  # noqa: UP006
    # flytekit keeps List[int] with min_successes, though failed elements give None (W29)
    counted = map_task(ours.fixed_lp, min_successes=1)
    assert counted.python_interface.outputs == {"o0": List[Optional[int]]}  # noqa: UP006
    assert counted.required_successes(5) == 1
    assert map_task(ours.fixed_lp, min_successes=9).required_successes(3) == 3
    assert map_task(ours.fixed_lp, min_success_ratio=0.5).required_successes(3) == 2
    assert map_task(ours.fixed_lp).required_successes(3) == 3
    assert not map_task(ours.none_lp).python_interface.outputs
    assert array.name == "map_lp_fixed"
    assert array.node_kind == "array"


# -- local runs: what each element gives (flytekit's local run fails on these workflows) -------------------

RUNS: list[tuple[str, dict[str, Any], Any]] = [
    ("fixed", {"xs": [1, 2, 3]}, [6, 7, 8]),
    ("fixed", {"xs": []}, []),
    ("defaults", {"xs": [1, 2], "ys": [10, 20]}, [11, 22]),
    ("concurrency_ratio", {"xs": [1, 2, 3, 4, 5]}, [6, 7, 8, 9, 10]),
    ("concurrency_ratio", {"xs": [1, -2, 3, 4]}, [6, None, 8, 9]),
    ("min_successes", {"xs": [1, -2, 3]}, [6, None, 8]),
    ("zeros", {"xs": [-1, -2]}, [None, None]),
    ("no_outputs", {"xs": [1, 2]}, None),
    ("chained", {"xs": [1, 2]}, (2 + 5 + 1) + (4 + 5 + 2)),
    ("workflow_plan", {"xs": [1, 2]}, [2, 4]),
    ("long_name", {"xs": [1]}, [2]),
    ("in_a_branch", {"xs": [1, 2], "flag": True}, [6, 7]),
    ("in_a_branch", {"xs": [1, 2], "flag": False}, [2, 4]),
]


@pytest.mark.parametrize(("shape", "inputs", "expected"), RUNS)
def test_local_run(ours: ModuleType, shape: str, inputs: dict[str, Any], expected: Any) -> None:
    assert run_workflow(getattr(ours, shape), inputs) == expected
    assert run_workflow(getattr(ours, shape), inputs, workers=1) == expected
    assert getattr(ours, shape)(**inputs) == expected


@pytest.mark.oracle
def test_flytekit_cannot_run_it_locally(theirs: ModuleType) -> None:
    """The reason the local runs above are checked against values: if flytekit learns to run them, compare."""
    with pytest.raises(ValueError, match="Expected a list of"):
        theirs.fixed(xs=[1, 2])


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("plan", "kwargs"),
    [
        ("fixed_lp", {"x": [1, 2, 3]}),
        ("default_lp", {"x": [1, 2], "y": [3, 4]}),
        ("none_lp", {"x": [1]}),
    ],
)
def test_direct_call_equals_flytekits(theirs: ModuleType, ours: ModuleType, plan: str, kwargs: Any) -> None:
    import flytekit

    expected = flytekit.map_task(getattr(theirs, plan))(**kwargs)
    assert map_task(getattr(ours, plan))(**kwargs) == expected


def test_events_name_each_element_and_its_nodes(ours: ModuleType) -> None:
    seen: list[tuple[str, str, dict[str, Any]]] = []
    out = run_workflow(ours.fixed, {"xs": [1, 2]}, on_event=lambda n, s, i: seen.append((n, s, dict(i))))
    assert out == [6, 7]
    states = {(n, s) for n, s, _ in seen}
    for node in ("n0", "n0-0", "n0-1", "n0-0-n0", "n0-1-n0"):
        assert (node, "succeeded") in states, node
    assert [i["kind"] for n, s, i in seen if n == "n0" and s == "running"] == ["array"]
    assert [i["entity"] for n, s, i in seen if n == "n0-1" and s == "running"] == ["map_lp_fixed"]


# -- failures --------------------------------------------------------------------------------------------


def test_a_failing_element_fails_the_map_and_names_its_index(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError) as info:
        run_workflow(ours.fixed, {"xs": [1, -2, 3, -4]}, workers=1)  # no element starts once one failed
    text = str(info.value)
    assert "map over launch plan 'map_lp_fixed': 1 of 4 elements failed and 4 had to succeed" in text
    assert "element 1: node n0-1-n0 failed: ValueError: negative input -2" in text
    assert info.value.node_id == "n0"


def test_every_failed_element_is_named(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError) as info:
        run_workflow(ours.concurrency_ratio, {"xs": [1, -2, -3, -4]}, workers=1)
    text = str(info.value)
    assert "3 of 4 elements failed and 2 had to succeed" in text
    for i in (1, 2, 3):
        assert f"element {i}: node n0-{i}-n0 failed: ValueError: negative input -{i + 1}" in text


def test_too_many_failures_below_the_ratio(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError, match=r"2 of 3 elements failed and 2 had to succeed"):
        run_workflow(ours.concurrency_ratio, {"xs": [1, -2, -3]})


def test_too_many_failures_below_min_successes(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError, match=r"element 0: .*negative input -1"):
        run_workflow(ours.min_successes, {"xs": [-1, -2, 3]})


def test_the_direct_call_fails_naming_the_element(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError, match=r"element 1: node n0-1-n0 failed: ValueError: negative"):
        map_task(ours.fixed_lp)(x=[1, -2])


def test_lists_of_different_lengths(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError, match=r"different lengths"):
        run_workflow(ours.defaults, {"xs": [1, 2], "ys": [1]})


# -- elements run in parallel, up to the workers and the concurrency ---------------------------------------


@workflow
def slow_inner(x: int, log: str, seconds: float) -> int:
    return slow_square(x=x, log=log, seconds=seconds)


slow_lp = LaunchPlan.get_or_create(slow_inner, "map_lp_slow")


@workflow
def slow_all(xs: list[int], logs: list[str], seconds: list[float]) -> list[int]:
    return map_task(slow_lp)(x=xs, log=logs, seconds=seconds)  # type: ignore[no-any-return]


@workflow
def slow_one_at_a_time(xs: list[int], logs: list[str], seconds: list[float]) -> list[int]:
    return map_task(slow_lp, concurrency=1)(x=xs, log=logs, seconds=seconds)  # type: ignore[no-any-return]


def _slow_inputs(log: str, seconds: float) -> dict[str, Any]:
    return {"xs": [1, 2, 3, 4], "logs": [log] * 4, "seconds": [seconds] * 4}


def test_elements_run_at_once_on_the_workers(tmp_path: Path) -> None:
    log = str(tmp_path / "log")
    assert run_workflow(slow_all, _slow_inputs(log, 0.3), workers=4) == [1, 4, 9, 16]
    rows = spans(log)
    assert [r[0] for r in rows] == [1, 2, 3, 4]
    assert overlapped(rows)


@pytest.mark.parametrize(("wf", "workers"), [(slow_one_at_a_time, 4), (slow_all, 1)])
def test_concurrency_or_one_worker_runs_them_one_after_the_other(
    tmp_path: Path, wf: Any, workers: int
) -> None:
    log = str(tmp_path / "log")
    assert run_workflow(wf, _slow_inputs(log, 0.05), workers=workers) == [1, 4, 9, 16]
    assert not overlapped(spans(log))


# -- what is refused -----------------------------------------------------------------------------------------


@task
def pair(x: int) -> tuple[int, int]:
    return x, x


@workflow
def two_outputs(x: int) -> tuple[int, int]:
    return pair(x=x)  # type: ignore[no-any-return]


def test_several_outputs_are_refused() -> None:
    with pytest.raises(TaskDefinitionError, match=r"launch plan .*single output.* has 2 \(o0, o1\)"):
        map_task(LaunchPlan.get_or_create(two_outputs))


def test_a_partial_of_a_launch_plan_is_refused(ours: ModuleType) -> None:
    with pytest.raises(
        TaskDefinitionError, match=r"functools.partial\(launch plan 'map_lp_default'.*fixed_inputs"
    ):
        map_task(functools.partial(ours.default_lp, y=1))


def test_an_input_the_workflow_does_not_have(ours: ModuleType) -> None:
    with pytest.raises(WorkflowCompileError, match=r"unexpected input 'z'; its inputs are: x"):

        @workflow
        def wf(xs: list[int]) -> list[int]:
            return map_task(ours.fixed_lp)(z=xs)  # type: ignore[no-any-return]

        wf.compile()


def test_a_fixed_input_is_refused(ours: ModuleType) -> None:
    with pytest.raises(WorkflowCompileError, match=r"'y', which the launch plan fixes"):

        @workflow
        def wf(xs: list[int]) -> list[int]:
            return map_task(ours.fixed_lp)(x=xs, y=xs)  # type: ignore[no-any-return]

        wf.compile()
    with pytest.raises(WorkflowCompileError, match=r"which the launch plan fixes"):
        map_task(ours.fixed_lp)(x=[1], y=[2])


def test_a_default_input_must_be_given_as_a_list(ours: ModuleType) -> None:
    # as flytekit: the launch plan's defaults do not apply to the map's list inputs
    with pytest.raises(WorkflowCompileError, match=r"missing input\(s\) y"):

        @workflow
        def wf(xs: list[int]) -> list[int]:
            return map_task(ours.default_lp)(x=xs)  # type: ignore[no-any-return]

        wf.compile()


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"concurrency": -1}, "concurrency must be"),
        ({"min_successes": 1.5}, "min_successes must be"),
        ({"min_success_ratio": 2}, "min_success_ratio must be"),
        ({"min_success_ratio": True}, "min_success_ratio must be"),
    ],
)
def test_bad_options(ours: ModuleType, options: dict[str, Any], match: str) -> None:
    with pytest.raises(TaskDefinitionError, match=match):
        map_task(ours.fixed_lp, **options)


def test_task_options_are_refused(ours: ModuleType) -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        map_task(ours.fixed_lp, metadata=None)


# -- `flyweight package` against `pyflyte package` ----------------------------------------------------------

PROJECT = """
from typing import List, Optional

from {sdk} import LaunchPlan, map_task, task, workflow


@task
def add(x: int, y: int) -> int:
    return x + y


@workflow
def inner(x: int, y: int = 3) -> int:
    return add(x=x, y=y)


fixed_lp = LaunchPlan.get_or_create(inner, "lp_map_fixed", fixed_inputs={{"y": 5}})


@workflow
def mapped(xs: List[int]) -> List[Optional[int]]:
    return map_task(fixed_lp, concurrency=2, min_success_ratio=0.5)(x=xs)
"""


@pytest.mark.oracle
def test_package_members_equal_pyflytes(tmp_path: Path, flytekit: Any) -> None:
    import subprocess

    from tests.cli.test_cli_package_oracle import (
        BIN,
        identity_map as package_identity_map,
        members,
        normalized as package_normalized,
        parse,
    )

    image = "ghcr.io/acme/app:v1"
    archives = {}
    for sdk, command in (
        ("flytekit", [str(BIN / "pyflyte"), "--pkgs", "lp_map", "package"]),
        ("flyweight", [str(BIN / "flyweight"), "package", "lp_map.py"]),
    ):
        project = tmp_path / sdk
        project.mkdir()
        (project / "lp_map.py").write_text(PROJECT.format(sdk=sdk))
        archive = tmp_path / f"{sdk}.tgz"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("FLYTE_INTERNAL_IMAGE", "FLYWEIGHT_DEFAULT_IMAGE")
        }
        env["PYTHONPATH"] = ""
        done = subprocess.run(
            [*command, "--image", image, "-o", str(archive)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
        archives[sdk] = members(archive)
    theirs = sorted(archives["flytekit"])  # pyflyte adds them in directory-listing order
    ours = archives["flyweight"]
    assert [n for n, _ in ours] == [n for n, _ in theirs]
    assert any(n.endswith("lp_map_fixed_3.pb") for n, _ in ours), [n for n, _ in ours]
    for (name, their_bytes), (_, our_bytes) in zip(theirs, ours, strict=True):
        expected = package_identity_map(parse(name, their_bytes), flytekit.__version__, image)
        got = package_normalized(parse(name, our_bytes))  # upstream ids sorted, as flytekit's are
        assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
            f"{name}:\n{diff(expected, got)}"
        )
