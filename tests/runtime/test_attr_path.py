"""Promise paths (``p.field``, ``p["key"]``, ``p[0]``): serialized byte for byte as flytekit 1.16.14 does,
and resolved by the local engine as Flyte's propeller (and flytekit's local runs) resolve them.

The workflows of ``attr_path_source.py`` are loaded once with each SDK under the same module name; their
``WorkflowSpec`` must have equal deterministic bytes, and local runs must give flytekit's results (or fail
where flytekit's fail).
"""

from __future__ import annotations

import re
import sys
from collections import OrderedDict
from pathlib import Path
from types import ModuleType
from typing import Any

import msgpack
import pytest
from google.protobuf import struct_pb2
from tests.serialize.test_workflow_oracle import (
    assert_same_workflow_spec,
    settings_pair,
)
from tests.workflows.sdk_switch import load_source

from flyweight import _idl, task, workflow
from flyweight._runtime import run_workflow
from flyweight._runtime._attr_path import format_path, resolve_path
from flyweight._serialize import get_serializable
from flyweight.errors import WorkflowCompileError, WorkflowExecutionError

SOURCE = Path(__file__).with_name("attr_path_source.py")
MODULE = "tests.runtime.attr_path_source"
SHAPES = [
    "chained",
    "chained_dict_of_dc",
    "dc_field",
    "dict_field_key",
    "dict_field_whole",
    "dict_of_dcs",
    "float_and_bool_fields",
    "in_dict_binding",
    "in_list_binding",
    "in_list_of_dcs_binding",
    "index_out_of_range",
    "input_chained",
    "input_field",
    "list_field_item",
    "list_field_whole",
    "list_of_dcs",
    "list_of_dcs_item",
    "missing_field",
    "missing_key",
    "nested_dc_field",
    "nested_dc_whole",
    "optional_field",
    "output_dc",
    "output_field",
    "plain_list_and_map",
    "plain_list_out_of_range",
    "untyped_dict",
    "untyped_dict_chained",
]


def load(task_decorator: Any, workflow_decorator: Any) -> ModuleType:
    """Load ``attr_path_source.py`` afresh with these SDK names."""
    return load_source(SOURCE, MODULE, task=task_decorator, workflow=workflow_decorator)


@pytest.fixture(scope="module")
def theirs(flytekit: Any) -> ModuleType:
    return load(flytekit.task, flytekit.workflow)


@pytest.fixture(scope="module")
def ours(theirs: ModuleType) -> ModuleType:
    return load(task, workflow)


# -- serialization, byte for byte ---------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.parametrize("shape", SHAPES)
def test_workflow_spec_bytes_equal_flytekits(theirs: ModuleType, ours: ModuleType, shape: str) -> None:
    assert_same_workflow_spec(getattr(theirs, shape), getattr(ours, shape))


def test_the_path_is_on_the_binding(ours: ModuleType) -> None:
    _, settings = settings_pair()
    spec = get_serializable(OrderedDict(), settings, ours.chained_dict_of_dc)
    (use,) = [n for n in spec.template.nodes if n.id == "n1"]
    ref = use.inputs[0].binding.promise
    assert (ref.node_id, ref.var) == ("n0", "o0")
    assert [a.WhichOneof("value") for a in ref.attr_path] == ["string_value", "string_value", "string_value"]
    assert [a.string_value for a in ref.attr_path] == ["lookup", "k", "score"]
    spec = get_serializable(OrderedDict(), settings, ours.list_of_dcs)
    (use,) = [n for n in spec.template.nodes if n.id == "n1"]
    attrs = use.inputs[0].binding.promise.attr_path
    assert (attrs[0].int_value, attrs[1].string_value) == (1, "name")


# -- local runs, compared with flytekit's ----------------------------------------------------------------

RUNS: list[tuple[str, dict[str, Any]]] = [
    ("dc_field", {"n": 3}),
    ("nested_dc_field", {"n": 3}),
    ("nested_dc_whole", {"n": 3}),
    ("float_and_bool_fields", {"n": 3}),
    ("float_and_bool_fields", {"n": 1}),
    ("list_field_item", {"n": 3}),
    ("list_field_whole", {"n": 3}),
    ("dict_field_key", {"n": 3}),
    ("dict_field_whole", {"n": 3}),
    ("chained", {"n": 3}),
    ("chained_dict_of_dc", {"n": 3}),
    ("list_of_dcs", {"n": 3}),
    ("list_of_dcs_item", {"n": 3}),
    ("dict_of_dcs", {"n": 3}),
    ("optional_field", {"n": 3}),
    ("optional_field", {"n": 0}),
    ("plain_list_and_map", {"n": 3}),
    ("in_list_binding", {"n": 3}),
    ("in_dict_binding", {"n": 3}),
    ("in_list_of_dcs_binding", {"n": 3}),
    ("output_field", {"n": 3}),
    ("output_dc", {"n": 3}),
]


def _normalized_result(value: Any) -> Any:
    """Results of both SDKs, comparable: tuples of outputs as tuples, dataclasses as their fields."""
    if isinstance(value, tuple):
        return tuple(_normalized_result(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return (type(value).__name__, vars(value))
    return value


@pytest.mark.oracle
@pytest.mark.parametrize(("shape", "inputs"), RUNS)
def test_local_run_equals_flytekits(
    theirs: ModuleType, ours: ModuleType, shape: str, inputs: dict[str, Any]
) -> None:
    expected = _normalized_result(getattr(theirs, shape)(**inputs))
    assert _normalized_result(run_workflow(getattr(ours, shape), inputs)) == expected
    assert _normalized_result(getattr(ours, shape)(**inputs)) == expected


@pytest.mark.oracle
@pytest.mark.parametrize("shape", ["input_field", "input_chained"])
def test_paths_into_a_workflow_input_equal_flytekits(
    theirs: ModuleType, ours: ModuleType, shape: str
) -> None:
    def outer(m: ModuleType) -> Any:
        return m.Outer(count=1, inner=m.Inner(name="x"), lookup={"k": m.Inner(name="y", score=2.0)})

    expected = getattr(theirs, shape)(d=outer(theirs))
    assert run_workflow(getattr(ours, shape), {"d": outer(ours)}) == expected


@pytest.mark.oracle
@pytest.mark.parametrize(("shape", "expected"), [("untyped_dict", 30), ("untyped_dict_chained", 33)])
def test_a_path_into_an_untyped_dict(theirs: ModuleType, ours: ModuleType, shape: str, expected: int) -> None:
    assert getattr(theirs, shape)(n=3) == expected
    assert run_workflow(getattr(ours, shape), {"n": 3}) == expected


@pytest.mark.oracle
def test_indexing_an_untyped_dict_is_refused_as_flytekit_refuses_it(
    theirs: ModuleType, ours: ModuleType
) -> None:
    def fk_indexed() -> None:
        theirs.use_int(x=theirs.make_untyped(n=1)["a"])

    def indexed() -> None:
        ours.use_int(x=ours.make_untyped(n=1)["a"])

    flytekit = sys.modules["flytekit"]
    with pytest.raises(ValueError, match="unschematized struct"):
        flytekit.workflow(fk_indexed).compile()
    with pytest.raises(WorkflowCompileError, match=r"output 'o0' of .*\['a'\] indexes into an untyped dict"):
        get_serializable(OrderedDict(), settings_pair()[1], workflow(indexed))


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("shape", "error", "message"),
    [
        (
            "missing_key",
            "KeyError",
            r"node n1, 'x': cannot resolve o0\.tags\.zz \(output 'o0' of node n0\): the dataclass or dict "
            r"at o0\.tags has no field or key 'zz' \(it has 'a', 'b'\)",
        ),
        (
            "index_out_of_range",
            "IndexError",
            r"cannot resolve o0\.items\[7\] \(output 'o0' of node n0\): index 7 is out of range for the list "
            r"of 3 at o0\.items",
        ),
        (
            "missing_field",
            "KeyError",
            r"cannot resolve o0\.nope \(output 'o0' of node n0\): the dataclass or dict at o0 has no "
            r"field or key 'nope' \(it has 'count', 'inner', 'items', 'tags', 'children', 'lookup', "
            r"'maybe', 'flag'\)",
        ),
        (
            "plain_list_out_of_range",
            "IndexError",
            r"cannot resolve o0\[5\] \(output 'o0' of node n0\): index 5 is out of range for the list of 3 "
            r"at o0",
        ),
    ],
)
def test_a_path_the_value_lacks_fails_the_run_as_flytekits_does(
    theirs: ModuleType, ours: ModuleType, shape: str, error: str, message: str
) -> None:
    with pytest.raises(Exception, match="Failed to resolve attribute path"):
        getattr(theirs, shape)(n=3)
    with pytest.raises(WorkflowExecutionError, match=rf"USER error:\n{error}: .*{message}") as info:
        run_workflow(getattr(ours, shape), {"n": 3})
    assert f"{MODULE}.{shape}" in str(info.value)


# -- the literal a node receives: propeller's ------------------------------------------------------------


def _binary(value: Any) -> _idl.Literal:
    return _idl.Literal(scalar=_idl.Scalar(binary=_idl.Binary(value=msgpack.packb(value), tag="msgpack")))


def _resolve(lit: _idl.Literal, *path: str | int) -> _idl.Literal:
    return resolve_path(lit, path, "o0", "output 'o0' of node n0", "node n1, 'x'")


DATA = {"count": 3, "inner": {"name": "in", "score": 1.5}, "items": [1, 2], "tags": {"a": 1}, "maybe": None}


def test_a_dataclass_field_is_a_msgpack_binary_of_the_field() -> None:
    lit = _binary(DATA)
    assert _resolve(lit, "count") == _binary(3)
    assert _resolve(lit, "inner") == _binary({"name": "in", "score": 1.5})
    assert _resolve(lit, "inner", "name") == _binary("in")
    assert _resolve(lit, "items") == _binary([1, 2])
    assert _resolve(lit, "items", -1) == _binary(2)
    assert _resolve(lit, "tags", "a") == _binary(1)
    assert _resolve(lit, "maybe") == _binary(None)


def test_lists_and_maps_are_walked_before_the_binary() -> None:
    lit = _idl.Literal(
        map=_idl.LiteralMap(
            literals={"k": _idl.Literal(collection=_idl.LiteralCollection(literals=[_binary(DATA)]))}
        )
    )
    assert _resolve(lit, "k", 0, "inner", "score") == _binary(1.5)
    assert _resolve(lit, "k", 0) == _binary(DATA)
    union = _idl.Literal(scalar=_idl.Scalar(union=_idl.LiteralUnion(value=_binary(DATA))))
    assert _resolve(union, "count") == _binary(3)


def test_a_generic_struct_is_resolved_as_propeller_converts_it() -> None:
    st = struct_pb2.Struct()
    st.update({"count": 3, "inner": {"name": "in"}, "items": [1, "two", True], "flag": False})
    lit = _idl.Literal(scalar=_idl.Scalar(generic=st))
    assert _resolve(lit, "count") == _idl.Literal(
        scalar=_idl.Scalar(primitive=_idl.Primitive(float_value=3.0))
    )
    assert _resolve(lit, "flag") == _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(boolean=False)))
    inner = _resolve(lit, "inner")
    assert inner.scalar.generic["name"] == "in"
    items = _resolve(lit, "items")
    assert [i.scalar.primitive.WhichOneof("value") for i in items.collection.literals] == [
        "float_value",
        "string_value",
        "boolean",
    ]
    assert _resolve(lit, "items", 1).scalar.primitive.string_value == "two"
    with pytest.raises(KeyError, match=r"o0\.nope .*has no field or key 'nope'"):
        _resolve(lit, "nope")


@pytest.mark.parametrize(
    ("lit", "path", "error", "message"),
    [
        (
            _binary(DATA),
            ("items", "x"),
            KeyError,
            r"the value at o0\.items is a list of 2, indexed with an int",
        ),
        (_binary(DATA), ("count", "x"), KeyError, r"the value at o0\.count is int 3, which has no fields"),
        (_binary(DATA), ("items", 2), IndexError, r"index 2 is out of range for the list of 2 at o0\.items"),
        (
            _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(integer=1))),
            ("x",),
            KeyError,
            r"the value at o0 is a integer primitive, which has no fields",
        ),
        (
            _idl.Literal(scalar=_idl.Scalar(binary=_idl.Binary(value=b"x", tag="pickle"))),
            ("x",),
            KeyError,
            r"a binary tagged 'pickle'",
        ),
        (
            _idl.Literal(map=_idl.LiteralMap(literals={})),
            (0,),
            KeyError,
            r"the dict at o0 has no key 0 \(it is empty\)",
        ),
    ],
)
def test_a_path_that_does_not_fit_is_a_lookup_error(
    lit: _idl.Literal, path: tuple[str | int, ...], error: type[Exception], message: str
) -> None:
    written = re.escape(f"o0{format_path(path)} ")
    with pytest.raises(error, match=rf"^.?node n1, 'x': cannot resolve {written}.*{message}"):
        _resolve(lit, *path)


def test_format_path() -> None:
    assert format_path(["a", 0, "b"]) == ".a[0].b"
    assert format_path([]) == ""
