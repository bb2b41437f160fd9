"""``ContainerTask``: templates byte-equal to flytekit's; the local path through a container engine.

These machines have no container engine, so the local runs use a tiny fake ``docker`` put first on
``PATH`` by the test (only for that reason): it records its arguments and runs the command on the host,
with the mounted container paths mapped to the host directories — enough to check what flyweight asks
the engine for and what it reads back. Without ``docker`` or ``podman`` on ``PATH`` the task refuses to
run with a ``NotSupportedError``.
"""

from __future__ import annotations

import json
import os
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from flyteidl.admin import task_pb2 as admin_task_pb2
from flyteidl.core import tasks_pb2
from tests.oracle import load_flytekit
from tests.tasks import shell_shapes as shapes
from tests.tasks.test_function_task_oracle import settings_pair, text_diff

import flyweight
from flyweight import ContainerTask, FlyteFile, PodTemplate, task, workflow
from flyweight._serialize import OUTPUT_ORDER_KEY
from flyweight._version import __version__
from flyweight.errors import NotSupportedError, TaskDefinitionError, TaskExecutionError
from flyweight.extend import get_serializable

NAMES = list(shapes.CONTAINER)


def flytekit_container_task(name: str) -> Any:
    fk = load_flytekit()
    spec = shapes.container_specs(fk.ContainerTask, fk.FlyteFile, fk.Resources, fk.Secret)[name]
    return fk.ContainerTask(**spec)


def identity_map(tpl: tasks_pb2.TaskTemplate, outputs: list[str]) -> tasks_pb2.TaskTemplate:
    """flytekit's raw-container template → flyweight's: the runtime version, and the output order entry
    of a task with several outputs (ADR 0005); the container is the user's, not rewritten."""
    out = tasks_pb2.TaskTemplate()
    out.CopyFrom(tpl)
    out.metadata.runtime.version = __version__
    if len(outputs) >= 2:
        out.config[OUTPUT_ORDER_KEY] = ",".join(outputs)
    return out


@pytest.mark.oracle
@pytest.mark.usefixtures("flytekit")
@pytest.mark.parametrize("name", NAMES)
def test_template_and_registration_bytes_equal_flytekits(name: str) -> None:
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    fk_settings, settings = settings_pair({"SETTINGS_ENV": "s"})
    fk_spec = fk_get_serializable(OrderedDict(), fk_settings, flytekit_container_task(name)).to_flyte_idl()
    ours = getattr(shapes, name)
    expected = admin_task_pb2.TaskSpec()
    expected.CopyFrom(fk_spec)
    expected.template.CopyFrom(identity_map(fk_spec.template, list(ours.python_interface.outputs)))
    got = get_serializable(OrderedDict(), settings, ours)
    assert got.template.SerializeToString(deterministic=True) == expected.template.SerializeToString(
        deterministic=True
    ), text_diff(expected.template, got.template)
    assert got.SerializeToString(deterministic=True) == expected.SerializeToString(deterministic=True)
    assert got.template.type == "raw-container"
    assert got.template.container.data_config.enabled


@pytest.mark.oracle
@pytest.mark.usefixtures("flytekit")
def test_io_strategy_is_written_where_flytekit_fails() -> None:
    from flytekit.tools.translator import get_serializable as fk_get_serializable

    fk = load_flytekit()
    fk_settings, settings = settings_pair()
    fk_task = fk.ContainerTask(
        name="c.io", image="a", command=["x"], io_strategy=fk.ContainerTask.IOStrategy.UPLOAD_EAGER
    )
    with pytest.raises(AttributeError):  # flytekit passes the enum's int where a model is expected
        fk_get_serializable(OrderedDict(), fk_settings, fk_task).to_flyte_idl()
    ours = ContainerTask(
        name="c.io", image="a", command=["x"], io_strategy=ContainerTask.IOStrategy.UPLOAD_EAGER
    )
    io = ours.serialize_to_model(settings).container.data_config.io_strategy
    assert (io.download_mode, io.upload_mode) == (
        tasks_pb2.IOStrategy.DOWNLOAD_EAGER,
        tasks_pb2.IOStrategy.UPLOAD_EAGER,
    )
    stream = ContainerTask(
        name="c.io2", image="a", command=["x"], io_strategy=ContainerTask.IOStrategy.DOWNLOAD_STREAM
    )
    io = stream.serialize_to_model(settings).container.data_config.io_strategy
    assert (io.download_mode, io.upload_mode) == (
        tasks_pb2.IOStrategy.DOWNLOAD_STREAM,
        tasks_pb2.IOStrategy.UPLOAD_ON_EXIT,
    )


def test_a_pod_template_carries_the_container_and_the_data_config() -> None:
    _, settings = settings_pair()
    t = ContainerTask(
        name="c.pod",
        image="alpine",
        command=["sh", "-c", "echo {{.inputs.x}}"],
        inputs={"x": int},
        input_data_dir="/var/inputs",
        pod_template=PodTemplate(primary_container_name="main", labels={"team": "a"}),
    )
    tpl = t.serialize_to_model(settings)
    assert not tpl.HasField("container")
    assert tpl.config["primary_container_name"] == "main"
    assert tpl.k8s_pod.data_config.input_path == "/var/inputs"
    primary = tpl.k8s_pod.pod_spec.fields["containers"].list_value.values[0].struct_value.fields
    assert [v.string_value for v in primary["command"].list_value.values] == [
        "sh",
        "-c",
        "echo {{.inputs.x}}",
    ]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"command": ["echo", "{{.inputs.y}}"], "inputs": {"x": int}},
            r"uses \{\{.inputs.y\}\}, but the task has no input 'y'",
        ),
        ({"command": "echo hi"}, "must be a list of strings"),
        ({"command": ["echo", 1]}, "strings only"),
        ({"command": ["x"], "metadata_format": 1}, "MetadataFormat"),
        ({"command": ["x"], "io_strategy": 1}, "IOStrategy"),
        ({"command": ["x"], "image": None}, "image must be"),
    ],
)
def test_definition_mistakes_are_refused(kwargs: dict[str, Any], match: str) -> None:
    kwargs = {"image": "alpine", **kwargs}
    with pytest.raises(TaskDefinitionError, match=match):
        ContainerTask(name="c.bad", **kwargs)


# -- local runs --------------------------------------------------------------------------------------

FAKE_DOCKER = """#!{python}
import json, os, subprocess, sys
args = sys.argv[1:]
with open(os.environ["FAKE_DOCKER_LOG"], "a") as log:
    log.write(json.dumps(args) + "\\n")
assert args[:2] == ["run", "--rm"], args
i, mounts, env, entrypoint = 2, {{}}, dict(os.environ), None
while args[i].startswith("-"):
    if args[i] == "-v":
        host, inside, _mode = args[i + 1].rsplit(":", 2)
        mounts[inside] = host
    elif args[i] == "-e":
        k, _, v = args[i + 1].partition("=")
        env[k] = v
    elif args[i] == "--entrypoint":
        entrypoint = args[i + 1]
    i += 2
command = ([entrypoint] if entrypoint else []) + args[i + 1:]
for inside, host in sorted(mounts.items(), key=lambda m: -len(m[0])):
    command = [c.replace(inside, host) for c in command]
sys.exit(subprocess.run(command, env=env).returncode)
"""


@pytest.fixture
def fake_docker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake ``docker`` first on PATH; returns the log of its calls (one JSON argv a line)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    docker = bin_dir / "docker"
    docker.write_text(FAKE_DOCKER.format(python=sys.executable))
    docker.chmod(0o755)
    log = tmp_path / "docker.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(log))
    return log


def _calls(log: Path) -> list[list[str]]:
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_a_local_call_runs_the_image_and_reads_the_outputs(fake_docker: Path) -> None:
    assert shapes.add(a=2, b=40) == 42
    (call,) = _calls(fake_docker)
    assert call[:2] == ["run", "--rm"]
    mounts = [call[i + 1] for i, a in enumerate(call) if a == "-v"]
    assert [m.rsplit(":", 2)[1:] for m in mounts] == [["/var/inputs", "rw"], ["/var/outputs", "rw"]]
    # command replaces the entrypoint (as on Kubernetes); {{.inputs.x}} is filled in where it stands
    assert call[call.index("--entrypoint") :] == [
        "--entrypoint",
        "sh",
        "alpine:3.19",
        "-c",
        "echo $(( 2 + 40 )) > /var/outputs/total",
    ]


def test_inputs_are_written_under_the_input_directory(fake_docker: Path, tmp_path: Path) -> None:
    data = tmp_path / "data.txt"
    data.write_text("payload")
    t = ContainerTask(
        name="c.copy",
        image="busybox",
        command=["sh", "-c", "cat /in/data /in/label > /out/report; echo {{.inputs.n}} > /out/n"],
        inputs={"data": FlyteFile, "label": str, "n": float},
        outputs={"report": FlyteFile, "n": float},
        input_data_dir="/in",
        output_data_dir="/out",
        environment={"MODE": "x"},
    )
    out = t(data=FlyteFile(str(data)), label="-L", n=1.5)
    assert Path(os.fspath(out.report)).read_text() == "payload-L"
    assert out.n == 1.5
    (call,) = _calls(fake_docker)
    assert call[call.index("-e") + 1] == "MODE=x"


def test_a_workflow_runs_a_container_task(fake_docker: Path) -> None:
    @task
    def double(x: int) -> int:
        return 2 * x

    @workflow
    def wf(a: int) -> int:
        return double(x=shapes.add(a=a, b=1))

    assert wf(a=4) == 10


def test_without_a_container_engine_the_task_says_what_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no docker, no podman
    with pytest.raises(NotSupportedError, match="needs docker or podman on PATH"):
        shapes.add(a=1, b=2)


def test_a_failing_container_is_a_user_error_with_its_status_and_stderr(fake_docker: Path) -> None:
    t = ContainerTask(name="c.fails", image="busybox", command=["sh", "-c", "echo broken >&2; exit 4"])
    with pytest.raises(TaskExecutionError, match=r"exited with status 4; the end of its stderr:\nbroken"):
        t()


def test_a_missing_output_is_named(fake_docker: Path) -> None:
    t = ContainerTask(
        name="c.forgets", image="busybox", command=["true"], outputs={"n": int}, output_data_dir="/out"
    )
    with pytest.raises(TaskExecutionError, match="did not write output 'n': no file at '/out/n'"):
        t()


def test_an_output_that_is_not_its_type_is_named(fake_docker: Path) -> None:
    t = ContainerTask(
        name="c.bad_out",
        image="busybox",
        command=["sh", "-c", "echo many > /out/n"],
        outputs={"n": int},
        output_data_dir="/out",
    )
    with pytest.raises(
        TaskExecutionError, match=r"output 'n' \('/out/n'\) holds 'many\\n', which is not a int"
    ):
        t()


def test_a_file_input_in_template_syntax_is_refused(fake_docker: Path, tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_text("x")
    t = ContainerTask(
        name="c.file_tpl",
        image="busybox",
        command=["cat", "{{.inputs.f}}"],
        inputs={"f": FlyteFile},
        input_data_dir="/in",
    )
    with pytest.raises(TaskExecutionError, match=r"name it by its path in the container \('/in/f'\)"):
        t(f=FlyteFile(str(f)))


def test_public_names() -> None:
    assert flyweight.ContainerTask is ContainerTask
    assert ContainerTask.MetadataFormat.PROTO.value == tasks_pb2.DataLoadingConfig.PROTO
