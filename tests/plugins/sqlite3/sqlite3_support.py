"""Shared pieces of the SQLite3 plugin tests: the sample database, archives, expected rows, and a
``flyweight-execute`` attempt prepared the way a Flyte container receives it."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from flyteidl.core import errors_pb2, literals_pb2

from flyweight import Image, ImageConfig, SerializationSettings
from flyweight.types import TypeEngine

REPO = Path(__file__).resolve().parents[3]
MUSIC_DB = REPO / "examples" / "data" / "music.db"
BIN = Path(sys.executable).parent
ARCHIVE_FORMATS = ["zip", "tar", "gztar", "bztar", "xztar"]
SETTINGS = SerializationSettings(
    project="p",
    domain="d",
    version="v",
    image_config=ImageConfig(default_image=Image(name="default", fqn="img", tag="1")),
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_rows(sql: str, params: Sequence[Any] = (), db: Path = MUSIC_DB) -> pd.DataFrame:
    """What SQLite itself answers, with the values bound by hand (the reference for every result)."""
    with contextlib.closing(sqlite3.connect(db)) as con:
        return pd.read_sql_query(sql, con, params=list(params))


def frame(result: Any) -> pd.DataFrame:
    """A task's ``results`` as a DataFrame (a FlyteSchema is opened; a DataFrame is returned as it is)."""
    df = result if isinstance(result, pd.DataFrame) else result.open().all()
    return df.reset_index(drop=True)


def assert_same_rows(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False)


def make_archive(kind: str, members: Mapping[str, Path | bytes], dest: Path) -> Path:
    """An archive of ``kind`` (shutil format names) at ``dest`` holding ``members`` (name → file or data)."""
    stage = dest.parent / f"{dest.name}.stage"
    stage.mkdir(parents=True)
    for name, content in members.items():
        target = stage / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            shutil.copyfile(content, target)
    if kind == "zip":
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in members:
                zf.write(stage / name, name)
    else:
        mode = {"tar": "w", "gztar": "w:gz", "bztar": "w:bz2", "xztar": "w:xz"}[kind]
        with tarfile.open(dest, mode) as tf:
            for name in members:
                tf.add(stage / name, name)
    shutil.rmtree(stage)
    return dest


# --- flyweight-execute ----------------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    out: Path

    def files(self) -> list[str]:
        return sorted(os.listdir(self.out)) if self.out.exists() else []

    def outputs(self) -> literals_pb2.LiteralMap:
        assert self.returncode == 0, self.stderr
        assert self.files() == ["outputs.pb"], (self.files(), self.stderr)
        return literals_pb2.LiteralMap.FromString((self.out / "outputs.pb").read_bytes())

    def results(self) -> pd.DataFrame:
        lit = self.outputs().literals["results"]
        return TypeEngine.to_python_value(None, lit, pd.DataFrame).reset_index(drop=True)

    def error(self) -> errors_pb2.ContainerError:
        assert self.files() == ["error.pb"], (self.files(), self.stderr)
        return errors_pb2.ErrorDocument.FromString((self.out / "error.pb").read_bytes()).error


def run_in_container(
    root: Path,
    task: Any,
    inputs: Mapping[str, Any],
    env: Mapping[str, str] | None = None,
) -> Outcome:
    """Serialize ``task``, write its template and ``inputs.pb`` under ``root``, fill the container
    arguments as Flyte does, and run them (the real ``flyweight-execute``) in a subprocess."""
    pb = task.serialize_to_model(SETTINGS)
    template, inputs_pb, out, raw = root / "task.pb", root / "inputs.pb", root / "out", root / "raw"
    template.write_bytes(pb.SerializeToString())
    types = task.python_interface.inputs
    inputs_pb.write_bytes(TypeEngine.dict_to_literal_map(None, dict(inputs), dict(types)).SerializeToString())
    fills = {
        "{{.input}}": str(inputs_pb),
        "{{.outputPrefix}}": str(out),
        "{{.rawOutputDataPrefix}}": str(raw),
        "{{.taskTemplatePath}}": str(template),
    }
    args = [fills.get(a, a) for a in pb.container.args]
    assert args[0] == "flyweight-execute"
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_", "AWS_"))}
    full_env["PATH"] = f"{BIN}{os.pathsep}{full_env.get('PATH', '')}"
    full_env["PYTHONPATH"] = str(REPO)
    full_env.update(env or {})
    proc = subprocess.run(
        args, cwd=root, env=full_env, capture_output=True, text=True, timeout=120, check=False
    )
    return Outcome(proc.returncode, proc.stdout, proc.stderr, out)
