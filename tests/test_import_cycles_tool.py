"""``tools/import_cycles.py`` finds cycles that imports inside functions hide from import-linter."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

TOOL = Path(__file__).resolve().parents[1] / "tools" / "import_cycles.py"


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("import_cycles_tool", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / "flyweight" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_a_cycle_closed_inside_a_function_is_found(tmp_path: Path) -> None:
    tool = _tool()
    src = _package(
        tmp_path,
        {
            "__init__.py": "",
            "a.py": "from flyweight import b\n",
            "b.py": "def f():\n    from flyweight.c import g\n",
            "c.py": "def g():\n    from . import a\n",
            "d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from flyweight import a\n",
        },
    )
    known = tool.modules(src)
    edges, deferred = tool.graph(known)
    assert tool.cycles(edges) == [["flyweight.a", "flyweight.b", "flyweight.c"]]
    assert deferred == 2
    assert edges["flyweight.d"] == set()  # TYPE_CHECKING imports never run


def test_no_cycle_without_one(tmp_path: Path) -> None:
    tool = _tool()
    src = _package(tmp_path, {"__init__.py": "", "a.py": "import flyweight.b\n", "b.py": "import os\n"})
    edges, _ = tool.graph(tool.modules(src))
    assert tool.cycles(edges) == []
