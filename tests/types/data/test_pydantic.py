"""pydantic v2 models: literal types and literals byte-equal to flytekit 1.16.14's, round trips, errors with
a path, tasks run locally and through ``flyweight-execute``, and pydantic loaded only when a model is used."""

from __future__ import annotations

import datetime
import enum
import json
import os
import subprocess
import sys
import typing
from pathlib import Path
from typing import Annotated, Any, Optional, Union

import pytest
from flyteidl.core import literals_pb2
from google.protobuf import json_format, struct_pb2
from tests.oracle import require

from flyweight.errors import TypeTransformerFailedError
from flyweight.types import FlyteFile, TypeEngine

pydantic = require("pydantic", why="pydantic models")
BaseModel = pydantic.BaseModel
Field = pydantic.Field

REPO = Path(__file__).resolve().parents[3]


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


class Inner(BaseModel):
    count: int
    name: str = "x"


class Outer(BaseModel):
    inner: Inner
    items: list[Inner]
    tags: dict[str, int]
    maybe: Optional[float] = None
    color: Color = Color.RED
    when: datetime.datetime = datetime.datetime(2024, 1, 2, 3, 4, 5)


class Shapes(BaseModel):
    grid: list[list[int]] = []  # noqa: RUF012 - pydantic copies defaults
    lookup: dict[str, list[str]] = {}  # noqa: RUF012 - pydantic copies defaults
    nested: dict[str, Inner] = {}  # noqa: RUF012 - pydantic copies defaults
    either: Union[int, str] = 0
    optional_inner: Optional[Inner] = None
    flag: bool = False
    ratio: float = 0.5
    day: datetime.date = datetime.date(2024, 5, 6)
    span: datetime.timedelta = datetime.timedelta(seconds=90)
    anything: Any = None
    raw: list[bytes] = []  # noqa: RUF012 - pydantic copies defaults


class Constrained(BaseModel):
    size: Annotated[int, Field(gt=0, description="how many")] = 1
    label: str = Field(default="a", max_length=5)
    values: list[float] = Field(default_factory=list)


class Empty(BaseModel):
    pass


class Child(Inner):
    extra: list[int] = [1, 2]  # noqa: RUF012 - pydantic copies defaults


def models() -> list[tuple[Any, Any]]:
    when = datetime.datetime(2021, 3, 4, 5, 6, 7, 8000)
    return [
        (Inner, Inner(count=1)),
        (Outer, Outer(inner=Inner(count=1), items=[Inner(count=2, name="b")], tags={"a": 1}, when=when)),
        (Outer, Outer(inner=Inner(count=-5, name="é"), items=[], tags={}, maybe=2.5, color=Color.GREEN)),
        (Shapes, Shapes()),
        (
            Shapes,
            Shapes(
                grid=[[1, 2], []],
                lookup={"k": ["v", "w"]},
                nested={"n": Inner(count=9)},
                either="s",
                optional_inner=Inner(count=3),
                anything={"free": [1, "form"]},
            ),
        ),
        (Constrained, Constrained(size=3, label="abc", values=[1.5, 2.0])),
        (Empty, Empty()),
        (Child, Child(count=4)),
        (list[Inner], [Inner(count=1), Inner(count=2)]),
        (dict[str, Outer], {"o": Outer(inner=Inner(count=1), items=[], tags={"t": 2})}),
        (Optional[Inner], Inner(count=7)),
        (Optional[Inner], None),
        (list[Optional[Inner]], [None, Inner(count=0)]),
    ]


# flytekit cannot write these (it takes any model for any model variant: "Ambiguous choice of variant")
ONLY_OURS = [(Union[Inner, Empty], Empty()), (Union[Inner, Empty], Inner(count=1))]


CASES = models()
IDS = [f"{getattr(t, '__name__', 'generic')}-{i}" for i, (t, _) in enumerate(CASES)]


class Kit:
    def __init__(self) -> None:
        from flytekit import FlyteContextManager
        from flytekit.core.type_engine import TypeEngine as KitEngine

        self.engine = KitEngine
        self.ctx = FlyteContextManager.current_context()

    def literal_type(self, t: Any) -> bytes:
        return bytes(self.engine.to_literal_type(t).to_flyte_idl().SerializeToString(deterministic=True))

    def literal(self, value: Any, t: Any) -> bytes:
        lit = self.engine.to_literal(self.ctx, value, t, self.engine.to_literal_type(t))
        return bytes(lit.to_flyte_idl().SerializeToString(deterministic=True))

    def read(self, data: bytes, t: Any) -> Any:
        from flytekit.models.literals import Literal as KitLiteral

        lit = KitLiteral.from_flyte_idl(literals_pb2.Literal.FromString(data))
        return self.engine.to_python_value(self.ctx, lit, t)


@pytest.fixture(scope="module")
def kit(flytekit: Any) -> Kit:
    return Kit()


def ours_type(t: Any) -> bytes:
    return TypeEngine.to_literal_type(t).SerializeToString(deterministic=True)


def ours(value: Any, t: Any) -> bytes:
    return TypeEngine.to_literal(None, value, t, None).SerializeToString(deterministic=True)


# -- against flytekit ---------------------------------------------------------------------------------


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("t", "value"), CASES, ids=IDS)
def test_literal_type_is_flytekits(kit: Kit, t: Any, value: Any) -> None:
    assert ours_type(t) == kit.literal_type(t)


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("t", "value"), CASES, ids=IDS)
def test_literal_is_flytekits(kit: Kit, t: Any, value: Any) -> None:
    assert ours(value, t) == kit.literal(value, t)


@pytest.mark.oracle
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("t", "value"), CASES, ids=IDS)
def test_each_reads_the_others_literal(kit: Kit, t: Any, value: Any) -> None:
    assert kit.read(ours(value, t), t) == value
    theirs = literals_pb2.Literal.FromString(kit.literal(value, t))
    assert TypeEngine.to_python_value(None, theirs, t) == value


# -- round trips and reading ------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize(("t", "value"), CASES + ONLY_OURS)
def test_round_trip(t: Any, value: Any) -> None:
    lit = TypeEngine.to_literal(None, value, t, None)
    assert TypeEngine.to_python_value(None, lit, t) == value


def test_the_value_is_msgpack_of_the_json_dump() -> None:
    import msgpack

    value = Outer(inner=Inner(count=1), items=[], tags={"b": 2, "a": 1}, color=Color.GREEN)
    lit = TypeEngine.to_literal(None, value, Outer, None)
    assert lit.scalar.binary.tag == "msgpack"
    assert msgpack.unpackb(lit.scalar.binary.value) == json.loads(value.model_dump_json())
    assert list(msgpack.unpackb(lit.scalar.binary.value)["tags"]) == ["b", "a"]


def test_the_literal_type_holds_the_schema_and_field_types() -> None:
    lt = TypeEngine.to_literal_type(Outer)
    assert json_format.MessageToDict(lt.metadata) == json.loads(json.dumps(Outer.model_json_schema()))
    assert lt.annotation.annotations["cache-key-metadata"]["serialization-format"] == "msgpack"
    fields = lt.structure.dataclass_type
    assert sorted(fields) == ["color", "inner", "items", "maybe", "tags", "when"]
    assert fields["items"].collection_type == TypeEngine.to_literal_type(Inner)
    assert fields["color"].enum_type.values == ["red", "green"]


def test_a_generic_struct_from_the_console_is_read() -> None:
    generic = struct_pb2.Struct()
    generic.update({"count": 3, "name": "c"})  # the console sends numbers as doubles
    lit = literals_pb2.Literal()
    lit.scalar.generic.CopyFrom(generic)
    assert TypeEngine.to_python_value(None, lit, Inner) == Inner(count=3, name="c")


def test_the_transformer_is_pydantics_and_the_tag_flytekits() -> None:
    transformer = TypeEngine.get_transformer(Outer)
    assert transformer.name == "Pydantic Transformer"
    union = TypeEngine.to_literal_type(Optional[Inner])
    assert union.union_type.variants[0].structure.tag == "Pydantic Transformer"


# -- errors -------------------------------------------------------------------------------------------


def _packed(data: object) -> literals_pb2.Literal:
    import msgpack

    lit = literals_pb2.Literal()
    lit.scalar.binary.value = msgpack.packb(data)
    lit.scalar.binary.tag = "msgpack"
    return lit


@pytest.mark.parametrize(
    ("data", "t", "message"),
    [
        ({"count": "abc"}, Inner, "expected int, got str 'abc' at .count"),
        ({"name": "n"}, Inner, "missing required field 'count' of Inner"),
        (
            {"inner": {"count": 1}, "items": [{"count": 1}, {"count": [1]}], "tags": {}},
            Outer,
            "expected int, got list [1] at .items[1].count",
        ),
        (
            {"inner": {"count": 1}, "items": [], "tags": {"a": "x"}},
            Outer,
            "expected int, got str 'x' at .tags.a",
        ),
        (
            {"inner": {"count": 1}, "items": [], "tags": {}, "color": "blue"},
            Outer,
            "got str 'blue' at .color",
        ),
    ],
)
def test_a_bad_literal_names_the_field(data: object, t: Any, message: str) -> None:
    with pytest.raises(TypeTransformerFailedError) as e:
        TypeEngine.to_python_value(None, _packed(data), t)
    assert message in str(e.value)


def test_a_value_of_another_type_is_refused() -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"expected Inner, got dict \{'count': 1\}"):
        TypeEngine.to_literal(None, {"count": 1}, Inner, None)
    with pytest.raises(TypeTransformerFailedError, match=r"expected Inner, got Empty"):
        TypeEngine.to_literal(None, Empty(), Inner, None)


def test_a_field_assigned_a_wrong_value_is_refused_with_its_path() -> None:
    value = Outer(inner=Inner(count=1), items=[Inner(count=2)], tags={})
    value.items[0].count = "two"  # type: ignore[assignment]  # no validate_assignment
    with pytest.raises(
        TypeTransformerFailedError, match=r"expected int, got str 'two' at \.items\[0\]\.count"
    ):
        TypeEngine.to_literal(None, value, Outer, None)


def test_a_wrong_literal_kind_is_refused() -> None:
    with pytest.raises(TypeTransformerFailedError, match="expected Inner .a msgpack binary literal., got"):
        TypeEngine.to_python_value(None, TypeEngine.to_literal(None, 3, int, None), Inner)


def test_a_model_holding_a_file_is_supported() -> None:
    # (test_pydantic_data_fields.py has the rest; arbitrary_types_allowed changes nothing: the hook wins)
    class WithFile(BaseModel):
        model_config = pydantic.ConfigDict(arbitrary_types_allowed=True)
        f: FlyteFile
        fs: Optional[list[FlyteFile]] = None

    lt = TypeEngine.to_literal_type(WithFile)
    assert lt.structure.dataclass_type["f"] == TypeEngine.to_literal_type(FlyteFile)
    lit = TypeEngine.to_literal(None, WithFile(f=FlyteFile("s3://b/k")), WithFile, None)
    back = TypeEngine.to_python_value(None, lit, WithFile)
    assert back.f.remote_source == "s3://b/k" and back.fs is None


# -- tasks --------------------------------------------------------------------------------------------


def test_tasks_take_and_return_models_locally() -> None:
    from tests.types.data import rich_value_tasks as rt

    order = rt.Order(lines=[rt.Line(sku="a", count=2), rt.Line(sku="b", count=3)], notes={"n": "x"})
    assert rt.total(order=order) == 5
    doubled = rt.double(order=order)
    assert doubled == rt.Order(
        lines=[rt.Line(sku="a", count=4), rt.Line(sku="b", count=6)], notes={"n": "x"}, color=rt.Color.GREEN
    )


def test_a_task_given_a_dict_for_a_model_names_the_input() -> None:
    from tests.types.data import rich_value_tasks as rt

    with pytest.raises(TypeTransformerFailedError, match=r"expected Order, got dict .* at inputs\.order$"):
        rt.total(order={"lines": []})


def test_a_task_reading_a_bad_model_literal_names_the_input_and_field() -> None:
    from tests.types.data import rich_value_tasks as rt

    lm = literals_pb2.LiteralMap()
    lm.literals["order"].CopyFrom(_packed({"lines": [{"sku": "a", "count": "many"}]}))
    with pytest.raises(
        TypeTransformerFailedError, match=r"expected int, got str 'many' at inputs\.order\.lines\[0\]\.count"
    ):
        TypeEngine.literal_map_to_values(None, lm, {"order": rt.Order}, "task 'total'", "inputs")


def _execute(root: Path, task: Any, inputs: dict[str, Any]) -> literals_pb2.LiteralMap:
    from tests.types.data import rich_value_tasks as rt

    types = {k: task.python_interface.inputs[k] for k in inputs}
    (root / "inputs.pb").write_bytes(TypeEngine.dict_to_literal_map(None, inputs, types).SerializeToString())
    out = root / "out"
    fills = {
        "{{.input}}": str(root / "inputs.pb"),
        "{{.outputPrefix}}": str(out),
        "{{.rawOutputDataPrefix}}": str(root / "raw"),
        "{{.checkpointOutputPrefix}}": str(root / "checkpoint"),
        "{{.prevCheckpointPrefix}}": '""',
    }
    args = [fills.get(a, a) for a in task.serialize_to_model(rt.SETTINGS).container.args]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(args, cwd=root, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(out)) == ["outputs.pb"], (os.listdir(out), proc.stderr)
    return literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes())


def test_a_model_task_through_flyweight_execute(tmp_path: Path) -> None:
    from tests.types.data import rich_value_tasks as rt

    order = rt.Order(lines=[rt.Line(sku="a", count=2)], discount=0.5)
    outputs = _execute(tmp_path, rt.double, {"order": order})
    got = TypeEngine.to_python_value(None, outputs.literals["o0"], rt.Order)
    assert got == rt.Order(lines=[rt.Line(sku="a", count=4)], color=rt.Color.GREEN)


# -- loading ------------------------------------------------------------------------------------------


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"],
        check=True,
        capture_output=True,
        text=True,
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_pydantic_is_imported_only_when_a_model_is_converted() -> None:
    plain = _modules_after(
        "import flyweight, flyweight.types\nfrom flyweight.types import TypeEngine\n"
        "TypeEngine.to_literal_type(list[int]); TypeEngine.to_literal_type(dict)"
    )
    assert not any(m.split(".")[0] in ("pydantic", "pydantic_core") for m in plain)
    used = _modules_after(
        "from pydantic import BaseModel\nfrom flyweight.types import TypeEngine\n"
        "class M(BaseModel):\n    x: int\nTypeEngine.to_literal(None, M(x=1), M, None)"
    )
    assert "flyweight.types._data._pydantic" in used


def test_typing_get_args_of_the_annotation_is_kept() -> None:
    # Annotated around a model is the model (its Field metadata is pydantic's business)
    t = Annotated[Inner, "note"]
    assert ours_type(t) == ours_type(Inner)
    assert TypeEngine.to_python_value(None, TypeEngine.to_literal(None, Inner(count=1), t, None), t) == Inner(
        count=1
    )
    assert typing.get_origin(t) is Annotated
