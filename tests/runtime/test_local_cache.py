"""The local cache (``flyweight._runtime._cache``): keys, modes, configuration, damage, and two processes
sharing one database. (Entries that do not fit a task, and caches that cannot be used where they are, are
in ``test_local_cache_faults.py``.)"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import typing
import warnings
from pathlib import Path

import pytest

from flyweight import _idl
from flyweight._runtime._cache import (
    DATABASE_NAME,
    CacheMode,
    LocalCache,
    default_cache,
    default_cache_dir,
)
from flyweight._runtime._cache_key import hashed_inputs, inputs_digest
from flyweight.errors import StorageError, TaskDefinitionError
from flyweight.types import HashMethod, TypeEngine

WORKER = Path(__file__).with_name("cache_worker.py")
TASK = "wf.tasks.square"


def integer(value: int) -> _idl.Literal:
    return _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(integer=value)))


def text(value: str) -> _idl.Literal:
    return _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(string_value=value)))


def lmap(**literals: _idl.Literal) -> _idl.LiteralMap:
    return _idl.LiteralMap(literals=literals)


@pytest.fixture
def cache(tmp_path: Path) -> LocalCache:
    return LocalCache(tmp_path / "cache")


def _worker_env(directory: Path) -> dict[str, str]:
    skip = ("FLYWEIGHT_CACHE_MODE", "FLYTE_LOCAL_CACHE_ENABLED", "FLYTE_LOCAL_CACHE_OVERWRITE")
    env = {k: v for k, v in os.environ.items() if k not in skip}
    env["FLYWEIGHT_CACHE_DIR"] = str(directory)
    return env


def _worker(directory: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(WORKER), *args],
        env=_worker_env(directory),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


# -- hits and misses --------------------------------------------------------------------------------


def test_a_miss_then_a_hit(cache: LocalCache) -> None:
    inputs = lmap(x=integer(3))
    assert cache.get(TASK, "1", inputs) is None
    cache.put(TASK, "1", inputs, lmap(o0=integer(9)))
    found = cache.get(TASK, "1", inputs)
    assert found == lmap(o0=integer(9))
    assert cache.get(TASK, "1", lmap(x=integer(4))) is None


def test_another_version_or_task_misses(cache: LocalCache) -> None:
    inputs = lmap(x=integer(3))
    cache.put(TASK, "1", inputs, lmap(o0=integer(9)))
    assert cache.get(TASK, "2", inputs) is None
    assert cache.get("wf.tasks.other", "1", inputs) is None
    assert cache.get(TASK, "1", inputs) is not None


def test_put_replaces_an_entry(cache: LocalCache) -> None:
    inputs = lmap(x=integer(3))
    cache.put(TASK, "1", inputs, lmap(o0=integer(9)))
    cache.put(TASK, "1", inputs, lmap(o0=integer(10)))
    assert cache.get(TASK, "1", inputs) == lmap(o0=integer(10))
    assert len(cache.entries()) == 1


def test_ignored_inputs_do_not_change_the_key(cache: LocalCache) -> None:
    cache.put(TASK, "1", lmap(x=integer(3), seed=integer(1)), lmap(o0=integer(9)), ignore=("seed",))
    hit = cache.get(TASK, "1", lmap(x=integer(3), seed=integer(2)), ignore=("seed",))
    assert hit == lmap(o0=integer(9))
    assert cache.get(TASK, "1", lmap(x=integer(3)), ignore=("seed",)) == hit
    # without the ignore list the seed counts
    assert cache.get(TASK, "1", lmap(x=integer(3), seed=integer(2))) is None
    assert inputs_digest(lmap(x=integer(3), seed=integer(2)), ["seed"]) == inputs_digest(lmap(x=integer(3)))


def test_input_order_does_not_change_the_key() -> None:
    a = _idl.LiteralMap()
    for name in ["a", "b", "c", "zz", "m"]:
        a.literals[name].CopyFrom(text(name))
    b = _idl.LiteralMap()
    for name in ["m", "zz", "c", "b", "a"]:
        b.literals[name].CopyFrom(text(name))
    nested_a, nested_b = _idl.Literal(), _idl.Literal()
    for name in ["p", "q", "r"]:
        nested_a.map.literals[name].CopyFrom(integer(ord(name)))
    for name in ["r", "q", "p"]:
        nested_b.map.literals[name].CopyFrom(integer(ord(name)))
    a.literals["nested"].CopyFrom(nested_a)
    b.literals["nested"].CopyFrom(nested_b)
    assert hashed_inputs(a) == hashed_inputs(b)
    assert inputs_digest(a) == inputs_digest(b)


def test_list_order_does_change_the_key() -> None:
    one = _idl.Literal(collection=_idl.LiteralCollection(literals=[integer(1), integer(2)]))
    two = _idl.Literal(collection=_idl.LiteralCollection(literals=[integer(2), integer(1)]))
    assert inputs_digest(lmap(xs=one)) != inputs_digest(lmap(xs=two))


# -- literals that carry a hash ---------------------------------------------------------------------


def test_a_literal_with_a_hash_is_keyed_by_its_hash_alone() -> None:
    a = text("large value one")
    a.hash = "h-1"
    b = integer(42)
    b.hash = "h-1"
    c = text("large value one")
    c.hash = "h-2"
    assert inputs_digest(lmap(df=a)) == inputs_digest(lmap(df=b))
    assert inputs_digest(lmap(df=a)) != inputs_digest(lmap(df=c))
    assert hashed_inputs(lmap(df=a)) == _idl.LiteralMap(
        literals={"df": _idl.Literal(hash="h-1")}
    ).SerializeToString(deterministic=True)


def test_hashes_inside_collections_and_maps_are_used() -> None:
    def holder(value: str) -> _idl.Literal:
        inner = text(value)
        inner.hash = "same"
        listed = _idl.Literal(collection=_idl.LiteralCollection(literals=[inner, integer(1)]))
        mapped = _idl.Literal()
        mapped.map.literals["k"].CopyFrom(inner)
        return _idl.Literal(collection=_idl.LiteralCollection(literals=[listed, mapped]))

    assert inputs_digest(lmap(x=holder("one"))) == inputs_digest(lmap(x=holder("two")))


def test_hash_method_annotation_shares_an_entry(cache: LocalCache) -> None:
    t = typing.Annotated[str, HashMethod(lambda s: s.lower())]
    upper = TypeEngine.to_literal(None, "ABC", t, None)
    lower = TypeEngine.to_literal(None, "abc", t, None)
    assert upper != lower and upper.hash == lower.hash == "abc"
    cache.put(TASK, "1", lmap(s=upper), lmap(o0=integer(1)))
    assert cache.get(TASK, "1", lmap(s=lower)) == lmap(o0=integer(1))


_DIGEST_SCRIPT = """
import sys
from flyweight import _idl
from flyweight._runtime._cache_key import inputs_digest
m = _idl.LiteralMap()
for i in range(50):
    m.literals[f"k{i}"].scalar.primitive.string_value = "v" * i
    m.literals[f"n{i}"].map.literals[f"x{i}"].scalar.primitive.integer = i
print(inputs_digest(m, ["k3"]))
"""


def test_the_digest_is_the_same_in_other_processes() -> None:
    digests = set()
    for seed in ("1", "2", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run(
            [sys.executable, "-c", _DIGEST_SCRIPT], env=env, capture_output=True, text=True, check=True
        )
        digests.add(out.stdout.strip())
    assert len(digests) == 1
    (digest,) = digests
    assert len(digest) == 64


@pytest.mark.usefixtures("flytekit")
def test_the_hashed_inputs_are_flytekits() -> None:
    """The bytes under the digest equal flytekit's (its joblib hash of them is not reproduced)."""
    from flytekit.core import local_cache
    from flytekit.models.literals import LiteralMap as ModelLiteralMap

    hashed = text("big")
    hashed.hash = "abc"
    nested = _idl.Literal(collection=_idl.LiteralCollection(literals=[hashed, integer(2)]))
    nested_map = _idl.Literal()
    nested_map.map.literals["b"].CopyFrom(hashed)
    nested_map.map.literals["a"].CopyFrom(text("plain"))
    inputs = lmap(x=integer(1), seed=integer(7), h=hashed, l=nested, m=nested_map, s=text("s"))
    model = ModelLiteralMap.from_flyte_idl(inputs)
    kept = {
        k: local_cache._recursive_hash_placement(v) for k, v in model.literals.items() if k not in ("seed",)
    }
    theirs = ModelLiteralMap(kept).to_flyte_idl().SerializeToString(deterministic=True)
    assert hashed_inputs(inputs, ["seed"]) == theirs


# -- modes ------------------------------------------------------------------------------------------


def test_bypass_neither_reads_nor_writes(cache: LocalCache) -> None:
    inputs = lmap(x=integer(3))
    cache.put(TASK, "1", inputs, lmap(o0=integer(9)))
    bypass = cache.with_mode("bypass")
    assert bypass.mode is CacheMode.BYPASS
    assert bypass.get(TASK, "1", inputs) is None
    bypass.put(TASK, "1", inputs, lmap(o0=integer(10)))
    bypass.put(TASK, "1", lmap(x=integer(4)), lmap(o0=integer(16)))
    assert cache.get(TASK, "1", inputs) == lmap(o0=integer(9))
    assert cache.get(TASK, "1", lmap(x=integer(4))) is None


def test_overwrite_does_not_read_and_replaces(cache: LocalCache) -> None:
    inputs = lmap(x=integer(3))
    cache.put(TASK, "1", inputs, lmap(o0=integer(9)))
    overwrite = cache.with_mode(CacheMode.OVERWRITE)
    assert overwrite.get(TASK, "1", inputs) is None
    overwrite.put(TASK, "1", inputs, lmap(o0=integer(10)))
    assert cache.get(TASK, "1", inputs) == lmap(o0=integer(10))


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        LocalCache(tmp_path, mode="sometimes")


# -- configuration ----------------------------------------------------------------------------------


def test_the_directory_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYWEIGHT_CACHE_DIR", str(tmp_path / "here"))
    for name in ("FLYWEIGHT_CACHE_MODE", "FLYTE_LOCAL_CACHE_ENABLED", "FLYTE_LOCAL_CACHE_OVERWRITE"):
        monkeypatch.delenv(name, raising=False)
    cache = default_cache()
    assert cache.path == tmp_path / "here" / DATABASE_NAME
    assert cache.mode is CacheMode.USE
    cache.put(TASK, "1", lmap(x=integer(1)), lmap(o0=integer(1)))
    assert (tmp_path / "here" / DATABASE_NAME).is_file()
    assert LocalCache().get(TASK, "1", lmap(x=integer(1))) == lmap(o0=integer(1))


def test_the_default_directory_is_the_user_cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLYWEIGHT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "flyweight"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "flyweight"


def test_the_mode_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYWEIGHT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("FLYWEIGHT_CACHE_MODE", "Bypass")
    assert default_cache().mode is CacheMode.BYPASS
    monkeypatch.setenv("FLYWEIGHT_CACHE_MODE", "overwrite")
    assert default_cache().mode is CacheMode.OVERWRITE
    monkeypatch.setenv("FLYWEIGHT_CACHE_MODE", "never")
    with pytest.raises(TaskDefinitionError, match="FLYWEIGHT_CACHE_MODE='never': expected one of"):
        default_cache()


def test_flytekits_local_switches_are_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLYWEIGHT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("FLYWEIGHT_CACHE_MODE", raising=False)
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_OVERWRITE", "True")
    assert default_cache().mode is CacheMode.OVERWRITE
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "false")
    assert default_cache().mode is CacheMode.BYPASS
    monkeypatch.setenv("FLYWEIGHT_CACHE_MODE", "use")  # ours wins
    assert default_cache().mode is CacheMode.USE
    monkeypatch.delenv("FLYWEIGHT_CACHE_MODE")
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_ENABLED", "1")
    monkeypatch.setenv("FLYTE_LOCAL_CACHE_OVERWRITE", "off")
    assert default_cache().mode is CacheMode.USE


# -- listing and clearing ---------------------------------------------------------------------------


def test_entries_and_clear(cache: LocalCache) -> None:
    assert cache.entries() == []
    cache.put(TASK, "1", lmap(x=integer(1)), lmap(o0=integer(1)))
    cache.put(TASK, "1", lmap(x=integer(2)), lmap(o0=integer(4)))
    cache.put("wf.tasks.other", "7", lmap(), lmap(o0=text("done")))
    listed = cache.entries()
    assert sorted((e.task_name, e.cache_version) for e in listed) == [
        ("wf.tasks.other", "7"),
        (TASK, "1"),
        (TASK, "1"),
    ]
    other = cache.entries("wf.tasks.other")
    assert len(other) == 1
    assert other[0].inputs_digest == inputs_digest(lmap())
    assert other[0].size == len(lmap(o0=text("done")).SerializeToString(deterministic=True))
    assert other[0].created_at.tzinfo is not None
    assert cache.clear(TASK) == 2
    assert [e.task_name for e in cache.entries()] == ["wf.tasks.other"]
    assert cache.with_mode("bypass").clear() == 1
    assert cache.entries() == []


def test_the_value_is_the_deterministic_serialization(cache: LocalCache) -> None:
    outputs = _idl.LiteralMap()
    for name in ["z", "a", "m"]:
        outputs.literals[name].CopyFrom(text(name))
    cache.put(TASK, "1", lmap(), outputs)
    with sqlite3.connect(cache.path) as db:
        (stored,) = db.execute("SELECT outputs FROM entries").fetchone()
        (journal,) = db.execute("PRAGMA journal_mode").fetchone()
    assert stored == outputs.SerializeToString(deterministic=True)
    assert journal == "wal"


# -- damage -----------------------------------------------------------------------------------------


def test_a_corrupt_database_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    tmp_path.joinpath(DATABASE_NAME).write_bytes(b"this is not a database, just some text" * 200)
    cache = LocalCache(tmp_path)
    with pytest.warns(RuntimeWarning, match="was damaged"):
        assert cache.get(TASK, "1", lmap(x=integer(1))) is None
    assert tmp_path.joinpath(DATABASE_NAME + ".corrupt").is_file()
    cache.put(TASK, "1", lmap(x=integer(1)), lmap(o0=integer(1)))
    assert cache.get(TASK, "1", lmap(x=integer(1))) == lmap(o0=integer(1))


def test_a_damaged_database_another_thread_already_moved_aside_is_not_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two threads find the file damaged and both judge it so; the first moves it aside, then the second
    # finds nothing left to move: that is a rebuild already done, not a StorageError.
    tmp_path.joinpath(DATABASE_NAME).write_bytes(b"this is not a database, just some text" * 200)
    cache = LocalCache(tmp_path)
    intact = LocalCache._intact

    def judged_damaged_then_moved(self: LocalCache) -> bool:
        verdict = intact(self)
        if self.path.exists():
            os.replace(self.path, str(self.path) + ".moved-by-the-other-thread")
        return verdict

    monkeypatch.setattr(LocalCache, "_intact", judged_damaged_then_moved)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert cache.get(TASK, "1", lmap(x=integer(1))) is None


def test_a_database_damaged_while_in_use_is_rebuilt(tmp_path: Path) -> None:
    cache = LocalCache(tmp_path)
    cache.put(TASK, "1", lmap(x=integer(1)), lmap(o0=integer(1)))
    for suffix in ("", "-wal", "-shm"):
        Path(str(cache.path) + suffix).unlink(missing_ok=True)
    cache.path.write_bytes(b"\x00garbage" * 1000)
    with pytest.warns(RuntimeWarning, match="new, empty cache"):
        cache.put(TASK, "1", lmap(x=integer(2)), lmap(o0=integer(4)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache.get(TASK, "1", lmap(x=integer(2))) == lmap(o0=integer(4))
        assert cache.get(TASK, "1", lmap(x=integer(1))) is None


def test_a_damaged_value_is_a_miss(cache: LocalCache) -> None:
    inputs = lmap(x=integer(1))
    cache.put(TASK, "1", inputs, lmap(o0=integer(1)))
    with sqlite3.connect(cache.path) as db:
        db.execute("UPDATE entries SET outputs = ?", (b"\xff\xff\xff\xff",))
    assert cache.get(TASK, "1", inputs) is None
    cache.put(TASK, "1", inputs, lmap(o0=integer(1)))
    assert cache.get(TASK, "1", inputs) == lmap(o0=integer(1))


def test_a_damaged_database_that_cannot_be_moved_aside_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp_path.joinpath(DATABASE_NAME).write_bytes(b"this is not a database, just some text" * 200)

    def refused(src: object, dst: object) -> None:
        raise PermissionError(13, "Permission denied", str(src))

    monkeypatch.setattr(os, "replace", refused)
    cache = LocalCache(tmp_path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cache.get(TASK, "1", lmap(x=integer(1))) is None
        cache.put(TASK, "1", lmap(x=integer(1)), lmap(o0=integer(1)))
        assert cache.get(TASK, "1", lmap(x=integer(1))) is None
    (warning,) = [str(w.message) for w in caught]
    assert "is damaged" in warning and "cannot be moved aside" in warning and "delete it by hand" in warning
    assert "continuing without the cache" in warning


def test_an_unusable_directory_is_a_miss_and_a_storage_error_for_housekeeping(tmp_path: Path) -> None:
    # (tests/runtime/test_local_cache_faults.py has every unusable cache, through workflow runs too)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    cache = LocalCache(blocker / "cache")
    with pytest.warns(RuntimeWarning, match="FLYWEIGHT_CACHE_DIR"):
        assert cache.get(TASK, "1", lmap()) is None
    with pytest.raises(StorageError, match="FLYWEIGHT_CACHE_DIR") as caught:
        cache.entries()
    assert caught.value.kind == "SYSTEM"


def test_a_database_path_that_cannot_be_opened_is_a_storage_error_for_housekeeping(tmp_path: Path) -> None:
    tmp_path.joinpath(DATABASE_NAME).mkdir()  # a directory where the file should be
    with pytest.warns(RuntimeWarning, match="SQLite failed"):
        LocalCache(tmp_path).put(TASK, "1", lmap(), lmap())
    with pytest.raises(StorageError, match="SQLite failed") as caught:
        LocalCache(tmp_path).clear()
    assert not isinstance(caught.value, sqlite3.Error)


# -- several processes ------------------------------------------------------------------------------


def test_the_cache_survives_across_processes(tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    _worker(directory, "put", "wf.cross", "5")
    assert LocalCache(directory).get("wf.cross", "1", lmap(k=integer(5), seed=integer(0))) is not None
    assert _worker(directory, "get", "wf.cross", "5") == "25"
    assert _worker(directory, "get", "wf.cross", "6") == "miss"
    LocalCache(directory).put("wf.cross", "1", lmap(k=integer(6), seed=integer(0)), lmap(o0=integer(36)))
    assert _worker(directory, "get", "wf.cross", "6") == "36"


def test_two_processes_share_one_database(tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    start = tmp_path / "go"
    rounds = 300
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), "hammer", str(start), str(worker), str(rounds)],
            env=_worker_env(directory),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for worker in (0, 1)
    ]
    start.write_text("go")
    results = [proc.communicate(timeout=300) for proc in procs]
    for proc, (out, err) in zip(procs, results, strict=True):
        assert proc.returncode == 0, err
        assert '"hits"' in out
    cache = LocalCache(directory)
    entries = cache.entries("tests.cache_worker.square")
    assert len(entries) == 7  # one per key, however many times each was written
    for k in range(7):
        found = cache.get("tests.cache_worker.square", "1", lmap(k=integer(k)), ignore=("seed",))
        assert found is not None
        assert found.literals["o0"].scalar.primitive.integer == k * k
        assert found.literals["writer"].scalar.primitive.integer in (0, 1)
        assert found.literals["round"].scalar.primitive.integer % 7 == k
