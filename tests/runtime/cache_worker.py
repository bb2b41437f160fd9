"""A separate process using the local cache, driven by ``tests/runtime/test_local_cache.py``.

The cache directory comes from ``$FLYWEIGHT_CACHE_DIR`` (through ``default_cache()``), as in a real run.

Usage:
    cache_worker.py hammer START_FILE WORKER_ID ROUNDS   read and write the same few keys many times
    cache_worker.py put TASK K                           store outputs {"o0": K * K} for inputs {"k": K}
    cache_worker.py get TASK K                           print the stored o0 for inputs {"k": K}, or "miss"
"""

from __future__ import annotations

import json
import os
import sys
import time

from flyweight import _idl
from flyweight.runtime._cache import default_cache

TASK = "tests.cache_worker.square"
VERSION = "1"
KEYS = 7


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
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
