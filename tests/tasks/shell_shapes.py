"""``ShellTask`` and ``ContainerTask`` shapes, each made once with flyweight at module level.

The specs are functions of the classes, so the oracle tests make the very same tasks with flytekit's
classes, in code run as this module (same module, same names: the container arguments agree).
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import flyweight
from flyweight import ContainerTask, FlyteDirectory, FlyteFile, OutputLocation, ShellTask, kwtypes

SCRIPT_FILE = Path(__file__).with_name("shell_script.sh")


def shell_specs(
    output_location: Any, flyte_file: Any, flyte_directory: Any, resources: Any
) -> dict[str, dict[str, Any]]:
    """Keyword arguments of each ShellTask shape, for flyweight's or flytekit's classes."""
    return {
        "ints_and_strs": {
            "name": "shell.ints_and_strs",
            "script": 'echo "{inputs.word} {inputs.n}" > {outputs.out}',
            "inputs": kwtypes(n=int, word=str),
            "output_locs": [output_location("out", flyte_file, "{ctx.working_directory}/out.txt")],
        },
        "file_input": {
            "name": "shell.file_input",
            "script": "tr a-z A-Z < {inputs.f} > {outputs.upper}",
            "inputs": kwtypes(f=flyte_file),
            "output_locs": [output_location("upper", flyte_file, "{inputs.f}.upper")],
        },
        "output_dir": {
            "name": "shell.output_dir",
            "debug": True,
            "script": """
                mkdir -p {outputs.d}
                echo a > {outputs.d}/a.txt
                echo {inputs.n} > {outputs.d}/n.txt
            """,
            "inputs": kwtypes(n=int),
            "output_locs": [output_location("d", flyte_directory, "{ctx.working_directory}/outdir")],
        },
        "two_outputs": {
            "name": "shell.two_outputs",
            "script": "echo {inputs.when} > {outputs.f}; mkdir -p {outputs.d}; cp {outputs.f} {outputs.d}/c",
            "inputs": kwtypes(when=datetime.datetime),
            "output_locs": [
                output_location("f", flyte_file, "{ctx.working_directory}/when.txt"),
                output_location("d", flyte_directory, "{ctx.working_directory}/whendir"),
            ],
        },
        "script_file": {
            "name": "shell.script_file",
            "script_file": str(SCRIPT_FILE),
            "inputs": kwtypes(x=int),
            "output_locs": [output_location("out", flyte_file, "{ctx.working_directory}/from_file.txt")],
        },
        "no_outputs": {
            "name": "shell.no_outputs",
            "script": "test {inputs.n} -gt 0 && echo positive",
            "inputs": kwtypes(n=int),
            "shell": "/bin/bash",
        },
        "with_options": {
            "name": "shell.with_options",
            "script": "echo hi",
            "container_image": "ghcr.io/acme/shell:1",
            "requests": resources(cpu="1", mem="1Gi"),
            "limits": resources(cpu="2"),
            "environment": {"A": "b"},
        },
    }


SHELL = shell_specs(OutputLocation, FlyteFile, FlyteDirectory, flyweight.Resources)

ints_and_strs = ShellTask(**SHELL["ints_and_strs"])
file_input = ShellTask(**SHELL["file_input"])
output_dir = ShellTask(**SHELL["output_dir"])
two_outputs = ShellTask(**SHELL["two_outputs"])
script_file = ShellTask(**SHELL["script_file"])
no_outputs = ShellTask(**SHELL["no_outputs"])
with_options = ShellTask(**SHELL["with_options"])


def container_specs(
    container_task: Any, flyte_file: Any, resources: Any, secret: Any
) -> dict[str, dict[str, Any]]:
    """Keyword arguments of each ContainerTask shape, for flyweight's or flytekit's classes."""
    return {
        "add": {
            "name": "container.add",
            "image": "alpine:3.19",
            "command": ["sh", "-c", "echo $(( {{.inputs.a}} + {{.inputs.b}} )) > /var/outputs/total"],
            "inputs": kwtypes(a=int, b=int),
            "outputs": kwtypes(total=int),
            "input_data_dir": "/var/inputs",
            "output_data_dir": "/var/outputs",
        },
        "args_and_proto": {
            "name": "container.args_and_proto",
            "image": "ghcr.io/acme/tool:2",
            "command": ["python"],
            "arguments": ["/app/main.py", "{{ .inputs.label }}", "/var/inputs/data"],
            "inputs": kwtypes(label=str, data=flyte_file),
            "outputs": kwtypes(report=flyte_file),
            "input_data_dir": "/var/inputs",
            "output_data_dir": "/var/outputs",
            "metadata_format": container_task.MetadataFormat.PROTO,
            "requests": resources(cpu="1", mem="2Gi"),
            "limits": resources(mem="4Gi"),
            "environment": {"MODE": "fast"},
            "secret_requests": [secret(group="db", key="password")],
            "pod_template_name": "big-nodes",
        },
        "no_io": {
            "name": "container.no_io",
            "image": "{{.image.trainer.fqn}}:{{.image.trainer.version}}",
            "command": ["true"],
        },
        "two_outputs_yaml": {
            "name": "container.two_outputs_yaml",
            "image": "busybox",
            "command": ["sh", "-c"],
            "arguments": ["echo {{.inputs.x}} > /out/n; echo hi > /out/s"],
            "inputs": kwtypes(x=float),
            "outputs": kwtypes(n=float, s=str),
            "input_data_dir": "/in",
            "output_data_dir": "/out",
            "metadata_format": container_task.MetadataFormat.YAML,
            "resources": resources(cpu=("1", "2")),
        },
    }


CONTAINER = container_specs(ContainerTask, FlyteFile, flyweight.Resources, flyweight.Secret)

add = ContainerTask(**CONTAINER["add"])
args_and_proto = ContainerTask(**CONTAINER["args_and_proto"])
no_io = ContainerTask(**CONTAINER["no_io"])
two_outputs_yaml = ContainerTask(**CONTAINER["two_outputs_yaml"])
