"""The type engine against the literal goldens (bytes made by flytekit 1.16.14).

The goldens live in ``tests/golden/literals``: ``cases.py`` lists (id, Python type, value) and
``<id>.type.pb`` / ``<id>.literal.pb`` hold the expected ``LiteralType`` / ``Literal`` bytes.
``tools/goldens.py`` makes them (``make goldens``); ``tests/golden/README.md`` says more.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import literals_pb2, types_pb2
from tests.golden.literals.cases import cases

from flyweight.types import TypeEngine

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden" / "literals"

CASES: list[tuple[str, Any, Any]] = cases()


def test_goldens_present() -> None:
    assert CASES, f"{GOLDEN_DIR / 'cases.py'} defines no cases"
    ids = [cid for cid, _, _ in CASES]
    assert len(ids) == len(set(ids)), f"duplicate golden case ids: {ids}"
    expected = {f"{cid}{suffix}" for cid in ids for suffix in (".type.pb", ".literal.pb")}
    assert {p.name for p in GOLDEN_DIR.glob("*.pb")} == expected, "rebuild the goldens: make goldens"


def _expected(cid: str, suffix: str) -> bytes:
    path = GOLDEN_DIR / f"{cid}{suffix}"
    if not path.is_file():
        pytest.fail(f"golden file missing: {path}; rebuild the goldens: make goldens")
    return path.read_bytes()


def _show(cls: type, data: bytes) -> str:
    try:
        return str(cls.FromString(data))
    except Exception as e:  # pragma: no cover - only for a readable failure
        return f"<unparseable {cls.__name__}: {e}>"


@pytest.mark.parametrize(("cid", "py_type", "value"), CASES, ids=[c[0] for c in CASES])
def test_literal_type_matches_golden(cid: str, py_type: Any, value: Any) -> None:
    expected = _expected(cid, ".type.pb")
    got = TypeEngine.to_literal_type(py_type).SerializeToString(deterministic=True)
    assert got == expected, (
        f"LiteralType for {cid!r} differs\n--- flyweight:\n{_show(types_pb2.LiteralType, got)}"
        f"\n--- golden:\n{_show(types_pb2.LiteralType, expected)}"
    )


@pytest.mark.parametrize(("cid", "py_type", "value"), CASES, ids=[c[0] for c in CASES])
def test_literal_matches_golden(cid: str, py_type: Any, value: Any) -> None:
    expected = _expected(cid, ".literal.pb")
    lt = TypeEngine.to_literal_type(py_type)
    got = TypeEngine.to_literal(None, value, py_type, lt).SerializeToString(deterministic=True)
    assert got == expected, (
        f"Literal for {cid!r} differs\n--- flyweight:\n{_show(literals_pb2.Literal, got)}"
        f"\n--- golden:\n{_show(literals_pb2.Literal, expected)}"
    )


@pytest.mark.parametrize(("cid", "py_type", "value"), CASES, ids=[c[0] for c in CASES])
def test_golden_round_trip(cid: str, py_type: Any, value: Any) -> None:
    lit = TypeEngine.to_literal(None, value, py_type, TypeEngine.to_literal_type(py_type))
    assert TypeEngine.to_python_value(None, lit, py_type) == value
    # The golden literal itself also reads back as the original value.
    golden = literals_pb2.Literal.FromString(_expected(cid, ".literal.pb"))
    assert TypeEngine.to_python_value(None, golden, py_type) == value
