"""``custom`` encoding: the same ``Struct`` bytes flytekit makes with ``json.dumps`` + ``json_format.Parse``,
and a clear error, with the place, for a value JSON cannot hold."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from google.protobuf import json_format, struct_pb2
from hypothesis import given, settings, strategies as st

from flyweight._serialize import dict_to_struct, struct_to_dict
from flyweight.errors import TaskDefinitionError


def flytekit_struct(d: dict[str, Any]) -> struct_pb2.Struct:
    """What flytekit's ``TaskTemplate.to_flyte_idl`` does with ``custom``."""
    return json_format.Parse(json.dumps(d), struct_pb2.Struct())


def same_bytes(d: dict[str, Any]) -> None:
    ours = dict_to_struct(d).SerializeToString(deterministic=True)
    theirs = flytekit_struct(d).SerializeToString(deterministic=True)
    assert ours == theirs, d


TABLE = [
    {},
    {"a": 1},
    {"n": 3, "x": 1.5, "neg": -7, "zero": 0, "negzero": -0.0},
    {"big": 2**53 + 1, "huge": 10**30, "tiny": 1e-300},
    {"t": True, "f": False, "none": None},
    {"s": "", "u": "naïve ✓ 日本", "quote": 'a"b\\c', "nl": "a\nb"},
    {"list": [1, "a", None, True, [2, [3]], {"k": "v"}], "empty_list": [], "empty_dict": {}},
    {"tuple": (1, 2, (3,))},
    {"nested": {"a": {"b": {"c": [{"d": 1.25}]}}}},
    {
        "query_template": "select * from t limit {{ .inputs.limit }}",
        "uri": "https://x/y.zip",
        "compressed": True,
    },
    {"": "empty key", "key with spaces": 1, "ключ": 2},
]


@pytest.mark.parametrize("d", TABLE, ids=[str(i) for i in range(len(TABLE))])
def test_table_matches_flytekits_bytes(d: dict[str, Any]) -> None:
    same_bytes(d)


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_any_json_like_dict_matches_flytekits_bytes(d: dict[str, Any]) -> None:
    same_bytes(d)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=10), json_values, max_size=6))
def test_reading_back_equals_flytekits_message_to_dict(d: dict[str, Any]) -> None:
    struct = dict_to_struct(d)
    assert struct_to_dict(struct) == json_format.MessageToDict(flytekit_struct(d))


def test_numbers_come_back_as_floats() -> None:
    back = struct_to_dict(dict_to_struct({"n": 3, "xs": [1, 2], "d": {"k": 4}, "b": True}))
    assert back == {"n": 3.0, "xs": [1.0, 2.0], "d": {"k": 4.0}, "b": True}
    assert type(back["n"]) is float
    assert type(back["xs"][0]) is float
    assert type(back["b"]) is bool


@pytest.mark.parametrize(
    ("d", "fragments"),
    [
        ({"a": {1, 2}}, ["custom['a']", "a set cannot be stored"]),
        ({"a": b"raw"}, ["custom['a']", "a bytes cannot be stored"]),
        ({"a": [1, {"b": object()}]}, ["custom['a'][1]['b']", "a object cannot be stored"]),
        ({"a": {"b": [0, math.nan]}}, ["custom['a']['b'][1]", "nan", "NaN/inf"]),
        ({"x": math.inf}, ["custom['x']", "inf"]),
        ({"x": -math.inf}, ["custom['x']", "-inf"]),
        ({1: "v"}, ["custom keys must be strings", "got int 1"]),
        ({"a": {("t",): 1}}, ["custom['a'] keys must be strings", "got tuple"]),
    ],
)
def test_bad_values_name_their_place(d: dict[Any, Any], fragments: list[str]) -> None:
    with pytest.raises(TaskDefinitionError) as e:
        dict_to_struct(d)
    for fragment in fragments:
        assert fragment in str(e.value)


def test_the_place_prefix_can_be_chosen() -> None:
    with pytest.raises(TaskDefinitionError, match=r"^config\['a'\]"):
        dict_to_struct({"a": {1}}, where="config")


def test_a_bad_custom_value_fails_serialization_with_the_task_path() -> None:
    from tests.tasks.sample_tasks import SampleTask

    from flyweight import SerializationSettings

    t = SampleTask("struct.bad", custom={"opts": {"tags": {"x"}}})
    with pytest.raises(TaskDefinitionError, match=r"custom\['opts'\]\['tags'\]: a set cannot be stored"):
        t.serialize_to_model(SerializationSettings(project="p", domain="d", version="v"))
