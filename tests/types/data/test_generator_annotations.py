"""``Generator[...]`` annotations and pydantic models as dataclass fields: what flytekit 1.16.14 does with
them, and flyweight's refusal (docs/compatibility.md T22a, T21a).

flytekit takes ``collections.abc.Generator[T, S, R]`` as ``Iterator[T]`` (its iterator transformer is
found through the alias's MRO) but pickles ``typing.Generator[...]`` (no ``__mro__`` on typing's alias),
and a generator cannot be pickled, so such a task fails when it runs. flyweight refuses both, saying to
annotate ``Iterator[T]``. A pydantic model inside a dataclass gets a literal type from flytekit, but
``to_literal`` fails inside mashumaro; flyweight refuses it at ``to_literal_type``.
"""

import collections.abc
import dataclasses
import typing
from typing import Any

import pytest
from tests.oracle import require

from flyweight import task
from flyweight.errors import TaskDefinitionError, UnsupportedTypeError
from flyweight.types import TypeEngine

GENERATORS = [
    (typing.Generator[int, None, None], r"is not supported: annotate Iterator\[T\] instead"),
    (collections.abc.Generator[int, None, None], r"is not supported: annotate Iterator\[T\] instead"),
    (typing.Generator, r"is not supported: annotate Iterator\[T\] instead"),
    (collections.abc.Generator, r"Generator has no item type: annotate iterators as Iterator\[T\]"),
]


@pytest.mark.parametrize(("t", "message"), GENERATORS, ids=str)
def test_generator_types_are_refused_naming_the_fix(t: Any, message: str) -> None:
    with pytest.raises(UnsupportedTypeError, match=message):
        TypeEngine.to_literal_type(t)


def test_a_generator_task_annotated_generator_is_told_to_annotate_iterator() -> None:
    with pytest.raises(TaskDefinitionError, match=r"annotate its return Iterator\[T\] instead of Generator"):

        @task
        def count(n: int) -> collections.abc.Generator[int, None, None]:
            yield from range(n)


def test_a_plain_task_returning_a_generator_type_is_refused() -> None:
    with pytest.raises(TaskDefinitionError, match=r"output 'o0': .* annotate Iterator\[T\] instead"):

        @task
        def count(n: int) -> typing.Generator[int, None, None]:
            return iter(range(n))  # type: ignore[return-value]

        count.interface  # noqa: B018 - the literal types are built on first use


@pytest.mark.oracle
def test_what_flytekit_does_with_generators(flytekit: Any) -> None:
    from flytekit.core.type_engine import TypeEngine as KitEngine

    assert KitEngine.get_transformer(collections.abc.Generator[int, None, None]).name == "Typed Iterator"
    assert KitEngine.get_transformer(typing.Generator[int, None, None]).name == "FlytePickle"


def test_a_pydantic_model_as_a_dataclass_field_is_refused_at_the_type() -> None:
    pydantic = require("pydantic", why="pydantic models")

    class Model(pydantic.BaseModel):
        a: int = 1

    @dataclasses.dataclass
    class Holder:
        m: Model

    with pytest.raises(
        UnsupportedTypeError,
        match=r"field 'm' of dataclass .*Holder has type .*Model, whose transformer 'Pydantic Transformer' ",
    ):
        TypeEngine.to_literal_type(Holder)


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore")
def test_flytekit_cannot_store_a_pydantic_model_in_a_dataclass(flytekit: Any) -> None:
    pydantic = require("pydantic", why="pydantic models")
    from flytekit import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine as KitEngine

    class Model(pydantic.BaseModel):
        a: int = 1

    @dataclasses.dataclass
    class Holder:
        m: Model

    lt = KitEngine.to_literal_type(Holder)
    with pytest.raises(Exception, match="is not serializable"):
        KitEngine.to_literal(FlyteContextManager.current_context(), Holder(m=Model()), Holder, lt)
