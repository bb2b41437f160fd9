"""``map_task`` over a reference launch plan: serialized byte for byte as flytekit 1.16.14 does; a local run
fails at the map's node, as a local call of the reference does (compatibility row W32).

flytekit's ``map_task`` turns a ``ReferenceLaunchPlan`` into an ``ArrayNode`` like any launch plan: the
workflow node's metadata names the reference (its whole name, not the last part as a reference node's
does), the sub-node (id: that name as a DNS label) has ``workflow_node.launchplan_ref`` = the reference's
identifier as given, its declared inputs are all the map's (nothing is fixed), and nothing is registered
for it (flytekit records a ``ReferenceSpec``, flyweight records nothing: W15).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.serialize.test_workflow_oracle import (
    assert_same_workflow_spec,
    diff,
    get_fk_serializable,
    registration_identity_map,
    settings_pair,
)
from tests.workflows.sdk_switch import load_source

import flyweight
from flyweight import ReferenceLaunchPlan, map_task, reference_task, reference_workflow
from flyweight._runtime import run_workflow
from flyweight._serialize import get_serializable
from flyweight._workflows import ArrayNode, ReferenceEntity
from flyweight.errors import NotSupportedError, WorkflowExecutionError

SOURCE = Path(__file__).with_name("map_reference_source.py")
MODULE = "tests.workflows.map_reference_source"
SHAPES = [
    "by_class",
    "decorated",
    "in_a_branch",
    "long_name",
    "min_successes",
    "mixed",
    "no_outputs",
    "ratio",
]
CANNOT_RUN = (
    r"reference launch plan 'remote\.plans\.nightly' \(project team-c, domain development, version v9\) "
    "cannot run locally"
)


def load(sdk: Any, reference_launch_plan_cls: Any) -> ModuleType:
    sdk.LaunchPlan.CACHE.clear()  # both cache launch plans by name; the source makes them again
    return load_source(
        SOURCE,
        MODULE,
        task=sdk.task,
        workflow=sdk.workflow,
        map_task=sdk.map_task,
        LaunchPlan=sdk.LaunchPlan,
        conditional=sdk.conditional,
        reference_launch_plan=sdk.reference_launch_plan,
        ReferenceLaunchPlan=reference_launch_plan_cls,
    )


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    from flytekit.core.launch_plan import ReferenceLaunchPlan as FkReferenceLaunchPlan

    return load(flytekit, FkReferenceLaunchPlan)


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:
    return load(flyweight, ReferenceLaunchPlan)


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
    """The same entities in flytekit's order and bytes, the reference excluded: flytekit records a
    ``ReferenceSpec`` for it (and nodes, W15), never registered; flyweight records nothing for it."""
    from flytekit.core.condition import BranchNode as FkBranchNode
    from flytekit.core.node import Node as FkNode
    from flytekit.core.reference_entity import ReferenceEntity as FkReferenceEntity, ReferenceSpec as FkSpec

    fk_settings, settings = settings_pair()
    fk_mapping: OrderedDict[Any, Any] = OrderedDict()
    get_fk_serializable(fk_mapping, fk_settings, getattr(theirs, shape))
    assert any(isinstance(v, FkSpec) for v in fk_mapping.values())  # flytekit met a reference
    mapping: OrderedDict[Any, Any] = OrderedDict()
    get_serializable(mapping, settings, getattr(ours, shape))
    expected = [
        (k.name, registration_identity_map(as_message(v)))
        for k, v in fk_mapping.items()
        if not isinstance(k, (FkNode, FkBranchNode, FkReferenceEntity))
    ]
    got = [(k.name, v) for k, v in mapping.items()]
    assert [name for name, _ in got] == [name for name, _ in expected]
    assert not any(isinstance(k, ReferenceEntity) for k in mapping)
    for (name, message), (_, wanted) in zip(got, expected, strict=True):
        assert message.SerializeToString(deterministic=True) == wanted.SerializeToString(
            deterministic=True
        ), f"{name}:\n{diff(wanted, message)}"


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("plan", "options"),
    [
        ("nightly", {}),
        ("report", {"concurrency": 3}),
        ("notify", {}),
        ("nightly", {"min_success_ratio": 0.5}),
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


def test_the_array_node_names_the_reference(ours: ModuleType) -> None:
    mapping: OrderedDict[Any, Any] = OrderedDict()
    spec = get_serializable(mapping, settings_pair()[1], ours.by_class)
    (node,) = spec.template.nodes
    array = node.array_node
    assert node.metadata.name == array.node.metadata.name == "remote.plans.report"  # the whole name
    assert array.node.id == "remote-plans-report"
    ref = array.node.workflow_node.launchplan_ref
    assert (ref.project, ref.domain, ref.name, ref.version) == (
        "team-c",
        "development",
        "remote.plans.report",
        "v5",
    )
    assert array.parallelism == 2
    assert [b.var for b in node.inputs] == [b.var for b in array.node.inputs] == ["n"]
    assert list(mapping) == [ours.by_class]  # nothing registered for the reference
    assert isinstance(map_task(ours.nightly), ArrayNode)


# -- local runs: the map's node fails as a reference's does -------------------------------------------------


def test_a_local_run_fails_at_the_maps_node(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError, match=CANNOT_RUN) as info:
        run_workflow(ours.decorated, {"days": ["mon"], "limits": [1]})
    assert "node n0 ('remote.plans.nightly')" in str(info.value)
    with pytest.raises(WorkflowExecutionError, match=CANNOT_RUN):
        ours.decorated(days=["mon"], limits=[1])


def test_the_map_fails_even_when_failures_are_allowed(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError, match=CANNOT_RUN):
        run_workflow(ours.ratio, {"days": ["a", "b"], "limits": [1, 2]})


def test_nodes_before_the_map_run_and_the_map_fails_after_them(ours: ModuleType) -> None:
    events: list[tuple[str, str]] = []

    def on_event(node_id: str, state: str, info: Any) -> None:
        events.append((node_id, state))

    with pytest.raises(WorkflowExecutionError, match=CANNOT_RUN) as info:
        run_workflow(ours.mixed, {"xs": [1, 2], "days": ["a", "b"]}, on_event=on_event)
    assert "node n1 ('remote.plans.nightly')" in str(info.value)
    assert ("n0", "succeeded") in events  # the local launch plan's map ran first
    assert ("n1", "failed") in events


def test_a_branch_not_taken_does_not_fail(ours: ModuleType) -> None:
    assert run_workflow(ours.in_a_branch, {"ns": [1, 2], "flag": False}) == [6, 7]
    with pytest.raises(
        WorkflowExecutionError, match=r"reference launch plan .Remote\.Plans\.CamelCase.* cannot run locally"
    ):
        run_workflow(ours.in_a_branch, {"ns": [1, 2], "flag": True})


def test_a_direct_call_raises_the_references_error(ours: ModuleType) -> None:
    with pytest.raises(NotSupportedError, match=CANNOT_RUN):
        map_task(ours.nightly)(day=["mon"], limit=[1])
    with pytest.raises(NotImplementedError, match="cannot run locally"):  # flytekit's kind, too
        map_task(ours.nightly)(day=["mon"], limit=[1])


# -- what is still refused --------------------------------------------------------------------------------


@reference_task(project="p", domain="d", name="remote.tasks.square", version="v1")
def remote_square(x: int) -> int: ...


@reference_workflow(project="p", domain="d", name="remote.flows.square", version="v1")
def remote_flow(x: int) -> int: ...


@pytest.mark.parametrize("target", [remote_square, remote_flow])
def test_reference_tasks_and_workflows_are_refused(target: Any) -> None:
    with pytest.raises(NotSupportedError, match="map_task\\(\\) over the reference .* not supported"):
        map_task(target)
