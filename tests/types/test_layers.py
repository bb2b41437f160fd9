"""The type engine's layers (ADR 0017): no import cycle, the data types load lazily, the IR asks its hooks."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from flyweight.errors import UnsupportedTypeError
from flyweight.types._ir._nodes import Builder, Hooks, Kind
from flyweight.types._registry._transformer_registry import Deferred

TOOL = Path(__file__).resolve().parents[2] / "tools" / "import_cycles.py"


def _cycles_tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_cycles_for_layers", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_no_module_of_the_type_engine_is_in_an_import_cycle() -> None:
    """Imports inside functions count: a cycle closed by one is still a cycle."""
    tool = _cycles_tool()
    edges, _ = tool.graph(tool.modules())
    engine = {m: {t for t in e if t.startswith("flyweight.types")} for m, e in edges.items()}
    assert [c for c in tool.cycles(engine) if any(m.startswith("flyweight.types") for m in c)] == []


def _loaded_after(code: str) -> list[str]:
    report = (
        "import json, sys\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith('flyweight'))))"
    )
    code = f"{code}\n{report}"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    loaded: list[str] = json.loads(out.stdout.splitlines()[-1])
    return loaded


def test_importing_the_engine_loads_no_data_type() -> None:
    loaded = _loaded_after(
        "from flyweight.types import TypeEngine\nTypeEngine.to_literal(None, [1], list[int], None)"
    )
    assert "flyweight.types._registry._engine" in loaded
    assert [m for m in loaded if m.startswith("flyweight.types._data")] == []


def test_a_data_type_is_found_through_its_declaration_on_first_use() -> None:
    """``guess_python_type`` of a blob type loads the file types only then, from the façade's declaration."""
    loaded = _loaded_after(
        "from flyteidl.core import types_pb2\n"
        "from flyweight.types import TypeEngine\n"
        "lt = types_pb2.LiteralType(blob=types_pb2.BlobType(format='csv'))\n"
        "assert TypeEngine.guess_python_type(lt).__qualname__ == 'FlyteFile[csv]'"
    )
    assert "flyweight.types._data._file" in loaded
    assert "flyweight.types._data._structured_engine" not in loaded


def _no_custom(_: Any) -> None:
    return None


def test_the_ir_refuses_a_type_with_no_transformer_when_no_fallback_is_registered() -> None:
    with pytest.raises(UnsupportedTypeError, match="no type transformer for set"):
        Builder(Hooks(_no_custom, _no_custom)).build(set)


class Stored:
    """A stand-in for what the registry hands the IR: anything with a name and the conversions."""

    name = "stored"


def test_the_ir_asks_its_fallback_for_a_type_with_no_transformer_and_for_any() -> None:
    asked: list[tuple[Any, bool]] = []

    def fallback(annotation: Any, warn: bool = True) -> Any:
        asked.append((annotation, warn))
        return Stored()

    hooks = Hooks(_no_custom, _no_custom, fallback)
    node = Builder(hooks).build(set)
    assert (node.kind, node.tag, asked) == (Kind.CUSTOM, "stored", [(set, True)])
    any_node = Builder(hooks).build(Any)
    assert any_node.kind is Kind.ANY and any_node.fallback is fallback
    assert len(asked) == 1  # typing.Any asks only when a backend compiles it


def test_a_deferred_function_imports_its_module_on_the_first_call() -> None:
    deferred = Deferred("json:dumps")
    assert repr(deferred) == "Deferred(json:dumps)"
    assert deferred([1]) == "[1]"
    with pytest.raises(ValueError, match="expected 'module:function'"):
        Deferred("json.dumps")
