"""Time one SDK converting one case, and print one JSON line with the timings and byte hashes.

Usage: ``python convert.py --side flyweight|flytekit --case CASE --n N``

The driver runs this once per measurement in a fresh process, with flyweight's interpreter for
``--side flyweight`` and the flytekit venv's for ``--side flytekit``, so the two SDKs never share a
process, an import cache or a protobuf runtime. The steps timed, each on its own:

- ``to_literal``: the ``TypeEngine.to_literal`` call (flytekit returns model objects; flyweight a
  ``flyteidl`` message).
- ``serialize``: that result to deterministic wire bytes (flytekit needs ``to_flyte_idl()`` first).
- ``parse``: those bytes back to what ``to_python_value`` takes (flytekit also needs
  ``Literal.from_flyte_idl``). Both sides start ``to_python_value`` from the same bytes.
- ``to_python_value``: the ``TypeEngine.to_python_value`` call alone, parsing excluded.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import cases


@dataclass(frozen=True)
class Sdk:
    """The four operations the benchmark times, bound to one SDK's API."""

    literal_type: Callable[[Any], Any]
    literal_type_bytes: Callable[[Any], bytes]
    to_literal: Callable[[Any, Any, Any], Any]
    serialize: Callable[[Any], bytes]
    parse: Callable[[bytes], Any]
    to_python_value: Callable[[Any, Any], Any]


def flyweight_sdk() -> Sdk:
    """flyweight's TypeEngine: same class-method API as flytekit, ``ctx`` may be None."""
    from flyteidl.core import literals_pb2

    from flyweight.types import TypeEngine

    return Sdk(
        literal_type=TypeEngine.to_literal_type,
        literal_type_bytes=lambda lt: lt.SerializeToString(deterministic=True),
        to_literal=lambda value, t, lt: TypeEngine.to_literal(None, value, t, lt),
        serialize=lambda lit: lit.SerializeToString(deterministic=True),
        parse=literals_pb2.Literal.FromString,
        to_python_value=lambda lit, t: TypeEngine.to_python_value(None, lit, t),
    )


def flytekit_sdk() -> Sdk:
    """flytekit's TypeEngine, which works on its own model classes wrapping the protobuf messages."""
    from flyteidl.core import literals_pb2
    from flytekit import FlyteContextManager
    from flytekit.core.type_engine import TypeEngine
    from flytekit.models.literals import Literal

    ctx = FlyteContextManager.current_context()

    return Sdk(
        literal_type=TypeEngine.to_literal_type,
        literal_type_bytes=lambda lt: lt.to_flyte_idl().SerializeToString(deterministic=True),
        to_literal=lambda value, t, lt: TypeEngine.to_literal(ctx, value, t, lt),
        serialize=lambda lit: lit.to_flyte_idl().SerializeToString(deterministic=True),
        parse=lambda data: Literal.from_flyte_idl(literals_pb2.Literal.FromString(data)),
        to_python_value=lambda lit, t: TypeEngine.to_python_value(ctx, lit, t),
    )


def run(sdk: Sdk, case: str, n: int) -> dict[str, Any]:
    """Warm up on a tiny value, then time each step once on the full value.

    The LiteralType is computed once up front, as a task does when it builds its interface, so
    ``to_literal`` is timed converting the value only.
    """
    small, py_type = cases.build(case, cases.WARMUP_SIZE)
    lt = sdk.literal_type(py_type)
    sdk.to_python_value(sdk.parse(sdk.serialize(sdk.to_literal(small, py_type, lt))), py_type)

    value, _ = cases.build(case, n)
    lit, t_to_literal = cases.timed(sdk.to_literal, value, py_type, lt)
    data, t_serialize = cases.timed(sdk.serialize, lit)
    del lit  # free the big object graph so later collections don't have to walk it
    parsed, t_parse = cases.timed(sdk.parse, data)
    back, t_to_python = cases.timed(sdk.to_python_value, parsed, py_type)
    return {
        "times": {
            "to_literal": t_to_literal,
            "serialize": t_serialize,
            "parse": t_parse,
            "to_python_value": t_to_python,
        },
        "literal_sha256": hashlib.sha256(data).hexdigest(),
        "literal_size": len(data),
        "literal_type_sha256": hashlib.sha256(sdk.literal_type_bytes(lt)).hexdigest(),
        "round_trip_equal": back == value,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["flyweight", "flytekit"], required=True)
    parser.add_argument("--case", choices=sorted(cases.SIZES), required=True)
    parser.add_argument("--n", type=int, required=True)
    args = parser.parse_args()
    sdk = flyweight_sdk() if args.side == "flyweight" else flytekit_sdk()
    result = run(sdk, args.case, args.n)
    cases.emit({"side": args.side, "case": args.case, "n": args.n, **result, "versions": cases.versions()})


if __name__ == "__main__":
    main()
