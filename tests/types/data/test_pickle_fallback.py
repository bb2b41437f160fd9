"""The pickle fallback: types with no transformer (and ``typing.Any``) travel as ``PythonPickle`` blobs.

Classes here are defined at module level so the standard library can pickle them by reference.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import pickle
import sys
import typing
import warnings
from pathlib import Path
from typing import Any, Optional

import pytest
from _blob_support import storage
from flyteidl.core import literals_pb2, types_pb2
from hypothesis import HealthCheck, given, settings, strategies as st

from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types import FlytePickle, TypeEngine

PICKLE = "PythonPickle"

# The fallback's warning is the subject of one test; elsewhere it is expected noise.
pytestmark = pytest.mark.filterwarnings("ignore:.*stored as pickles:UserWarning")


class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self) -> int:
        return hash((self.x, self.y))


class Segment:
    def __init__(self, a: Point, b: Point) -> None:
        self.a, self.b = a, b


class Unwarned:  # used only by the warning test, so its first use is there
    pass


class AlsoUnwarned:
    pass


def test_literal_type_is_a_pickle_blob_naming_the_class() -> None:
    lt = TypeEngine.to_literal_type(Point)
    assert lt.blob.format == PICKLE
    assert lt.blob.dimensionality == types_pb2.BlobType.BlobDimensionality.SINGLE
    assert dict(lt.metadata) == {"python_class_name": str(Point)}
    assert TypeEngine.get_transformer(Point).name == "FlytePickle"


@pytest.mark.parametrize(
    ("t", "name"),
    [
        (typing.Any, "typing.Any"),
        (Path, "<class 'pathlib.Path'>"),
        (complex, "<class 'complex'>"),
        (set[int], "set[int]"),
    ],
)
def test_types_with_no_transformer_are_pickled(t: Any, name: str) -> None:
    lt = TypeEngine.to_literal_type(t)
    assert lt.blob.format == PICKLE
    assert lt.metadata["python_class_name"] == name


def test_a_value_round_trips_through_a_pickle_file(tmp_path: Path) -> None:
    with storage(tmp_path):
        lit = TypeEngine.to_literal(None, Point(1, 2), Point, None)
        blob = lit.scalar.blob
        assert blob.metadata.type.format == PICKLE
        assert blob.uri.startswith(str(tmp_path / "raw"))
        data = Path(blob.uri).read_bytes()
        assert pickle.loads(data) == Point(1, 2)
        # flytekit's file name: the md5 of the pickle
        import hashlib

        assert blob.uri.endswith(hashlib.md5(data).hexdigest())
        wire = literals_pb2.Literal.FromString(lit.SerializeToString())
        assert TypeEngine.to_python_value(None, wire, Point) == Point(1, 2)
        assert TypeEngine.to_python_value(None, wire, FlytePickle) == Point(1, 2)


def test_the_fallback_warns_once_per_type() -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        TypeEngine.to_literal_type(Unwarned)
        TypeEngine.to_literal_type(Unwarned)
        TypeEngine.to_literal_type(list[Unwarned])
        TypeEngine.to_literal_type(AlsoUnwarned)
    messages = [str(w.message) for w in caught]
    assert len(messages) == 2, messages
    assert f"{__name__}.Unwarned has no type transformer" in messages[0]
    assert "stored as pickles" in messages[0]
    assert f"{__name__}.AlsoUnwarned" in messages[1]


def test_containers_of_pickled_values(tmp_path: Path) -> None:
    with storage(tmp_path):
        lit = TypeEngine.to_literal(None, [Point(1, 2), Point(3, 4)], list[Point], None)
        assert [x.scalar.blob.metadata.type.format for x in lit.collection.literals] == [PICKLE, PICKLE]
        assert TypeEngine.to_python_value(None, lit, list[Point]) == [Point(1, 2), Point(3, 4)]
        lit = TypeEngine.to_literal(None, {"p": Point(0, 0)}, dict[str, Point], None)
        assert TypeEngine.to_python_value(None, lit, dict[str, Point]) == {"p": Point(0, 0)}
        lit = TypeEngine.to_literal(None, Point(5, 5), Optional[Point], None)
        assert lit.scalar.union.type.structure.tag == "FlytePickle"
        assert TypeEngine.to_python_value(None, lit, Optional[Point]) == Point(5, 5)
        none = TypeEngine.to_literal(None, None, Optional[Point], None)
        assert TypeEngine.to_python_value(None, none, Optional[Point]) is None
        nested = Segment(Point(1, 1), Point(2, 2))
        back = TypeEngine.to_python_value(None, TypeEngine.to_literal(None, nested, Segment, None), Segment)
        assert (back.a, back.b) == (nested.a, nested.b)


def test_list_of_any_pickles_each_item(tmp_path: Path) -> None:
    with storage(tmp_path):
        lit = TypeEngine.to_literal(None, [1, "a", Point(1, 1)], list[Any], None)
        assert len(lit.collection.literals) == 3
        assert TypeEngine.to_python_value(None, lit, list[Any]) == [1, "a", Point(1, 1)]


def test_any_inside_a_dataclass_or_dict_is_still_msgpack(tmp_path: Path) -> None:
    @dataclasses.dataclass
    class Holder:
        anything: Any

    with storage(tmp_path):
        assert (
            TypeEngine.to_literal(None, Holder(anything=3), Holder, None).scalar.WhichOneof("value")
            == "binary"
        )
        assert TypeEngine.to_literal(None, {"a": 3}, dict, None).scalar.WhichOneof("value") == "binary"


def test_none_is_not_pickled() -> None:
    with pytest.raises(
        TypeTransformerFailedError, match=r"got None; a pickled value cannot be None.*Optional\[Point\]"
    ):
        TypeEngine.to_literal(None, None, Point, None)


def test_an_unpicklable_value_is_a_clear_error(tmp_path: Path) -> None:
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError, match="cannot pickle function"):
        TypeEngine.to_literal(None, lambda: 1, typing.Callable[[], int], None)


def test_reading_a_literal_that_is_not_a_pickle_is_refused() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"expected Point \(a pickle\), got integer"):
        TypeEngine.to_python_value(None, TypeEngine.to_literal(None, 1, int, None), Point)


def test_a_cloudpickle_file_without_cloudpickle_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pickle that names a function of the cloudpickle module, as cloudpickle writes for lambdas.
    data = b"\x80\x05\x95\x00\x00\x00\x00\x00\x00\x00\x00\x8c\x0bcloudpickle\x94\x8c\x05dumps\x94\x93\x94."
    path = tmp_path / "by-value.pkl"
    path.write_bytes(data)
    monkeypatch.setitem(sys.modules, "cloudpickle", None)  # as if it were not installed
    lit = literals_pb2.Literal()
    lit.scalar.blob.uri = str(path)
    lit.scalar.blob.metadata.type.format = PICKLE
    with pytest.raises(TypeTransformerFailedError, match="install cloudpickle"):
        TypeEngine.to_python_value(None, lit, Point)


@pytest.mark.parametrize(
    ("t", "message"),
    [
        (typing.Literal["a", "b"], "typing.Literal is not supported yet"),
        ("Point", "unresolved forward reference"),
        (typing.Generator[int, None, None], "is not supported: annotate Iterator[T] instead"),
        (typing.TextIO, "stores TextIO"),
        (tuple, "tuples are not supported"),
        (tuple[int, str], "tuples are not supported"),
        (list, "annotate lists as list[T]"),
    ],
)
def test_types_flyte_converts_otherwise_are_refused_not_pickled(t: Any, message: str) -> None:
    with pytest.raises(UnsupportedTypeError, match=message.replace("[", r"\[")):
        TypeEngine.to_literal_type(t)


def test_classes_flytekit_has_transformers_for_are_refused_by_name() -> None:
    # A stand-in with the qualified name of torch's module class: no torch needed. (pydantic models have
    # a transformer: tests/types/data/test_pydantic.py.)
    base = type("Module", (), {"__module__": "torch.nn.modules.module"})
    model = type("Net", (base,), {})
    with pytest.raises(UnsupportedTypeError, match="stores torch modules with a transformer of its own"):
        TypeEngine.to_literal_type(model)


def test_a_dataclass_field_with_no_transformer_is_still_refused() -> None:
    @dataclasses.dataclass
    class Shape:
        corner: Point

    with pytest.raises(
        UnsupportedTypeError, match="field 'corner' of dataclass .*Shape.*no type transformer for Point"
    ):
        TypeEngine.to_literal_type(Shape)


def test_guess_python_type_of_a_pickle_is_flyte_pickle() -> None:
    assert TypeEngine.guess_python_type(TypeEngine.to_literal_type(Point)) is FlytePickle


_PICKLABLE = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | st.binary()
    | st.decimals(allow_nan=False)
    | st.dates()
    | st.datetimes()
    | st.builds(Point, st.integers(), st.integers()),
    lambda inner: (
        st.lists(inner)
        | st.frozensets(st.integers())
        | st.dictionaries(st.text(), inner)
        | st.tuples(inner, inner)
    ),
    max_leaves=12,
).filter(lambda v: v is not None)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=_PICKLABLE)
def test_any_value_round_trips(tmp_path: Path, value: Any) -> None:
    with storage(tmp_path):
        lit = TypeEngine.to_literal(None, value, typing.Any, None)
        assert TypeEngine.to_python_value(None, lit, typing.Any) == value


def test_the_pickle_is_readable_by_plain_pickle_at_the_highest_protocol(tmp_path: Path) -> None:
    value = {"when": datetime.date(2024, 1, 2), "amount": decimal.Decimal("1.50")}
    with storage(tmp_path):
        lit = TypeEngine.to_literal(None, value, typing.Any, None)
    data = Path(lit.scalar.blob.uri).read_bytes()
    assert data[1] == pickle.HIGHEST_PROTOCOL
    assert pickle.loads(data) == value
