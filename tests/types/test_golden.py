"""The type engine against the shared literal goldens (bytes made by flytekit 1.16.14).

The goldens live in ``<shared>/golden/literals``: ``cases.py`` lists (id, Python type, value) and
``data/<id>.type.pb`` / ``data/<id>.literal.pb`` hold the expected ``LiteralType`` / ``Literal`` bytes.
``<shared>`` is the ``shared`` folder next to the repository, or ``$FLYWEIGHT_SHARED``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flyteidl.core import literals_pb2, types_pb2

from flyweight.types import TypeEngine

_MODULE_NAME = "flyweight_golden_literal_cases"


def _shared_dir() -> Path:
    env = os.environ.get("FLYWEIGHT_SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2].parent / "shared"


GOLDEN_DIR = _shared_dir() / "golden" / "literals"
DATA_DIR = GOLDEN_DIR / "data"


def _load_cases_module() -> ModuleType | None:
    path = GOLDEN_DIR / "cases.py"
    if not path.is_file():
        return None
    if _MODULE_NAME in sys.modules:
        return sys.modules[_MODULE_NAME]
    spec = importlib.util.spec_from_file_location(_MODULE_NAME, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Registered before running so dataclasses defined there can resolve their own module.
    sys.modules[_MODULE_NAME] = module
    spec.loader.exec_module(module)
    return module


_CASES_MODULE = _load_cases_module()
CASES: list[tuple[str, Any, Any]] = list(_CASES_MODULE.cases()) if _CASES_MODULE is not None else []


def _missing_message() -> str:
    return (
        f"literal goldens not found: expected {GOLDEN_DIR / 'cases.py'} and {DATA_DIR}/. "
        "Put the shared folder next to the repository or set FLYWEIGHT_SHARED to its path."
    )


def test_goldens_present() -> None:
    if _CASES_MODULE is None or not DATA_DIR.is_dir():
        pytest.fail(_missing_message())
    assert CASES, f"{GOLDEN_DIR / 'cases.py'} defines no cases"
    ids = [cid for cid, _, _ in CASES]
    assert len(ids) == len(set(ids)), f"duplicate golden case ids: {ids}"


def _expected(cid: str, suffix: str) -> bytes:
    path = DATA_DIR / f"{cid}{suffix}"
    if not path.is_file():
        pytest.fail(f"golden file missing: {path}. {_missing_message()}")
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
