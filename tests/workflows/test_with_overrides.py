"""``with_overrides(...)`` on workflow nodes: the WorkflowSpec bytes flytekit 1.16.14 writes for the same
source (``overrides_source.py``), local runs honouring retries, timeout and cache, and bad input."""

from __future__ import annotations

import datetime
from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.serialize.test_workflow_oracle import (
    assert_same_workflow_spec,
    get_fk_serializable,
    settings_pair,
)
from tests.workflows.sdk_switch import load_source

from flyweight import LaunchPlan, Resources, create_node, map_task, task, workflow
from flyweight._runtime import run_workflow
from flyweight._runtime._cache import LocalCache
from flyweight._runtime._task_nodes import node_settings
from flyweight._serialize import get_serializable
from flyweight.errors import RecoverableError, WorkflowCompileError, WorkflowExecutionError

SOURCE = Path(__file__).with_name("overrides_source.py")
MODULE = "tests.workflows.overrides_source"
SHAPES = [
    "aliases",
    "cache",
    "chained",
    "created_node",
    "everything",
    "image_shared_memory",
    "launch_plan",
    "mapped",
    "multi_output",
    "node_name",
    "requests_limits",
    "requests_only",
    "resources_pair",
    "retries_timeout",
    "sub_workflow",
    "timedelta_interruptible_name",
    "timeout_none",
    "void",
]


def load(sdk: dict[str, Any]) -> ModuleType:
    """Load ``overrides_source.py`` afresh with these SDK names."""
    return load_source(SOURCE, MODULE, sdk)


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    from flytekit.core.node_creation import create_node as fk_create_node

    names = ("task", "workflow", "LaunchPlan", "Resources", "map_task")
    return load({**{n: getattr(flytekit, n) for n in names}, "create_node": fk_create_node})


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:
    return load(
        {
            "task": task,
            "workflow": workflow,
            "LaunchPlan": LaunchPlan,
            "Resources": Resources,
            "create_node": create_node,
            "map_task": map_task,
        }
    )


# -- serialization, byte for byte ---------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_workflow_spec_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    assert_same_workflow_spec(getattr(theirs, shape), getattr(ours, shape))


def test_overrides_reach_the_wire(ours: ModuleType) -> None:
    """Without the oracle: the fields each override writes (so a no-op with_overrides fails here too)."""
    _, settings = settings_pair()
    (node,) = get_serializable(OrderedDict(), settings, ours.everything).template.nodes
    assert node.id == "all"
    meta = node.metadata
    assert (meta.name, meta.retries.retries, meta.timeout.seconds) == ("everything-node", 7, 90)
    assert (meta.interruptible, meta.cacheable, meta.cache_version) == (True, True, "9")
    o = node.task_node.overrides
    assert o.container_image == "repo/all:3"
    assert [(r.name, r.value) for r in o.resources.requests] == [(1, "1"), (3, "1Gi")]
    assert o.extended_resources.shared_memory.mount_path == "/dev/shm"
    assert [(a.var, a.alias) for a in node.output_aliases] == [("o0", "out")]
    (array_node,) = get_serializable(OrderedDict(), settings, ours.mapped).template.nodes
    sub = array_node.array_node.node
    assert array_node.id == "the-map"
    assert (sub.metadata.name, sub.metadata.retries.retries) == ("mapped-inc", 2)
    assert not array_node.metadata.HasField("timeout")  # the sub-node's, not the array node's
    assert sub.task_node.overrides.container_image == "repo/map:1"


def test_a_with_overrides_leaves_other_nodes_of_the_task_alone(ours: ModuleType) -> None:
    _, settings = settings_pair()
    first, second = get_serializable(OrderedDict(), settings, ours.node_name).template.nodes
    assert (first.id, second.id) == ("my-first-node", "second")
    assert second.upstream_node_ids == ["my-first-node"]
    assert second.inputs[0].binding.promise.node_id == "my-first-node"
    plain = get_serializable(OrderedDict(), settings, ours.aliases).template.nodes[0]
    assert plain.metadata.retries.retries == 1  # the task's: other workflows' nodes keep it


# -- local runs -----------------------------------------------------------------------------------------


@task
def flaky(counter: str, succeed_on: int) -> int:
    """Fails recoverably until its ``succeed_on``-th attempt (no retries of its own)."""
    path = Path(counter)
    n = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(n))
    if n < succeed_on:
        raise RecoverableError(f"attempt {n} of {succeed_on}")
    return n


@workflow
def flaky_overridden(counter: str, succeed_on: int) -> int:
    return flaky(counter=counter, succeed_on=succeed_on).with_overrides(retries=3)


@workflow
def flaky_plain(counter: str, succeed_on: int) -> int:
    return flaky(counter=counter, succeed_on=succeed_on)


@task(retries=5)
def retried(counter: str, succeed_on: int) -> int:
    return flaky.execute(counter=counter, succeed_on=succeed_on)


@workflow
def fewer_retries(counter: str, succeed_on: int) -> int:
    return retried(counter=counter, succeed_on=succeed_on).with_overrides(retries=0)


def test_retries_override_takes_effect_locally(tmp_path: Path) -> None:
    assert run_workflow(flaky_overridden, {"counter": str(tmp_path / "a"), "succeed_on": 4}) == 4
    assert (tmp_path / "a").read_text() == "4"
    with pytest.raises(WorkflowExecutionError, match="on its first attempt"):
        run_workflow(flaky_plain, {"counter": str(tmp_path / "b"), "succeed_on": 2})
    with pytest.raises(WorkflowExecutionError, match="on its first attempt"):
        run_workflow(fewer_retries, {"counter": str(tmp_path / "c"), "succeed_on": 2})
    assert (tmp_path / "c").read_text() == "1"


@task
def sleeper(seconds: float) -> float:
    import time

    time.sleep(seconds)
    return seconds


@workflow
def sleeper_wf(seconds: float) -> float:
    return sleeper(seconds=seconds).with_overrides(timeout=1)


def test_timeout_override_ends_the_subprocess(tmp_path: Path) -> None:
    with pytest.raises(WorkflowExecutionError, match="timed out after 1s") as info:
        run_workflow(sleeper_wf, {"seconds": 120.0}, isolated=True, blob_dir=tmp_path)
    (record,) = info.value.failures
    assert (record.timed_out, record.timeout) == (True, 1.0)


@task
def counted(counter: str, x: int) -> int:
    path = Path(counter)
    path.write_text(path.read_text() + "x" if path.exists() else "x")
    return x * 2


@workflow
def cached_by_node(counter: str, x: int) -> int:
    return counted(counter=counter, x=x).with_overrides(cache=True, cache_version="1")


@task(cache=True, cache_version="1")
def cached_task(counter: str, x: int) -> int:
    return counted.execute(counter=counter, x=x)


@workflow
def uncached_by_node(counter: str, x: int) -> int:
    return cached_task(counter=counter, x=x).with_overrides(cache=False)


def test_cache_override_takes_effect_locally(tmp_path: Path) -> None:
    cache = LocalCache(tmp_path / "cache")
    inputs = {"counter": str(tmp_path / "n"), "x": 2}
    assert run_workflow(cached_by_node, inputs, cache=cache) == 4
    assert run_workflow(cached_by_node, inputs, cache=cache) == 4
    assert (tmp_path / "n").read_text() == "x"  # the second run came from the cache
    inputs = {"counter": str(tmp_path / "m"), "x": 2}
    assert run_workflow(uncached_by_node, inputs, cache=cache) == 4
    assert run_workflow(uncached_by_node, inputs, cache=cache) == 4
    assert (tmp_path / "m").read_text() == "xx"  # cache=False on the node: both runs ran


def test_node_name_and_name_overrides_run_locally(ours: ModuleType) -> None:
    assert run_workflow(ours.node_name, {"a": 1}) == 3
    assert run_workflow(ours.everything, {"a": 1}) == 2
    assert run_workflow(ours.multi_output, {"a": 5}) == "5"
    assert run_workflow(ours.mapped, {"xs": [1, 2]}) == [2, 3]
    assert run_workflow(ours.sub_workflow, {"a": 1}) == 2


def test_node_settings_prefer_the_nodes_metadata(ours: ModuleType) -> None:
    node = ours.timedelta_interruptible_name.nodes[0]
    local = node_settings(ours.inc, node.metadata)
    assert (local.retries, local.timeout, local.cache) == (1, 120.0, False)
    assert node_settings(ours.inc, None).timeout == 100.0
    assert node_settings(ours.inc, ours.timeout_none.nodes[0].metadata)[:2] == (0, 100.0)


# -- bad input ------------------------------------------------------------------------------------------


def _compile(**overrides: Any) -> None:
    @workflow
    def wf(a: int) -> int:
        return flaky(counter="c", succeed_on=a).with_overrides(**overrides)

    wf.compile()


@pytest.mark.parametrize(
    ("overrides", "error", "match"),
    [
        ({"foo": 1}, WorkflowCompileError, "unknown key 'foo'"),
        ({"retries": -1}, WorkflowCompileError, "retries must be an int of 0 or more, got -1"),
        ({"retries": "2"}, WorkflowCompileError, "retries must be an int"),
        ({"timeout": -5}, WorkflowCompileError, "negative"),
        ({"timeout": "5"}, WorkflowCompileError, "timeout should be duration"),
        ({"interruptible": "yes"}, WorkflowCompileError, "interruptible must be True or False"),
        ({"node_name": "..."}, WorkflowCompileError, "node_name must be a non-empty str"),
        ({"aliases": ["o0"]}, WorkflowCompileError, r"aliases should be specified as dict\[str, str\]"),
        (
            {"requests": {"cpu": "1"}},
            WorkflowCompileError,
            "requests should be specified as flyweight.Resources",
        ),
        (
            {"resources": Resources(cpu="1"), "limits": Resources(cpu="1")},
            WorkflowCompileError,
            "`resources` can not be used together",
        ),
        ({"requests": Resources(cpu=("1", "2"))}, WorkflowCompileError, "pair is only allowed in resources="),
        ({"cache": True}, WorkflowCompileError, "cache=True needs a cache version"),
        ({"cache": "yes"}, WorkflowCompileError, "cache must be True, False or a flyweight.Cache"),
        ({"shared_memory": 3}, WorkflowCompileError, "shared_memory must be True"),
        ({"container_image": 3}, WorkflowCompileError, "container_image must be an image name"),
        ({"accelerator": object()}, WorkflowCompileError, "accelerator must be an accelerator"),
        ({"pod_template": object()}, WorkflowCompileError, "pod_template must be a flyweight.PodTemplate"),
        ({"task_config": object()}, WorkflowCompileError, "can't change the type of the task config"),
    ],
)
def test_bad_overrides_are_refused(overrides: dict[str, Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        _compile(**overrides)


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("overrides", "kind"),
    [
        ({"retries": -1}, ValueError),
        ({"retries": "2"}, TypeError),
        ({"timeout": "5"}, ValueError),
        ({"aliases": ["o0"]}, AssertionError),
        ({"requests": {"cpu": "1"}}, AssertionError),
        ({"cache": True}, ValueError),
    ],
)
def test_errors_are_of_flytekits_kinds(
    flytekit: Any, overrides: dict[str, Any], kind: type[Exception]
) -> None:
    """flytekit raises ``kind`` for these; flyweight's error is one too (``WorkflowCompileError`` is a
    ``TypeError``, ``ValueError`` and ``AssertionError``)."""
    fk_settings, _ = settings_pair()

    @flytekit.task
    def fk_inc(a: int) -> int:
        return a

    def fk_body(a: int) -> int:
        return fk_inc(a=a).with_overrides(**overrides)

    with pytest.raises(kind):  # flytekit compiles at decoration, and checks retries in to_flyte_idl
        get_fk_serializable(OrderedDict(), fk_settings, flytekit.workflow(fk_body)).to_flyte_idl()
    with pytest.raises(kind):
        _compile(**overrides)


def test_a_promise_value_is_refused() -> None:
    @workflow
    def wf(a: int) -> int:
        b = flaky(counter="c", succeed_on=a)
        return flaky(counter="c", succeed_on=b).with_overrides(retries=b)

    with pytest.raises(WorkflowCompileError, match="retries= cannot be a promise"):
        wf.compile()


def test_an_input_of_the_workflow_cannot_be_overridden() -> None:
    @workflow
    def wf(a: int) -> int:
        a.with_overrides(retries=1)
        return a

    with pytest.raises(WorkflowCompileError, match="on an input of the workflow"):
        wf.compile()


def test_positional_values_follow_flytekits_order(ours: ModuleType) -> None:
    @workflow
    def wf(a: int) -> int:
        return ours.inc(a=a).with_overrides("pos", None, None, None, datetime.timedelta(seconds=5), 2)

    wf.compile()
    (node,) = wf.nodes
    assert (node.id, node.metadata.retries.retries, node.metadata.timeout.seconds) == ("pos", 2, 5)


def test_an_override_in_a_conditional_branch_applies_locally() -> None:
    from flyweight import conditional, task, workflow
    from flyweight._runtime import run_workflow
    from flyweight.errors import RecoverableError

    calls: list[int] = []

    @task
    def flaky_once(x: int) -> int:
        calls.append(x)
        if len(calls) == 1:
            raise RecoverableError("first attempt")
        return x

    @workflow
    def wf(x: int) -> int:
        return (
            conditional("c")
            .if_(x > 0)
            .then(flaky_once(x=x).with_overrides(retries=1))
            .else_()
            .then(flaky_once(x=x))
        )

    assert run_workflow(wf, {"x": 3}) == 3
    assert calls == [3, 3]
