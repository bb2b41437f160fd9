"""Iterators: ``Iterator[T]`` (a collection literal) and ``Iterator[JSON]`` (a JSONL file), against
flytekit 1.16.14, in round trips and in tasks (locally and through ``flyweight-execute``); ``BatchSize``."""

from __future__ import annotations

import collections.abc
import os
import subprocess
import sys
import typing
from pathlib import Path
from typing import Annotated, Any, Optional

import pytest
from _blob_support import storage
from flyteidl.core import literals_pb2

import flyweight
from flyweight.errors import TaskDefinitionError, TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types import JSON, BatchSize, TypeEngine

REPO = Path(__file__).resolve().parents[3]


class Kit:
    def __init__(self) -> None:
        from flytekit import FlyteContextManager
        from flytekit.core.type_engine import TypeEngine as KitEngine
        from flytekit.types.iterator import JSON as KitJSON

        self.engine = KitEngine
        self.ctx = FlyteContextManager.current_context()
        self.JSON = KitJSON

    def literal_type(self, t: Any) -> bytes:
        return bytes(self.engine.to_literal_type(t).to_flyte_idl().SerializeToString(deterministic=True))

    def literal(self, value: Any, t: Any) -> literals_pb2.Literal:
        lit = self.engine.to_literal(self.ctx, value, t, self.engine.to_literal_type(t))
        return typing.cast(literals_pb2.Literal, lit.to_flyte_idl())

    def read(self, lit: literals_pb2.Literal, t: Any) -> Any:
        from flytekit.models.literals import Literal as KitLiteral

        return self.engine.to_python_value(self.ctx, KitLiteral.from_flyte_idl(lit), t)


@pytest.fixture(scope="module")
def kit(flytekit: Any) -> Kit:
    return Kit()


def ours_type(t: Any) -> bytes:
    return TypeEngine.to_literal_type(t).SerializeToString(deterministic=True)


TYPES = [
    typing.Iterator[int],
    collections.abc.Iterator[int],
    typing.Iterator[list[int]],
    typing.Iterator[dict[str, float]],
    Optional[typing.Iterator[int]],
    typing.Iterator[Optional[str]],
    typing.Iterator[JSON],
    Optional[typing.Iterator[JSON]],
    list[typing.Iterator[JSON]],
    Annotated[list[int], BatchSize(2)],
    Annotated[dict[str, list[int]], BatchSize(10)],
]


@pytest.mark.oracle
@pytest.mark.parametrize("t", TYPES, ids=str)
def test_literal_type_is_flytekits(kit: Kit, t: Any) -> None:
    assert ours_type(t) == kit.literal_type(t)


def test_json_is_flytekits_alias(kit: Kit) -> None:
    assert JSON == kit.JSON
    assert typing.Iterator[JSON] == typing.Iterator[kit.JSON]


@pytest.mark.oracle
@pytest.mark.parametrize(
    ("t", "value"),
    [
        (typing.Iterator[int], [1, 2, 3]),
        (collections.abc.Iterator[str], ["a", "b"]),
        (typing.Iterator[list[int]], [[1], [], [2, 3]]),
        (Optional[typing.Iterator[float]], [1.5]),
        (typing.Iterator[int], []),
    ],
    ids=str,
)
def test_an_iterator_is_a_collection_as_in_flytekit(kit: Kit, t: Any, value: list[Any]) -> None:
    ours = TypeEngine.to_literal(None, iter(value), t, None)
    assert ours.SerializeToString(deterministic=True) == kit.literal(iter(value), t).SerializeToString(
        deterministic=True
    )
    assert list(kit.read(ours, t)) == value
    assert list(TypeEngine.to_python_value(None, ours, t)) == value


@pytest.mark.oracle
@pytest.mark.parametrize(
    "t", [Annotated[list[int], BatchSize(2)], Annotated[list[str], BatchSize(1)]], ids=str
)
def test_batch_size_changes_nothing_on_the_wire(kit: Kit, t: Any) -> None:
    from flytekit import BatchSize as KitBatchSize

    value = [1, 2, 3] if typing.get_args(t)[0] == list[int] else ["a", "b"]
    kit_t = Annotated[typing.get_args(t)[0], KitBatchSize(2)]
    ours = TypeEngine.to_literal(None, value, t, None)
    assert ours.SerializeToString(deterministic=True) == kit.literal(value, kit_t).SerializeToString(
        deterministic=True
    )
    assert ours == TypeEngine.to_literal(None, value, typing.get_args(t)[0], None)
    assert TypeEngine.to_python_value(None, ours, t) == value


def test_batch_size_is_flytekits_marker() -> None:
    assert flyweight.BatchSize is BatchSize
    assert BatchSize(5).val == 5
    assert repr(BatchSize(5)) == "BatchSize(5)"


JSON_VALUES: list[Any] = [{"a": 1, "é": "ü", "nested": {"x": [1, 2.5, None]}}, [1, 2], 3, "x", True, 1.5]


@pytest.mark.oracle
def test_json_iterator_is_a_jsonl_blob_as_in_flytekit(kit: Kit, tmp_path: Path) -> None:
    t = typing.Iterator[JSON]
    with storage(tmp_path):
        ours = TypeEngine.to_literal(None, iter(JSON_VALUES), t, None)
        theirs = kit.literal(iter(JSON_VALUES), t)
        assert ours.scalar.blob.metadata == theirs.scalar.blob.metadata
        assert ours.scalar.blob.uri.startswith(str(tmp_path / "raw"))
        ours_text = Path(ours.scalar.blob.uri).read_text(encoding="utf-8")
        assert ours_text == Path(theirs.scalar.blob.uri.removeprefix("file://")).read_text(encoding="utf-8")
        assert list(kit.read(ours, t)) == JSON_VALUES
        assert list(TypeEngine.to_python_value(None, theirs, t)) == JSON_VALUES


def test_json_iterator_round_trip_streams_the_file(tmp_path: Path) -> None:
    t = typing.Iterator[JSON]
    with storage(tmp_path):
        lit = TypeEngine.to_literal(None, (v for v in JSON_VALUES), t, None)
        got = TypeEngine.to_python_value(None, lit, t)
        assert isinstance(got, collections.abc.Iterator)
        assert next(got) == JSON_VALUES[0]
        assert list(got) == JSON_VALUES[1:]


def test_json_iterator_literal_type_guesses_back() -> None:
    lt = TypeEngine.to_literal_type(typing.Iterator[JSON])
    assert TypeEngine.guess_python_type(lt) == typing.Iterator[JSON]
    assert TypeEngine.get_transformer(typing.Iterator[JSON]).name == "JSON Iterator"
    assert TypeEngine.get_transformer(typing.Iterator[int]).name == "Typed Iterator"


def test_a_json_iterator_declared_before_loading_finds_its_transformer() -> None:
    code = (
        "import typing\nfrom typing import Any, Union\nfrom flyweight.types import TypeEngine\n"
        "J = Union[typing.Dict[str, Any], typing.List[Any], bool, float, int, str]\n"
        "print(TypeEngine.get_transformer(typing.Iterator[J]).name)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "JSON Iterator"


def test_an_empty_json_iterator_is_refused(tmp_path: Path) -> None:
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError, match="the iterator is empty"):
        TypeEngine.to_literal(None, iter([]), typing.Iterator[JSON], None)


def test_a_value_json_cannot_hold_names_its_index(tmp_path: Path) -> None:
    with storage(tmp_path), pytest.raises(TypeTransformerFailedError, match=r"got set \{1\} at \[1\]"):
        TypeEngine.to_literal(None, iter([1, {1}]), typing.Iterator[JSON], None)


@pytest.mark.parametrize("value", [5, "abc", {"a": 1}, None])
def test_a_non_iterable_is_refused(value: Any) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"expected Iterator\[int\] \(an iterator"):
        TypeEngine.to_literal(None, value, typing.Iterator[int], None)


def test_an_element_of_the_wrong_type_names_its_index() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"expected int, got str 'a' at \[1\]"):
        TypeEngine.to_literal(None, iter([1, "a"]), typing.Iterator[int], None)


def test_a_read_iterator_converts_lazily_and_has_a_length() -> None:
    lit = TypeEngine.to_literal(None, [1, 2, 3], list[int], None)
    lit.collection.literals[2].scalar.primitive.string_value = "bad"
    got = TypeEngine.to_python_value(None, lit, typing.Iterator[int])
    assert len(got) == 3
    assert next(got) == 1
    with pytest.raises(TypeTransformerFailedError, match=r"at \[2\]"):
        list(got)


def test_a_bare_iterator_has_no_item_type() -> None:
    with pytest.raises(UnsupportedTypeError, match=r"annotate iterators as Iterator\[T\]"):
        TypeEngine.to_literal_type(typing.Iterator)


# -- tasks --------------------------------------------------------------------------------------------


def test_generator_tasks_run_locally() -> None:
    from tests.types.data import rich_value_tasks as rt

    assert list(rt.count_up(n=3)) == [0, 1, 2]
    assert rt.total_of(xs=iter([1, 2, 3])) == 6
    assert list(rt.records(n=2)) == [{"i": 0, "name": "r0"}, {"i": 1, "name": "r1"}]
    assert rt.names(rs=iter([{"name": "x"}])) == ["x"]

    @flyweight.workflow
    def wf(n: int) -> list[str]:
        return rt.names(rs=rt.records(n=n))

    @flyweight.workflow
    def wf2(n: int) -> int:
        return rt.total_of(xs=rt.count_up(n=n))

    assert wf(n=3) == ["r0", "r1", "r2"]
    assert wf2(n=4) == 6


def test_a_generator_task_must_declare_an_iterator() -> None:
    def gen(n: int) -> list[int]:
        yield n  # type: ignore[misc]

    with pytest.raises(TaskDefinitionError, match="generator function"):
        flyweight.task(gen)


def test_a_json_iterator_task_through_flyweight_execute(tmp_path: Path) -> None:
    from tests.types.data import rich_value_tasks as rt

    (tmp_path / "inputs.pb").write_bytes(
        TypeEngine.dict_to_literal_map(None, {"n": 3}, {"n": int}).SerializeToString()
    )
    out = tmp_path / "out"
    fills = {
        "{{.input}}": str(tmp_path / "inputs.pb"),
        "{{.outputPrefix}}": str(out),
        "{{.rawOutputDataPrefix}}": str(tmp_path / "raw"),
        "{{.checkpointOutputPrefix}}": str(tmp_path / "checkpoint"),
        "{{.prevCheckpointPrefix}}": '""',
    }
    args = [fills.get(a, a) for a in rt.records.serialize_to_model(rt.SETTINGS).container.args]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(out)) == ["outputs.pb"], proc.stderr
    lit = literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes()).literals["o0"]
    assert lit.scalar.blob.metadata.type.format == "jsonl"
    assert lit.scalar.blob.uri.startswith(str(tmp_path / "raw"))
    text = Path(lit.scalar.blob.uri).read_text()
    assert text == '{"i": 0, "name": "r0"}\n{"i": 1, "name": "r1"}\n{"i": 2, "name": "r2"}\n'
    assert rt.names(rs=TypeEngine.to_python_value(None, lit, typing.Iterator[JSON])) == ["r0", "r1", "r2"]
