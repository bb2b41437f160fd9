"""``Interface`` and ``kwtypes``: declared inputs (with defaults) and outputs, binding, the IDL form."""

from __future__ import annotations

import collections
import typing
from typing import Annotated, Any, Optional, Union

import pytest

from flyweight import TypeTransformerFailedError
from flyweight._interface import NO_DEFAULT, Interface, kwtypes, typed_interface
from flyweight.errors import TaskDefinitionError
from flyweight.types import TypeEngine


def test_kwtypes_keeps_the_written_order() -> None:
    kt = kwtypes(z=int, a=str, m=float)
    assert isinstance(kt, collections.OrderedDict)
    assert list(kt.items()) == [("z", int), ("a", str), ("m", float)]
    assert kwtypes() == collections.OrderedDict()


# -- inputs and defaults -------------------------------------------------------------------------------


def test_inputs_with_and_without_defaults() -> None:
    iface = Interface(inputs={"limit": (int, 10), "name": str, "tags": (list[str], ["a"])})
    assert iface.inputs == {"limit": int, "name": str, "tags": list[str]}
    assert list(iface.inputs) == ["limit", "name", "tags"]
    assert iface.default_inputs_as_kwargs == {"limit": 10, "tags": ["a"]}
    assert iface.inputs_with_defaults == {
        "limit": (int, 10),
        "name": (str, NO_DEFAULT),
        "tags": (list[str], ["a"]),
    }


@pytest.mark.parametrize(
    "py_type",
    [
        Optional[int],
        Union[int, None],
        int | None,
        Union[str, int, None],
        Any,
        Annotated[Optional[int], "meta"],
    ],
    ids=["Optional", "Union-None", "pep604", "Union3", "Any", "Annotated-Optional"],
)
def test_none_default_is_a_default_when_the_type_admits_none(py_type: Any) -> None:
    iface = Interface(inputs={"x": (py_type, None)})
    assert iface.default_inputs_as_kwargs == {"x": None}
    assert iface.bind((), {}, owner="t") == {"x": None}


@pytest.mark.parametrize("py_type", [int, str, list[int], Union[int, str], Annotated[int, "meta"]])
def test_none_default_means_no_default_when_the_type_does_not_admit_none(py_type: Any) -> None:
    iface = Interface(inputs={"x": (py_type, None)})
    assert iface.default_inputs_as_kwargs == {}
    assert iface.inputs_with_defaults["x"] == (py_type, NO_DEFAULT)
    with pytest.raises(TypeError, match=r"t\(\) is missing required input\(s\): x"):
        iface.bind((), {}, owner="t")


def test_a_tuple_type_is_not_mistaken_for_a_default() -> None:
    iface = Interface(inputs={"pair": tuple[int, int]})
    assert iface.inputs == {"pair": tuple[int, int]}
    assert iface.default_inputs_as_kwargs == {}


def test_falsy_defaults_are_defaults() -> None:
    iface = Interface(inputs={"a": (int, 0), "b": (str, ""), "c": (bool, False)})
    assert iface.bind((), {}, owner="t") == {"a": 0, "b": "", "c": False}


# -- bind --------------------------------------------------------------------------------------------------


IFACE = Interface(inputs={"a": int, "b": (str, "dflt"), "c": float})


def test_bind_positional_keyword_and_defaults() -> None:
    assert IFACE.bind((1, "x", 2.0), {}, owner="t") == {"a": 1, "b": "x", "c": 2.0}
    assert IFACE.bind((1,), {"c": 2.0}, owner="t") == {"a": 1, "b": "dflt", "c": 2.0}
    assert IFACE.bind((), {"c": 2.0, "a": 1}, owner="t") == {"a": 1, "b": "dflt", "c": 2.0}


def test_bind_returns_inputs_in_declaration_order() -> None:
    assert list(IFACE.bind((), {"c": 2.0, "a": 1}, owner="t")) == ["a", "b", "c"]


def test_bind_does_not_share_mutable_state_between_calls() -> None:
    first = IFACE.bind((1,), {"c": 2.0}, owner="t")
    first["b"] = "changed"
    assert IFACE.bind((1,), {"c": 2.0}, owner="t")["b"] == "dflt"


@pytest.mark.parametrize(
    ("args", "kwargs", "pattern"),
    [
        (
            (1, "x", 2.0, 3),
            {},
            r"^my\.task\(\) takes 3 input\(s\) \(a, b, c\) but 4 positional argument\(s\) were given$",
        ),
        ((1,), {"c": 1.0, "d": 2}, r"^my\.task\(\) got an unexpected input 'd'; its inputs are: a, b, c$"),
        ((1,), {"a": 2, "c": 1.0}, r"^my\.task\(\) got multiple values for input 'a'$"),
        ((), {"b": "x"}, r"^my\.task\(\) is missing required input\(s\): a, c$"),
    ],
    ids=["too-many-positional", "unknown-keyword", "duplicate", "missing"],
)
def test_bind_errors_name_the_task_and_the_input(
    args: tuple[Any, ...], kwargs: dict[str, Any], pattern: str
) -> None:
    with pytest.raises(TypeError, match=pattern):
        IFACE.bind(args, kwargs, owner="my.task")


def test_bind_on_an_empty_interface() -> None:
    empty = Interface()
    assert empty.bind((), {}, owner="t") == {}
    with pytest.raises(TypeError, match=r"takes 0 input\(s\) \(none\)"):
        empty.bind((1,), {}, owner="t")
    with pytest.raises(TypeError, match="its inputs are: none"):
        empty.bind((), {"x": 1}, owner="t")


# -- outputs -----------------------------------------------------------------------------------------------


def test_outputs_keep_declaration_order() -> None:
    iface = Interface(outputs=kwtypes(z=int, a=str))
    assert list(iface.outputs) == ["z", "a"]
    assert iface.output_names == ["z", "a"]
    assert Interface().output_names is None


def test_output_tuple() -> None:
    iface = Interface(outputs=kwtypes(total=int, label=str))
    nt = iface.output_tuple
    assert nt.__name__ == "DefaultNamedTupleOutput"
    assert nt._fields == ("total", "label")  # type: ignore[attr-defined]
    assert iface.output_tuple is nt
    value = nt(1, "x")
    assert value.total == 1  # type: ignore[attr-defined]
    named = Interface(outputs=kwtypes(a=int, b=int), output_tuple_name="Result").output_tuple
    assert named.__name__ == "Result"


def test_with_inputs_with_outputs_and_remove_inputs() -> None:
    base = Interface(inputs={"a": int}, outputs=kwtypes(o=int))
    more = base.with_inputs({"b": (str, "x")})
    assert more.inputs == {"a": int, "b": str}
    assert more.default_inputs_as_kwargs == {"b": "x"}
    assert base.inputs == {"a": int}
    with pytest.raises(TaskDefinitionError, match="input 'a' cannot be added"):
        base.with_inputs({"a": str})
    assert base.with_outputs({"p": str}).outputs == {"o": int, "p": str}
    with pytest.raises(TaskDefinitionError, match="output 'o' cannot be added"):
        base.with_outputs({"o": str})
    assert more.remove_inputs(["a", "nope"]).inputs == {"b": str}
    assert base.remove_inputs(None) is base


def test_repr_shows_the_signature() -> None:
    iface = Interface(inputs={"a": (int, 1), "b": str}, outputs=kwtypes(o=float))
    assert repr(iface) == "(a: int=1, b: str) -> (o: float)"


# -- names -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["1abc", "a-b", "", "with space", 3, None])
@pytest.mark.parametrize("section", ["inputs", "outputs"])
def test_invalid_names_are_refused(section: str, name: Any) -> None:
    with pytest.raises(TaskDefinitionError, match=r"name must be a Python identifier, got"):
        Interface(**{section: {name: int}})


# -- typed_interface ---------------------------------------------------------------------------------------


def test_typed_interface_types_and_descriptions() -> None:
    iface = Interface(
        inputs={"limit": (int, 3), "names": list[str]}, outputs=kwtypes(result=dict[str, float])
    )
    ti = typed_interface(iface, owner="task 't'")
    assert sorted(ti.inputs.variables) == ["limit", "names"]
    assert ti.inputs.variables["limit"].description == "limit"
    assert ti.inputs.variables["limit"].type == TypeEngine.to_literal_type(int)
    assert ti.inputs.variables["names"].type == TypeEngine.to_literal_type(list[str])
    assert ti.outputs.variables["result"].description == "result"
    assert ti.outputs.variables["result"].type == TypeEngine.to_literal_type(dict[str, float])


def test_typed_interface_of_an_empty_interface_has_both_maps() -> None:
    ti = typed_interface(Interface())
    assert ti.HasField("inputs")
    assert ti.HasField("outputs")
    assert len(ti.inputs.variables) == 0


@pytest.mark.parametrize(("section", "word"), [("inputs", "input"), ("outputs", "output")])
def test_unsupported_annotation_names_task_and_variable(section: str, word: str) -> None:
    # TextIO has a transformer in Flyte's Python SDK that flyweight lacks: refused, not pickled.
    iface = Interface(**{section: {"handle": typing.TextIO}})
    with pytest.raises(TaskDefinitionError) as e:
        typed_interface(iface, owner="task 'my.task'")
    msg = str(e.value)
    assert msg.startswith(f"task 'my.task': {word} 'handle': ")
    assert "no type transformer" in msg
    assert isinstance(e.value.__cause__, TypeTransformerFailedError)


def test_unsupported_annotation_is_reported_when_a_task_is_serialized() -> None:
    from tests.tasks.sample_tasks import SampleTask

    from flyweight import SerializationSettings

    t = SampleTask("iface.bad", inputs={"obj": tuple})
    with pytest.raises(TaskDefinitionError, match=r"task 'iface\.bad': input 'obj'"):
        t.serialize_to_model(SerializationSettings(project="p", domain="d", version="v"))
