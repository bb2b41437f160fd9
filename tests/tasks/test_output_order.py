"""A tuple result is matched to outputs in declaration order, whatever order the template's map has
(ADR 0005): the order is recorded under ``config['flyweight.output_order']``."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from flyteidl.core import interface_pb2, tasks_pb2
from tests.tasks import sample_tasks
from tests.tasks.sample_tasks import CallbackExecutor, SampleTask

from flyweight import SerializationSettings, TypeTransformerFailedError, kwtypes
from flyweight._serialize import OUTPUT_ORDER_KEY
from flyweight.extend import ExecutableTemplateShimTask, LiteralMap, TypeEngine

REAL = SerializationSettings(project="proj", domain="dev", version="v1")
TYPES = {"count": int, "alpha": str, "ratio": float}
VALUES = {"count": 3, "alpha": "a", "ratio": 0.5}


def _map_order() -> list[str]:
    probe = interface_pb2.VariableMap()
    for name in TYPES:
        probe.variables[name].description = name
    return list(probe.variables)


# Declare the outputs in the reverse of the order a protobuf map iterates them, so matching a tuple
# by the map's order would put every value under the wrong name. That order is read again for each
# test: the runtime's map order can change during a process (it did between import and test time).
DECLARED: list[str] = []


@pytest.fixture(autouse=True)
def _declared_against_the_current_map_order() -> None:
    DECLARED[:] = reversed(_map_order())
    for order in itertools.permutations(TYPES):  # should the runtime's order move again: any order it lacks
        try:
            reordered_template()
        except AssertionError:
            DECLARED[:] = order
        else:
            return
    reordered_template()  # every declaration order: the premise cannot be set up (fails, saying so)


@pytest.fixture
def run() -> Iterator[Any]:
    yield sample_tasks.install
    sample_tasks.clear()


def reordered_template() -> tasks_pb2.TaskTemplate:
    """The task's real template, with its outputs map rebuilt in reverse order."""
    outputs = {name: TYPES[name] for name in DECLARED}
    t = SampleTask("order.three", inputs=kwtypes(x=int), outputs=outputs)
    pb = tasks_pb2.TaskTemplate()
    pb.CopyFrom(t.serialize_to_model(REAL))
    old = pb.interface.outputs.variables
    # The premise: the template's own map order is not the declaration order. A protobuf map's
    # iteration order depends on the runtime's hashing, so try insertion orders until one differs.
    for order in itertools.permutations(DECLARED):
        rebuilt = interface_pb2.VariableMap()
        for name in order:
            rebuilt.variables[name].CopyFrom(old[name])
        if list(rebuilt.variables) != DECLARED:
            pb.interface.outputs.CopyFrom(rebuilt)  # copying may reorder the map again: check the copy
            if list(pb.interface.outputs.variables) != DECLARED:
                return pb
    raise AssertionError(f"every insertion order of {DECLARED} iterates in declaration order")


def declared_tuple(x: int) -> tuple[Any, ...]:
    values = dict(VALUES, count=x + 2)
    return tuple(values[name] for name in DECLARED)


def run_shim(pb: tasks_pb2.TaskTemplate) -> dict[str, Any]:
    shim = ExecutableTemplateShimTask(pb, CallbackExecutor)
    lm = TypeEngine.dict_to_literal_map(None, {"x": 1}, {"x": int})
    out = shim.dispatch_execute(None, lm)
    assert isinstance(out, LiteralMap)
    return TypeEngine.literal_map_to_kwargs(None, out, TYPES)


def test_the_declaration_order_is_recorded() -> None:
    pb = reordered_template()
    assert pb.config[OUTPUT_ORDER_KEY] == ",".join(DECLARED)


@pytest.mark.parametrize("shape", [tuple, list])
def test_a_sequence_lands_under_the_declared_names(run: Any, shape: Any) -> None:
    run(lambda tt, x: shape(declared_tuple(x)))
    assert run_shim(reordered_template()) == {"count": 3, "alpha": "a", "ratio": 0.5}


def test_without_the_recorded_order_a_tuple_is_refused(run: Any) -> None:
    pb = reordered_template()
    del pb.config[OUTPUT_ORDER_KEY]
    run(lambda tt, x: declared_tuple(x))
    with pytest.raises(TypeTransformerFailedError) as e:
        run_shim(pb)
    msg = str(e.value)
    assert "task 'order.three'" in msg
    assert "does not record the order of its outputs" in msg
    assert "return a dict or NamedTuple keyed by output name" in msg


def test_without_the_recorded_order_a_dict_works(run: Any) -> None:
    pb = reordered_template()
    del pb.config[OUTPUT_ORDER_KEY]
    run(lambda tt, x: {"ratio": 0.25, "count": x, "alpha": "b"})
    assert run_shim(pb) == {"count": 1, "alpha": "b", "ratio": 0.25}


def test_a_recorded_order_that_does_not_match_the_outputs_is_not_trusted(run: Any) -> None:
    pb = reordered_template()
    pb.config[OUTPUT_ORDER_KEY] = "count,alpha,other"
    run(lambda tt, x: declared_tuple(x))
    with pytest.raises(TypeTransformerFailedError, match="does not record the order"):
        run_shim(pb)


def test_single_and_no_output_templates_record_nothing() -> None:
    one = SampleTask("order.one", outputs=kwtypes(a=int)).serialize_to_model(REAL)
    none = SampleTask("order.none").serialize_to_model(REAL)
    assert OUTPUT_ORDER_KEY not in one.config
    assert OUTPUT_ORDER_KEY not in none.config


def test_get_config_keys_are_kept_beside_the_order() -> None:
    class Configured(SampleTask):
        def get_config(self, settings: Any) -> dict[str, str]:
            return {"plugin.key": "v"}

    pb = Configured("order.cfg", outputs=kwtypes(a=int, b=int)).serialize_to_model(REAL)
    assert dict(pb.config) == {"plugin.key": "v", OUTPUT_ORDER_KEY: "a,b"}
