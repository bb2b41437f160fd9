"""The template a local call of a plugin task runs: cached, and made again whenever the task changes.

A change is seen whether an attribute is assigned or something inside an object the task holds is
changed: its metadata, its environment, its dataclass ``task_config``, a dict its ``get_custom`` reads.
An unchanged task keeps its template (no serialization per call). ``StateSnapshot``, which decides,
is tested on its own at the end.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from tests.tasks import sample_tasks
from tests.tasks.sample_tasks import CallbackExecutor, Config, ConfigTask, Inner, SampleTask

from flyweight import TaskMetadata, kwtypes
from flyweight._tasks._snapshot import StateSnapshot


@pytest.fixture
def run() -> Iterator[Any]:
    yield sample_tasks.install
    sample_tasks.clear()


def template_of(t: Any) -> Any:
    """The message the next local call of ``t`` runs."""
    return t.task_template.to_flyte_idl()


def test_an_unchanged_task_keeps_its_template(run: Any) -> None:
    run(lambda tt: None)
    t = SampleTask("cache.same", custom={"q": "a", "nested": {"k": [1]}}, environment={"K": "v"})
    first = template_of(t)
    t()
    t()
    assert template_of(t) is first


def test_a_change_in_the_metadata_reaches_the_next_call(run: Any) -> None:
    run(lambda tt: (tt.metadata.retries.retries, tt.metadata.interruptible))
    t = SampleTask("cache.meta", outputs=kwtypes(retries=int, interruptible=bool))
    t.metadata.interruptible = False
    assert tuple(t()) == (0, False)
    t.metadata.retries = 3
    t.metadata.interruptible = True
    assert tuple(t()) == (3, True)
    t.metadata.labels = {"team": "a"}
    assert dict(template_of(t).metadata.metadata.labels) == {"team": "a"}
    t.metadata.labels["team"] = "b"  # inside a dict inside the metadata
    assert dict(template_of(t).metadata.metadata.labels) == {"team": "b"}


def test_replacing_the_metadata_reaches_the_next_call(run: Any) -> None:
    run(lambda tt: tt.metadata.retries.retries)
    t = SampleTask("cache.meta2", outputs=kwtypes(retries=int))
    assert t() == 0
    t._metadata = TaskMetadata(retries=5)
    assert t() == 5


def test_a_change_in_the_environment_reaches_the_next_call(run: Any) -> None:
    run(lambda tt: tt.container.env.get("K", ""))
    t = SampleTask("cache.env", outputs=kwtypes(k=str), environment={"K": "first"})
    assert t() == "first"
    t.environment["K"] = "second"
    assert t() == "second"
    del t.environment["K"]
    assert t() == ""


def test_a_change_in_a_dataclass_task_config_reaches_the_next_call(run: Any) -> None:
    seen: list[Config] = []
    run(lambda tt: seen.append(tt.custom_as(Config)))
    cfg = Config(n=1)
    t = ConfigTask("cache.config", cfg, "img:1", CallbackExecutor)
    t()
    cfg.n = 2
    t()
    cfg.inner.label = "changed"  # a dataclass inside the config
    t()
    cfg.items.append(7)  # a list inside the config
    t()
    assert [c.n for c in seen] == [1, 2, 2, 2]
    assert [c.inner.label for c in seen] == ["inner", "inner", "changed", "changed"]
    assert seen[-1].items == [7]
    assert seen[-1] == Config(n=2, inner=Inner(label="changed"), items=[7])


def test_a_change_in_a_dict_read_by_get_custom_reaches_the_next_call(run: Any) -> None:
    run(lambda tt: tt.custom["q"])
    t = SampleTask("cache.custom", outputs=kwtypes(q=str), custom={"q": "a", "deep": {"list": [1]}})
    assert t() == "a"
    t.custom["q"] = "b"
    assert t() == "b"
    t.custom["deep"]["list"].append(2)
    assert t.task_template.custom["deep"] == {"list": [1.0, 2.0]}


def test_a_new_attribute_reaches_the_next_call(run: Any) -> None:
    class Labelled(SampleTask):
        def get_custom(self, settings: Any) -> dict[str, Any]:
            return {"label": getattr(self, "label", "none")}

    run(lambda tt: tt.custom["label"])
    t = Labelled("cache.attr", outputs=kwtypes(label=str))
    assert t() == "none"
    t.label = "set"
    assert t() == "set"


def test_the_executor_changing_its_template_view_changes_nothing_cached(run: Any) -> None:
    def mutate(tt: Any) -> str:
        got = str(tt.custom["q"])
        tt.custom["q"] = "mutated"
        return got

    run(mutate)
    t = SampleTask("cache.view", outputs=kwtypes(q=str), custom={"q": "a"})
    first = template_of(t)
    assert t() == "a"
    assert t() == "a"
    assert template_of(t) is first


def test_concurrent_calls_of_a_changing_task_see_a_whole_template(run: Any) -> None:
    run(lambda tt: tt.custom["a"] == tt.custom["b"])
    t = SampleTask("cache.threads", outputs=kwtypes(same=bool), custom={"a": 0, "b": 0})
    results: list[bool] = []

    def call() -> None:
        for _ in range(50):
            results.append(t())

    threads = [threading.Thread(target=call) for _ in range(3)]
    for th in threads:
        th.start()
    for i in range(50):
        t.custom = {"a": i, "b": i}
    for th in threads:
        th.join()
    assert results and all(results)


# -- StateSnapshot ----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Plain:
    items: list[int]


@dataclasses.dataclass(frozen=True)
class Frozen:
    n: int


class Opaque:
    def __init__(self) -> None:
        self.data = [1]


class NoCopy:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoCopy)

    __hash__ = None  # type: ignore[assignment]

    def __deepcopy__(self, memo: Any) -> Any:
        raise TypeError("cannot copy")


class BadEq:
    def __eq__(self, other: object) -> bool:
        raise ValueError("ambiguous")

    __hash__ = None  # type: ignore[assignment]


def test_a_snapshot_matches_the_unchanged_state() -> None:
    state: dict[str, Any] = {
        "n": 1,
        "d": {"a": [1, {"b": 2}]},
        "p": Plain([1]),
        "f": Frozen(1),
        "o": Opaque(),
        "nan": math.nan,
        "nocopy": NoCopy(),
        "bad": BadEq(),
        "t": (1, "x"),
    }
    assert StateSnapshot(state).matches(state)


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s["d"]["a"][1].update(b=3),
        lambda s: s["d"].pop("a"),
        lambda s: s["p"].items.append(2),
        lambda s: s.update(n=2),
        lambda s: s.update(f=Frozen(2)),
        lambda s: s.update(o=Opaque()),
        lambda s: s.update(extra=None),
        lambda s: s.pop("n"),
    ],
)
def test_a_snapshot_sees_a_change(change: Any) -> None:
    state: dict[str, Any] = {
        "n": 1,
        "d": {"a": [1, {"b": 2}]},
        "p": Plain([1]),
        "f": Frozen(1),
        "o": Opaque(),
    }
    snap = StateSnapshot(state)
    change(state)
    assert not snap.matches(state)


def test_a_snapshot_compares_objects_without_value_equality_by_identity() -> None:
    opaque = Opaque()
    state = {"o": opaque, "ident": {"inner": 1}}
    snap = StateSnapshot(state, by_identity={"ident"})
    opaque.data.append(2)  # inside an object compared by identity: not seen
    state["ident"]["inner"] = 2  # a name compared by identity: not seen
    assert snap.matches(state)


def test_a_comparison_that_fails_counts_as_a_change() -> None:
    state: dict[str, Any] = {"bad": BadEq()}
    snap = StateSnapshot(state)
    assert snap.matches(state)  # the same object: never compared
    state["bad"] = BadEq()
    assert not snap.matches(state)
