"""Tracked instances know the module they were created in and the name they are bound to there."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from tests.tasks import tracked_objects

from flyweight._tasks import TrackedInstance
from flyweight.errors import TaskDefinitionError
from flyweight.extend import TaskTemplateResolver

MODULE = "tests.tasks.tracked_objects"


def test_module_level_object_knows_its_module_name_and_location() -> None:
    obj = tracked_objects.custom_resolver
    assert obj.instantiated_in == MODULE
    assert obj.lhs == "custom_resolver"
    assert obj.location == f"{MODULE}.custom_resolver"


def test_the_first_name_bound_wins_over_a_later_alias() -> None:
    """flytekit scans names alphabetically and would answer ``alpha_alias``."""
    assert tracked_objects.alpha_alias is tracked_objects.zeta_first
    assert tracked_objects.zeta_first.lhs == "zeta_first"
    assert tracked_objects.alpha_alias.location == f"{MODULE}.zeta_first"


def test_an_object_made_by_a_helper_belongs_to_the_calling_module() -> None:
    obj = tracked_objects.made_by_factory
    assert obj.instantiated_in == MODULE
    assert obj.lhs == "made_by_factory"


def test_an_object_bound_to_no_name_is_refused() -> None:
    obj = tracked_objects.unbound_holder[0]
    assert obj.instantiated_in == MODULE
    with pytest.raises(TaskDefinitionError, match=rf"not bound to a name in module '{MODULE}'"):
        obj.lhs  # noqa: B018
    with pytest.raises(TaskDefinitionError):
        obj.location  # noqa: B018


def test_an_object_created_outside_any_module_has_no_importable_name() -> None:
    made: list[Any] = []
    thread = threading.Thread(target=lambda: made.append(TaskTemplateResolver()))
    thread.start()
    thread.join()
    obj = made[0]
    assert obj.instantiated_in is None
    with pytest.raises(TaskDefinitionError, match="was not created at module level"):
        obj.find_lhs()


def test_lhs_is_found_once_and_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    obj = tracked_objects.custom_resolver
    assert obj.lhs == "custom_resolver"
    monkeypatch.setattr(tracked_objects, "custom_resolver", None)
    assert obj.lhs == "custom_resolver"


def test_instantiated_in_is_set_after_init() -> None:
    seen: list[Any] = []

    class Probe(TrackedInstance):
        def __init__(self) -> None:
            super().__init__()
            seen.append(self.instantiated_in)

    # made by module-level code (a task made inside a test function belongs to no module)
    namespace: dict[str, Any] = {"__name__": "tests.tasks.probe_module", "Probe": Probe}
    exec(compile("probe = Probe()", "<probe>", "exec"), namespace)
    probe = namespace["probe"]
    assert seen == [None]
    assert probe.instantiated_in is not None
