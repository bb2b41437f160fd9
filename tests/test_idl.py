"""The one converter from "a protobuf message or a model with ``to_flyte_idl()``", and its callers."""

from __future__ import annotations

from typing import Any

import pytest

from flyweight import _idl
from flyweight._serialize._template import _as_message
from flyweight._tasks._shim import as_template_message
from flyweight._tasks._template_view import TaskTemplate
from flyweight.errors import TaskDefinitionError, TemplateError, UnsupportedTypeError
from flyweight.types._backends._literal_types import literal_type
from flyweight.types._ir._nodes import Kind, Node
from flyweight.types._registry._transformer import TypeTransformer


class Model:
    """A flytekit-style model: the message comes from ``to_flyte_idl()``."""

    def __init__(self, message: Any) -> None:
        self.message = message

    def to_flyte_idl(self) -> Any:
        return self.message


def test_a_message_of_the_expected_type_is_returned_as_it_is() -> None:
    lv = _idl.Literal()
    assert _idl.as_message(lv, _idl.Literal) is lv


def test_a_model_gives_its_message() -> None:
    lt = _idl.LiteralType(simple=_idl.SimpleType.INTEGER)
    assert _idl.as_message(Model(lt), _idl.LiteralType) is lt


@pytest.mark.parametrize(
    "value",
    [
        3,
        None,
        _idl.LiteralType(),
        Model(_idl.LiteralType()),
        Model(None),
        type("NotCallable", (), {"to_flyte_idl": 1})(),
    ],
)
def test_anything_else_is_none(value: Any) -> None:
    assert _idl.as_message(value, _idl.Literal) is None


def test_the_shim_accepts_a_message_a_view_or_a_model_and_refuses_the_rest() -> None:
    pb = _idl.TaskTemplate(type="t")
    assert as_template_message(pb) is pb
    assert as_template_message(TaskTemplate(pb)) is pb
    assert as_template_message(Model(pb)) is pb
    with pytest.raises(TemplateError, match="expected a TaskTemplate, got int"):
        as_template_message(3)
    with pytest.raises(TemplateError, match="expected a TaskTemplate, got Model"):
        as_template_message(Model(_idl.Literal()))


def test_a_serialization_hook_may_return_a_model_or_none() -> None:
    pod = _idl.K8sPod()
    assert _as_message(None, _idl.K8sPod, "get_k8s_pod") is None
    assert _as_message(Model(pod), _idl.K8sPod, "get_k8s_pod") is pod
    with pytest.raises(
        TaskDefinitionError, match="get_k8s_pod must return a K8sPod message or None, got Model"
    ):
        _as_message(Model(_idl.Sql()), _idl.K8sPod, "get_k8s_pod")


class _Returns(TypeTransformer[int]):
    def __init__(self, got: Any) -> None:
        super().__init__("returns", int)
        self.got = got

    def get_literal_type(self, t: Any) -> Any:
        return self.got


def _custom(got: Any) -> Node:
    return Node(Kind.CUSTOM, int, "int", "int", transformer=_Returns(got))


def test_a_transformer_may_return_a_literal_type_model() -> None:
    lt = _idl.LiteralType(simple=_idl.SimpleType.INTEGER)
    assert literal_type(_custom(Model(lt))) == lt


@pytest.mark.parametrize("got", [3, Model(_idl.Literal())])
def test_a_transformer_returning_no_literal_type_is_named(got: Any) -> None:
    """A model whose message is not a LiteralType gets the same message as any other wrong value."""
    with pytest.raises(
        UnsupportedTypeError, match=r"transformer 'returns' returned (int|Model) from get_literal_type"
    ):
        literal_type(_custom(got))
