"""Reference entities (``reference_task``, ``reference_workflow``, ``reference_launch_plan`` and the three
classes): a node naming a registered entity by its own identifier, as flytekit 1.16.14 serializes it.

The workflows of ``reference_source.py`` are loaded once with each SDK under the same module name. Their
``WorkflowSpec`` must have equal deterministic bytes; ``get_serializable`` must register the same entities
(nothing for a reference); ``flyweight package`` must write what ``pyflyte package`` writes. Locally a
reference cannot run: a direct call and a local run fail with ``NotSupportedError``, naming the entity.
"""

from __future__ import annotations

import subprocess
from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flyteidl.core import identifier_pb2
from tests.serialize.test_workflow_oracle import (
    assert_same_workflow_spec,
    diff,
    get_fk_serializable,
    registration_identity_map,
    settings_pair,
)
from tests.workflows.sdk_switch import load_source

import flyweight
from flyweight import ReferenceLaunchPlan, ReferenceTask, ReferenceWorkflow, workflow
from flyweight._runtime import run_workflow
from flyweight._serialize import get_serializable
from flyweight._serialize._registration import ReferenceSpec
from flyweight.errors import (
    NotSupportedError,
    TaskDefinitionError,
    WorkflowCompileError,
    WorkflowExecutionError,
)

SOURCE = Path(__file__).with_name("reference_source.py")
MODULE = "tests.workflows.reference_source"
SHAPES = [
    "constants",
    "in_a_branch",
    "launch_plans",
    "mixed",
    "optional_left_out",
    "ordered",
    "positional",
    "promises",
    "twice",
]


def load(sdk: Any, reference_task_cls: Any, reference_launch_plan_cls: Any) -> ModuleType:
    """Load ``reference_source.py`` afresh with the names of ``sdk`` (flytekit or flyweight)."""
    return load_source(
        SOURCE,
        MODULE,
        task=sdk.task,
        workflow=sdk.workflow,
        conditional=sdk.conditional,
        reference_task=sdk.reference_task,
        reference_workflow=sdk.reference_workflow,
        reference_launch_plan=sdk.reference_launch_plan,
        ReferenceTask=reference_task_cls,
        ReferenceLaunchPlan=reference_launch_plan_cls,
    )


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    from flytekit.core.launch_plan import ReferenceLaunchPlan as FkReferenceLaunchPlan
    from flytekit.core.task import ReferenceTask as FkReferenceTask

    return load(flytekit, FkReferenceTask, FkReferenceLaunchPlan)


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:
    return load(flyweight, ReferenceTask, ReferenceLaunchPlan)


def test_the_source_lists_every_shape(ours: ModuleType) -> None:
    assert ours.SHAPES == SHAPES


# -- serialization, byte for byte ---------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_workflow_spec_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    assert_same_workflow_spec(getattr(theirs, shape), getattr(ours, shape))


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_everything_registered_equals_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    """flytekit records a ``ReferenceSpec`` for each reference (and nodes, W15), which it never registers;
    flyweight records neither: the registrable entities are the same, in the same order, with equal bytes."""
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
        (k.name, registration_identity_map(v.to_flyte_idl()))
        for k, v in fk_mapping.items()
        if not isinstance(k, (FkNode, FkBranchNode, FkReferenceEntity))
    ]
    got = [(k.name, v) for k, v in mapping.items()]
    assert [name for name, _ in got] == [name for name, _ in expected]
    assert not any(isinstance(k, flyweight._workflows.ReferenceEntity) for k in mapping)
    for (name, message), (_, wanted) in zip(got, expected, strict=True):
        assert message.SerializeToString(deterministic=True) == wanted.SerializeToString(
            deterministic=True
        ), f"{name}:\n{diff(wanted, message)}"


@pytest.mark.oracle
def test_get_serializable_of_a_reference_is_flytekits_reference_spec(
    theirs: ModuleType, ours: ModuleType
) -> None:
    fk_settings, settings = settings_pair()
    for name in ("join", "nightly", "double", "report", "remote_wf"):
        fk_spec = get_fk_serializable(OrderedDict(), fk_settings, getattr(theirs, name))
        mapping: OrderedDict[Any, Any] = OrderedDict()
        spec = get_serializable(mapping, settings, getattr(ours, name))
        assert isinstance(spec, ReferenceSpec)
        assert spec.template.id == fk_spec.template.id.to_flyte_idl(), name
        assert spec.template.resource_type == fk_spec.template.resource_type
        assert mapping == {}  # nothing to register


def test_nodes_name_the_reference_not_the_settings(ours: ModuleType) -> None:
    spec = get_serializable(OrderedDict(), settings_pair()[1], ours.launch_plans)
    lp, report = spec.template.nodes
    assert lp.workflow_node.launchplan_ref == identifier_pb2.Identifier(
        resource_type=identifier_pb2.LAUNCH_PLAN,
        project="team-c",
        domain="development",
        name="remote.plans.nightly",
        version="v9",
    )
    assert lp.metadata.name == "nightly"
    assert [i.var for i in lp.inputs] == ["day", "limit"]
    assert report.workflow_node.launchplan_ref.name == "remote.plans.report"
    task_node = get_serializable(OrderedDict(), settings_pair()[1], ours.constants).template.nodes[0]
    assert task_node.task_node.reference_id.project == "team-a"
    assert task_node.task_node.reference_id.version == "553018f"
    assert not task_node.task_node.HasField("overrides")  # flytekit writes none for a reference


@pytest.mark.oracle
def test_flytekit_refuses_a_reference_workflow_node_and_so_do_we(
    theirs: ModuleType, ours: ModuleType
) -> None:
    fk_settings, settings = settings_pair()
    with pytest.raises(ValueError, match="Reference sub-workflows are currently unsupported"):
        get_fk_serializable(OrderedDict(), fk_settings, theirs.calls_a_reference_workflow)
    with pytest.raises(
        WorkflowCompileError,
        match=r"node n0 calls reference workflow 'remote\.flows\.wf'.*"
        r"@reference_launch_plan",
    ):
        get_serializable(OrderedDict(), settings, ours.calls_a_reference_workflow)


@pytest.mark.oracle
def test_the_interface_is_flytekits(theirs: ModuleType, ours: ModuleType) -> None:
    for name in ("join", "stats", "ping", "nightly", "remote_wf", "double", "report"):
        fk = getattr(theirs, name)
        mine = getattr(ours, name)
        assert list(mine.python_interface.inputs) == list(fk.python_interface.inputs), name
        assert list(mine.python_interface.outputs) == list(fk.python_interface.outputs), name
        for section in ("inputs", "outputs"):
            got = getattr(mine.interface, section).variables
            want = getattr(fk.interface, section)  # flytekit's model: name -> Variable
            assert {k: v.type for k, v in got.items()} == {k: v.type.to_flyte_idl() for k, v in want.items()}
        assert mine.id == fk.id.to_flyte_idl()
        assert mine.name == fk.name


def test_a_decorated_function_default_is_not_taken() -> None:
    """flytekit keeps only the types: the registered entity's defaults apply, so the call must pass it."""

    @flyweight.reference_task(project="p", domain="d", name="remote.t", version="v")
    def r(a: int, b: int = 3) -> int: ...

    @workflow
    def wf(x: int) -> int:
        return r(a=x)

    with pytest.raises(WorkflowCompileError, match=r"missing input\(s\) b"):
        wf.compile()


# -- what is registered: `flyweight package` against `pyflyte package` --------------------------------------

PROJECT = """
from typing import List

from {sdk} import reference_launch_plan, reference_task, task, workflow


@reference_task(project="team-a", domain="production", name="remote.tasks.join", version="553018f")
def join(words: List[str], sep: str) -> str:
    ...


@reference_launch_plan(project="team-c", domain="development", name="remote.plans.nightly", version="v9")
def nightly(day: str, limit: int) -> int:
    ...


@task
def shout(s: str) -> str:
    return s.upper()


@workflow
def uses_references(day: str) -> str:
    n = nightly(day=day, limit=3)
    s = join(words=["a", "b"], sep="-")
    n >> s
    return shout(s=s)
"""


@pytest.mark.oracle
def test_package_members_equal_pyflytes(tmp_path: Path, flytekit: Any) -> None:
    from tests.cli.test_cli_package_oracle import (
        BIN,
        _env,
        identity_map as package_identity_map,
        members,
        normalized as package_normalized,
        parse,
    )

    image = "ghcr.io/acme/app:v1"
    archives = {}
    for sdk, command in (
        ("flytekit", [str(BIN / "pyflyte"), "--pkgs", "refs", "package"]),
        ("flyweight", [str(BIN / "flyweight"), "package", "refs.py"]),
    ):
        project = tmp_path / sdk
        project.mkdir()
        (project / "refs.py").write_text(PROJECT.format(sdk=sdk))
        archive = tmp_path / f"{sdk}.tgz"
        done = subprocess.run(
            [*command, "--image", image, "-o", str(archive)],
            cwd=project,
            env=_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
        archives[sdk] = members(archive)
    theirs = sorted(archives["flytekit"])  # pyflyte adds them in directory-listing order
    ours = archives["flyweight"]
    assert [n for n, _ in ours] == [n for n, _ in theirs]
    assert [n for n, _ in ours] == [
        "0_refs.shout_1.pb",
        "1_refs.uses_references_2.pb",
        "2_refs.uses_references_3.pb",
    ]
    for (name, their_bytes), (_, our_bytes) in zip(theirs, ours, strict=True):
        expected = package_identity_map(parse(name, their_bytes), flytekit.__version__, image)
        got = package_normalized(parse(name, our_bytes))
        assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
            f"{name}:\n{diff(expected, got)}"
        )


# -- local calls and runs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kwargs", "what"),
    [
        (
            "join",
            {"words": ["a"], "sep": "-"},
            r"reference task 'remote\.tasks\.join' \(project team-a, "
            r"domain production, version 553018f\)",
        ),
        ("nightly", {"day": "mon", "limit": 1}, r"reference launch plan 'remote\.plans\.nightly'"),
        ("remote_wf", {"x": 1}, r"reference workflow 'remote\.flows\.wf'"),
        ("double", {"x": 1}, r"reference task 'remote\.tasks\.double'"),
        ("report", {"n": 1}, r"reference launch plan 'remote\.plans\.report'"),
    ],
)
def test_a_direct_call_fails_clearly(ours: ModuleType, name: str, kwargs: dict[str, Any], what: str) -> None:
    with pytest.raises(NotSupportedError, match=what + r".* cannot run locally.*in its place"):
        getattr(ours, name)(**kwargs)
    with pytest.raises(NotImplementedError):  # what flytekit raises: code catching it keeps working
        getattr(ours, name).execute(**kwargs)


@pytest.mark.oracle
def test_flytekit_fails_a_direct_call_and_a_local_run_too(theirs: ModuleType) -> None:
    with pytest.raises(NotImplementedError, match="cannot be run locally"):
        theirs.join(words=["a"], sep="-")
    with pytest.raises(NotImplementedError, match="cannot be run locally"):
        theirs.mixed(x=1)


def test_a_local_run_fails_at_the_reference_node(ours: ModuleType) -> None:
    events: list[tuple[str, str]] = []
    with pytest.raises(
        WorkflowExecutionError,
        match=r"(?s)node n1 \('remote\.tasks\.double'\).*"
        r"reference task 'remote\.tasks\.double'.*cannot run locally",
    ) as info:
        run_workflow(ours.mixed, {"x": 1}, in_process=True, on_event=lambda n, p, _: events.append((n, p)))
    assert "in its place" in str(info.value)
    assert ("n0", "succeeded") in events  # the task before it ran
    assert ("n2", "running") not in events  # nothing after it did


def test_a_direct_workflow_call_fails_naming_the_reference(ours: ModuleType) -> None:
    with pytest.raises(WorkflowExecutionError, match=r"reference launch plan 'remote\.plans\.nightly'"):
        ours.launch_plans(day="mon")


def test_a_branch_not_taken_does_not_fail_and_a_taken_one_does(ours: ModuleType) -> None:
    assert ours.in_a_branch(x=1) == 2
    with pytest.raises(
        WorkflowExecutionError, match=r"(?s)conditional 'pick'.*reference task 'remote\.tasks\.double'"
    ):
        ours.in_a_branch(x=5)


# -- bad input ----------------------------------------------------------------------------------------------


def test_an_unannotated_parameter_is_refused() -> None:
    with pytest.raises(
        TaskDefinitionError, match=r"@reference_task\('remote\.t'\).*parameter 'a' has no type"
    ):

        @flyweight.reference_task(project="p", domain="d", name="remote.t", version="v")
        def r(a, b: int) -> int: ...  # type: ignore[no-untyped-def]


def test_a_missing_version_is_refused() -> None:
    with pytest.raises(TypeError, match="version"):
        flyweight.reference_launch_plan(project="p", domain="d", name="remote.lp")  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("p", "d", "n", None, {}, {}), r"reference task 'n': version must be a non-empty string, got None"),
        (("p", "", "n", "v", {}, {}), r"domain must be a non-empty string, got ''"),
        (("p", "d", "n", "v", [int], {}), r"inputs must be a dict of name to Python type, got list"),
        (("p", "d", "n", "v", {}, None), r"outputs must be a dict of name to Python type, got NoneType"),
        (("p", "d", "n", "v", {"not a name": int}, {}), r"input name must be a Python identifier"),
    ],
)
def test_bad_constructor_arguments(args: tuple[Any, ...], match: str) -> None:
    with pytest.raises(TaskDefinitionError, match=match):
        ReferenceTask(*args)


def test_a_value_of_the_wrong_type_is_refused_at_compile_time(ours: ModuleType) -> None:
    @workflow
    def wf() -> int:
        return ours.double(x="s")

    with pytest.raises(
        WorkflowCompileError, match=r"node n0 \(task 'remote\.tasks\.double'\), input 'x': expected int"
    ):
        wf.compile()


def test_an_unknown_input_is_refused(ours: ModuleType) -> None:
    @workflow
    def wf() -> int:
        return ours.double(x=1, y=2)

    with pytest.raises(WorkflowCompileError, match=r"unexpected input 'y'"):
        wf.compile()


def test_the_three_classes_and_their_kinds() -> None:
    iface: dict[str, Any] = {"x": int}
    kinds = [
        (ReferenceTask, "task", identifier_pb2.TASK),
        (ReferenceWorkflow, "workflow", identifier_pb2.WORKFLOW),
        (ReferenceLaunchPlan, "launch plan", identifier_pb2.LAUNCH_PLAN),
    ]
    for cls, kind, resource_type in kinds:
        ref = cls("p", "d", "a.b", "v", iface, {})
        assert ref.node_kind == kind
        assert ref.id.resource_type == resource_type
        assert (ref.project, ref.domain, ref.name, ref.version) == ("p", "d", "a.b", "v")
        assert ref.construct_node_metadata().name == "b"
        assert "a.b" in repr(ref)


def test_a_reference_is_not_a_registrable_entity(ours: ModuleType) -> None:
    from flyweight._cli._load import collect_entities

    found = {e.name for e in collect_entities([ours])}
    assert "tests.workflows.reference_source.mixed" in found
    assert not found & {"remote.tasks.join", "remote.tasks.double", "remote.plans.nightly", "remote.flows.wf"}


def test_a_map_over_a_reference_launch_plan_cannot_run_locally() -> None:
    """Serialized as flytekit does (tests/workflows/test_map_reference.py); a local call fails as the
    reference's own does. A map over a reference task is not supported yet."""
    from flyweight import map_task, reference_launch_plan, reference_task
    from flyweight.errors import NotSupportedError

    @reference_launch_plan(project="p", domain="d", name="remote.lp", version="v1")
    def remote(x: int) -> int: ...

    @reference_task(project="p", domain="d", name="remote.t", version="v1")
    def remote_task(x: int) -> int: ...

    with pytest.raises(NotSupportedError, match="reference launch plan 'remote.lp' .* cannot run locally"):
        map_task(remote)(x=[1])
    with pytest.raises(NotSupportedError, match="map_task\\(\\) over the reference task 'remote.t'"):
        map_task(remote_task)
