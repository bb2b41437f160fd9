"""``ContainerTask``: a raw container — any image, any program, no Flyte SDK inside.

flytekit's ``flytekit.core.container_task.ContainerTask``, ported. Its template is flytekit's: task type
``raw-container``, the user's ``command`` and ``arguments`` (Flyte fills ``{{.inputs.x}}`` in them), and a
``DataLoadingConfig``: Flyte's copilot sidecar writes the inputs as files under ``input_data_dir`` and
reads the outputs from files named after them under ``output_data_dir``.

Locally flytekit runs the image with the ``docker`` Python package. flyweight runs it with the ``docker``
or ``podman`` program when one is on ``PATH`` (no Python package needed) and does what Flyte does around
it: every input is written under ``input_data_dir`` (files and directories copied, other values as
text), ``{{.inputs.x}}`` is filled in anywhere in the command and arguments, ``command`` replaces the
image's entrypoint as Kubernetes has it, and the outputs are read from ``output_data_dir``. A container
that exits with a non-zero status, or leaves an output unwritten, is a USER error saying so.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from typing import Any

from flyweight import _idl
from flyweight._context import current_context
from flyweight._interface import Interface
from flyweight._serialize._container import container, k8s_pod, merge_env, pod_spec
from flyweight._settings import Resources, Secret, SerializationSettings, resolve_image
from flyweight._settings._image_spec import ImageSpec
from flyweight._tasks._auto_container import (
    PRIMARY_CONTAINER_NAME_FIELD,
    _check_metadata,
    _check_secrets,
    _resource_spec,
    check_pod_template,
)
from flyweight._tasks._checks import str_dict
from flyweight._tasks._container_parts import ResourceSpec, spec_for_settings
from flyweight._tasks._metadata import TaskMetadata
from flyweight._tasks._task import PythonTask
from flyweight.errors import NotSupportedError, TaskDefinitionError, TaskExecutionError
from flyweight.types import FlyteDirectory, FlyteFile

__all__ = ["ContainerTask"]

ENGINES = ("docker", "podman")
# Flyte's propeller fills these anywhere in a raw container's command and arguments.
_INPUT = re.compile(r"\{\{\s*\.inputs\.(.*?)\s*\}\}", re.IGNORECASE)
_TAIL_LINES = 20


class _MetadataFormat(enum.Enum):
    """How copilot writes the inputs' metadata file (``DataLoadingConfig.LiteralMapFormat``)."""

    JSON = 0
    YAML = 1
    PROTO = 2


class _IOStrategy(enum.Enum):
    """When copilot downloads the inputs and uploads the outputs (``IOStrategy``): one member per mode.

    flytekit's enum gives download and upload modes the same numbers, so its upload members are aliases
    of download members (and its template cannot be written with any of them); here each is its own.
    """

    DOWNLOAD_EAGER = ("download_mode", 0)
    DOWNLOAD_STREAM = ("download_mode", 1)
    DO_NOT_DOWNLOAD = ("download_mode", 2)
    UPLOAD_ON_EXIT = ("upload_mode", 0)
    UPLOAD_EAGER = ("upload_mode", 1)
    DO_NOT_UPLOAD = ("upload_mode", 2)


def _tail(text: str) -> str:
    return "\n".join(text.rstrip().splitlines()[-_TAIL_LINES:])


def _string_to_timedelta(s: str) -> datetime.timedelta:
    """``str(timedelta)`` read back: ``[D day[s], ][H:]MM:SS[.ffffff]`` (flytekit's rule)."""
    parts = re.match(r"(?:(-?\d+) days?, )?(?:(\d+):)?(\d+):(\d+)(?:\.(\d+))?", s.strip())
    if not parts:
        raise ValueError(f"{s!r} is not a duration written as str(timedelta) ('1 day, 2:03:04.5')")
    days, hours, minutes, seconds, micro = (int(g) if g else 0 for g in parts.groups())
    return datetime.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds, microseconds=micro)


class ContainerTask(PythonTask[None]):
    """A task that runs a container image of the user's own: flytekit's ``ContainerTask``.

    Args:
        name: the task's name.
        image: the image (may use ``{{.image.<name>.fqn}}`` placeholders), or an :class:`ImageSpec`
            naming the image built from it (nothing is built; a local run runs ``image_name()``).
        command: the program (replaces the image's entrypoint); Flyte fills ``{{.inputs.x}}`` in it.
        inputs: input name → type.
        metadata: task metadata.
        arguments: the program's arguments (``{{.inputs.x}}`` filled in too).
        outputs: output name → type; each is read from the file ``<output_data_dir>/<name>``.
        requests: resource requests.
        limits: resource limits.
        input_data_dir: where the inputs are written in the container (``/var/inputs``).
        output_data_dir: where the program writes its outputs (``/var/outputs``).
        metadata_format: the format of copilot's inputs metadata file: ``ContainerTask.MetadataFormat``.
        io_strategy: when copilot moves data: a ``ContainerTask.IOStrategy`` member.
        secret_requests: secrets the task needs.
        pod_template: the pod to run in (``flyweight.PodTemplate``).
        pod_template_name: the name of a PodTemplate on the cluster.
        local_logs: print the container's output during a local run.
        resources: requests and limits in one (not with ``requests``/``limits``).
        **kwargs: what ``PythonTask`` takes (``environment``, ``docs``…).
    """

    MetadataFormat = _MetadataFormat
    IOStrategy = _IOStrategy

    def __init__(  # noqa: PLR0917 - flytekit's signature, kept for ported callers
        self,
        name: str,
        image: str | ImageSpec,
        command: list[str],
        inputs: Mapping[str, Any] | None = None,
        metadata: TaskMetadata | None = None,
        arguments: list[str] | None = None,
        outputs: Mapping[str, Any] | None = None,
        requests: Resources | None = None,
        limits: Resources | None = None,
        input_data_dir: str | None = None,
        output_data_dir: str | None = None,
        metadata_format: _MetadataFormat = _MetadataFormat.JSON,
        io_strategy: _IOStrategy | None = None,
        secret_requests: list[Secret] | None = None,
        pod_template: object = None,
        pod_template_name: str | None = None,
        local_logs: bool = False,
        resources: Resources | None = None,
        **kwargs: Any,
    ) -> None:
        owner = f"ContainerTask {name!r}"
        if not isinstance(image, ImageSpec) and (not isinstance(image, str) or not image):
            raise TaskDefinitionError(
                f"{owner}: image must be an image name such as 'alpine:3.19' or a flyweight.ImageSpec, got "
                f"{type(image).__name__} {image!r}"
            )
        self._cmd = self._strings(owner, "command", command)
        self._args = self._strings(owner, "arguments", arguments) if arguments is not None else None
        if not isinstance(metadata_format, _MetadataFormat):
            raise TaskDefinitionError(
                f"{owner}: metadata_format must be ContainerTask.MetadataFormat.JSON, YAML or PROTO, got "
                f"{metadata_format!r}"
            )
        if io_strategy is not None and not isinstance(io_strategy, _IOStrategy):
            raise TaskDefinitionError(
                f"{owner}: io_strategy must be a ContainerTask.IOStrategy member, got {io_strategy!r}"
            )
        metadata = _check_metadata(metadata)
        if pod_template_name is not None:
            metadata = dataclasses.replace(metadata, pod_template_name=pod_template_name)
        environment = kwargs.pop("environment", None)
        super().__init__(
            task_type="raw-container",
            name=name,
            interface=Interface(inputs=dict(inputs or {}), outputs=dict(outputs or {})),
            metadata=metadata,
            task_config=None,
            security_ctx=_check_secrets(secret_requests),
            environment=None if environment is None else str_dict("environment", environment),
            **kwargs,
        )
        self._owner = owner
        self._image = image
        self._input_data_dir = input_data_dir
        self._output_data_dir = output_data_dir
        self._md_format = metadata_format
        self._io_strategy = io_strategy
        self._resources: ResourceSpec = _resource_spec(requests, limits, resources)
        self._pod_template = check_pod_template(f"{owner}: ", pod_template)
        self.local_logs = local_logs
        declared = list(self.python_interface.inputs)
        for arg in [*self._cmd, *(self._args or [])]:
            for m in _INPUT.finditer(arg):
                if m[1] not in declared:
                    raise TaskDefinitionError(
                        f"{owner}: {arg!r} uses {m[0]}, but the task has no input {m[1]!r} "
                        f"(inputs: {', '.join(declared) or 'none'})"
                    )

    @staticmethod
    def _strings(owner: str, what: str, value: object) -> list[str]:
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise TaskDefinitionError(
                f"{owner}: {what} must be a list of strings (['sh', '-c', '...']), got "
                f"{type(value).__name__} "
                f"{value!r}"
            )
        bad = [v for v in value if not isinstance(v, str)]
        if bad:
            raise TaskDefinitionError(f"{owner}: {what} must hold strings only, got {bad[0]!r}")
        return list(value)

    # -- what the template says --------------------------------------------------------------------
    @property
    def resources(self) -> ResourceSpec:
        return self._resources

    @property
    def pod_template(self) -> Any:
        """The task's pod template, or None."""
        return self._pod_template

    def _data_loading_config(self) -> _idl.DataLoadingConfig:
        out = _idl.DataLoadingConfig(
            enabled=True,
            input_path=self._input_data_dir or "",
            output_path=self._output_data_dir or "",
            format=self._md_format.name,  # the enum value's name in flyteidl
        )
        if self._io_strategy is not None:
            field, mode = self._io_strategy.value
            out.io_strategy.SetInParent()
            setattr(out.io_strategy, field, mode)
        return out

    def _container(self, settings: SerializationSettings) -> _idl.Container:
        return container(
            image=self._serialized_image(settings),
            command=self._cmd,
            args=self._args or [],
            requests=self._resources.requests,
            limits=self._resources.limits,
            env=merge_env(settings.env, self.environment),
            data_config=self._data_loading_config(),
        )

    def _serialized_image(self, settings: SerializationSettings) -> str:
        image = self._image
        if isinstance(image, ImageSpec):
            image = spec_for_settings(image, settings)
        return resolve_image(image, settings.image_config)

    @property
    def _local_image(self) -> str:
        """The image a local run starts: an image spec's ``image_name()``."""
        return self._image.image_name() if isinstance(self._image, ImageSpec) else self._image

    def get_container(self, settings: SerializationSettings) -> _idl.Container | None:
        """The raw container, or None with a pod template (it is then inside ``k8s_pod``)."""
        return None if self._pod_template is not None else self._container(settings)

    def get_k8s_pod(self, settings: SerializationSettings) -> _idl.K8sPod | None:
        if self._pod_template is None:
            return None
        spec = pod_spec(self._pod_template, self._container(settings), settings.image_config)
        return k8s_pod(
            spec, self._pod_template, primary_container_name=False, data_config=self._data_loading_config()
        )

    def get_config(self, settings: SerializationSettings) -> dict[str, str]:
        if self._pod_template is None:
            return {}
        return {PRIMARY_CONTAINER_NAME_FIELD: self._pod_template.primary_container_name}

    # -- running it locally --------------------------------------------------------------------------
    def execute(self, **kwargs: Any) -> Any:
        """Run the image with ``docker`` or ``podman`` and read the outputs back.

        Raises:
            NotSupportedError: neither ``docker`` nor ``podman`` is on ``PATH``.
            TaskExecutionError: the container exited with a non-zero status, left an output unwritten or
                wrote one that cannot be read as its type; a file or directory input is named with
                ``{{.inputs.x}}`` (Flyte would give the container its remote URI).
        """
        engine = next((found for e in ENGINES if (found := shutil.which(e))), None)
        if engine is None:
            raise NotSupportedError(
                f"{self._owner}: running a raw container locally needs docker or podman on PATH, and neither "
                f"was found (PATH={os.environ.get('PATH', '')!r}); install one, or run the task on Flyte"
            )
        work = tempfile.mkdtemp(prefix="container-task-", dir=current_context().working_directory)
        in_dir, out_dir = os.path.join(work, "inputs"), os.path.join(work, "outputs")
        os.mkdir(in_dir)
        os.mkdir(out_dir)
        for k, v in kwargs.items():
            self._write_input(os.path.join(in_dir, k), v)
        argv = [self._fill(a, kwargs) for a in [*self._cmd, *(self._args or [])]]
        run = [engine, "run", "--rm"]
        in_path = os.path.normpath(self._input_data_dir) if self._input_data_dir else ""
        out_path = os.path.normpath(self._output_data_dir) if self._output_data_dir else ""
        if in_path:
            run += ["-v", f"{in_dir}:{in_path}:rw"]
        if out_path:
            run += ["-v", f"{out_dir}:{out_path}:rw"]
        for key, value in self.environment.items():
            run += ["-e", f"{key}={value}"]
        if self._cmd:  # Kubernetes: `command` replaces the image's entrypoint, `args` follow it
            run += ["--entrypoint", argv[0], self._local_image, *argv[1:]]
        else:
            run += [self._local_image, *argv]
        proc = subprocess.run(run, capture_output=True, text=True, errors="replace", check=False)
        if self.local_logs:
            for line in (proc.stdout + proc.stderr).splitlines():
                print(f"[Local Container] {line}")
        if proc.returncode != 0:
            stderr = f"; the end of its stderr:\n{_tail(proc.stderr)}" if proc.stderr.strip() else ""
            raise TaskExecutionError(
                f"{self._owner}: the container ({os.path.basename(engine)} run {self._local_image}) exited "
                f"with status {proc.returncode}{stderr}"
            )
        return self._read_outputs(out_dir, proc.stderr)

    def _fill(self, arg: str, values: Mapping[str, Any]) -> str:
        def sub(m: re.Match[str]) -> str:
            value = values.get(m[1])
            if isinstance(value, (FlyteFile, FlyteDirectory)):
                where = os.path.join(self._input_data_dir or "<input_data_dir>", m[1])
                raise TaskExecutionError(
                    f"{self._owner}: input {m[1]!r} is a file or directory; name it by its path in the "
                    f"container ({where!r}), not {m[0]} (Flyte would fill in its remote URI)"
                )
            return _text(value)

        return _INPUT.sub(sub, arg)

    @staticmethod
    def _write_input(path: str, value: Any) -> None:
        if isinstance(value, FlyteDirectory):
            shutil.copytree(os.fspath(value), path)
        elif isinstance(value, FlyteFile):
            shutil.copyfile(os.fspath(value), path)
        else:
            with open(path, "w", encoding="utf-8") as f:
                f.write(_text(value))

    def _read_outputs(self, out_dir: str, stderr: str) -> Any:
        values: list[Any] = []
        for k, output_type in self.python_interface.outputs.items():
            path = os.path.join(out_dir, k)
            in_container = os.path.join(self._output_data_dir or "", k)
            is_dir = output_type is FlyteDirectory or (
                isinstance(output_type, type) and issubclass(output_type, FlyteDirectory)
            )
            if not (os.path.isdir(path) if is_dir else os.path.isfile(path)):
                tail = f"; the end of its stderr:\n{_tail(stderr)}" if stderr.strip() else ""
                raise TaskExecutionError(
                    f"{self._owner}: the container exited 0 but did not write output {k!r}: no "
                    f"{'directory' if is_dir else 'file'} at {in_container!r}{tail}"
                )
            if is_dir:
                values.append(FlyteDirectory(path))
            elif isinstance(output_type, type) and issubclass(output_type, FlyteFile):
                values.append(FlyteFile(path))
            else:
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                try:
                    values.append(_convert(text, output_type))
                except (ValueError, TypeError) as e:
                    raise TaskExecutionError(
                        f"{self._owner}: output {k!r} ({in_container!r}) holds {text[:200]!r}, which is "
                        "not a "
                        f"{getattr(output_type, '__name__', output_type)}: {e}"
                    ) from e
        if not values:
            return None
        return values[0] if len(values) == 1 else tuple(values)


def _text(value: Any) -> str:
    """A value as the text copilot and propeller give the container (booleans and times as Python
    writes them, as flytekit's local run does)."""
    return str(value)


def _convert(text: str, output_type: Any) -> Any:
    """An output file's text as its declared type (flytekit's ``_convert_output_val_to_correct_type``)."""
    if output_type is bool:
        return text.strip().lower() != "false"
    if output_type is datetime.datetime:
        return datetime.datetime.fromisoformat(text.strip())
    if output_type is datetime.timedelta:
        return _string_to_timedelta(text)
    if output_type in (int, float):
        return output_type(text.strip())
    return output_type(text)
