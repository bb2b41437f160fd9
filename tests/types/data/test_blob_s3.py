"""Files, directories and pickles through S3 (a moto server from ``tests/conftest.py``).

The raw output prefix is an ``s3://`` bucket, as on a cluster: outputs are uploaded there, inputs
that live there are downloaded only when task code touches them, and flytekit reads what we wrote.
"""

from __future__ import annotations

import os
import typing
from pathlib import Path
from typing import Any

import pytest
from _blob_support import storage, tree, write

from flyweight import current_context
from flyweight.extend import Interface, PythonCustomizedContainerTask, ShimTaskExecutor, TaskTemplate
from flyweight.types import FlyteDirectory, FlyteFile, TypeEngine

pytestmark = pytest.mark.filterwarnings("ignore:.*stored as pickles:UserWarning")


class Reading:
    def __init__(self, sensor: str, value: float) -> None:
        self.sensor, self.value = sensor, value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Reading) and (self.sensor, self.value) == (other.sensor, other.value)

    def __hash__(self) -> int:
        return hash((self.sensor, self.value))


def test_a_file_round_trips_through_s3(s3_bucket: str, tmp_path: Path) -> None:
    src = write(tmp_path / "in" / "table.csv", "a,b\n1,2\n")
    with storage(tmp_path, raw_output_prefix=f"{s3_bucket}/raw") as fa:
        lit = TypeEngine.to_literal(None, str(src), FlyteFile["csv"], None)
        uri = lit.scalar.blob.uri
        assert uri.startswith(f"{s3_bucket}/raw/") and uri.endswith("/table.csv")
        assert fa.read_bytes(uri) == b"a,b\n1,2\n"

        ff = TypeEngine.to_python_value(None, lit, FlyteFile["csv"])
        assert ff.remote_source == uri
        assert fa.downloads == []
        with ff.open("r") as f:  # streams; still no download
            assert f.read() == "a,b\n1,2\n"
        assert fa.downloads == []
        assert Path(ff).read_text() == "a,b\n1,2\n"
        assert [d[0] for d in fa.downloads] == [uri]
        # Passing it on refers to the same object.
        assert TypeEngine.to_literal(None, ff, FlyteFile["csv"], None).scalar.blob.uri == uri


def test_a_directory_round_trips_through_s3(s3_bucket: str, tmp_path: Path) -> None:
    src = tmp_path / "src"
    for rel, text in {"a.txt": "a", "sub/b.txt": "b", "sub/deeper/c.txt": "c"}.items():
        write(src / rel, text)
    with storage(tmp_path, raw_output_prefix=f"{s3_bucket}/raw") as fa:
        lit = TypeEngine.to_literal(None, src, FlyteDirectory, None)
        uri = lit.scalar.blob.uri
        assert uri.startswith(f"{s3_bucket}/raw/")
        fd = TypeEngine.to_python_value(None, lit, FlyteDirectory)
        assert fa.downloads == []
        entries = FlyteDirectory.listdir(fd)
        assert sorted(os.fspath(e.remote_source or "").rsplit("/", 1)[-1] for e in entries) == [
            "a.txt",
            "sub",
        ]
        assert fa.downloads == []
        assert tree(Path(fd)) == tree(src)
        assert len(fa.downloads) == 1


def test_remote_path_and_new_remote_file_on_s3(s3_bucket: str, tmp_path: Path) -> None:
    src = write(tmp_path / "x.txt", "x")
    with storage(tmp_path, raw_output_prefix=f"{s3_bucket}/raw") as fa:
        chosen = f"{s3_bucket}/chosen/x.txt"
        lit = TypeEngine.to_literal(None, FlyteFile(str(src), remote_path=chosen), FlyteFile, None)
        assert lit.scalar.blob.uri == chosen
        assert fa.read_bytes(chosen) == b"x"

        out = FlyteFile.new_remote_file("direct.txt")
        assert out.remote_source == f"{s3_bucket}/raw/direct.txt"
        with out.open("w") as f:
            f.write("streamed")
        lit = TypeEngine.to_literal(None, out, FlyteFile, None)
        assert lit.scalar.blob.uri == f"{s3_bucket}/raw/direct.txt"
        assert fa.read_bytes(lit.scalar.blob.uri) == b"streamed"
        assert len(fa.uploads) == 1


def test_a_pickle_round_trips_through_s3(s3_bucket: str, tmp_path: Path) -> None:
    values = [Reading("t1", 20.5), Reading("t2", -3.0)]
    with storage(tmp_path, raw_output_prefix=f"{s3_bucket}/raw"):
        lit = TypeEngine.to_literal(None, values, list[Reading], None)
        assert all(x.scalar.blob.uri.startswith(f"{s3_bucket}/raw/") for x in lit.collection.literals)
        assert TypeEngine.to_python_value(None, lit, list[Reading]) == values
        any_lit = TypeEngine.to_literal(None, {"k": (1, 2)}, typing.Any, None)
        assert TypeEngine.to_python_value(None, any_lit, typing.Any) == {"k": (1, 2)}


def test_flytekit_reads_our_s3_file(s3_bucket: str, tmp_path: Path, flytekit: Any) -> None:
    kit = flytekit
    from flytekit.core.type_engine import TypeEngine as KitEngine
    from flytekit.models.literals import Literal as KitLiteral
    from flytekit.types.file import FlyteFile as KitFile

    src = write(tmp_path / "shared.txt", "from flyweight")
    with storage(tmp_path, raw_output_prefix=f"{s3_bucket}/raw"):
        lit = TypeEngine.to_literal(None, str(src), FlyteFile, None)
    ctx = kit.FlyteContextManager.current_context()
    ff = KitEngine.to_python_value(ctx, KitLiteral.from_flyte_idl(lit), KitFile)
    assert ff.remote_source == lit.scalar.blob.uri
    with open(ff) as f:
        assert f.read() == "from flyweight"


# -- a plugin task whose input and output live on S3 ------------------------------------------------------


class CountLinesExecutor(ShimTaskExecutor[Any]):
    def execute_from_model(self, tt: TaskTemplate, **kwargs: Any) -> Any:
        lines = Path(kwargs["table"]).read_text().splitlines()
        out = os.path.join(current_context().working_directory, "count.txt")
        with open(out, "w") as f:
            f.write(str(len(lines)))
        return out


class CountLines(PythonCustomizedContainerTask[Any]):
    def __init__(self, name: str) -> None:
        super().__init__(
            name=name,
            task_config=None,
            container_image="registry.example/files:1",
            executor_type=CountLinesExecutor,
            task_type="count",
            interface=Interface(inputs={"table": FlyteFile["csv"]}, outputs={"count": FlyteFile}),
        )


def test_a_plugin_task_with_s3_input_and_output(s3_bucket: str, tmp_path: Path) -> None:
    src = write(tmp_path / "rows.csv", "a\nb\nc\n")
    with storage(tmp_path, raw_output_prefix=f"{s3_bucket}/raw") as fa:
        table = TypeEngine.to_python_value(
            None, TypeEngine.to_literal(None, str(src), FlyteFile["csv"], None), FlyteFile["csv"]
        )
        out = CountLines("files.count")(table=table)
        assert out.remote_source is not None and out.remote_source.startswith(f"{s3_bucket}/raw/")
        assert fa.read_bytes(out.remote_source) == b"3"
        assert Path(out).read_text() == "3"


def test_the_container_entrypoint_downloads_and_uploads_through_s3(
    s3_bucket: str, s3_env: dict[str, str], tmp_path: Path
) -> None:
    """``flyweight-execute`` in a subprocess, as a Flyte pod runs it: input file and output on S3."""
    import subprocess
    import sys

    from flyteidl.core import literals_pb2

    from flyweight._settings import Image, ImageConfig, SerializationSettings

    settings = SerializationSettings(
        project="proj",
        domain="dev",
        version="v1",
        image_config=ImageConfig(default_image=Image(name="default", fqn="test", tag="tag")),
    )
    template = CountLines("files.count_in_container").serialize_to_model(settings)
    with storage(tmp_path, raw_output_prefix=f"{s3_bucket}/upstream") as fa:
        table_uri = f"{s3_bucket}/inputs/rows.csv"
        fa.write_bytes(table_uri, b"1\n2\n3\n4\n")
        inputs = TypeEngine.dict_to_literal_map(None, {"table": table_uri}, {"table": FlyteFile["csv"]})
    (tmp_path / "inputs.pb").write_bytes(inputs.SerializeToString())
    (tmp_path / "template.pb").write_bytes(template.SerializeToString())
    fills = {
        "{{.input}}": str(tmp_path / "inputs.pb"),
        "{{.outputPrefix}}": str(tmp_path / "out"),
        "{{.rawOutputDataPrefix}}": f"{s3_bucket}/raw",
        "{{.taskTemplatePath}}": str(tmp_path / "template.pb"),
    }
    args = [fills.get(a, a) for a in template.container.args]
    here = Path(__file__).resolve().parent
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_"))}
    env.update(s3_env)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = os.pathsep.join([str(here), str(here.parents[2])])
    proc = subprocess.run(
        args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(tmp_path / "out")) == ["outputs.pb"], proc.stderr
    outputs = literals_pb2.LiteralMap.FromString((tmp_path / "out" / "outputs.pb").read_bytes())
    uri = outputs.literals["count"].scalar.blob.uri
    assert uri.startswith(f"{s3_bucket}/raw/") and uri.endswith("/count.txt")
    with storage(tmp_path / "reader") as fa:
        assert fa.read_bytes(uri) == b"4"
