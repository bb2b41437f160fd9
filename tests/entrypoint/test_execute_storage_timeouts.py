"""``flyweight-execute`` against storage that stops answering: the attempt ends, with an ``error.pb`` that
says SYSTEM / RECOVERABLE (Flyte retries it) and that the storage call timed out.

The S3 server is this module's own moto server, frozen with SIGSTOP (connections are still accepted,
nothing answers); the session's shared server is never stopped. The console script runs in a
subprocess configured by environment variables only, as in a Flyte pod, with a short bound
(``FLYWEIGHT_STORAGE_TIMEOUT``). The subprocess timeout is a hang detector, not a speed requirement.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import errors_pb2, execution_pb2
from tests.entrypoint import sample_plugin as plugin, stall_plugin
from tests.storage import stalled

from flyweight.types import TypeEngine

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

SYSTEM = execution_pb2.ExecutionError.SYSTEM
RECOVERABLE = errors_pb2.ContainerError.RECOVERABLE

BUCKET = "entrypoint-timeouts"


@pytest.fixture
def moto() -> Iterator[stalled.MotoServer]:
    with stalled.moto_server() as server:
        server.client().create_bucket(Bucket=BUCKET)
        yield server


def _environment(extra: Mapping[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLYTE_", "_F_", "AWS_", "FLYWEIGHT_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def _args(task: Any, root: Path, template: str, inputs: str) -> list[str]:
    pb = task.serialize_to_model(plugin.SETTINGS)
    fills = {
        "{{.input}}": inputs,
        "{{.outputPrefix}}": str(root / "out"),
        "{{.rawOutputDataPrefix}}": str(root / "raw"),
        "{{.taskTemplatePath}}": template,
    }
    return [fills.get(a, a) for a in pb.container.args]


def _inputs(label: str) -> bytes:
    return TypeEngine.dict_to_literal_map(
        None, {"x": 5, "label": label}, dict(plugin.SCALE_INPUTS)
    ).SerializeToString()


def _error(root: Path, proc: subprocess.CompletedProcess[str]) -> errors_pb2.ContainerError:
    assert proc.returncode == 0, proc.stderr
    out = root / "out"
    assert sorted(os.listdir(out)) == ["error.pb"], proc.stderr
    return errors_pb2.ErrorDocument.FromString((out / "error.pb").read_bytes()).error


def test_inputs_on_a_frozen_server_end_the_attempt_with_a_recoverable_system_error(
    moto: stalled.MotoServer, tmp_path: Path
) -> None:
    task = plugin.SamplePluginTask("entrypoint.timeouts", plugin.ScaleExecutor)
    s3 = moto.client()
    s3.put_object(
        Bucket=BUCKET,
        Key="run/task_template.pb",
        Body=task.serialize_to_model(plugin.SETTINGS).SerializeToString(),
    )
    s3.put_object(Bucket=BUCKET, Key="run/inputs.pb", Body=_inputs("a"))
    template = f"s3://{BUCKET}/run/task_template.pb"
    args = _args(task, tmp_path, template, f"s3://{BUCKET}/run/inputs.pb")
    with moto.frozen():
        proc = subprocess.run(
            args,
            cwd=tmp_path,
            env=_environment(moto.env(timeout=2)),
            capture_output=True,
            text=True,
            timeout=stalled.HANG,
            check=False,
        )
    err = _error(tmp_path, proc)
    assert (err.origin, err.kind, err.code) == (SYSTEM, RECOVERABLE, "SYSTEM")
    assert "StorageError" in err.message
    assert f"cannot read {template!r}: timed out after" in err.message
    assert "FLYWEIGHT_STORAGE_TIMEOUT (seconds, now 2;" in err.message


def test_a_server_frozen_while_the_executor_reads_ends_the_attempt_with_a_recoverable_system_error(
    moto: stalled.MotoServer, tmp_path: Path
) -> None:
    task = plugin.SamplePluginTask(
        "entrypoint.timeouts", stall_plugin.ReadTwiceExecutor, outputs=stall_plugin.READ_OUTPUTS
    )
    data = f"s3://{BUCKET}/data/in.txt"
    moto.client().put_object(Bucket=BUCKET, Key="data/in.txt", Body=b"from the bucket")
    (tmp_path / "task_template.pb").write_bytes(task.serialize_to_model(plugin.SETTINGS).SerializeToString())
    (tmp_path / "inputs.pb").write_bytes(_inputs(data))
    stall = tmp_path / "stall"
    stall.mkdir()
    args = _args(task, tmp_path, str(tmp_path / "task_template.pb"), str(tmp_path / "inputs.pb"))
    # A bound with room for the first read on a busy machine; the second finds the server frozen.
    env = _environment({**moto.env(timeout=5), "STALL_DIR": str(stall)})
    proc = subprocess.Popen(
        args, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        hang_at = time.monotonic() + stalled.HANG
        while not (stall / "ready").exists() and proc.poll() is None and time.monotonic() < hang_at:
            time.sleep(0.05)
        if not (stall / "ready").exists():
            proc.kill()
            pytest.fail(f"the task never finished its first read: {proc.communicate()[1]}")
        assert (stall / "ready").read_bytes() == b"from the bucket"
        with moto.frozen():
            (stall / "go").touch()
            stdout, stderr = proc.communicate(timeout=stalled.HANG)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    err = _error(tmp_path, subprocess.CompletedProcess(args, proc.returncode, stdout, stderr))
    assert (err.origin, err.kind, err.code) == (SYSTEM, RECOVERABLE, "SYSTEM")
    assert f"cannot read {data!r}: timed out after" in err.message
    assert "FLYWEIGHT_STORAGE_TIMEOUT (seconds, now 5;" in err.message


def test_an_output_prefix_on_a_frozen_server_still_ends_the_process(
    moto: stalled.MotoServer, tmp_path: Path
) -> None:
    task = plugin.SamplePluginTask("entrypoint.timeouts", plugin.ScaleExecutor)
    (tmp_path / "task_template.pb").write_bytes(task.serialize_to_model(plugin.SETTINGS).SerializeToString())
    (tmp_path / "inputs.pb").write_bytes(_inputs("a"))
    args = _args(task, tmp_path, str(tmp_path / "task_template.pb"), str(tmp_path / "inputs.pb"))
    out = f"s3://{BUCKET}/run/out"
    args[args.index(str(tmp_path / "out"))] = out
    with moto.frozen():
        proc = subprocess.run(
            args,
            cwd=tmp_path,
            env=_environment(moto.env(timeout=2)),
            capture_output=True,
            text=True,
            timeout=stalled.HANG,
            check=False,
        )
    # Neither outputs.pb nor error.pb can be written: the process says so and exits 1 (Flyte then
    # sees a failed container, a system error it retries).
    assert proc.returncode == 1, proc.stderr
    assert f"could not write error.pb under {out!r}" in proc.stderr
    assert "timed out after" in proc.stderr, proc.stderr
