"""Third-party transformers: registration, refusal of duplicates, and use inside containers."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from typing import Any

import pytest

from flyweight.errors import TransformerRegistrationError, TypeTransformerFailedError

# A transformer written for flytekit ports by changing these imports only.
from flyweight.extend import (
    AsyncTypeTransformer,
    Literal,
    LiteralType,
    Primitive,
    Scalar,
    SimpleType,
    TypeEngine,
    TypeTransformer,
)


class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)


class PointTransformer(TypeTransformer[Point]):
    seen_ctx: typing.ClassVar[list[Any]] = []

    def __init__(self, name: str = "point") -> None:
        super().__init__(name, Point)

    def get_literal_type(self, t: type[Point]) -> LiteralType:
        return LiteralType(simple=SimpleType.STRING)

    def to_literal(
        self, ctx: Any, python_val: Point, python_type: type[Point], expected: LiteralType
    ) -> Literal:
        self.seen_ctx.append(ctx)
        return Literal(scalar=Scalar(primitive=Primitive(string_value=f"{python_val.x},{python_val.y}")))

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: type[Point]) -> Point:
        self.seen_ctx.append(ctx)
        x, y = lv.scalar.primitive.string_value.split(",")
        return Point(int(x), int(y))


@pytest.fixture
def registered() -> Iterator[PointTransformer]:
    transformer = PointTransformer()
    TypeEngine.register(transformer)
    PointTransformer.seen_ctx.clear()
    yield transformer
    TypeEngine._REGISTRY.pop(Point, None)
    TypeEngine._NODES.clear()


def test_registered_transformer_is_used_and_found(registered: PointTransformer) -> None:
    assert TypeEngine.get_transformer(Point) is registered
    assert TypeEngine.to_literal_type(Point) == LiteralType(simple=SimpleType.STRING)
    lit = TypeEngine.to_literal(None, Point(1, 2), Point, None)
    assert lit.scalar.primitive.string_value == "1,2"
    assert TypeEngine.to_python_value(None, lit, Point) == Point(1, 2)


def test_a_second_transformer_for_the_same_type_is_refused(registered: PointTransformer) -> None:
    with pytest.raises(
        TransformerRegistrationError, match="Point already has the transformer 'point'.*override=True"
    ):
        TypeEngine.register(PointTransformer("other"))
    assert TypeEngine.get_transformer(Point) is registered
    TypeEngine.register(registered)  # registering the same instance again is harmless


def test_override_replaces_the_transformer(registered: PointTransformer) -> None:
    other = PointTransformer("other")
    TypeEngine.register(other, override=True)
    assert TypeEngine.get_transformer(Point) is other


def test_overriding_a_builtin_type_is_refused_unless_explicit() -> None:
    class LoudInt(TypeTransformer[int]):
        def __init__(self) -> None:
            super().__init__("loud-int", int)

        def get_literal_type(self, t: Any) -> LiteralType:
            return LiteralType(simple=SimpleType.INTEGER)

        def to_literal(self, ctx: Any, python_val: int, python_type: Any, expected: LiteralType) -> Literal:
            return Literal(scalar=Scalar(primitive=Primitive(integer=python_val * 10)))

        def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> int:
            return lv.scalar.primitive.integer // 10

    builtin = TypeEngine.get_transformer(int)
    with pytest.raises(TransformerRegistrationError, match="int already has the transformer 'int'"):
        TypeEngine.register(LoudInt())
    try:
        TypeEngine.register(LoudInt(), override=True)
        assert (
            TypeEngine.to_literal(None, [3], list[int], None).collection.literals[0].scalar.primitive.integer
            == 30
        )
    finally:
        TypeEngine.register(builtin, override=True)
    assert TypeEngine.to_literal(None, 3, int, None).scalar.primitive.integer == 3


def test_register_refuses_a_non_transformer() -> None:
    with pytest.raises(TransformerRegistrationError, match="takes a TypeTransformer instance"):
        TypeEngine.register(object())  # type: ignore[arg-type]


def test_custom_types_work_inside_containers_and_unions(registered: PointTransformer) -> None:
    t = dict[str, list[typing.Optional[Point]]]
    value = {"a": [Point(1, 2), None], "b": []}
    lit = TypeEngine.to_literal("the-ctx", value, t, None)
    assert TypeEngine.to_python_value("the-ctx", lit, t) == value
    assert set(PointTransformer.seen_ctx) == {"the-ctx"}
    union = lit.map.literals["a"].collection.literals[0].scalar.union
    assert union.type.structure.tag == "point"


def test_type_assertions_run_before_to_literal(registered: PointTransformer) -> None:
    with pytest.raises(TypeTransformerFailedError, match="expected Point, got str 'nope' at \\[0\\]"):
        TypeEngine.to_literal(None, ["nope"], list[Point], None)


def test_a_transformer_error_inside_a_container_gets_a_path(registered: PointTransformer) -> None:
    lit = TypeEngine.to_literal(None, ["bad"], list[str], None)
    with pytest.raises(TypeTransformerFailedError, match="transformer 'point' could not read .* at \\[0\\]"):
        TypeEngine.to_python_value(None, lit, list[Point])


def test_annotated_with_a_transformer_instance_uses_it() -> None:
    t = typing.Annotated[Point, PointTransformer("inline")]
    lit = TypeEngine.to_literal(None, Point(3, 4), t, None)
    assert TypeEngine.to_python_value(None, lit, t) == Point(3, 4)


def test_a_transformer_returning_the_wrong_thing_is_reported() -> None:
    class Broken(PointTransformer):
        def to_literal(self, ctx: Any, python_val: Point, python_type: Any, expected: LiteralType) -> Literal:
            return "not a literal"  # type: ignore[return-value]

    TypeEngine.register(Broken("broken"))
    try:
        with pytest.raises(TypeTransformerFailedError, match="'broken' returned str"):
            TypeEngine.to_literal(None, [Point(1, 1)], list[Point], None)
    finally:
        TypeEngine._REGISTRY.pop(Point, None)
        TypeEngine._NODES.clear()


class Celsius(float):
    pass


class AsyncCelsius(AsyncTypeTransformer[Celsius]):
    def __init__(self) -> None:
        super().__init__("celsius", Celsius)

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(simple=SimpleType.FLOAT)

    async def async_to_literal(
        self, ctx: Any, python_val: Celsius, python_type: Any, expected: LiteralType
    ) -> Literal:
        return Literal(scalar=Scalar(primitive=Primitive(float_value=float(python_val))))

    async def async_to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> Celsius:
        return Celsius(lv.scalar.primitive.float_value)


def test_async_transformers_run_from_sync_code() -> None:
    TypeEngine.register(AsyncCelsius())
    try:
        lit = TypeEngine.to_literal(None, [Celsius(21.5)], list[Celsius], None)
        assert TypeEngine.to_python_value(None, lit, list[Celsius]) == [21.5]
    finally:
        TypeEngine._REGISTRY.pop(Celsius, None)
        TypeEngine._NODES.clear()


def test_subclasses_use_the_transformer_of_their_base(registered: PointTransformer) -> None:
    class Point3(Point):
        pass

    assert TypeEngine.get_transformer(Point3) is registered


def test_builtin_transformers_keep_flytekit_names() -> None:
    import datetime
    import enum

    class Color(enum.Enum):
        RED = "red"

    names = {
        int: "int",
        float: "float",
        str: "str",
        bool: "bool",
        datetime.datetime: "datetime",
        datetime.date: "date",
        datetime.timedelta: "timedelta",
        type(None): "none",
        list[int]: "Typed List",
        dict[str, int]: "Typed Dict",
        dict: "Typed Dict",
        typing.Optional[int]: "Typed Union",
        Color: "DefaultEnumTransformer",
    }
    for t, name in names.items():
        assert TypeEngine.get_transformer(t).name == name
    builtin = TypeEngine.get_transformer(int)
    assert (
        builtin.to_python_value(None, builtin.to_literal(None, 5, int, builtin.get_literal_type(int)), int)
        == 5
    )
    assert builtin.guess_python_type(builtin.get_literal_type(int)) is int
    with pytest.raises(ValueError, match="cannot turn"):
        builtin.guess_python_type(LiteralType(simple=SimpleType.STRING))


def test_an_annotation_seen_before_follows_a_new_registration() -> None:
    """The per-object shortcut in front of the node cache never outlives the node it points to."""

    class Kelvin(float):
        pass

    annotation = list[Kelvin]
    before = TypeEngine.to_literal(None, [Kelvin(1.0)], annotation, None)  # no transformer: pickled
    assert before.collection.literals[0].HasField("scalar") and before.collection.literals[0].scalar.blob

    class KelvinTransformer(AsyncCelsius):
        def __init__(self) -> None:
            TypeTransformer.__init__(self, "kelvin", Kelvin)

    TypeEngine.register(KelvinTransformer())  # a registration drops the nodes built so far
    try:
        after = TypeEngine.to_literal(None, [Kelvin(2.0)], annotation, None)  # the same object as before
        assert after.collection.literals[0].scalar.primitive.float_value == 2.0
    finally:
        TypeEngine._REGISTRY.pop(Kelvin, None)
        TypeEngine._NODES.clear()


def test_annotations_made_afresh_on_every_call_do_not_accumulate() -> None:
    for _ in range(10_000):
        TypeEngine.to_literal(None, [1], list[int], None)  # a new ``list[int]`` object each time
    assert len(TypeEngine._RECENT) <= 4096
