"""A separate process using the local cache, driven by ``tests/runtime/test_local_cache*.py``.

The cache directory comes from ``$FLYWEIGHT_CACHE_DIR`` (through ``default_cache()``), as in a real run,
except for ``read-only``, which is given it. The cached task ``square`` and the workflow ``sum_of_squares``
are used by the tests in-process too; run this file from the repository root so that their names
(``tests.runtime.cache_worker.square``) are the same here.

Usage:
    cache_worker.py hammer START_FILE WORKER_ID ROUNDS   read and write the same few keys many times
    cache_worker.py put TASK K                           store outputs {"o0": K * K} for inputs {"k": K}
    cache_worker.py get TASK K                           print the stored o0 for inputs {"k": K}, or "miss"
    cache_worker.py read-only DIRECTORY                  use a cache in a directory this process cannot
                                                         write (see ``read_only``); print a JSON report
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from flyweight import _idl, task, workflow
from flyweight._runtime import run_workflow
from flyweight._runtime._cache import LocalCache, default_cache
from flyweight._runtime._cache_key import entry_version

TASK = "tests.cache_worker.square"
VERSION = "1"
KEYS = 7

RUNS: list[int] = []  # the inputs ``square`` ran with in this process


@task(cache=True, cache_version="1")
def square(x: int) -> int:
    """A cached task that records each run."""
    RUNS.append(x)
    return x * x


@task
def add(a: int, b: int) -> int:
    """Not cached."""
    return a + b


@workflow
def sum_of_squares(x: int, y: int) -> int:
    """Two nodes of the cached task."""
    return add(a=square(x=x), b=square(x=y))


def square_key(x: int) -> tuple[str, str, _idl.LiteralMap]:
    """The task name, entry version and inputs ``square`` is cached under for ``x``."""
    version = entry_version("1", square.interface.to_flyte_idl())
    return square.name, version, _idl.LiteralMap(literals={"x": integer(x)})


def integer(value: int) -> _idl.Literal:
    """An integer literal."""
    return _idl.Literal(scalar=_idl.Scalar(primitive=_idl.Primitive(integer=value)))


def inputs_for(k: int, seed: int = 0) -> _idl.LiteralMap:
    """The inputs of key ``k``; ``seed`` is an ignored input."""
    return _idl.LiteralMap(literals={"k": integer(k), "seed": integer(seed)})


def outputs_for(k: int, writer: int, round_: int) -> _idl.LiteralMap:
    """The outputs stored for key ``k``: ``o0`` is always ``k * k``; who wrote them varies."""
    return _idl.LiteralMap(
        literals={"o0": integer(k * k), "writer": integer(writer), "round": integer(round_)}
    )


def hammer(start_file: str, worker: int, rounds: int) -> None:
    """Wait for the start signal, then alternate reads and writes of the same keys."""
    while not os.path.exists(start_file):
        time.sleep(0.005)
    cache = default_cache()
    hits = 0
    for i in range(rounds):
        k = i % KEYS
        inputs = inputs_for(k, seed=worker * 100_000 + i)
        found = cache.get(TASK, VERSION, inputs, ignore=("seed",))
        if found is not None:
            hits += 1
            o0 = found.literals["o0"].scalar.primitive.integer
            if o0 != k * k or found.literals["writer"].scalar.primitive.integer not in (0, 1):
                raise SystemExit(f"inconsistent entry for k={k}: {found}")
        cache.put(TASK, VERSION, inputs, outputs_for(k, worker, i), ignore=("seed",))
        if i % 25 == 0:
            cache.entries(TASK)
    print(json.dumps({"worker": worker, "hits": hits}))


# Linux capabilities that let root read and write whatever the permissions say (capability.h).
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER = 1, 2, 3
_PR_CAPBSET_DROP = 24
_DROPPED = "FLYWEIGHT_TEST_CAPABILITIES_DROPPED"


def without_root_overrides(argv: list[str]) -> None:
    """As root, run this command again without the capabilities that let root ignore permissions.

    Root writes into a directory whatever its mode, so a read-only directory is no fault to root. Dropped
    from the bounding set, the capabilities are not given to the program ``exec`` starts, so the command
    runs again as an ordinary owner would: bound by the permission bits. Not root: nothing to do.
    """
    if os.geteuid() != 0 or os.environ.get(_DROPPED):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise SystemExit(f"cannot drop capability {cap}: {os.strerror(ctypes.get_errno())}")
    os.execve(sys.executable, [sys.executable, __file__, *argv], {**os.environ, _DROPPED: "1"})


def _runtime_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def read_only(directory: str) -> dict[str, Any]:
    """Use the cache in ``directory``, which the caller made read-only (and which holds ``square(3)``
    if the caller stored it): once through :class:`LocalCache`, once through a workflow run."""
    probe = Path(directory) / "probe"
    try:
        probe.write_text("")
    except PermissionError:
        writable = False
    else:
        writable = True
        probe.unlink()
    report: dict[str, Any] = {"writable": writable}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cache = LocalCache(directory)
        hit = cache.get(*square_key(3), outputs=square.interface.to_flyte_idl().outputs)
        cache.put(*square_key(5), _idl.LiteralMap(literals={"o0": integer(25)}))
        after_put = cache.get(*square_key(5), outputs=square.interface.to_flyte_idl().outputs)
        again = cache.get(*square_key(3), outputs=square.interface.to_flyte_idl().outputs)
        report["cache"] = {
            "hit": None if hit is None else hit.literals["o0"].scalar.primitive.integer,
            "after_put": None if after_put is None else after_put.literals["o0"].scalar.primitive.integer,
            "again": again is not None,
            "warnings": _runtime_warnings(caught),
        }
    report["runs"] = []
    for x, y in ((3, 4), (4, 3)):  # two runs, each with its own cache object
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = run_workflow(sum_of_squares, {"x": x, "y": y}, cache=LocalCache(directory))
        report["runs"].append({"result": result, "ran": list(RUNS), "warnings": _runtime_warnings(caught)})
        RUNS.clear()
    return report


def main(argv: list[str]) -> None:
    """Dispatch on the command named in ``argv[0]``."""
    command, *args = argv
    if command == "hammer":
        hammer(args[0], int(args[1]), int(args[2]))
    elif command == "put":
        default_cache().put(args[0], VERSION, inputs_for(int(args[1])), outputs_for(int(args[1]), 0, 0))
    elif command == "get":
        found = default_cache().get(args[0], VERSION, inputs_for(int(args[1])))
        print("miss" if found is None else found.literals["o0"].scalar.primitive.integer)
    elif command == "read-only":
        without_root_overrides(argv)
        print(json.dumps(read_only(args[0])))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
