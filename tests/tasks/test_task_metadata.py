"""``TaskMetadata``: flytekit's 13 fields in flytekit's order, its validation, and the deck flags."""

from __future__ import annotations

import dataclasses
import datetime
import warnings
from typing import Any

import pytest
from tests.tasks.sample_tasks import CallbackExecutor

from flyweight import SerializationSettings, TaskMetadata
from flyweight._tasks._metadata import DEFAULT_DECK_FIELDS, deck_settings
from flyweight.errors import TaskDefinitionError
from flyweight.extend import DeckField, PythonCustomizedContainerTask

FIELDS = [
    ("cache", False),
    ("cache_serialize", False),
    ("cache_version", ""),
    ("cache_ignore_input_vars", ()),
    ("interruptible", None),
    ("deprecated", ""),
    ("retries", 0),
    ("timeout", None),
    ("pod_template_name", None),
    ("generates_deck", False),
    ("is_eager", False),
    ("labels", None),
    ("annotations", None),
]


def test_thirteen_fields_in_flytekits_order_with_its_defaults() -> None:
    fields = dataclasses.fields(TaskMetadata)
    assert [f.name for f in fields] == [name for name, _ in FIELDS]
    meta = TaskMetadata()
    for name, default in FIELDS:
        assert getattr(meta, name) == default, name


def test_positional_construction_follows_the_order() -> None:
    timeout = datetime.timedelta(seconds=30)
    meta = TaskMetadata(
        True, True, "v1", ("a",), True, "old", 3, timeout, "pod", True, True, {"l": "1"}, {"a": "2"}
    )
    assert meta == TaskMetadata(
        cache=True,
        cache_serialize=True,
        cache_version="v1",
        cache_ignore_input_vars=("a",),
        interruptible=True,
        deprecated="old",
        retries=3,
        timeout=timeout,
        pod_template_name="pod",
        generates_deck=True,
        is_eager=True,
        labels={"l": "1"},
        annotations={"a": "2"},
    )


def test_int_timeout_becomes_a_timedelta() -> None:
    assert TaskMetadata(timeout=90).timeout == datetime.timedelta(seconds=90)
    assert TaskMetadata(timeout=datetime.timedelta(minutes=2)).timeout == datetime.timedelta(minutes=2)


def test_zero_timeout_is_left_alone() -> None:
    assert TaskMetadata(timeout=0).timeout == 0


@pytest.mark.parametrize("timeout", ["30s", 1.5, True, [30]])
def test_other_timeouts_are_refused(timeout: Any) -> None:
    with pytest.raises(
        TaskDefinitionError,
        match="^timeout should be duration represented as either a datetime.timedelta or int seconds$",
    ):
        TaskMetadata(timeout=timeout)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cache": True}, "Caching is enabled ``cache=True`` but ``cache_version`` is not set."),
        (
            {"cache_serialize": True},
            "Cache serialize is enabled ``cache_serialize=True`` but ``cache`` is not enabled.",
        ),
        (
            {"cache_ignore_input_vars": ("a", "b")},
            "Cache ignore input vars are specified ``cache_ignore_input_vars=('a', 'b')`` "
            "but ``cache`` is not enabled.",
        ),
        (
            {"timeout": "1h"},
            "timeout should be duration represented as either a datetime.timedelta or int seconds",
        ),
    ],
)
def test_validation_errors_have_flytekits_text(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TaskDefinitionError) as e:
        TaskMetadata(**kwargs)
    assert str(e.value) == message
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize("retries", [-1, 1.5, "3", True])
def test_bad_retries_are_refused(retries: Any) -> None:
    with pytest.raises(TaskDefinitionError, match="retries must be a non-negative int"):
        TaskMetadata(retries=retries)


def test_valid_cache_settings() -> None:
    meta = TaskMetadata(cache=True, cache_version="1", cache_serialize=True, cache_ignore_input_vars=("x",))
    assert (meta.cache, meta.cache_version, meta.cache_serialize) == (True, "1", True)
    assert meta.cache_ignore_input_vars == ("x",)


def test_retry_strategy() -> None:
    assert TaskMetadata(retries=4).retry_strategy == 4


# -- deck flags -------------------------------------------------------------------------------------------


def task(**kwargs: Any) -> PythonCustomizedContainerTask[Any]:
    return PythonCustomizedContainerTask("meta.deck", None, "img:1", CallbackExecutor, **kwargs)


def test_decks_are_off_by_default() -> None:
    t = task()
    assert t.enable_deck is False
    assert t.deck_fields == []


def test_enable_and_disable_deck_conflict() -> None:
    with pytest.raises(TaskDefinitionError, match=r"^only one of \[disable_deck, enable_deck\] can be set$"):
        task(enable_deck=True, disable_deck=False)


def test_disable_deck_is_deprecated_with_a_future_warning() -> None:
    with pytest.warns(
        FutureWarning, match="disable_deck was deprecated in 1.10.0, please use enable_deck instead"
    ):
        t = task(disable_deck=False)
    assert t.enable_deck is True
    with pytest.warns(FutureWarning):
        assert task(disable_deck=True).enable_deck is False


def test_enable_deck_keeps_the_default_fields() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t = task(enable_deck=True)
    assert t.enable_deck is True
    assert t.deck_fields == list(DEFAULT_DECK_FIELDS)
    assert t.deck_fields == [
        DeckField.SOURCE_CODE,
        DeckField.DEPENDENCIES,
        DeckField.TIMELINE,
        DeckField.INPUT,
        DeckField.OUTPUT,
    ]


def test_deck_fields_are_kept_only_when_decks_are_enabled() -> None:
    fields = (DeckField.INPUT, DeckField.OUTPUT)
    assert task(enable_deck=True, deck_fields=fields).deck_fields == [DeckField.INPUT, DeckField.OUTPUT]
    assert task(enable_deck=False, deck_fields=fields).deck_fields == []
    assert task(deck_fields=fields).deck_fields == []
    assert task(enable_deck=True, deck_fields=None).deck_fields == []


def test_plain_strings_are_accepted_as_deck_fields() -> None:
    t = task(enable_deck=True, deck_fields=("Input", "Timeline"))
    assert t.deck_fields == [DeckField.INPUT, DeckField.TIMELINE]
    assert all(isinstance(f, DeckField) for f in t.deck_fields)


def test_an_invalid_deck_field_is_refused() -> None:
    with pytest.raises(TaskDefinitionError) as e:
        task(enable_deck=True, deck_fields=("Input", "Graphs"))
    assert str(e.value).startswith("Element Graphs from deck_fields param is not a valid deck field.")
    assert "Please use one of" in str(e.value)
    assert isinstance(e.value, ValueError)


def test_an_invalid_deck_field_is_ignored_when_decks_are_off() -> None:
    assert task(deck_fields=("Graphs",)).deck_fields == []


def test_deck_settings_function() -> None:
    assert deck_settings(None, None, DEFAULT_DECK_FIELDS) == (True, [])
    assert deck_settings(True, None, ("Input",)) == (False, [DeckField.INPUT])
    with pytest.warns(FutureWarning):
        assert deck_settings(None, True, ("Input",)) == (True, [])


def test_enable_deck_reaches_generates_deck_without_changing_the_task() -> None:
    t = task(enable_deck=True)
    pb = t.serialize_to_model(SerializationSettings(project="p", domain="d", version="v"))
    assert pb.metadata.generates_deck.value is True
    assert t.metadata.generates_deck is False
