"""Serializing workflows and launch plans through the one path (``get_serializable``)."""

from __future__ import annotations

import subprocess
import sys
from collections import OrderedDict
from typing import Any

from flyteidl.admin import launch_plan_pb2, workflow_pb2
from tests.tasks.oracle_plugins import FlyweightPluginTask, ScaleExecutor

import flyweight
from flyweight import Interface, LaunchPlan, workflow
from flyweight._serialize import get_serializable

image = flyweight.Image(name="default", fqn="test", tag="tag")
SETTINGS = flyweight.SerializationSettings(
    project="proj",
    domain="dev",
    version="v1",
    image_config=flyweight.ImageConfig(default_image=image, images=[image]),
)


def plugin(name: str, inputs: dict[str, Any], outputs: dict[str, Any]) -> Any:
    return FlyweightPluginTask(
        f"mod.{name}", {}, ScaleExecutor, interface=Interface(inputs=inputs, outputs=outputs)
    )


inc = plugin("inc", {"n": int}, {"o": int})
side = plugin("side", {}, {})


def test_a_workflow_serializes_to_a_workflow_spec_and_registers_what_it_uses_first() -> None:
    @workflow
    def b_sub(n: int) -> int:
        return inc(n=n)

    @workflow
    def a_sub(n: int) -> int:
        return b_sub(n=inc(n=n))

    @workflow
    def top(a: int) -> int:
        return b_sub(n=a_sub(n=b_sub(n=a)))

    mapping: OrderedDict[Any, Any] = OrderedDict()
    spec = get_serializable(mapping, SETTINGS, top)
    assert isinstance(spec, workflow_pb2.WorkflowSpec)
    assert [t.id.name for t in spec.sub_workflows] == [a_sub.name, b_sub.name]  # each once, by name
    assert [k.name for k in mapping] == ["mod.inc", b_sub.name, a_sub.name, top.name]
    assert mapping[top] is spec
    assert get_serializable(mapping, SETTINGS, top) is spec  # recorded: not serialized again


def test_node_messages() -> None:
    @workflow
    def nodes(a: int) -> int:
        first = side()
        x = inc(n=a)
        first >> x
        return inc(n=x)

    template = get_serializable(None, SETTINGS, nodes).template
    n0, n1, n2 = template.nodes
    assert n0.task_node.reference_id.name == "mod.side" and n0.task_node.HasField("overrides")
    assert list(n1.upstream_node_ids) == ["n0"]
    assert n1.inputs[0].binding.promise.node_id == "" and n1.inputs[0].binding.promise.var == "a"
    assert list(n2.upstream_node_ids) == ["n1"]
    assert template.outputs[0].binding.promise.node_id == "n2"
    assert template.HasField("metadata") and template.HasField("metadata_defaults")


def test_attribute_paths_become_promise_attributes() -> None:
    make = plugin("make", {}, {"d": dict[str, list[int]]})

    @workflow
    def path() -> int:
        return inc(n=make()["key"][2])

    ref = get_serializable(None, SETTINGS, path).template.nodes[1].inputs[0].binding.promise
    assert (ref.node_id, ref.var) == ("n0", "d")
    assert [a.WhichOneof("value") for a in ref.attr_path] == ["string_value", "int_value"]
    assert (ref.attr_path[0].string_value, ref.attr_path[1].int_value) == ("key", 2)


def test_constant_lists_and_dicts_bind_element_by_element() -> None:
    t = plugin("coll", {"xs": list[int], "m": dict[str, int]}, {})

    @workflow
    def consts() -> None:
        t(xs=[1, 2], m={"a": 1})

    m, xs = get_serializable(None, SETTINGS, consts).template.nodes[0].inputs
    assert [b.scalar.primitive.integer for b in xs.binding.collection.bindings] == [1, 2]
    assert m.binding.map.bindings["a"].scalar.primitive.integer == 1


def test_a_launch_plan_node_refers_to_the_plan_and_leaves_out_fixed_inputs() -> None:
    child_task = plugin("child_task", {"n": int, "k": int}, {"o": int})

    @workflow
    def lp_child(n: int, k: int) -> int:
        return child_task(n=n, k=k)

    lp = LaunchPlan.get_or_create(lp_child, "serialize_lp_child", fixed_inputs={"k": 2})

    @workflow
    def lp_parent(a: int) -> int:
        return lp(n=a)

    mapping: OrderedDict[Any, Any] = OrderedDict()
    (node,) = get_serializable(mapping, SETTINGS, lp_parent).template.nodes
    assert node.workflow_node.launchplan_ref.name == "serialize_lp_child"
    assert [b.var for b in node.inputs] == ["n"]
    assert isinstance(mapping[lp], launch_plan_pb2.LaunchPlan)
    assert [k.name for k in mapping] == [
        "mod.child_task",
        lp_child.name,
        "serialize_lp_child",
        lp_parent.name,
    ]


def test_a_launch_plan_serializes_with_its_workflow_registered_first() -> None:
    @workflow
    def lp_only(n: int = 3) -> int:
        return inc(n=n)

    mapping: OrderedDict[Any, Any] = OrderedDict()
    lp = LaunchPlan.get_default_launch_plan(None, lp_only)
    msg = get_serializable(mapping, SETTINGS, lp)
    assert isinstance(msg, launch_plan_pb2.LaunchPlan)
    assert msg.id.resource_type == 3 and msg.spec.workflow_id == mapping[lp_only].template.id
    assert msg.spec.default_inputs.parameters["n"].default.scalar.primitive.integer == 3
    assert list(mapping) == [inc, lp_only, lp]


def test_tasks_still_serialize_to_task_specs() -> None:
    from flyteidl.admin import task_pb2

    assert isinstance(get_serializable(OrderedDict(), SETTINGS, inc), task_pb2.TaskSpec)


def test_the_admin_messages_load_only_when_needed() -> None:
    code = (
        "import sys, flyweight._idl as i\n"
        "assert 'flyteidl.admin.launch_plan_pb2' not in sys.modules\n"
        "assert i.LaunchPlanSpec.__module__ == 'flyteidl.admin.launch_plan_pb2'\n"
        "from flyweight._idl import WorkflowSpec\n"
        "assert WorkflowSpec.DESCRIPTOR.full_name == 'flyteidl.admin.WorkflowSpec'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
