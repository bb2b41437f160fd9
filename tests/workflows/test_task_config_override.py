"""``with_overrides(task_config=...)``: the node runs a variant of its task holding that config.

flytekit assigns the config to the task itself; flyweight keeps it on the node (docs/compatibility.md
W36). Where flytekit's result is right — a task overridden on every node it has — the bytes are flytekit's
once the variant's name is mapped back to the task's; where it is not (a task also used without the
override), each node keeps its own config.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flyteidl.admin import task_pb2, workflow_pb2
from tests.serialize.test_workflow_oracle import get_fk_serializable, normalized, settings_pair
from tests.tasks.test_template_oracle import identity_map
from tests.workflows.sdk_switch import load_source

from flyweight import Interface, kwtypes, workflow
from flyweight._serialize import get_serializable
from flyweight.errors import WorkflowCompileError
from flyweight.extend import PythonCustomizedContainerTask, ShimTaskExecutor

SOURCE = Path(__file__).with_name("task_config_source.py")
MODULE = "tests.workflows.task_config_source"


def load(sdk: dict[str, Any]) -> ModuleType:
    return load_source(SOURCE, MODULE, sdk)


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    from flytekit.core.interface import Interface as FkInterface
    from flytekit.extend import PythonCustomizedContainerTask as FkTask, ShimTaskExecutor as FkExecutor

    return load(
        {
            "workflow": flytekit.workflow,
            "kwtypes": flytekit.kwtypes,
            "Interface": FkInterface,
            "PythonCustomizedContainerTask": FkTask,
            "ShimTaskExecutor": FkExecutor,
        }
    )


def _ours() -> ModuleType:
    return load(
        {
            "workflow": workflow,
            "kwtypes": kwtypes,
            "Interface": Interface,
            "PythonCustomizedContainerTask": PythonCustomizedContainerTask,
            "ShimTaskExecutor": ShimTaskExecutor,
        }
    )


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:  # loaded after flytekit's, under the same module name
    return _ours()


def _registration(entity: Any, fk: bool = False) -> OrderedDict[Any, Any]:
    fk_settings, settings = settings_pair()
    mapping: OrderedDict[Any, Any] = OrderedDict()
    if fk:
        get_fk_serializable(mapping, fk_settings, entity)
        registered = (task_pb2.TaskSpec, workflow_pb2.WorkflowSpec)  # flytekit's mapping also holds nodes
        pairs = ((k, v.to_flyte_idl()) for k, v in mapping.items())
        return OrderedDict((k, m) for k, m in pairs if isinstance(m, registered))
    get_serializable(mapping, settings, entity)
    return mapping


def _named_back(messages: list[Any], renamed: dict[str, str]) -> list[bytes]:
    """Each message with a variant's name replaced by its task's, as deterministic bytes."""
    out = []
    for message in messages:
        copy = type(message)()
        copy.CopyFrom(message)
        if isinstance(copy, task_pb2.TaskSpec):
            copy.template.id.name = renamed.get(copy.template.id.name, copy.template.id.name)
        if isinstance(copy, workflow_pb2.WorkflowSpec):
            for node in copy.template.nodes:
                ref = node.task_node.reference_id
                ref.name = renamed.get(ref.name, ref.name)
            copy = normalized(copy)
        out.append(copy.SerializeToString(deterministic=True))
    return out


def _fk_mapped(messages: list[Any]) -> list[Any]:
    out = []
    for message in messages:
        if isinstance(message, task_pb2.TaskSpec):
            mapped = task_pb2.TaskSpec()
            mapped.CopyFrom(message)
            mapped.template.CopyFrom(identity_map(message.template, ["o0"]))
            out.append(mapped)
        else:
            out.append(message)
    return out


# -- serialization --------------------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("shape", ["single", "chained", "twice"])
def test_a_task_overridden_on_each_node_registers_flytekits_bytes(
    theirs: ModuleType, ours: ModuleType, shape: str
) -> None:
    """Every node of the task overridden alike: one variant, registered once, whose template is flytekit's
    (overridden) task's; the workflow is flytekit's with the variant's name in place of the task's."""
    mine = _registration(getattr(ours, shape))
    (variant,) = [k for k in mine if k.name.startswith(f"scale_{shape}-config-")]
    expected = _fk_mapped(list(_registration(getattr(theirs, shape), fk=True).values()))
    got = _named_back(list(mine.values()), {variant.name: f"scale_{shape}"})
    assert got == [m.SerializeToString(deterministic=True) for m in map(_normal, expected)]


def _normal(message: Any) -> Any:
    return normalized(message) if isinstance(message, workflow_pb2.WorkflowSpec) else message


@pytest.mark.oracle
def test_the_tasks_own_config_makes_no_variant(theirs: ModuleType, ours: ModuleType) -> None:
    mine = _registration(ours.same)
    assert [getattr(k, "name", None) for k in mine] == ["scale_same", f"{MODULE}.same"]
    expected = _fk_mapped(list(_registration(theirs.same, fk=True).values()))
    got = [_normal(m).SerializeToString(deterministic=True) for m in mine.values()]
    assert got == [_normal(m).SerializeToString(deterministic=True) for m in expected]


def test_other_nodes_of_the_task_keep_its_config(ours: ModuleType) -> None:
    """flytekit gives every node of ``scale_mixed`` the override (factor 10); here only the overridden."""
    mine = _registration(ours.mixed)
    specs = {k.name: v for k, v in mine.items() if isinstance(v, task_pb2.TaskSpec)}
    assert len(specs) == 2
    variant = next(name for name in specs if name != "scale_mixed")
    assert variant.startswith("scale_mixed-config-") and len(variant) == len("scale_mixed-config-") + 8
    factor = {name: spec.template.custom["factor"] for name, spec in specs.items()}
    assert factor == {"scale_mixed": 2, variant: 10}
    plain, overridden = mine[ours.mixed].template.nodes
    assert (plain.task_node.reference_id.name, overridden.task_node.reference_id.name) == (
        "scale_mixed",
        variant,
    )
    assert overridden.metadata.name == plain.metadata.name == "scale_mixed"  # the task's, as flytekit
    assert ours.scale_mixed.task_config.factor == 2  # the task itself is unchanged


def test_a_variant_is_named_by_its_config_on_every_load(ours: ModuleType) -> None:
    """The same source gives the same variant names: registration stays reproducible."""
    first = [k.name for k in _registration(ours.mixed) if hasattr(k, "task_config")]
    again = _ours()
    assert [k.name for k in _registration(again.mixed) if hasattr(k, "task_config")] == first


# -- local runs ---------------------------------------------------------------------------------------


def test_each_node_runs_with_its_own_config_locally(ours: ModuleType) -> None:
    assert ours.mixed(x=3) == (6, 30)
    assert ours.single(x=3) == 30
    assert ours.twice(x=2) == (10, 50)
    assert ours.scale_mixed(x=3) == 6  # a call of the task: its own config


@pytest.mark.oracle
def test_flytekit_runs_every_node_with_the_last_override(theirs: ModuleType) -> None:
    """Why flyweight differs: flytekit's override reaches the node that did not ask for it."""
    assert tuple(theirs.mixed(x=3)) == (30, 30)
    assert theirs.scale_mixed.task_config.factor == 10


# -- bad input ------------------------------------------------------------------------------------------


def test_a_config_of_another_type_is_refused(ours: ModuleType) -> None:
    @workflow
    def wf(x: int) -> int:
        return ours.scale_single(x=x).with_overrides(task_config={"factor": 3})  # type: ignore[no-any-return]

    with pytest.raises(
        WorkflowCompileError, match="can't change the type of the task config: .* Scale config, got dict"
    ):
        wf.compile()

    @workflow
    def wf2(x: int) -> int:
        return ours.scale_single(x=x).with_overrides(task_config=3)  # type: ignore[no-any-return]

    with pytest.raises(ValueError, match="can't change the type"):  # flytekit's kind
        wf2.compile()


def test_a_config_on_a_node_without_a_task_is_refused(ours: ModuleType) -> None:
    @workflow
    def wf(x: int) -> int:
        return ours.single(x=x).with_overrides(task_config=ours.Scale(3))  # type: ignore[no-any-return]

    with pytest.raises(WorkflowCompileError, match="task_config= applies to a node running a task"):
        wf.compile()


def test_a_config_the_plugin_cannot_serialize_is_named_at_compile_time(ours: ModuleType) -> None:
    @workflow
    def wf(x: int) -> int:
        unstorable = ours.Scale(3, label=object())  # get_custom puts it in the template's custom
        return ours.scale_single(x=x).with_overrides(task_config=unstorable)  # type: ignore[no-any-return]

    with pytest.raises(WorkflowCompileError, match=r"with_overrides\(\) on .*task_config=Scale\(factor=3"):
        wf.compile()
