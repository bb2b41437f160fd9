"""``flyweight-execute`` against a real S3 server: template, inputs, outputs, errors and raw data in a bucket.

The console script runs in a subprocess, configured only by environment variables (Flyte's
``FLYTE_AWS_*`` names and the standard ``AWS_*`` ones), exactly as a Flyte pod runs it. The bucket is
read back with boto3, not with flyweight, so the test does not trust the code it checks.
"""

from __future__ import annotations

import dataclasses
import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import boto3
import pytest
from flyteidl.core import errors_pb2, execution_pb2, literals_pb2
from tests.entrypoint import sample_plugin as plugin, storage_plugin

from flyweight.types import TypeEngine

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

USER = execution_pb2.ExecutionError.USER
SYSTEM = execution_pb2.ExecutionError.SYSTEM
RECOVERABLE = errors_pb2.ContainerError.RECOVERABLE
NON_RECOVERABLE = errors_pb2.ContainerError.NON_RECOVERABLE

GOOD_INPUTS: dict[str, Any] = {"x": 5, "label": "a"}


@dataclasses.dataclass
class S3Attempt:
    """A task attempt whose template, inputs and output prefixes are in one bucket (under ``run/``)."""

    bucket: str
    args: list[str]
    s3: Any
    env: dict[str, str]
    cwd: Path

    @property
    def out(self) -> str:
        return f"s3://{self.bucket}/run/out"

    def run(self, extra_env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_", "AWS_"))}
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        env["PYTHONPATH"] = str(REPO)
        env.update(self.env)
        env.update(extra_env or {})
        return subprocess.run(
            self.args, cwd=self.cwd, env=env, capture_output=True, text=True, timeout=120, check=False
        )

    def replace(self, old: str, new: str) -> None:
        assert old in self.args, (old, self.args)
        self.args[self.args.index(old)] = new

    def keys(self, prefix: str) -> list[str]:
        listing = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=prefix)
        return sorted(o["Key"][len(prefix) :] for o in listing.get("Contents", []))

    def get(self, key: str) -> bytes:
        return bytes(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read())

    def outputs(self, proc: subprocess.CompletedProcess[str]) -> literals_pb2.LiteralMap:
        assert proc.returncode == 0, proc.stderr
        assert self.keys("run/out/") == ["outputs.pb"], proc.stderr
        return literals_pb2.LiteralMap.FromString(self.get("run/out/outputs.pb"))

    def error(self, proc: subprocess.CompletedProcess[str]) -> errors_pb2.ContainerError:
        assert proc.returncode == 0, proc.stderr
        assert self.keys("run/out/") == ["error.pb"], proc.stderr
        return errors_pb2.ErrorDocument.FromString(self.get("run/out/error.pb")).error


def _task(executor: type[Any] = plugin.ScaleExecutor, **kwargs: Any) -> plugin.SamplePluginTask:
    return plugin.SamplePluginTask("entrypoint.s3", executor, **kwargs)


@pytest.fixture
def prepare(s3_bucket: str, s3_env: dict[str, str], tmp_path: Path) -> Any:
    """Make an attempt: upload the template and inputs (with boto3) and fill the container args."""
    bucket = s3_bucket.removeprefix("s3://")
    s3 = boto3.client("s3", endpoint_url=s3_env["AWS_ENDPOINT_URL"])

    def make(task: Any = None, inputs: Mapping[str, Any] | bytes = GOOD_INPUTS) -> S3Attempt:
        task = task if task is not None else _task()
        pb = task.serialize_to_model(plugin.SETTINGS)
        if isinstance(inputs, bytes):
            data = inputs
        else:
            data = TypeEngine.dict_to_literal_map(None, dict(inputs), dict(plugin.SCALE_INPUTS))
            data = data.SerializeToString()
        s3.put_object(Bucket=bucket, Key="run/task_template.pb", Body=pb.SerializeToString())
        s3.put_object(Bucket=bucket, Key="run/inputs.pb", Body=data)
        fills = {
            "{{.input}}": f"{s3_bucket}/run/inputs.pb",
            "{{.outputPrefix}}": f"{s3_bucket}/run/out",
            "{{.rawOutputDataPrefix}}": f"{s3_bucket}/run/raw",
            "{{.taskTemplatePath}}": f"{s3_bucket}/run/task_template.pb",
        }
        args = [fills.get(a, a) for a in pb.container.args]
        return S3Attempt(bucket, args, s3, dict(s3_env), tmp_path)

    return make


def _integer(lit: literals_pb2.Literal) -> int:
    return int(lit.scalar.primitive.integer)


def _text(lit: literals_pb2.Literal) -> str:
    return str(lit.scalar.primitive.string_value)


# --- success ------------------------------------------------------------------------------------


def test_a_whole_run_reads_and_writes_the_bucket(prepare: Any) -> None:
    attempt = prepare()
    assert all(a.startswith("s3://") for a in attempt.args if "/run/" in a)
    proc = attempt.run()
    out = attempt.outputs(proc)
    assert list(out.literals) == ["y"]
    assert _integer(out.literals["y"]) == 15
    assert attempt.keys("run/raw/") == []  # nothing offloaded, nothing written


def test_offloaded_files_and_directories_land_under_the_raw_prefix(prepare: Any) -> None:
    attempt = prepare(_task(storage_plugin.OffloadExecutor, outputs=storage_plugin.OFFLOAD_OUTPUTS))
    out = attempt.outputs(attempt.run()).literals
    assert _integer(out["y"]) == 10
    raw = f"s3://{attempt.bucket}/run/raw/"
    report, folder = _text(out["report"]), _text(out["folder"])
    assert report.startswith(raw) and report.endswith("/report.txt"), report
    assert folder.startswith(raw), folder
    assert attempt.get(report.removeprefix(f"s3://{attempt.bucket}/")) == b"a=5"
    folder_key = folder.removeprefix(f"s3://{attempt.bucket}/")
    assert attempt.keys(folder_key + "/") == ["a.csv", "nested/b.csv"]
    assert attempt.get(f"{folder_key}/nested/b.csv") == b"3,4\n"


def test_the_executor_downloads_data_named_by_an_input(prepare: Any, s3_bucket: str) -> None:
    attempt = prepare(
        _task(storage_plugin.ReadBackExecutor, outputs=storage_plugin.OFFLOAD_OUTPUTS),
        inputs={"x": 1, "label": f"{s3_bucket}/data/in.txt"},
    )
    attempt.s3.put_object(Bucket=attempt.bucket, Key="data/in.txt", Body=b"from the bucket")
    out = attempt.outputs(attempt.run()).literals
    assert _text(out["report"]) == "from the bucket"


def test_a_user_error_is_written_to_the_bucket(prepare: Any) -> None:
    attempt = prepare(_task(plugin.FailingExecutor))
    err = attempt.error(attempt.run())
    assert (err.origin, err.kind) == (USER, NON_RECOVERABLE)
    assert "ValueError: the warehouse rejected x=5" in err.message


# --- storage failures: SYSTEM ------------------------------------------------------------------


def test_inputs_in_a_missing_bucket_are_a_recoverable_system_error(prepare: Any) -> None:
    attempt = prepare()
    missing = "s3://no-such-bucket-for-flyweight/run/inputs.pb"
    attempt.replace(f"s3://{attempt.bucket}/run/inputs.pb", missing)
    err = attempt.error(attempt.run())
    assert (err.origin, err.kind, err.code) == (SYSTEM, RECOVERABLE, "SYSTEM")
    assert "StorageError" in err.message
    assert missing in err.message
    assert "bucket does not exist" in err.message


def test_a_missing_inputs_object_is_a_recoverable_system_error(prepare: Any) -> None:
    attempt = prepare()
    attempt.s3.delete_object(Bucket=attempt.bucket, Key="run/inputs.pb")
    err = attempt.error(attempt.run())
    assert (err.origin, err.kind, err.code) == (SYSTEM, RECOVERABLE, "SYSTEM")
    assert f"s3://{attempt.bucket}/run/inputs.pb" in err.message
    assert "not found" in err.message


def test_garbage_inputs_in_the_bucket_are_a_system_error(prepare: Any) -> None:
    attempt = prepare(inputs=b"\xff\xff\xff garbage")
    err = attempt.error(attempt.run())
    assert (err.origin, err.kind) == (SYSTEM, NON_RECOVERABLE)
    assert "LiteralMap" in err.message


def test_a_missing_template_object_is_a_system_error(prepare: Any) -> None:
    attempt = prepare()
    attempt.s3.delete_object(Bucket=attempt.bucket, Key="run/task_template.pb")
    err = attempt.error(attempt.run())
    assert (err.origin, err.kind) == (SYSTEM, RECOVERABLE)
    assert f"s3://{attempt.bucket}/run/task_template.pb" in err.message


def test_an_output_prefix_in_a_missing_bucket_exits_1(prepare: Any) -> None:
    attempt = prepare()
    attempt.replace(f"s3://{attempt.bucket}/run/out", "s3://no-such-bucket-for-flyweight/out")
    proc = attempt.run()
    assert proc.returncode == 1, proc.stderr
    assert "could not write error.pb under 's3://no-such-bucket-for-flyweight/out'" in proc.stderr
    assert "bucket does not exist" in proc.stderr
    assert attempt.keys("run/out/") == []


def test_an_unreachable_endpoint_is_a_recoverable_system_error(prepare: Any, tmp_path: Path) -> None:
    attempt = prepare()
    local_out = tmp_path / "out"
    attempt.replace(attempt.out, str(local_out))
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}"
    proc = attempt.run({"FLYTE_AWS_ENDPOINT": dead, "AWS_ENDPOINT_URL": dead, "FLYTE_AWS_RETRIES": "0"})
    assert proc.returncode == 0, proc.stderr
    assert sorted(os.listdir(local_out)) == ["error.pb"]
    err = errors_pb2.ErrorDocument.FromString((local_out / "error.pb").read_bytes()).error
    assert (err.origin, err.kind) == (SYSTEM, RECOVERABLE)
    assert "Could not connect" in err.message
    assert "FLYTE_AWS_ENDPOINT" in err.message
