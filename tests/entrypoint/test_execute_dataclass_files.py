"""Dataclasses holding files and directories through tasks: a local call, and ``flyweight-execute`` in a
subprocess (as in a Flyte pod) with a local or ``file://`` raw output prefix, for a function task and a
plugin task. The files travel as ``{"path": uri}`` references in msgpack, uploaded under the raw
output prefix, and the task reads their contents."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import msgpack
import pytest
from flyteidl.core import errors_pb2, literals_pb2
from tests.entrypoint import dataclass_file_tasks as tasks
from tests.entrypoint.sample_plugin import SETTINGS

from flyweight.types import FlyteDirectory, FlyteFile, TypeEngine

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _inputs(tmp_path: Path) -> tasks.Bundle:
    src = tmp_path / "src"
    (src / "folder").mkdir(parents=True)
    (src / "report.txt").write_text("quarterly")
    (src / "p1.jsonl").write_text('{"a": 1}\n')
    (src / "folder" / "x.csv").write_text("x")
    (src / "extra.txt").write_text("more")
    return tasks.Bundle(
        name="q1",
        report=FlyteFile(str(src / "report.txt")),
        extra=FlyteFile(str(src / "extra.txt")),
        parts=[str(src / "p1.jsonl")],  # type: ignore[list-item]
        folders={"f": FlyteDirectory(str(src / "folder"))},
    )


EXPECTED = 'QUARTERLY\n{"a": 1}\nf:x.csv\nextra:more'


def test_a_function_task_reads_and_returns_files_in_a_dataclass_locally(tmp_path: Path) -> None:
    out = tasks.summarize(cfg=_inputs(tmp_path))
    assert isinstance(out, tasks.Bundle) and out.name == "q1!"
    assert Path(out.report).read_text() == EXPECTED
    assert [Path(p).read_text() for p in out.parts] == ['{"a": 1}\n']


def test_a_plugin_task_reads_and_returns_files_in_a_dataclass_locally(tmp_path: Path) -> None:
    out = tasks.summarize_plugin(cfg=_inputs(tmp_path))
    assert out.name == "q1?"
    assert Path(out.report).read_text() == EXPECTED
    assert out.extra is not None and Path(out.extra).read_text() == "quarterly"


def _run(
    tmp_path: Path, task: Any, value: Any, uri: bool, template: bool
) -> subprocess.CompletedProcess[str]:
    pb = task.serialize_to_model(SETTINGS)
    lm = TypeEngine.dict_to_literal_map(None, {"cfg": value}, {"cfg": task.python_interface.inputs["cfg"]})
    (tmp_path / "inputs.pb").write_bytes(lm.SerializeToString())
    (tmp_path / "task_template.pb").write_bytes(pb.SerializeToString())

    def where(p: Path) -> str:
        return p.as_uri() if uri else str(p)

    fills = {
        "{{.input}}": where(tmp_path / "inputs.pb"),
        "{{.outputPrefix}}": where(tmp_path / "out"),
        "{{.rawOutputDataPrefix}}": where(tmp_path / "raw"),
        "{{.checkpointOutputPrefix}}": where(tmp_path / "checkpoint"),
        "{{.prevCheckpointPrefix}}": '""',
        "{{.taskTemplatePath}}": where(tmp_path / "task_template.pb"),
    }
    args = [fills.get(a, a) for a in pb.container.args]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_", "_FSEC_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    assert template == ("{{.taskTemplatePath}}" in pb.container.args)
    return subprocess.run(
        args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("uri", [False, True], ids=["path", "file-uri"])
@pytest.mark.parametrize("which", ["function", "plugin"])
def test_flyweight_execute_moves_the_files(tmp_path: Path, which: str, uri: bool) -> None:
    task = tasks.summarize if which == "function" else tasks.summarize_plugin
    proc = _run(tmp_path, task, _inputs(tmp_path), uri, template=which == "plugin")
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(tmp_path / "out")) == ["outputs.pb"], proc.stderr
    lm = literals_pb2.LiteralMap.FromString((tmp_path / "out" / "outputs.pb").read_bytes())
    name = "o0" if which == "function" else "out"
    data = msgpack.unpackb(lm.literals[name].scalar.binary.value)
    report = data["report"]["path"]
    raw = (tmp_path / "raw").as_uri() if uri else str(tmp_path / "raw")
    assert report.startswith(raw), report  # uploaded under the raw output prefix
    back = TypeEngine.to_python_value(None, lm.literals[name], tasks.Bundle)
    assert Path(back.report).read_text() == EXPECTED


def test_a_wrong_type_in_a_field_names_the_input_and_field(tmp_path: Path) -> None:
    with pytest.raises(Exception) as e:
        tasks.summarize(cfg=tasks.Bundle(name="x", report=5))  # type: ignore[arg-type]
    assert str(e.value).endswith("expected FlyteFile, got int 5 at inputs.cfg.report")


def test_a_missing_file_in_a_container_input_is_a_user_error(tmp_path: Path) -> None:
    value = _inputs(tmp_path)
    lm = TypeEngine.dict_to_literal_map(None, {"cfg": value}, {"cfg": tasks.Bundle})
    data = msgpack.unpackb(lm.literals["cfg"].scalar.binary.value)
    data["report"]["path"] = str(tmp_path / "gone.txt")
    lit = lm.literals["cfg"]
    lit.scalar.binary.value = msgpack.packb(data)
    pb = tasks.summarize.serialize_to_model(SETTINGS)
    (tmp_path / "inputs.pb").write_bytes(lm.SerializeToString())
    fills = {
        "{{.input}}": str(tmp_path / "inputs.pb"),
        "{{.outputPrefix}}": str(tmp_path / "out"),
        "{{.rawOutputDataPrefix}}": str(tmp_path / "raw"),
        "{{.checkpointOutputPrefix}}": str(tmp_path / "checkpoint"),
        "{{.prevCheckpointPrefix}}": '""',
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_", "_FSEC_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    args = [fills.get(a, a) for a in pb.container.args]
    proc = subprocess.run(
        args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    error = errors_pb2.ErrorDocument.FromString((tmp_path / "out" / "error.pb").read_bytes()).error
    assert error.origin == 1  # USER
    assert "gone.txt" in error.message and "cfg.report" in error.message
