"""The local cache never fails a run: a stored value that does not fit the task is a miss, and a cache that
cannot be used where it is (a read-only directory, a database of another layout, a path that is not a
directory, a lock held past the timeout) gives one warning and the run goes on.

The cached task and workflow live in ``cache_worker.py``, so that a separate process (the read-only cases)
finds the entries stored here: its tasks have the same names there when it runs from the repository root.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import os
import sqlite3
import subprocess
import sys
import typing
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from tests.oracle import require
from tests.runtime import cache_worker as w

from flyweight import _idl
from flyweight._runtime import CACHED, run_workflow
from flyweight._runtime._cache import DATABASE_NAME, LocalCache
from flyweight._runtime._cache_key import literal_fits, outputs_fit
from flyweight.errors import StorageError
from flyweight.types import HashMethod, TypeEngine

REPO = Path(__file__).resolve().parents[2]
WORKER = Path(__file__).with_name("cache_worker.py")
INT = _idl.LiteralType(simple=_idl.SimpleType.INTEGER)


def integer(value: int) -> _idl.Literal:
    return _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(integer=value)))


def text(value: str) -> _idl.Literal:
    return _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(string_value=value)))


def lmap(**literals: _idl.Literal) -> _idl.LiteralMap:
    return _idl.LiteralMap(literals=literals)


@pytest.fixture(autouse=True)
def _no_runs_recorded() -> Iterator[None]:
    w.RUNS.clear()
    yield
    w.RUNS.clear()


@dataclasses.dataclass
class Run:
    result: Any
    ran: list[int]
    cached: list[str]
    warnings: list[str]


def run(cache: LocalCache, x: int, y: int) -> Run:
    """``sum_of_squares(x, y)`` with ``cache``: its result, the inputs ``square`` ran with, the nodes
    served from the cache and the ``RuntimeWarning``s given."""
    cached: list[str] = []

    def on_event(node: str, state: str, info: Mapping[str, Any]) -> None:
        if state == CACHED:
            cached.append(node)

    w.RUNS.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = run_workflow(w.sum_of_squares, {"x": x, "y": y}, cache=cache, on_event=on_event)
    given = [str(m.message) for m in caught if issubclass(m.category, RuntimeWarning)]
    return Run(result, sorted(w.RUNS), sorted(cached), given)


def recorded(action: Callable[[], Any]) -> tuple[Any, list[str]]:
    """What ``action()`` returns, and the ``RuntimeWarning``s it gave."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = action()
    return value, [str(m.message) for m in caught if issubclass(m.category, RuntimeWarning)]


# -- an entry that does not fit the task is a miss --------------------------------------------------

NOT_THE_TASKS = {
    "a literal of another type": lmap(o0=text("81")),
    "another output name": lmap(out=integer(81)),
    "no outputs at all": lmap(),
    "an extra output": lmap(o0=integer(81), extra=integer(1)),
    "a list for an int": lmap(o0=_idl.Literal(collection=_idl.LiteralCollection(literals=[integer(81)]))),
    "an empty literal": lmap(o0=_idl.Literal()),
}


@pytest.mark.parametrize("stored", NOT_THE_TASKS.values(), ids=NOT_THE_TASKS.keys())
def test_an_entry_that_does_not_fit_the_tasks_outputs_is_a_miss(
    tmp_path: Path, stored: _idl.LiteralMap
) -> None:
    cache = LocalCache(tmp_path)
    key = w.square_key(9)
    outputs = w.square.interface.to_flyte_idl().outputs
    cache.put(*key, stored)
    assert cache.get(*key) == stored  # without the task's outputs there is nothing to check against
    assert cache.get(*key, outputs=outputs) is None
    assert cache.get(*key, outputs={"o0": INT}) is None
    cache.put(*key, lmap(o0=integer(81)))
    assert cache.get(*key, outputs=outputs) == lmap(o0=integer(81))


@pytest.mark.parametrize("stored", NOT_THE_TASKS.values(), ids=NOT_THE_TASKS.keys())
def test_a_run_replaces_an_entry_that_does_not_fit_and_the_next_run_hits_it(
    tmp_path: Path, stored: _idl.LiteralMap
) -> None:
    cache = LocalCache(tmp_path)
    cache.put(*w.square_key(9), stored)
    first = run(cache, 9, 2)
    assert (first.result, first.ran, first.cached, first.warnings) == (85, [2, 9], [], [])
    assert cache.get(*w.square_key(9)) == lmap(o0=integer(81))  # replaced by the new result
    second = run(LocalCache(tmp_path), 9, 2)
    assert (second.result, second.ran, second.cached, second.warnings) == (85, [], ["n0", "n1"], [])


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@dataclasses.dataclass
class Point:
    x: int
    label: str


class Opaque:
    """No transformer: stored as a pickle."""


TYPED_VALUES: list[tuple[Any, Any]] = [
    (int, 3),
    (float, 2.5),
    (str, "s"),
    (bool, True),
    (datetime.datetime, datetime.datetime(2024, 5, 1, 12)),
    (datetime.date, datetime.date(2024, 5, 1)),
    (datetime.timedelta, datetime.timedelta(seconds=90)),
    (list[int], [1, 2, 3]),
    (list[int], []),
    (list[float], [1.0, 2.5]),
    (dict[str, int], {"a": 1}),
    (dict[str, list[float]], {"a": [1.5], "b": []}),
    (typing.Optional[int], None),
    (typing.Optional[int], 4),
    (typing.Union[int, str], "u"),
    (list[typing.Optional[str]], ["a", None]),
    (Color, Color.BLUE),
    (Point, Point(1, "p")),
    (dict, {"free": [1, "form"]}),
    (typing.Annotated[str, HashMethod(str.lower)], "ABC"),
    (Opaque, Opaque()),
]


@pytest.mark.parametrize(("annotation", "value"), TYPED_VALUES, ids=[repr(t) for t, _ in TYPED_VALUES])
def test_every_value_the_type_engine_writes_fits_its_type(annotation: Any, value: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # values stored as pickles say so
        lt = TypeEngine.to_literal_type(annotation)
        lit = TypeEngine.to_literal(None, value, annotation, lt)
    assert literal_fits(lit, lt)
    assert outputs_fit(lmap(o0=lit), {"o0": lt})
    assert not outputs_fit(lmap(o0=lit), {"o1": lt})


def test_files_directories_and_tables_fit_their_types(tmp_path: Path) -> None:
    pd = require("pandas")
    from flyweight.types import FlyteDirectory, FlyteFile, StructuredDataset

    data = tmp_path / "a.csv"
    data.write_text("a\n1\n")
    values: list[tuple[Any, Any]] = [
        (FlyteFile, FlyteFile(str(data))),
        (FlyteDirectory, FlyteDirectory(str(tmp_path))),
        (list[FlyteFile], [FlyteFile(str(data))]),
        (StructuredDataset, StructuredDataset(dataframe=pd.DataFrame({"a": [1]}))),
    ]
    literals = {}
    for annotation, value in values:
        lt = TypeEngine.to_literal_type(annotation)
        literals[annotation] = (TypeEngine.to_literal(None, value, annotation, lt), lt)
        assert literal_fits(*literals[annotation])
    file_literal, _ = literals[FlyteFile]
    _, directory_type = literals[FlyteDirectory]
    assert not literal_fits(file_literal, directory_type)  # a single file is not a directory


def test_shapes_that_do_not_fit() -> None:
    def lt(annotation: Any) -> _idl.LiteralType:
        return TypeEngine.to_literal_type(annotation)

    def lit(value: Any, annotation: Any) -> _idl.Literal:
        return TypeEngine.to_literal(None, value, annotation, lt(annotation))

    assert not literal_fits(lit([1, 2], list[int]), lt(list[str]))
    assert not literal_fits(lit({"a": 1}, dict[str, int]), lt(list[int]))
    assert not literal_fits(lit({"a": 1}, dict[str, int]), lt(dict[str, str]))
    assert not literal_fits(text("green"), lt(Color))  # not one of the enum's values
    assert not literal_fits(lit("u", typing.Union[int, str]), lt(typing.Optional[int]))
    assert not literal_fits(lit(None, typing.Optional[int]), lt(int))
    assert not literal_fits(lit(2.5, float), lt(int))
    assert literal_fits(lit(2, int), lt(float))  # the type engine reads an integer as a float
    assert literal_fits(lit(3, typing.Optional[int]), lt(int))  # and a union-wrapped value as the value


# -- a cache that cannot be used where it is --------------------------------------------------------


def _a_file_for_the_directory(tmp_path: Path) -> tuple[Path, Path]:
    tmp_path.joinpath("cache").write_text("a file, not a directory")
    return tmp_path / "cache", tmp_path / "cache"


def _a_file_for_a_parent(tmp_path: Path) -> tuple[Path, Path]:
    tmp_path.joinpath("parent").write_text("a file, not a directory")
    return tmp_path / "parent" / "cache", tmp_path / "parent" / "cache"


def _a_directory_for_the_database(tmp_path: Path) -> tuple[Path, Path]:
    tmp_path.joinpath(DATABASE_NAME).mkdir()
    return tmp_path, tmp_path / DATABASE_NAME


def _another_table(tmp_path: Path) -> tuple[Path, Path]:
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    with db:
        db.execute("CREATE TABLE entries (key TEXT PRIMARY KEY, value BLOB)")
        db.execute("INSERT INTO entries VALUES ('theirs', x'00')")
    db.close()
    return tmp_path, tmp_path / DATABASE_NAME


def _another_user_version(tmp_path: Path) -> tuple[Path, Path]:
    LocalCache(tmp_path).put(*w.square_key(3), lmap(o0=integer(9)))
    db = sqlite3.connect(tmp_path / DATABASE_NAME)
    db.execute("PRAGMA user_version = 2")
    db.close()
    return tmp_path, tmp_path / DATABASE_NAME


UNUSABLE: dict[str, Callable[[Path], tuple[Path, Path]]] = {
    "a file where the directory should be": _a_file_for_the_directory,
    "a file where a parent directory should be": _a_file_for_a_parent,
    "a directory where the database should be": _a_directory_for_the_database,
    "another table under the same name": _another_table,
    "another user_version": _another_user_version,
}


def _state(path: Path) -> Any:
    """What is at ``path``, to show the cache left it as it was."""
    if path.is_dir():
        return sorted(os.listdir(path))
    if not path.exists():
        return None
    if path.name != DATABASE_NAME:
        return path.read_bytes()
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return (
            db.execute("PRAGMA user_version").fetchone(),
            db.execute("PRAGMA table_info(entries)").fetchall(),
            db.execute("SELECT * FROM entries").fetchall(),
        )
    finally:
        db.close()


@pytest.mark.parametrize("make", UNUSABLE.values(), ids=UNUSABLE.keys())
def test_an_unusable_cache_gives_one_warning_and_misses(
    tmp_path: Path, make: Callable[[Path], tuple[Path, Path]]
) -> None:
    directory, culprit = make(tmp_path)
    before = _state(culprit)
    cache = LocalCache(directory)

    def use() -> list[Any]:
        key = w.square_key(3)
        found = [cache.get(*key, outputs=w.square.interface.to_flyte_idl().outputs)]
        cache.put(*key, lmap(o0=integer(9)))
        cache.put(*w.square_key(4), lmap(o0=integer(16)))
        return [*found, cache.get(*key), cache.get(*w.square_key(4))]

    found, given = recorded(use)
    assert found == [None, None, None]
    (warning,) = given
    assert str(culprit) in warning
    assert "continuing without the cache" in warning
    assert "FLYWEIGHT_CACHE_DIR" in warning  # the fix
    assert _state(culprit) == before  # left as it was
    assert not tmp_path.joinpath(DATABASE_NAME + ".corrupt").exists()
    with pytest.raises(StorageError, match="FLYWEIGHT_CACHE_DIR") as caught:
        cache.entries()  # housekeeping asked for on purpose still says why it cannot
    assert caught.value.kind == "SYSTEM"
    assert not isinstance(caught.value, sqlite3.Error)


@pytest.mark.parametrize("make", UNUSABLE.values(), ids=UNUSABLE.keys())
def test_a_run_with_an_unusable_cache_succeeds_with_one_warning(
    tmp_path: Path, make: Callable[[Path], tuple[Path, Path]]
) -> None:
    directory, culprit = make(tmp_path)
    for _ in range(2):  # two runs, each with its own cache object: one warning each, nothing cached
        done = run(LocalCache(directory), 3, 4)
        assert (done.result, done.ran, done.cached) == (25, [3, 4], [])
        (warning,) = done.warnings
        assert str(culprit) in warning and "continuing without the cache" in warning
    cache = LocalCache(directory)  # one cache object for three runs: one warning in all
    assert [len(run(cache, x, x + 1).warnings) for x in range(3)] == [1, 0, 0]


# -- a cache that can be read but not written -------------------------------------------------------


def _read_only_worker(directory: Path) -> dict[str, Any]:
    """Run ``cache_worker.py read-only`` on ``directory`` made read-only.

    Permission bits do not stop root, so as root the worker first drops the capabilities that let root
    ignore them (it runs again without ``CAP_DAC_OVERRIDE``); it reports whether it could still write
    into the directory, so the fault is checked to be real.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYWEIGHT_CACHE", "FLYTE_LOCAL_CACHE"))}
    directory.chmod(0o555)
    try:
        done = subprocess.run(
            [sys.executable, str(WORKER), "read-only", str(directory)],
            cwd=REPO,  # so the worker's tasks have the names they have here
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        directory.chmod(0o755)
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert report["writable"] is False, "the worker could still write into the directory"
    return report


def test_a_read_only_directory_serves_its_entries_and_stores_nothing(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    stored = run(LocalCache(directory), 3, 3)
    assert stored.result == 18
    database = directory / DATABASE_NAME
    before = database.read_bytes()

    report = _read_only_worker(directory)

    # LocalCache: the stored entry is a hit, the put is skipped, one warning for the object
    assert report["cache"]["hit"] == 9
    assert report["cache"]["after_put"] is None
    assert report["cache"]["again"] is True
    (warning,) = report["cache"]["warnings"]
    assert "can be read but not written" in warning
    assert str(database) in warning and str(directory) in warning and "writable" in warning
    # through a workflow: square(3) is served, square(4) runs and is not stored, one warning a run
    for done in report["runs"]:
        assert (done["result"], done["ran"]) == (25, [4])
        (warning,) = done["warnings"]
        assert "results already stored are still used, but new results are not stored" in warning
    assert database.read_bytes() == before
    assert sorted(os.listdir(directory)) == [DATABASE_NAME]
    assert len(LocalCache(directory).entries()) == 1


def test_a_read_only_directory_without_a_database_is_not_used(tmp_path: Path) -> None:
    directory = tmp_path / "cache"
    directory.mkdir()
    report = _read_only_worker(directory)
    assert report["cache"]["hit"] is None and report["cache"]["after_put"] is None
    (warning,) = report["cache"]["warnings"]
    assert str(directory) in warning and "continuing without the cache" in warning
    for done in report["runs"]:
        assert (done["result"], sorted(done["ran"])) == (25, [3, 4])
        assert len(done["warnings"]) == 1
    assert os.listdir(directory) == []


def test_a_lock_held_past_the_timeout_skips_the_put_with_one_warning(tmp_path: Path) -> None:
    cache = LocalCache(tmp_path, timeout=0.2)
    cache.put(*w.square_key(3), lmap(o0=integer(9)))
    holder = sqlite3.connect(cache.path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process writing, for longer than the timeout
    try:
        done = run(cache, 3, 4)
        assert (done.result, done.ran, done.cached) == (25, [4], ["n0"])
        (warning,) = done.warnings
        assert "database is locked" in warning and "new results are not stored" in warning
        again, given = recorded(lambda: cache.get(*w.square_key(3)))  # readers do not wait for a writer
        assert again == lmap(o0=integer(9)) and given == []
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert len(cache.entries()) == 1
