"""A plugin task run twice: as a local call, then as Flyte would run it, through ``flyweight-execute``.

The second run does what a Flyte pod does: the template and ``inputs.pb`` are files, the container
arguments come from the template with Flyte's placeholders filled in, and the result is read back
from ``outputs.pb`` (or ``error.pb``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from flyteidl.core import errors_pb2, literals_pb2

from flyweight import Image, ImageConfig, SerializationSettings
from flyweight.types import TypeEngine

sys.path.insert(0, str(Path(__file__).parent))
from greeter_plugin import hello

SETTINGS = SerializationSettings(
    project="demo",
    domain="development",
    version="v1",
    image_config=ImageConfig(default_image=Image(name="default", fqn="ghcr.io/acme/greeter", tag="1")),
)


def run_in_container(inputs: dict[str, object], workdir: Path) -> None:
    workdir.mkdir(parents=True)
    template = hello.serialize_to_model(SETTINGS)
    (workdir / "template.pb").write_bytes(template.SerializeToString())
    lm = literals_pb2.LiteralMap()
    for name, value in inputs.items():
        lm.literals[name].CopyFrom(TypeEngine.to_literal(None, value, type(value), None))
    (workdir / "inputs.pb").write_bytes(lm.SerializeToString())
    fill = {
        "{{.input}}": str(workdir / "inputs.pb"),
        "{{.outputPrefix}}": str(workdir / "out"),
        "{{.rawOutputDataPrefix}}": str(workdir / "raw"),
        "{{.taskTemplatePath}}": str(workdir / "template.pb"),
    }
    args = [fill.get(a, a) for a in template.container.args]
    print("  $", " ".join([*args[:1], "…", *args[-2:]]))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent)}
    bindir = os.path.dirname(sys.executable)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    done = subprocess.run(args, env=env, check=False, capture_output=True, text=True)
    out = workdir / "out"
    if (out / "outputs.pb").exists():
        result = literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes())
        values = {
            k: TypeEngine.to_python_value(None, v, hello.python_interface.outputs[k])
            for k, v in result.literals.items()
        }
        print(f"  exit {done.returncode}, outputs.pb: {values}")
    else:
        doc = errors_pb2.ErrorDocument.FromString((out / "error.pb").read_bytes())
        kind = "USER" if doc.error.origin == 1 else "SYSTEM"
        last = doc.error.message.strip().splitlines()[-1].strip()
        print(f"  exit {done.returncode}, error.pb: {kind} {doc.error.code}: {last}")


def main() -> None:
    print("local call, defaults applied:")
    print("  ", hello())
    print("local call with a bad input:")
    try:
        hello(name=42)
    except TypeError as e:
        print("  ", e)
    tmp = Path(tempfile.mkdtemp(prefix="flyweight-demo-"))
    try:
        print("through flyweight-execute, as in a Flyte pod:")
        run_in_container({"name": "Flyte"}, tmp / "ok")
        print("through flyweight-execute with an input of the wrong type:")
        run_in_container({"name": 3}, tmp / "bad")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
