"""Time raw protobuf doing the same conversion by hand: the floor no SDK written in Python can beat.

Usage: ``python floor.py --case list_int|dict_str_float --n N`` (flyweight's interpreter)

An SDK converting a value has to build the same ``flyteidl`` messages at least; these loops do
only that, with no type checks and no dispatch, so "flyweight / best floor" says how much the type
engine adds on top. Each floor is timed once, in a fresh process per measurement:

- ``constructors``: nested message constructors, the obvious way to write it.
- ``in_place``: ``add()`` / map-entry mutation, which skips the intermediate messages.
- ``read``: reading the values back out of a literal parsed from the wire bytes, the same
  starting point ``to_python_value`` is timed from.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable
from typing import Any

import cases
from flyteidl.core.literals_pb2 import Literal, LiteralCollection, LiteralMap, Primitive, Scalar


def ints_constructors(values: list[int]) -> Literal:
    return Literal(
        collection=LiteralCollection(
            literals=[Literal(scalar=Scalar(primitive=Primitive(integer=v))) for v in values]
        )
    )


def ints_in_place(values: list[int]) -> Literal:
    lit = Literal()
    out = lit.collection.literals
    for v in values:
        out.add().scalar.primitive.integer = v
    return lit


def ints_read(lit: Literal) -> list[int]:
    return [x.scalar.primitive.integer for x in lit.collection.literals]


def floats_constructors(values: dict[str, float]) -> Literal:
    return Literal(
        map=LiteralMap(
            literals={
                k: Literal(scalar=Scalar(primitive=Primitive(float_value=v))) for k, v in values.items()
            }
        )
    )


def floats_in_place(values: dict[str, float]) -> Literal:
    lit = Literal()
    out = lit.map.literals
    for k, v in values.items():
        out[k].scalar.primitive.float_value = v
    return lit


def floats_read(lit: Literal) -> dict[str, float]:
    return {k: x.scalar.primitive.float_value for k, x in lit.map.literals.items()}


Builder = Callable[[Any], Literal]
Reader = Callable[[Literal], Any]

FLOORS: dict[str, tuple[Builder, Builder, Reader]] = {
    "list_int": (ints_constructors, ints_in_place, ints_read),
    "dict_str_float": (floats_constructors, floats_in_place, floats_read),
}


def digest(lit: Literal) -> str:
    return hashlib.sha256(lit.SerializeToString(deterministic=True)).hexdigest()


def run(case: str, n: int) -> dict[str, Any]:
    """Warm up on a tiny value, then time each floor once on the full value."""
    constructors, in_place, read = FLOORS[case]
    small, _ = cases.build(case, cases.WARMUP_SIZE)
    constructors(small)
    read(Literal.FromString(in_place(small).SerializeToString()))

    value, _ = cases.build(case, n)
    built, t_constructors = cases.timed(constructors, value)
    sha_constructors = digest(built)
    del built
    built, t_in_place = cases.timed(in_place, value)
    data = built.SerializeToString(deterministic=True)
    del built
    parsed = Literal.FromString(data)
    back, t_read = cases.timed(read, parsed)
    return {
        "times": {"constructors": t_constructors, "in_place": t_in_place, "read": t_read},
        "literal_sha256": hashlib.sha256(data).hexdigest(),
        "constructors_sha256": sha_constructors,
        "round_trip_equal": back == value,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=sorted(FLOORS), required=True)
    parser.add_argument("--n", type=int, required=True)
    args = parser.parse_args()
    result = run(args.case, args.n)
    cases.emit({"side": "floor", "case": args.case, "n": args.n, **result, "versions": cases.versions()})


if __name__ == "__main__":
    main()
