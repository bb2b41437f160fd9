"""Workflow and launch plan registration forms against flytekit 1.16.14 (the oracle), byte for byte.

Every shape of ``tests/workflows/workflow_shapes.py`` is built with both SDKs from the same source and
serialized with equivalent settings through each SDK's ``get_serializable``. The ``WorkflowSpec`` (with its
sub-workflows) and the ``LaunchPlan`` of the default launch plan and of each named one must have equal
deterministic bytes. flytekit lists ``upstream_node_ids`` in Python set order, so both sides' lists are
sorted before comparing (their contents are compared as sets, and flyweight's order is checked apart).

flytekit comes from the ``flytekit`` fixture (``tests/conftest.py``): without it these tests are
skipped, unless ``FLYWEIGHT_REQUIRE_ORACLE=1``, in which case they fail.
"""

from __future__ import annotations

import difflib
from collections import OrderedDict
from typing import Any

import pytest
from flyteidl.admin import launch_plan_pb2, task_pb2, workflow_pb2
from tests.workflows.workflow_shapes import SHAPES, Built, Sdk, flytekit_sdk, flyweight_sdk

import flyweight
from flyweight._serialize import get_serializable
from flyweight._version import __version__

pytestmark = pytest.mark.oracle


@pytest.fixture(scope="module")
def fk(flytekit: Any) -> Sdk:
    return flytekit_sdk()


def settings_pair() -> tuple[Any, flyweight.SerializationSettings]:
    """The same serialization settings for flytekit and for flyweight (shared by the oracle tests)."""
    from flytekit.configuration import Image, ImageConfig, SerializationSettings

    fk_image = Image(name="default", fqn="test", tag="tag")
    fk_settings = SerializationSettings(
        project="proj",
        domain="dev",
        version="v1",
        image_config=ImageConfig(default_image=fk_image, images=[fk_image]),
    )
    image = flyweight.Image(name="default", fqn="test", tag="tag")
    settings = flyweight.SerializationSettings(
        project="proj",
        domain="dev",
        version="v1",
        image_config=flyweight.ImageConfig(default_image=image, images=[image]),
    )
    return fk_settings, settings


def _sorted_upstream(template: Any) -> None:
    for node in template.nodes:
        ids = sorted(node.upstream_node_ids)
        del node.upstream_node_ids[:]
        node.upstream_node_ids.extend(ids)


def normalized(spec: workflow_pb2.WorkflowSpec) -> workflow_pb2.WorkflowSpec:
    out = workflow_pb2.WorkflowSpec()
    out.CopyFrom(spec)
    _sorted_upstream(out.template)
    for sub in out.sub_workflows:
        _sorted_upstream(sub)
    return out


def diff(a: Any, b: Any) -> str:
    return "\n".join(
        difflib.unified_diff(str(a).splitlines(), str(b).splitlines(), "flytekit", "flyweight", lineterm="")
    )


def registration_identity_map(message: Any) -> Any:
    """flytekit's registration message → what flyweight writes for the same source: a task's program,
    resolver and runtime version mapped; a workflow's upstream ids sorted."""
    import flytekit

    if isinstance(message, task_pb2.TaskSpec):
        tpl = message.template
        args = tpl.container.args
        assert args[0] == "pyflyte-execute"
        args[0] = "flyweight-execute"
        assert args[12] == "flytekit.core.python_auto_container.default_task_resolver"
        args[12] = "flyweight.extend.default_task_resolver"
        assert tpl.metadata.runtime.version == flytekit.__version__
        tpl.metadata.runtime.version = __version__
    if isinstance(message, workflow_pb2.WorkflowSpec):
        return normalized(message)
    return message


def assert_same_workflow_spec(theirs: Any, ours: Any) -> None:
    """flytekit's and flyweight's ``WorkflowSpec`` of the same workflow have equal deterministic bytes
    (``upstream_node_ids`` compared sorted; the shared check of the workflow oracle tests)."""
    fk_settings, settings = settings_pair()
    expected = normalized(get_fk_serializable(OrderedDict(), fk_settings, theirs).to_flyte_idl())
    got = normalized(get_serializable(OrderedDict(), settings, ours))
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )


def _build_both(fk: Sdk, shape: str) -> tuple[Built, Built]:
    from flytekit import LaunchPlan as FkLaunchPlan

    FkLaunchPlan.CACHE.clear()  # flytekit caches launch plans by name across workflows of that name
    build = SHAPES[shape]
    return build(fk), build(flyweight_sdk())


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_workflow_spec_bytes_equal_flytekits(fk: Sdk, shape: str) -> None:
    theirs, ours = _build_both(fk, shape)
    fk_settings, settings = settings_pair()
    fk_mapping: OrderedDict[Any, Any] = OrderedDict()
    expected = normalized(get_fk_serializable(fk_mapping, fk_settings, theirs.workflow).to_flyte_idl())
    got = normalized(get_serializable(OrderedDict(), settings, ours.workflow))
    assert got.template.interface == expected.template.interface, diff(
        expected.template.interface, got.template.interface
    )
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_launch_plan_bytes_equal_flytekits(fk: Sdk, shape: str) -> None:
    theirs, ours = _build_both(fk, shape)
    fk_settings, settings = settings_pair()
    pairs = [
        (fk.LaunchPlan.get_default_launch_plan(None, theirs.workflow), ours_default(ours)),
        *zip(theirs.launch_plans, ours.launch_plans, strict=True),
    ]
    for their_lp, our_lp in pairs:
        expected = get_fk_serializable(OrderedDict(), fk_settings, their_lp).to_flyte_idl()
        got = get_serializable(OrderedDict(), settings, our_lp)
        assert isinstance(got, launch_plan_pb2.LaunchPlan)
        assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
            diff(expected, got)
        )


def ours_default(built: Built) -> Any:
    from flyweight._workflows import LaunchPlan

    return LaunchPlan.get_default_launch_plan(None, built.workflow)


def get_fk_serializable(mapping: Any, settings: Any, entity: Any) -> Any:
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    return fk_get_serializable(mapping, settings, entity)


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_registration_order_matches_flytekits(fk: Sdk, shape: str) -> None:
    """Dependencies come before what uses them, in flytekit's order (tasks, sub-workflows, workflows)."""
    theirs, ours = _build_both(fk, shape)
    fk_settings, settings = settings_pair()
    fk_mapping: OrderedDict[Any, Any] = OrderedDict()
    get_fk_serializable(fk_mapping, fk_settings, theirs.workflow)
    mapping: OrderedDict[Any, Any] = OrderedDict()
    get_serializable(mapping, settings, ours.workflow)
    from flytekit.core.node import Node as FkNode

    expected = [getattr(k, "name", None) for k in fk_mapping if not isinstance(k, FkNode)]
    assert [k.name for k in mapping] == expected


def test_function_task_workflow_equals_flytekits(fk: Sdk) -> None:
    """Function tasks (``@task``), a sub-workflow, a NamedTuple output and docstrings, from one source file
    loaded once with each SDK under the same module name."""
    from tests.workflows.sdk_switch import load_with

    if flyweight_sdk().task is None:
        pytest.skip("flyweight.task is not available yet")
    from flytekit import LaunchPlan as FkLaunchPlan

    FkLaunchPlan.CACHE.clear()
    fk_settings, settings = settings_pair()
    theirs = load_with(fk.task, fk.workflow)
    expected = normalized(get_fk_serializable(OrderedDict(), fk_settings, theirs.pipeline).to_flyte_idl())
    expected_lp = get_fk_serializable(
        OrderedDict(), fk_settings, fk.LaunchPlan.get_default_launch_plan(None, theirs.pipeline)
    ).to_flyte_idl()
    sdk = flyweight_sdk()
    ours = load_with(sdk.task, sdk.workflow)
    got = normalized(get_serializable(OrderedDict(), settings, ours.pipeline))
    got_lp = get_serializable(
        OrderedDict(), settings, sdk.LaunchPlan.get_default_launch_plan(None, ours.pipeline)
    )
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )
    assert got_lp.SerializeToString(deterministic=True) == expected_lp.SerializeToString(
        deterministic=True
    ), diff(expected_lp, got_lp)
