"""Files, directories and pickles against flytekit 1.16.14 (the oracle).

Literal types must be byte-identical. Literals must be byte-identical once blob URIs are masked
(both SDKs upload to a fresh random path); the URIs themselves are checked for shape: under the raw
output prefix, ending in the file's name (for pickles: the md5 of the pickle, the same in both for
importable values). Each SDK must also read the other's literals.

flytekit comes from the ``flytekit`` fixture (``tests/conftest.py``): without it these tests are
skipped, unless ``FLYWEIGHT_REQUIRE_ORACLE=1``, in which case they fail.
"""

from __future__ import annotations

import os
import pathlib
import sys
import typing
from pathlib import Path
from typing import Any, Optional, Union

import pytest
from _blob_support import storage, tree, write
from flyteidl.core import literals_pb2

from flyweight.errors import TypeTransformerFailedError
from flyweight.types import FlyteDirectory, FlyteFile, FlytePickle, TypeEngine

pytestmark = [pytest.mark.oracle, pytest.mark.filterwarnings("ignore:.*stored as pickles:UserWarning")]


class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

    def __hash__(self) -> int:
        return hash((self.x, self.y))


class Kit:
    """flytekit's engine, context and blob types."""

    def __init__(self) -> None:
        from flytekit import FlyteContextManager
        from flytekit.core.type_engine import TypeEngine as KitEngine
        from flytekit.types.directory import FlyteDirectory as KitDirectory
        from flytekit.types.file import FlyteFile as KitFile
        from flytekit.types.pickle import FlytePickle as KitPickle

        self.engine = KitEngine
        self.ctx = FlyteContextManager.current_context()
        self.File = KitFile
        self.Directory = KitDirectory
        self.Pickle = KitPickle

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


def blob_uris(lit: literals_pb2.Literal) -> list[str]:
    """Every blob URI in ``lit``, in order."""
    which = lit.WhichOneof("value")
    if which == "collection":
        return [u for item in lit.collection.literals for u in blob_uris(item)]
    if which == "map":
        return [u for key in sorted(lit.map.literals) for u in blob_uris(lit.map.literals[key])]
    if which == "scalar" and lit.scalar.WhichOneof("value") == "union":
        return blob_uris(lit.scalar.union.value)
    if which == "scalar" and lit.scalar.WhichOneof("value") == "blob":
        return [lit.scalar.blob.uri]
    return []


def masked(lit: literals_pb2.Literal) -> bytes:
    """``lit``'s bytes with every blob URI replaced by a placeholder."""
    copy = literals_pb2.Literal()
    copy.CopyFrom(lit)
    stack = [copy]
    while stack:
        item = stack.pop()
        which = item.WhichOneof("value")
        if which == "collection":
            stack.extend(item.collection.literals)
        elif which == "map":
            stack.extend(item.map.literals.values())
        elif which == "scalar" and item.scalar.WhichOneof("value") == "union":
            stack.append(item.scalar.union.value)
        elif which == "scalar" and item.scalar.WhichOneof("value") == "blob":
            item.scalar.blob.uri = "<masked>"
    return copy.SerializeToString(deterministic=True)


CSV = "csv"


def ours(t: Any) -> bytes:
    return TypeEngine.to_literal_type(t).SerializeToString(deterministic=True)


# -- literal types ------------------------------------------------------------------------------------


def type_pairs(kit: Kit) -> list[tuple[Any, Any]]:
    KF, KD = kit.File, kit.Directory
    return [
        (KF, FlyteFile),
        (KF["csv"], FlyteFile["csv"]),
        (KF[typing.TypeVar("csv")], FlyteFile[typing.TypeVar("csv")]),
        (KF[".parquet"], FlyteFile[".parquet"]),
        (KD, FlyteDirectory),
        (KD["csv"], FlyteDirectory["csv"]),
        (os.PathLike, os.PathLike),
        (pathlib.Path, pathlib.Path),
        (Point, Point),
        (typing.Any, typing.Any),
        (complex, complex),
        (set[int], set[int]),
        (list[Point], list[Point]),
        (dict[str, Point], dict[str, Point]),
        (Optional[Point], Optional[Point]),
        (Optional[KF], Optional[FlyteFile]),
        (list[KF[CSV]], list[FlyteFile[CSV]]),
        (dict[str, KD], dict[str, FlyteDirectory]),
        (Union[KF, KD], Union[FlyteFile, FlyteDirectory]),
        (Union[int, Point], Union[int, Point]),
    ]


def test_literal_types_are_byte_identical(kit: Kit) -> None:
    for theirs, mine in type_pairs(kit):
        assert ours(mine) == kit.literal_type(theirs), f"literal type differs for {mine}"


def test_flyte_pickle_literal_type(kit: Kit) -> None:
    # The class name differs (each SDK's FlytePickle); the rest is the same.
    mine, theirs = (
        TypeEngine.to_literal_type(FlytePickle),
        kit.engine.to_literal_type(kit.Pickle).to_flyte_idl(),
    )
    assert mine.blob == theirs.blob
    assert mine.metadata["python_class_name"].endswith("FlytePickle'>")


# -- literals -----------------------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "csv": write(tmp_path / "data" / "table.csv", "a,b\n1,2\n"),
        "other": write(tmp_path / "data" / "notes.txt", "notes"),
        "dir": tmp_path / "data",
    }


def value_cases(kit: Kit, f: dict[str, Path]) -> list[tuple[str, Any, Any, Any, Any]]:
    """(id, flytekit type, flyweight type, flytekit value, flyweight value)."""
    KF, KD = kit.File, kit.Directory
    csv, other, d = str(f["csv"]), str(f["other"]), str(f["dir"])
    return [
        ("file-str", KF, FlyteFile, csv, csv),
        ("file-path", KF["csv"], FlyteFile["csv"], f["csv"], f["csv"]),
        ("file-obj", KF[typing.TypeVar("csv")], FlyteFile[typing.TypeVar("csv")], KF(csv), FlyteFile(csv)),
        ("file-remote", KF, FlyteFile, "s3://bucket/key/x.csv", "s3://bucket/key/x.csv"),
        ("pathlike", os.PathLike, os.PathLike, csv, csv),
        ("dir-str", KD, FlyteDirectory, d, d),
        ("dir-obj", KD["csv"], FlyteDirectory["csv"], KD(d), FlyteDirectory(d)),
        ("dir-remote", KD, FlyteDirectory, "s3://bucket/prefix", "s3://bucket/prefix"),
        ("list-files", list[KF], list[FlyteFile], [csv, other], [csv, other]),
        ("optional-file", Optional[KF], Optional[FlyteFile], csv, csv),
        ("optional-none", Optional[KF], Optional[FlyteFile], None, None),
        ("union-file", Union[KF, KD], Union[FlyteFile, FlyteDirectory], csv, csv),
        ("pickle", Point, Point, Point(1, 2), Point(1, 2)),
        ("pickle-path", pathlib.Path, pathlib.Path, f["csv"], f["csv"]),
        ("pickle-any", typing.Any, typing.Any, {"a": 1}, {"a": 1}),
        ("pickle-list", list[Point], list[Point], [Point(1, 2), Point(3, 4)], [Point(1, 2), Point(3, 4)]),
        ("pickle-dict", dict[str, Point], dict[str, Point], {"p": Point(0, 1)}, {"p": Point(0, 1)}),
        ("pickle-optional", Optional[Point], Optional[Point], Point(2, 2), Point(2, 2)),
    ]


def test_literals_match_with_uris_masked(kit: Kit, files: dict[str, Path], tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    kit_raw = kit.ctx.file_access.raw_output_prefix.rstrip("/")
    for case, kt, wt, kv, wv in value_cases(kit, files):
        expected = kit.literal(kv, kt)
        with storage(tmp_path):
            got = TypeEngine.to_literal(None, wv, wt, None)
        assert masked(got) == masked(expected), f"{case}: literal differs\n{got}\n--- flytekit:\n{expected}"
        for mine, theirs in zip(blob_uris(got), blob_uris(expected), strict=True):
            if theirs.startswith(kit_raw):  # uploaded: same shape under each SDK's prefix
                assert mine.startswith(str(raw) + os.sep), case
                if not case.startswith("dir"):  # a file keeps its name; a pickle is named by its md5
                    assert mine.rsplit("/", 1)[-1] == theirs.rsplit("/", 1)[-1], case
                assert mine.count("/") - str(raw).count("/") == theirs.count("/") - kit_raw.count("/"), case
            else:  # referenced in place
                assert mine == theirs, case


# -- each SDK reads the other's literals --------------------------------------------------------------


def test_flytekit_reads_our_file_directory_and_pickle(
    kit: Kit, files: dict[str, Path], tmp_path: Path
) -> None:
    with storage(tmp_path):
        file_lit = TypeEngine.to_literal(None, str(files["csv"]), FlyteFile["csv"], None)
        dir_lit = TypeEngine.to_literal(None, str(files["dir"]), FlyteDirectory, None)
        pickle_lit = TypeEngine.to_literal(None, Point(7, 8), Point, None)
        any_lit = TypeEngine.to_literal(None, {"k": [1, 2]}, typing.Any, None)
    ff = kit.read(file_lit, kit.File["csv"])
    with open(ff) as f:
        assert f.read() == "a,b\n1,2\n"
    fd = kit.read(dir_lit, kit.Directory)
    assert tree(Path(fd.download())) == tree(files["dir"])
    assert kit.read(pickle_lit, Point) == Point(7, 8)
    assert kit.read(any_lit, typing.Any) == {"k": [1, 2]}


def test_we_read_flytekits_file_directory_and_pickle(
    kit: Kit, files: dict[str, Path], tmp_path: Path
) -> None:
    file_lit = kit.literal(str(files["csv"]), kit.File["csv"])
    dir_lit = kit.literal(str(files["dir"]), kit.Directory)
    pickle_lit = kit.literal(Point(7, 8), Point)
    list_lit = kit.literal([Point(1, 1), Point(2, 2)], list[Point])
    with storage(tmp_path) as fa:
        ff = TypeEngine.to_python_value(None, file_lit, FlyteFile["csv"])
        assert type(ff) is FlyteFile["csv"]
        assert Path(ff).read_text() == "a,b\n1,2\n"
        fd = TypeEngine.to_python_value(None, dir_lit, FlyteDirectory)
        assert tree(Path(fd)) == tree(files["dir"])
        assert TypeEngine.to_python_value(None, pickle_lit, Point) == Point(7, 8)
        assert TypeEngine.to_python_value(None, list_lit, list[Point]) == [Point(1, 1), Point(2, 2)]
        guessed = TypeEngine.guess_python_type(TypeEngine.to_literal_type(FlyteFile["csv"]))
        assert Path(TypeEngine.to_python_value(None, file_lit, guessed)).read_text() == "a,b\n1,2\n"
    assert fa.uploads == []


def test_a_class_flytekit_pickled_by_value(kit: Kit, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class Local:  # defined in a function: cloudpickle writes it by value
        def __init__(self) -> None:
            self.v = 5

    lit = kit.literal(Local(), Local)
    with storage(tmp_path):
        assert TypeEngine.to_python_value(None, lit, typing.Any).v == 5  # cloudpickle is installed here
        monkeypatch.setitem(sys.modules, "cloudpickle", None)
        with pytest.raises(TypeTransformerFailedError, match="install cloudpickle"):
            TypeEngine.to_python_value(None, lit, typing.Any)
