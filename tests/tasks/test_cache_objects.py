"""``@task(cache=Cache(...))``, cache policies and ``with_overrides(cache=Cache(...))``: the template and
WorkflowSpec bytes flytekit 1.16.14 writes for the same source (``cache_objects_source.py``), the local
cache honouring the resulting version and ignored inputs, and bad input."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from tests.serialize.test_workflow_oracle import diff, get_fk_serializable, normalized
from tests.tasks.test_function_task_oracle import identity_map, settings_pair, text_diff
from tests.workflows.sdk_switch import load_source

import flyweight
from flyweight import Cache, CachePolicy, TaskMetadata, VersionParameters, task, workflow
from flyweight._runtime import run_workflow
from flyweight._runtime._cache import LocalCache
from flyweight._serialize import get_serializable
from flyweight.errors import TaskDefinitionError, WorkflowCompileError

SOURCE = Path(__file__).with_name("cache_objects_source.py")
MODULE = "tests.tasks.cache_objects_source"
TASKS = [
    "versioned",
    "serialized",
    "ignoring",
    "ignoring_one",
    "salted",
    "several",
    "imaged",
    "version_wins",
    "uncached",
]


def load(sdk: dict[str, Any]) -> ModuleType:
    """Load ``cache_objects_source.py`` afresh with these SDK names."""
    return load_source(SOURCE, MODULE, sdk)


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    return load({"task": flytekit.task, "workflow": flytekit.workflow, "Cache": flytekit.Cache})


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:
    return load({"task": task, "workflow": workflow, "Cache": Cache})


@pytest.fixture(scope="module")
def mine() -> ModuleType:
    """The source loaded with flyweight only (no oracle needed)."""
    return load({"task": task, "workflow": workflow, "Cache": Cache})


# -- serialization, byte for byte ---------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("name", TASKS)
def test_template_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, name: str) -> None:
    fk_settings, settings = settings_pair()
    fk_spec = get_fk_serializable(OrderedDict(), fk_settings, getattr(theirs, name)).to_flyte_idl()
    expected = identity_map(fk_spec.template, list(getattr(ours, name).python_interface.outputs))
    got = getattr(ours, name).serialize_to_model(settings)
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), (
        text_diff(expected, got)
    )


@pytest.mark.oracle
def test_workflow_spec_with_cache_overrides_equals_flytekits(theirs: ModuleType, ours: ModuleType) -> None:
    fk_settings, settings = settings_pair()
    expected = normalized(get_fk_serializable(OrderedDict(), fk_settings, theirs.overridden).to_flyte_idl())
    got = normalized(get_serializable(OrderedDict(), settings, ours.overridden))
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True), diff(
        expected, got
    )


@pytest.mark.oracle
@pytest.mark.parametrize("name", ["salted", "several", "imaged"])
def test_computed_versions_equal_flytekits(theirs: ModuleType, ours: ModuleType, name: str) -> None:
    assert getattr(ours, name).metadata.cache_version == getattr(theirs, name).metadata.cache_version


# -- the fields, without the oracle -------------------------------------------------------------------


def test_cache_objects_fill_the_metadata(mine: ModuleType) -> None:
    meta = mine.versioned.metadata
    assert (meta.cache, meta.cache_version, meta.cache_serialize, meta.cache_ignore_input_vars) == (
        True,
        "1",
        False,
        (),
    )
    assert (mine.serialized.metadata.cache_version, mine.serialized.metadata.cache_serialize) == ("2", True)
    assert mine.ignoring.metadata.cache_ignore_input_vars == ("seed", "note")
    assert mine.ignoring_one.metadata.cache_ignore_input_vars == ("seed",)
    assert mine.version_wins.metadata.cache_version == "given"
    assert mine.uncached.metadata.cache is False


def test_a_computed_version_is_the_sha256_of_the_policies_versions(mine: ModuleType) -> None:
    assert mine.salted.metadata.cache_version == hashlib.sha256(b"salted:pepper").hexdigest()
    expected = "salted:pepper"
    assert mine.salted.metadata.cache_version != expected
    source = mine.SourcePolicy().get_version("s", VersionParameters(func=mine.several.task_function))
    assert mine.several.metadata.cache_version == hashlib.sha256(f"several:s{source}".encode()).hexdigest()
    assert mine.imaged.metadata.cache_version == hashlib.sha256(b"repo/img:1|pt|None").hexdigest()


def test_with_overrides_writes_the_caches_version_and_serialize(mine: ModuleType) -> None:
    nodes = mine.overridden.nodes
    metas = [(n.metadata.cacheable, n.metadata.cache_version, n.metadata.cache_serializable) for n in nodes]
    assert metas == [(True, "9", True), (True, "4", False), (False, "", False), (True, "5", False)]
    assert nodes[3].metadata.retries.retries == 2


def test_public_names_are_the_caches() -> None:
    class Fixed:
        def get_version(self, salt: str, params: VersionParameters) -> str:
            return "v"

    assert isinstance(Fixed(), CachePolicy)
    assert not isinstance(object(), CachePolicy)
    assert flyweight.Cache is Cache


# -- local runs ---------------------------------------------------------------------------------------


def _counting(counter: Path, cache: Cache) -> Any:
    @task(cache=cache)
    def count(a: int, seed: int) -> int:
        counter.write_text(counter.read_text() + "x" if counter.exists() else "x")
        return a * 10

    @workflow
    def wf(a: int, seed: int) -> int:
        return count(a=a, seed=seed)

    return wf


def test_a_second_run_hits_the_local_cache(tmp_path: Path) -> None:
    cache, counter = LocalCache(tmp_path / "cache"), tmp_path / "n"
    wf = _counting(counter, Cache(version="1"))
    assert run_workflow(wf, {"a": 1, "seed": 0}, cache=cache) == 10
    assert run_workflow(wf, {"a": 1, "seed": 0}, cache=cache) == 10
    assert counter.read_text() == "x"
    assert run_workflow(wf, {"a": 1, "seed": 5}, cache=cache) == 10  # seed counts here
    assert counter.read_text() == "xx"


def test_a_different_version_misses(tmp_path: Path) -> None:
    cache, counter = LocalCache(tmp_path / "cache"), tmp_path / "n"
    assert run_workflow(_counting(counter, Cache(version="1")), {"a": 1, "seed": 0}, cache=cache) == 10
    assert run_workflow(_counting(counter, Cache(version="2")), {"a": 1, "seed": 0}, cache=cache) == 10
    assert counter.read_text() == "xx"
    assert run_workflow(_counting(counter, Cache(version="2")), {"a": 1, "seed": 0}, cache=cache) == 10
    assert counter.read_text() == "xx"


def test_a_policy_computed_version_is_used_locally(tmp_path: Path) -> None:
    class Salted:
        def get_version(self, salt: str, params: VersionParameters) -> str:
            return salt

    cache, counter = LocalCache(tmp_path / "cache"), tmp_path / "n"
    for salt, runs in (("a", "x"), ("a", "x"), ("b", "xx"), ("a", "xx")):
        wf = _counting(counter, Cache(salt=salt, policies=Salted()))
        assert run_workflow(wf, {"a": 1, "seed": 0}, cache=cache) == 10
        assert counter.read_text() == runs


def test_ignored_inputs_do_not_count(tmp_path: Path) -> None:
    cache, counter = LocalCache(tmp_path / "cache"), tmp_path / "n"
    wf = _counting(counter, Cache(version="1", ignored_inputs="seed"))
    assert run_workflow(wf, {"a": 1, "seed": 0}, cache=cache) == 10
    assert run_workflow(wf, {"a": 1, "seed": 7}, cache=cache) == 10
    assert counter.read_text() == "x"
    assert run_workflow(wf, {"a": 2, "seed": 7}, cache=cache) == 20
    assert counter.read_text() == "xx"


# -- bad input ----------------------------------------------------------------------------------------


def _fn(a: int) -> int:
    return a


class _Boom:
    def get_version(self, salt: str, params: VersionParameters) -> str:
        raise RuntimeError("no source")


class _NotStr:
    def get_version(self, salt: str, params: VersionParameters) -> Any:
        return 3


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (Cache, "at least one cache policy"),
        (lambda: Cache(policies=[]), "at least one cache policy"),
        (lambda: Cache(version=1), r"Cache\(version=1\): expected a str"),
        (lambda: Cache(version="1", serialize="yes"), "serialize="),
        (lambda: Cache(version="1", salt=3), "salt="),
        (lambda: Cache(version="1", ignored_inputs=3), "ignored_inputs="),
        (lambda: Cache(version="1", ignored_inputs=("a", 3)), "ignored_inputs="),
        (lambda: Cache(policies="nope"), "policies="),
        (lambda: Cache(policies=[_Boom(), object()]), "policies="),
        (lambda: task(cache=Cache(version="1"), cache_version="2")(_fn), "deprecated. Please use Cache"),
        (lambda: task(cache=Cache(version="1"), cache_serialize=True)(_fn), "cache_serialize"),
        (lambda: task(cache=Cache(version="1"), cache_ignore_input_vars=["a"])(_fn), "deprecated"),
        (lambda: task(cache="1")(_fn), "a flyweight.Cache"),
        (lambda: task(cache=Cache(policies=_Boom()))(_fn), "Failed to generate version .* no source"),
        (lambda: task(cache=Cache(policies=_NotStr()))(_fn), "Failed to generate version .* not str"),
        (lambda: task(cache=Cache(version="1", ignored_inputs="b"))(_fn), "'b', which is not an input"),
        (lambda: task(cache=Cache(version=""))(_fn), "``cache_version`` is not set"),
        (lambda: TaskMetadata(cache=Cache(version="1")), r"@task\(cache=Cache"),  # type: ignore[arg-type]
    ],
)
def test_bad_cache_input_is_refused(make: Any, match: str) -> None:
    with pytest.raises(TaskDefinitionError, match=match):
        make()


@task
def _plain(a: int) -> int:
    return a


@pytest.mark.parametrize(
    ("overrides", "match"),
    [
        ({"cache": Cache(policies=[_Boom()])}, "must specify cache version when overriding"),
        ({"cache": Cache(version="1"), "cache_version": "2"}, "deprecated. Please use Cache"),
        ({"cache": Cache(version="1"), "cache_serialize": True}, "deprecated. Please use Cache"),
        ({"cache": 1}, "cache must be True, False or a flyweight.Cache"),
    ],
)
def test_bad_cache_overrides_are_refused(overrides: dict[str, Any], match: str) -> None:
    with pytest.raises(WorkflowCompileError, match=match):

        @workflow
        def wf(a: int) -> int:
            return _plain(a=a).with_overrides(**overrides)

        wf.compile()


def test_a_cache_override_is_used_locally(tmp_path: Path) -> None:
    cache, counter = LocalCache(tmp_path / "cache"), tmp_path / "n"

    @task
    def count(a: int) -> int:
        counter.write_text(counter.read_text() + "x" if counter.exists() else "x")
        return a * 10

    @workflow
    def wf(a: int) -> int:
        return count(a=a).with_overrides(cache=Cache(version="1"))

    assert run_workflow(wf, {"a": 1}, cache=cache) == 10
    assert run_workflow(wf, {"a": 1}, cache=cache) == 10
    assert counter.read_text() == "x"
