"""``ShellTask``: a task whose body is a shell script, with ``{inputs.x}`` / ``{outputs.y}`` filled in.

flytekit's ``flytekit.extras.tasks.shell``, ported. The script (inline, or read from ``script_file``) is
a Python format string: ``{inputs.<name>}`` is an input's value (a ``FlyteFile`` or ``FlyteDirectory``
is downloaded and gives its local path, a ``datetime`` its ISO form), ``{outputs.<name>}`` the path an
output is to be written to (its :class:`OutputLocation`, itself a template of the inputs) and
``{ctx.<attribute>}`` the execution parameters (``{ctx.working_directory}``). The outputs are the files
and directories the script leaves at those paths.

It is an instance task (no function of its own): a container finds it by the module it was made in and
the module-level name bound to it, as flytekit's ``PythonInstanceTask``; its template is flytekit's.

Unlike flytekit, a template naming an input or output the task does not declare (or a shell ``${VAR}``
whose braces were not doubled) is refused when the task is made, a failing script is an error that
carries its exit status and the end of its stderr, and an output the script did not write is named.
"""

from __future__ import annotations

import dataclasses
import datetime
import os
import re
import signal
import string
import subprocess
import sys
import typing
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, TypeVar

from flyweight._context import current_context
from flyweight._interface import Interface
from flyweight._tasks._auto_container import PythonAutoContainerTask
from flyweight.errors import RecoverableError, TaskDefinitionError, TaskExecutionError
from flyweight.types import FlyteDirectory, FlyteFile

__all__ = [
    "OutputLocation",
    "ProcessResult",
    "RawShellTask",
    "ShellScriptError",
    "ShellTask",
    "get_raw_shell_task",
]

T = TypeVar("T")

_TAIL_LINES = 20
# A format field: its first name, then `.attr` or `[key]` (what str.format reads of `inputs.x`, `inputs[x]`).
_FIELD = re.compile(r"([^.\[]*)(?:\.([^.\[]*)|\[([^\]]*)\])?")
_TAIL_CHARS = 4000


@dataclasses.dataclass
class ProcessResult:
    """A finished script: its exit status, standard output and standard error."""

    returncode: int
    output: str
    error: str


@dataclasses.dataclass
class OutputLocation:
    """Where a ``ShellTask``'s script writes one output.

    Args:
        var: the output's name.
        var_type: ``FlyteFile`` or ``FlyteDirectory`` (or a subclass such as ``FlyteFile["csv"]``).
        location: the path, a template of the inputs: ``"{inputs.name}.out"``,
            ``"{ctx.working_directory}/report.md"``.
    """

    var: str
    var_type: type
    location: str | os.PathLike[str]


class ShellScriptError(RecoverableError):
    """A ``ShellTask``'s script exited with a non-zero status (USER, RECOVERABLE as in flytekit).

    ``returncode``, ``stdout`` and ``stderr`` are the script's; the message carries the status and the
    end of its stderr.
    """

    def __init__(self, message: str, returncode: int, stdout: str, stderr: str) -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr


class _Names(dict):  # type: ignore[type-arg]
    """``inputs`` / ``outputs`` in a template: a dict read by attribute (``{inputs.x}``)."""

    def __init__(self, what: str, values: Mapping[str, Any]) -> None:
        super().__init__(values)
        self._what = what

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            have = ", ".join(self) or "none"
            raise TaskDefinitionError(
                f"the template uses {{{self._what}.{name}}}: no such {self._what[:-1]} (there are: {have})"
            ) from None


class _Formatter(string.Formatter):
    """``str.format`` with files and directories as their local paths and datetimes in ISO form."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        if isinstance(value, (FlyteFile, FlyteDirectory)):
            return os.fspath(value)  # downloads it first, once
        if isinstance(value, datetime.datetime):
            return value.isoformat()
        return super().format_field(value, format_spec)


def _tail(text: str) -> str:
    lines = text.rstrip().splitlines()[-_TAIL_LINES:]
    tail = "\n".join(lines)
    if len(tail) > _TAIL_CHARS:
        tail = "…" + tail[-_TAIL_CHARS:]
    return tail


def check_template(
    owner: str, what: str, template: str, inputs: Iterable[str], outputs: Iterable[str] | None
) -> None:
    """Refuse a template that names an input or output the task does not have, or is malformed.

    ``outputs`` is None where ``{outputs.x}`` cannot be used (an output location itself).

    Raises:
        TaskDefinitionError: naming the field and what the task has.
    """
    names = {"inputs": list(inputs), "outputs": list(outputs) if outputs is not None else None}
    braces = "write a literal brace as {{ or }} (a shell variable as ${{VAR}})"
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as e:
        raise TaskDefinitionError(f"{owner}: {what} is not a valid template ({e}); {braces}") from None
    for _, field, _, _ in parsed:
        if field is None:
            continue
        m = _FIELD.match(field)
        first, key = (m[1], m[2] if m[2] is not None else m[3]) if m else (field, None)
        if first not in ("inputs", "outputs", "ctx"):
            raise TaskDefinitionError(
                f"{owner}: {what} uses {{{field}}}; only {{inputs.<name>}}, {{outputs.<name>}} and "
                f"{{ctx.<attribute>}} are filled in; {braces}"
            )
        if first == "ctx":
            continue
        declared = names[first]
        if declared is None:
            raise TaskDefinitionError(
                f"{owner}: {what} uses {{{field}}}; an output location can use inputs and ctx only"
            )
        if key is None:
            raise TaskDefinitionError(f"{owner}: {what} uses {{{field}}}; name one: {{{first}.<name>}}")
        if key not in declared:
            raise TaskDefinitionError(
                f"{owner}: {what} uses {{{field}}}, but the task has no {first[:-1]} {key!r} "
                f"({first}: {', '.join(declared) or 'none'}); declare it, or {braces}"
            )


def interpolate(
    template: str, inputs: Mapping[str, Any] | None = None, outputs: Mapping[str, Any] | None = None
) -> str:
    """``template`` with ``{inputs.x}``, ``{outputs.y}`` and ``{ctx.attr}`` filled in (flytekit's
    ``_PythonFStringInterpolizer.interpolate``)."""
    return _Formatter().format(
        template,
        inputs=_Names("inputs", inputs or {}),
        outputs=_Names("outputs", outputs or {}),
        ctx=current_context(),
    )


def _is_subclass(value: object, base: type) -> bool:
    return isinstance(value, type) and issubclass(value, base)


class ShellTask(PythonAutoContainerTask[T]):
    """A task that runs a shell script: flytekit's ``ShellTask``.

    Args:
        name: the task's name.
        debug: print the script, filled in, before running it.
        script: the script, a template: ``{inputs.x}``, ``{outputs.y}``, ``{ctx.working_directory}``;
            literal braces are doubled (``${{HOME}}``).
        script_file: a file holding the script instead (read when the task runs).
        task_config: must be None (flytekit's ``Pod`` config: use ``pod_template=`` instead).
        shell: the shell that runs the script.
        inputs: input name → type (or ``(type, default)``).
        output_locs: the outputs: :class:`OutputLocation` of ``FlyteFile`` / ``FlyteDirectory`` type.
        **kwargs: what ``PythonAutoContainerTask`` takes (``container_image``, ``requests``, ``metadata``…).

    Raises:
        TaskDefinitionError: neither or both of ``script`` and ``script_file``, a script file that does not
            exist, a template naming an undeclared input or output, an output that is not a file or a
            directory, a ``task_config``.

    Example:
        >>> from flyweight.types import FlyteFile
        >>> t = ShellTask(
        ...     "greet",
        ...     script="echo 'hello {inputs.who}' > {outputs.out}",
        ...     inputs={"who": str},
        ...     output_locs=[OutputLocation("out", FlyteFile, "{ctx.working_directory}/greeting.txt")],
        ... )
        >>> open(t(who="world")).read()
        'hello world\\n'
    """

    _EXTRA_INPUTS: ClassVar[tuple[str, ...]] = ()  # names filled in at run time besides the inputs

    def __init__(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
        self,
        name: str,
        debug: bool = False,
        script: str | None = None,
        script_file: str | os.PathLike[str] | None = None,
        task_config: T | None = None,
        shell: str = "/bin/sh",
        inputs: Mapping[str, Any] | None = None,
        output_locs: list[OutputLocation] | None = None,
        **kwargs: Any,
    ) -> None:
        owner = f"ShellTask {name!r}"
        if script and script_file:
            raise TaskDefinitionError(f"{owner}: give either script= or script_file=, not both")
        if not script and not script_file:
            raise TaskDefinitionError(f"{owner}: a script is needed: give script= or script_file=")
        if script is not None and not isinstance(script, str):
            raise TaskDefinitionError(f"{owner}: script must be a str, got {type(script).__name__}")
        if script_file:
            if not os.path.exists(script_file):
                raise TaskDefinitionError(
                    f"{owner}: the script file {os.fspath(script_file)!r} does not exist"
                )
            script_file = os.path.abspath(script_file)
        if task_config is not None:
            raise TaskDefinitionError(
                f"{owner}: task_config must be None (flytekit accepts flytekitplugins-pod's Pod only); "
                "give pod_template=flyweight.PodTemplate(...) for a pod"
            )
        self._owner = owner
        self._script = script
        self._script_file = None if script_file is None else os.fspath(script_file)
        self._debug = debug
        self._shell = shell
        self._output_locs = list(output_locs or [])
        outputs = self._validate_output_locs()
        self._process_result: ProcessResult | None = None
        super().__init__(
            name,
            task_config,
            task_type="python-task",
            interface=Interface(inputs=dict(inputs or {}), outputs=outputs),
            **kwargs,
        )
        input_names = [*self.python_interface.inputs, *self._EXTRA_INPUTS]
        for loc in self._output_locs:
            check_template(
                owner, f"the location of output {loc.var!r}", os.fspath(loc.location), input_names, None
            )
        self._check_script(self._read_script())

    def _validate_output_locs(self) -> dict[str, Any]:
        outputs: dict[str, Any] = {}
        for v in self._output_locs:
            if not isinstance(v, OutputLocation):
                raise TaskDefinitionError(
                    f"{self._owner}: every output is an OutputLocation(var, var_type, location), got "
                    f"{type(v).__name__} {v!r}"
                )
            if v.location is None:
                raise TaskDefinitionError(f"{self._owner}: output {v.var!r} has no location")
            if not _is_subclass(v.var_type, FlyteFile) and not _is_subclass(v.var_type, FlyteDirectory):
                raise TaskDefinitionError(
                    f"{self._owner}: output {v.var!r} is declared {v.var_type!r}; a shell task's outputs are "
                    "files and directories the script writes: FlyteFile or FlyteDirectory (or a subclass)"
                )
            if v.var in outputs:
                raise TaskDefinitionError(f"{self._owner}: output {v.var!r} is declared twice")
            outputs[v.var] = v.var_type
        return outputs

    def _check_script(self, script: str) -> None:
        what = f"the script file {self._script_file!r}" if self._script_file else "the script"
        check_template(
            self._owner,
            what,
            script,
            [*self.python_interface.inputs, *self._EXTRA_INPUTS],
            list(self.python_interface.outputs),
        )

    def _read_script(self) -> str:
        if self._script_file is None:
            return self._script or ""
        try:
            with open(self._script_file, encoding="utf-8") as f:
                return f.read()
        except OSError as e:
            raise TaskExecutionError(
                f"{self._owner}: cannot read the script file {self._script_file!r}: {e}"
            ) from e

    @property
    def result(self) -> ProcessResult | None:
        """The last run's exit status, standard output and standard error (None before a run)."""
        return self._process_result

    @property
    def script(self) -> str | None:
        """The inline script (None when it is read from ``script_file``)."""
        return self._script

    @property
    def script_file(self) -> str | None:
        """The absolute path of the script file, or None."""
        return self._script_file

    @property
    def output_locs(self) -> list[OutputLocation]:
        """The outputs and where the script writes them."""
        return list(self._output_locs)

    def _script_inputs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The values ``{inputs.x}`` reads (subclasses add their own)."""
        return kwargs

    def execute(self, **kwargs: Any) -> Any:
        """Fill in the script, run it, and return the files and directories it wrote.

        Raises:
            ShellScriptError: the script exited with a non-zero status (USER, RECOVERABLE).
            TaskExecutionError: it exited 0 but left an output missing, or the script file is unreadable.
            TaskDefinitionError: the script file names an input or output the task does not have.
        """
        script = self._read_script()
        if self._script_file is not None:
            self._check_script(script)
        values = self._script_inputs(kwargs)
        locations = {v.var: interpolate(os.fspath(v.location), inputs=values) for v in self._output_locs}
        generated = interpolate(script, inputs=values, outputs=locations)
        if self._debug:
            print("\n==============================================\n")
            print(generated)
            print("\n==============================================\n")
        self._process_result = result = _run_script(generated, self._shell)
        if result.returncode != 0:
            raise ShellScriptError(
                self._failure_message(result), result.returncode, result.output, result.error
            )
        return self._collect(locations, result)

    def _failure_message(self, result: ProcessResult) -> str:
        code = result.returncode
        if code < 0:
            try:
                how = f"was killed by signal {signal.Signals(-code).name}"
            except ValueError:
                how = f"was killed by signal {-code}"
        else:
            how = f"exited with status {code}"
        message = f"{self._owner}: the script ({self._shell}) {how}"
        if result.error.strip():
            return f"{message}; the end of its stderr:\n{_tail(result.error)}"
        if result.output.strip():
            return f"{message} and wrote nothing to stderr; the end of its stdout:\n{_tail(result.output)}"
        return f"{message} and wrote nothing to stdout or stderr"

    def _collect(self, locations: Mapping[str, str], result: ProcessResult) -> Any:
        final: list[Any] = []
        for v in self._output_locs:
            path = locations[v.var]
            is_dir = _is_subclass(v.var_type, FlyteDirectory)
            ok = os.path.isdir(path) if is_dir else os.path.isfile(path)
            if not ok:
                kind = "directory" if is_dir else "file"
                found = " (a directory is there)" if os.path.isdir(path) else ""
                found = " (a file is there)" if is_dir and os.path.exists(path) else found
                stderr = f"; the end of its stderr:\n{_tail(result.error)}" if result.error.strip() else ""
                raise TaskExecutionError(
                    f"{self._owner}: the script exited 0 but did not write output {v.var!r}: no {kind} at "
                    f"{path!r}{found}; write it to {{outputs.{v.var}}} in the script{stderr}"
                )
            final.append(FlyteDirectory(path) if is_dir else FlyteFile(path))
        if not final:
            return None
        return final[0] if len(final) == 1 else tuple(final)


def _run_script(script: str, shell: str) -> ProcessResult:
    """Run ``script`` with ``shell``; its stdout is echoed to ours (as flytekit prints it), its stderr to
    our stderr, and both are kept."""
    try:
        proc = subprocess.run(
            script,
            shell=True,
            executable=shell,
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
        )
    except OSError as e:  # the shell itself cannot be started
        raise TaskExecutionError(
            f"cannot start the shell {shell!r}: {e}; pass shell= with one that exists"
        ) from e
    if proc.stdout:
        sys.stdout.write(proc.stdout if proc.stdout.endswith("\n") else proc.stdout + "\n")
    if proc.stderr:
        sys.stderr.write(proc.stderr if proc.stderr.endswith("\n") else proc.stderr + "\n")
    return ProcessResult(proc.returncode, proc.stdout, proc.stderr)


class RawShellTask(ShellTask[T]):
    """A ``ShellTask`` whose script also gets ``{inputs.export_env}``: ``export k=v`` lines of its ``env``
    input (flytekit's ``RawShellTask``; made by :func:`get_raw_shell_task`)."""

    _EXTRA_INPUTS: ClassVar[tuple[str, ...]] = ("export_env",)

    def __init__(  # noqa: PLR0917 - flytekit's positional order, kept for ported callers
        self,
        name: str,
        debug: bool = False,
        script: str | None = None,
        script_file: str | None = None,
        task_config: T | None = None,
        inputs: Mapping[str, Any] | None = None,
        output_locs: list[OutputLocation] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            name=name,
            debug=debug,
            script=script,
            script_file=script_file,
            task_config=task_config,
            inputs=inputs,
            output_locs=output_locs,
            **kwargs,
        )

    @staticmethod
    def make_export_string_from_env_dict(d: Mapping[str, str]) -> str:
        """``export k=v`` lines, one per item."""
        return "\n".join(f"export {k}={v}" for k, v in d.items())

    def _script_inputs(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        env = kwargs.get("env")
        if isinstance(env, dict):
            return {**kwargs, "export_env": self.make_export_string_from_env_dict(env)}
        return kwargs


_RAW_SCRIPT = """
#!/bin/bash

set -uex

cd {ctx.working_directory}

{inputs.export_env}

bash {inputs.script_file} {inputs.script_args}
"""


def get_raw_shell_task(name: str) -> RawShellTask[Any]:
    """A :class:`RawShellTask` that runs ``bash <script_file> <script_args>`` with the ``env`` input
    exported, in the working directory, and returns that directory as ``out`` (flytekit's)."""
    return RawShellTask(
        name=name,
        debug=True,
        inputs={"env": typing.Dict[str, str], "script_args": str, "script_file": str},  # noqa: UP006
        output_locs=[OutputLocation(var="out", var_type=FlyteDirectory, location="{ctx.working_directory}")],
        script=_RAW_SCRIPT,
    )
