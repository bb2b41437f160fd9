"""Porting: a flytekit-style plugin runs under flyweight after changing only its import lines.

The flyweight module is generated from ``kv_plugin_flytekit.py`` by rewriting imports; the test
checks that nothing else changed, then runs the plugin locally, from its template and through the
real ``flyweight-execute``, and compares with what flytekit itself returns for the same calls.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flyteidl.core import literals_pb2

from flyweight import Image, ImageConfig, SerializationSettings
from flyweight.extend import ExecutableTemplateShimTask
from flyweight.types import TypeEngine

HERE = Path(__file__).parent
SOURCE = (HERE / "kv_plugin_flytekit.py").read_text()
IMPORTS = {
    "from flytekit import Resources, Secret, current_context, kwtypes": (
        "from flyweight import Resources, Secret, current_context, kwtypes"
    ),
    "from flytekit.core.interface import Interface": "from flyweight import Interface",
    "from flytekit.extend import PythonCustomizedContainerTask, ShimTaskExecutor": (
        "from flyweight.extend import PythonCustomizedContainerTask, ShimTaskExecutor"
    ),
    "from flytekit.models.task import TaskTemplate": "from flyweight.extend import TaskTemplate",
}
SETTINGS = SerializationSettings(
    project="p",
    domain="d",
    version="v",
    image_config=ImageConfig(default_image=Image(name="default", fqn="img", tag="1")),
)


def ported_source() -> str:
    out = SOURCE
    for old, new in IMPORTS.items():
        assert old in out
        out = out.replace(old, new)
    return out


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("ported")
    (d / "kv_plugin_flyweight.py").write_text(ported_source())
    return d


@pytest.fixture(scope="module")
def ported(plugin_dir: Path) -> ModuleType:
    sys.path.insert(0, str(plugin_dir))
    try:
        return importlib.import_module("kv_plugin_flyweight")
    finally:
        sys.path.remove(str(plugin_dir))


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_FSEC_KV_TOKEN", "tok")


def test_only_import_lines_change() -> None:
    before, after = SOURCE.splitlines(), ported_source().splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed
    assert all(a.startswith(("from ", "import ")) for a, _ in changed)
    imports = [line for line in after if line.startswith(("from ", "import "))]
    assert not [line for line in imports if "flytekit" in line]


CALLS = [{"key": "b", "fallback": 0}, {"key": "a", "fallback": 7}, {"key": "zz", "fallback": 5}]


def expected(call: dict[str, Any]) -> tuple[int, bool, str]:
    table = {"a": 1, "b": 20}
    value = table.get(call["key"], call["fallback"]) * 3
    return value, call["key"] in table, f"porting.lookup:{call['key']}:tok:3"


@pytest.mark.parametrize("call", CALLS)
def test_local_call(ported: ModuleType, call: dict[str, Any]) -> None:
    assert tuple(ported.lookup(**call)) == expected(call)


def test_defaults_apply_on_local_calls(ported: ModuleType) -> None:
    assert tuple(ported.lookup(key="zz")) == (0, False, "porting.lookup:zz:tok:3")


def _inputs(call: dict[str, Any]) -> literals_pb2.LiteralMap:
    lm = literals_pb2.LiteralMap()
    for k, v in call.items():
        lm.literals[k].CopyFrom(TypeEngine.to_literal(None, v, type(v), None))
    return lm


def _values(lm: literals_pb2.LiteralMap) -> tuple[int, bool, str]:
    types = {"value": int, "found": bool, "note": str}
    got = {k: TypeEngine.to_python_value(None, v, types[k]) for k, v in lm.literals.items()}
    return got["value"], got["found"], got["note"]


@pytest.mark.parametrize("call", CALLS)
def test_from_the_registered_template(ported: ModuleType, call: dict[str, Any]) -> None:
    template = ported.lookup.serialize_to_model(SETTINGS)
    shim = ExecutableTemplateShimTask(template, ported.LookupExecutor)
    assert _values(shim.dispatch_execute(None, _inputs(call))) == expected(call)


def test_through_flyweight_execute(ported: ModuleType, plugin_dir: Path, tmp_path: Path) -> None:
    template = ported.lookup.serialize_to_model(SETTINGS)
    assert template.container.args[-1] == "kv_plugin_flyweight.LookupExecutor"
    call = CALLS[0]
    (tmp_path / "template.pb").write_bytes(template.SerializeToString())
    (tmp_path / "inputs.pb").write_bytes(_inputs(call).SerializeToString())
    fill = {
        "{{.input}}": str(tmp_path / "inputs.pb"),
        "{{.outputPrefix}}": str(tmp_path / "out"),
        "{{.rawOutputDataPrefix}}": str(tmp_path / "raw"),
        "{{.taskTemplatePath}}": str(tmp_path / "template.pb"),
    }
    args = [fill.get(a, a) for a in template.container.args]
    env = {
        **os.environ,
        "PYTHONPATH": str(plugin_dir),
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
    }
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "out" / "error.pb").exists(), done.stderr
    out = literals_pb2.LiteralMap.FromString((tmp_path / "out" / "outputs.pb").read_bytes())
    assert _values(out) == expected(call)


@pytest.mark.oracle
@pytest.mark.parametrize("call", CALLS)
def test_flytekit_gives_the_same_results(call: dict[str, Any], flytekit: Any) -> None:
    sys.path.insert(0, str(HERE))
    try:
        original = importlib.import_module("kv_plugin_flytekit")
    finally:
        sys.path.remove(str(HERE))
    assert tuple(original.lookup(**call)) == expected(call)
