"""Import hygiene: flytekit is never imported by flyweight, and importing flyweight stays light."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "flyweight"
HEAVY = ["pandas", "pyarrow", "numpy", "fsspec", "rich", "click", "grpc", "aiohttp", "flytekit", "pydantic"]


def _imported_modules(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", None) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def test_source_tree_is_found() -> None:
    assert len(list(SRC.rglob("*.py"))) > 5


@pytest.mark.parametrize("path", sorted(SRC.rglob("*.py")), ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_imports_flytekit(path: Path) -> None:
    imported = _imported_modules(ast.parse(path.read_text(), filename=str(path)))
    offenders = sorted(m for m in imported if m == "flytekit" or m.startswith("flytekit."))
    assert not offenders, f"{path.name} imports {offenders}; flytekit is a test oracle only"


def test_the_ast_check_catches_a_flytekit_import() -> None:
    tree = ast.parse("import os\nfrom flytekit.core import type_engine\n")
    assert "flytekit.core" in _imported_modules(tree)


def _modules_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return set(json.loads(out.stdout))


@pytest.mark.parametrize(
    "statement",
    ["import flyweight", "from flyweight.types import TypeEngine", "import flyweight.extend"],
)
def test_import_pulls_in_no_heavy_package(statement: str) -> None:
    loaded = _modules_after(statement)
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert not heavy, f"{statement!r} imported {heavy}"


def test_import_flyweight_does_not_load_protobuf() -> None:
    loaded = _modules_after("import flyweight")
    assert not any(m.startswith(("google.protobuf", "flyteidl")) for m in loaded)


def test_dataclass_schema_library_loads_only_when_a_dataclass_type_is_needed() -> None:
    loaded = _modules_after(
        "from flyweight.types import TypeEngine\nTypeEngine.to_literal(None, [1], list[int], None)"
    )
    assert not any(m.startswith("mashumaro") for m in loaded)
