"""A plugin task run twice: as a local call, then as Flyte would run it, through ``flyweight-execute``.

The second run does what a Flyte pod does: the template and ``inputs.pb`` are files, the container
arguments come from the template with Flyte's placeholders filled in, and the result is read back
from ``outputs.pb`` (or ``error.pb``).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from flyteidl.core import errors_pb2, literals_pb2

from flyweight.types import TypeEngine

sys.path.insert(0, str(Path(__file__).parent))
from container_run import execute
from greeter_plugin import hello


def run_in_container(inputs: dict[str, object], workdir: Path) -> None:
    workdir.mkdir(parents=True)
    lm = literals_pb2.LiteralMap()
    for name, value in inputs.items():  # each value as its own type: a wrong one reaches the container
        lm.literals[name].CopyFrom(TypeEngine.to_literal(None, value, type(value), None))
    code, out = execute(hello, workdir, lm, pythonpath=Path(__file__).parent)
    if (out / "outputs.pb").exists():
        result = literals_pb2.LiteralMap.FromString((out / "outputs.pb").read_bytes())
        values = {  # in the declared order: a protobuf map's order changes from process to process
            k: TypeEngine.to_python_value(None, result.literals[k], t)
            for k, t in hello.python_interface.outputs.items()
        }
        print(f"  exit {code}, outputs.pb: {values}")
    else:
        doc = errors_pb2.ErrorDocument.FromString((out / "error.pb").read_bytes())
        kind = "USER" if doc.error.origin == 1 else "SYSTEM"
        last = doc.error.message.strip().splitlines()[-1].strip()
        print(f"  exit {code}, error.pb: {kind} {doc.error.code}: {last}")


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
