"""Run a task's serialized template the way a Flyte container does, through ``flyweight-execute``, and
print what it left: the table in ``outputs.pb``, or the message in ``error.pb``. Shared by the demos."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

SECONDS = 120


def execute(task: Any, workdir: Path, inputs: Any, pythonpath: Path | None = None) -> tuple[int, Path]:
    """Do what a Flyte pod does with ``task``: write its template and the ``inputs`` LiteralMap to
    files in ``workdir``, run the template's container arguments with Flyte's placeholders filled in
    (``pythonpath``, if given, is the process's ``PYTHONPATH``) and print the command line; the exit
    code and the output prefix, where ``outputs.pb`` or ``error.pb`` is."""
    from flyweight import Image, ImageConfig, SerializationSettings

    settings = SerializationSettings(
        project="demo",
        domain="development",
        version="v1",
        image_config=ImageConfig(default_image=Image(name="default", fqn="ghcr.io/acme/app", tag="1")),
    )
    template = task.serialize_to_model(settings)
    (workdir / "template.pb").write_bytes(template.SerializeToString())
    (workdir / "inputs.pb").write_bytes(inputs.SerializeToString())
    fill = {
        "{{.input}}": str(workdir / "inputs.pb"),
        "{{.outputPrefix}}": str(workdir / "out"),
        "{{.rawOutputDataPrefix}}": str(workdir / "raw"),
        "{{.taskTemplatePath}}": str(workdir / "template.pb"),
    }
    args = [fill.get(a, a) for a in template.container.args]
    print("  $", " ".join([*args[:1], "…", *args[-2:]]))
    env = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    done = subprocess.run(args, env=env, check=False, capture_output=True, text=True, timeout=SECONDS)
    return done.returncode, workdir / "out"


def run_in_container(task: Any, workdir: Path, inputs: dict[str, object]) -> None:
    """``execute`` ``task`` on ``inputs`` and print the DataFrame of its ``results`` output, or the
    last line of the error."""
    import pandas as pd
    from flyteidl.core import errors_pb2, literals_pb2

    from flyweight.types import TypeEngine

    lm = TypeEngine.dict_to_literal_map(None, inputs, task.python_interface.inputs)
    code, out = execute(task, workdir, lm)
    if (out / "outputs.pb").exists():
        result = literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes())
        frame = TypeEngine.to_python_value(None, result.literals["results"], pd.DataFrame)
        print(f"  exit {code}; outputs.pb holds a parquet structured dataset:")
        print(frame.to_string(index=False))
    else:
        error = errors_pb2.ErrorDocument.FromString((out / "error.pb").read_bytes()).error
        print(f"  exit {code}; error.pb: {error.message.splitlines()[-1].strip()}")
