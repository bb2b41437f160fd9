"""``flyweight run FILE ENTITY [--input VALUE]...``: run a workflow, launch plan or task on this machine.

``run`` is a click group whose subcommand is the file (loaded as ``package`` loads it) and whose
sub-subcommand is the entity (its name at module level); the entity's command has one option per input
(:mod:`flyweight._cli._inputs`) and the engine's switches. A task runs as the one node of a workflow made
for it, so switches, retries, the cache and progress apply alike. The run goes through the local engine
(``flyweight._runtime.run_workflow``; ADR 0012) with a progress view (:mod:`flyweight._cli._progress`);
a failed node prints the engine's report and exits with status 1; the outputs are printed at the end.

The temporary blob directory of a successful run is removed after the outputs are printed, unless
``--keep-blob-dir`` or ``--blob-dir`` was given or an output points into it (a file made by a task in a
subprocess); a failed or interrupted run keeps it and says where it is. Ctrl-C (SIGINT) or SIGTERM stops
the run — its subprocesses ended, the nodes it did not finish shown as cancelled — and ends the command
by that signal (a shell sees status 130 or 143).
"""

from __future__ import annotations

import inspect
import os
import shutil
import signal
import sys
import typing
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from flyweight.errors import FlyweightError, WorkflowExecutionError

if TYPE_CHECKING:
    from flyweight._cli._load import Entity
    from flyweight._runtime._cache import LocalCache
    from flyweight._runtime._run import LocalRun
    from flyweight._tasks import PythonTask
    from flyweight._workflows import LaunchPlan, PythonFunctionWorkflow, WorkflowBase

__all__ = ["RunGroup", "format_value"]

_SWITCHES = (
    "--in-process",
    "--isolated",
    "--workers",
    "--blob-dir",
    "--keep-blob-dir",
    "--cache",
    "--no-cache",
    "--overwrite-cache",
    "--gate",
    "--gate-file",
    "--skip-sleep",
    "--in-image",
)


def _source_root(file: str) -> Path:
    """The working directory when ``file`` is below it, else the file's own directory."""
    cwd = Path.cwd().resolve()
    path = Path(file).resolve()
    if path == cwd or cwd in path.parents:
        return cwd
    return path.parent if path.is_file() else cwd


def _load(file: str) -> tuple[ModuleType, dict[str, Entity], Path]:
    from flyweight._cli._load import collect_entities, load_modules

    root = _source_root(file)
    try:
        modules = load_modules([file], root)
    except FlyweightError as e:
        raise click.ClickException(str(e)) from e
    module = modules[0]
    found = {id(v): v for v in collect_entities([module])}
    named = {k: found[id(v)] for k, v in vars(module).items() if id(v) in found and not k.startswith("_")}
    return module, named, root


def _find(named: dict[str, Entity], entity: str, file: str, module: ModuleType | None = None) -> Entity:
    if entity in named:
        return named[entity]
    for value in named.values():
        full = value.name
        if entity in (full, full.rsplit(".", 1)[-1]):
            return value
    known = ", ".join(sorted(named)) or "none"
    if module is not None and hasattr(module, entity):
        value = getattr(module, entity)
        what = (
            "a function (decorate it with flyweight's @task or @workflow)"
            if inspect.isfunction(value)
            else f"of type {type(value).__module__}.{type(value).__qualname__}".replace("builtins.", "")
        )
        raise click.UsageError(
            f"{entity!r} in {file} is {what}, not a task, workflow or launch plan (found: {known})"
        )
    raise click.UsageError(f"no task, workflow or launch plan named {entity!r} in {file} (found: {known})")


def _workflow_of_task(task: PythonTask[Any]) -> PythonFunctionWorkflow:
    """A workflow whose one node runs ``task``, with the task's inputs, defaults and outputs."""
    from flyweight._interface import NO_DEFAULT
    from flyweight._workflows import workflow

    iface = task.python_interface
    params = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            annotation=py_type,
            default=inspect.Parameter.empty if default is NO_DEFAULT or default is None else default,
        )
        for name, (py_type, default) in iface.inputs_with_defaults.items()
    ]
    outputs = iface.outputs
    names = list(outputs)
    returns: Any
    if not outputs:
        returns = None
    elif names == ["o0"]:
        returns = outputs["o0"]
    elif names == [f"o{i}" for i in range(len(names))]:
        returns = tuple.__class_getitem__(tuple(outputs.values()))
    else:
        returns = typing.NamedTuple(iface.output_tuple_name or "Outputs", list(outputs.items()))  # type: ignore[misc,no-redef]

    def body(**kwargs: Any) -> Any:
        return task(**kwargs)

    short = task.name.rsplit(".", 1)[-1]
    body.__name__ = body.__qualname__ = short
    body.__module__ = task.name.rsplit(".", 1)[0] if "." in task.name else "__main__"
    body.__doc__ = None
    body.__annotations__ = {**{p.name: p.annotation for p in params}, "return": returns}
    body.__signature__ = inspect.Signature(params, return_annotation=returns)  # type: ignore[attr-defined]
    return workflow(body)


def _interface(entity: Entity) -> tuple[dict[str, tuple[Any, Any]], dict[str, str]]:
    """The inputs (name → ``(type, default)``) a run of ``entity`` takes, and their descriptions."""
    from flyweight._tasks._docstring import Docstring
    from flyweight._workflows import LaunchPlan

    iface = entity.python_interface
    inputs = dict(iface.inputs_with_defaults)
    if isinstance(entity, LaunchPlan):
        for name in entity.fixed_input_names:
            inputs.pop(name, None)
        for name, value in entity.saved_inputs.items():
            if name in inputs:
                inputs[name] = (inputs[name][0], value)
    docstring = iface.docstring
    described = docstring.input_descriptions if isinstance(docstring, Docstring) else {}
    return inputs, {k: str(v) for k, v in described.items() if v}


def format_value(value: Any) -> str:
    """How an output is printed: tables by shape and first rows, files and directories as paths."""
    from flyweight.types import FlyteDirectory, FlyteFile, FlyteSchema, StructuredDataset

    if isinstance(value, (FlyteFile, FlyteDirectory)):
        return str(value.path)
    if isinstance(value, FlyteSchema):
        value = value.open().all()
    elif isinstance(value, StructuredDataset):
        import pandas

        value = value.open(pandas.DataFrame).all()
    kind = type(value).__module__.split(".")[0]
    if kind == "pandas" and hasattr(value, "shape") and hasattr(value, "head"):
        rows, cols = value.shape
        return f"DataFrame ({rows} rows, {cols} columns)\n{value.head(5).to_string()}"
    if kind == "pyarrow" and hasattr(value, "num_rows"):
        head = value.slice(0, 5).to_pandas().to_string()
        return f"pyarrow Table ({value.num_rows} rows, {value.num_columns} columns)\n{head}"
    if isinstance(value, str):
        return value if "\n" not in value else "\n" + value
    return repr(value)


def _print_outputs(result: Any, output_names: list[str]) -> None:
    if not output_names:
        click.echo("(no outputs)")
        return
    values = [result] if len(output_names) == 1 else list(result)
    for name, value in zip(output_names, values, strict=True):
        text = format_value(value)
        click.echo(f"{name} ={text}" if text.startswith("\n") else f"{name} = {text}")


def _engine_options(command: click.Command) -> None:
    decorators = [
        click.option(
            "--in-process",
            is_flag=True,
            help="Run plugin tasks in this process instead of through flyweight-execute.",
        ),
        click.option(
            "--isolated",
            is_flag=True,
            help="Run function tasks through flyweight-execute in subprocesses too.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            default=None,
            help="How many nodes may run at once (default: the number of cores).",
        ),
        click.option(
            "--blob-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Keep the run's files (inputs, outputs, errors of each node) in this directory.",
        ),
        click.option(
            "--keep-blob-dir",
            is_flag=True,
            help="Keep the temporary directory of the run's files after a successful run too (a failed "
            "run always keeps it).",
        ),
        click.option(
            "--cache/--no-cache",
            "use_cache",
            default=True,
            show_default=True,
            help="Look up and store results of cache=True tasks in the local cache ($FLYWEIGHT_CACHE_DIR).",
        ),
        click.option(
            "--overwrite-cache", is_flag=True, help="Run cached tasks again and replace their stored results."
        ),
        click.option(
            "--gate",
            "gates",
            multiple=True,
            metavar="NAME=VALUE",
            help="The value of the wait_for_input gate NAME, or yes / no for the approve gate NAME "
            "(repeatable; wins over --gate-file).",
        ),
        click.option(
            "--gate-file",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            default=None,
            help="A JSON object of gate values by gate name (as --gate; JSON values of the gate's type).",
        ),
        click.option("--skip-sleep", is_flag=True, help="Do not wait at sleep gates."),
        click.option(
            "--report",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Write the run's HTML report here (default: a new directory under $FLYWEIGHT_REPORT_DIR, "
            "else runs/ in the local cache's directory); node decks go into <name>_decks/ beside it.",
        ),
        click.option("--no-report", is_flag=True, help="Write no HTML report of the run."),
        click.option(
            "--in-image",
            is_flag=True,
            help="Run every task in the environment its image describes (an ImageSpec's packages, "
            "flyweight's own images' contents, or the image itself through docker or podman), with only "
            "the source root's code on its path, instead of this environment.",
        ),
    ]
    for decorator in decorators:
        decorator(command)


def _cache(use: bool, overwrite: bool) -> LocalCache | None:
    if use and not overwrite:
        return None  # the environment's cache, made when a cached task first runs
    from flyweight._runtime._cache import default_cache

    return default_cache().with_mode("overwrite" if overwrite else "bypass")


def _entity_command(name: str, entity: Entity, root: Path) -> click.Command:
    from flyweight._cli._inputs import input_options
    from flyweight._workflows import LaunchPlan, WorkflowBase, node_kind

    kind = node_kind(entity)
    runnable = entity if isinstance(entity, (WorkflowBase, LaunchPlan)) else _workflow_of_task(entity)
    inputs, descriptions = _interface(entity)

    def callback(**params: Any) -> None:
        ctx = click.get_current_context()
        values = {
            k: params[k]
            for k in inputs
            if ctx.get_parameter_source(k) in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT)
        }
        _run(runnable, values, params, root)

    command = click.Command(name, callback=callback, help=f"Run the {kind} {entity.name!r} on this machine.")
    _engine_options(command)
    reserved = {opt for p in command.params for opt in p.opts + p.secondary_opts} | {"-h", "--help"}
    try:
        command.params[:0] = input_options(inputs, descriptions, reserved)
    except click.ClickException as e:  # listed (so the file's --help works) but refuses to run
        problem = e.message

        def refuse(**_: object) -> None:
            raise click.ClickException(problem)

        command.callback = refuse
        command.help = f"{command.help} It cannot run: {problem}."
    _fixed_options(command, entity, reserved)
    return command


def _fixed_options(command: click.Command, entity: Entity, reserved: set[str]) -> None:
    """Hidden options for a launch plan's fixed inputs, so that giving one says it is fixed (not "no such
    option"); ``--help`` lists their values."""
    from flyweight._cli._inputs import option_name
    from flyweight._workflows import LaunchPlan

    if not isinstance(entity, LaunchPlan) or not entity.fixed_input_names:
        return
    fixed, saved = sorted(entity.fixed_input_names), entity.saved_inputs
    shown = ", ".join(f"{n}={saved[n]!r}" if n in saved else n for n in fixed)
    command.help = f"{command.help} Fixed inputs (not options): {shown}."
    for name in fixed:
        names = list(dict.fromkeys([option_name(name), f"--{name}"]))
        if reserved.intersection(names):
            continue

        def refuse(ctx: click.Context, param: click.Parameter, value: object, name: str = name) -> None:
            if value is not None:
                raise click.UsageError(
                    f"input {name!r} is fixed by the launch plan {entity.name!r}; it cannot be given", ctx
                )

        command.params.append(click.Option(names, hidden=True, expose_value=False, callback=refuse))


def _run(
    runnable: WorkflowBase | LaunchPlan, values: dict[str, Any], params: dict[str, Any], root: Path
) -> None:
    from flyweight._cli._progress import make_progress
    from flyweight._runtime._interrupt import die_by, handling_signals, signal_of, stopping
    from flyweight._runtime._run import LocalRun

    if params["in_image"] and params["in_process"]:
        raise click.UsageError("--in-image runs every task in its image's environment: drop --in-process")
    output_names = list(runnable.python_interface.outputs)  # a launch plan's are its workflow's
    live = sys.stdout.isatty() and os.environ.get("TERM") != "dumb"
    sys.path.insert(0, str(root))  # isolated tasks import the user's modules from the same root
    run: LocalRun | None = None
    try:
        with handling_signals():  # ours, not run_workflow's: this command reports the signal, then ends by it
            try:
                with make_progress(live) as progress:
                    run = LocalRun(
                        runnable,
                        values,
                        in_process=params["in_process"],
                        isolated=params["isolated"],
                        workers=params["workers"],
                        blob_dir=params["blob_dir"],
                        on_event=progress,
                        cache=_cache(params["use_cache"], params["overwrite_cache"]),
                        gate_inputs=_gate_inputs(params["gates"], params["gate_file"]),
                        skip_sleep=params["skip_sleep"],
                        in_image=params["in_image"],
                        source_root=root,
                        report=_report_path(params),
                    )
                    result = run.run()
            except BaseException as e:
                number = signal_of(e)
                if number is None:
                    raise
                stopping()  # a second Ctrl-C must not cut this report short
                name = signal.Signals(number).name
                click.echo(f"flyweight run: stopped by {name}{_files_of(run)}", err=True)
                interrupted: int | None = number
            else:
                interrupted = None
        if interrupted is not None:
            die_by(interrupted)
    except WorkflowExecutionError as e:  # its message says where the run's files are
        raise click.ClickException(str(e)) from e
    except FlyweightError as e:
        raise click.ClickException(f"{e}{_files_of(run)}") from e
    except TypeError as e:  # the inputs do not fit (checked by click already; a last guard)
        raise click.UsageError(str(e)) from e
    finally:
        if str(root) in sys.path:
            sys.path.remove(str(root))
        if sys.exc_info()[0] is not None:  # the run did not succeed: its report is named before the error
            _say_report(run)
    assert run is not None
    _finish(run, result, output_names, params)


def _report_path(params: dict[str, Any]) -> Path | None:
    """Where the run's report goes: ``--report``, else ``$FLYWEIGHT_REPORT_DIR`` (default: ``runs/`` in the
    local cache's directory) ``/<time>-<id>/report.html``; None with ``--no-report``."""
    if params["no_report"]:
        return None
    if params["report"] is not None:
        return Path(params["report"])
    import datetime
    import uuid

    from flyweight._runtime._cache import default_cache_dir

    configured = os.environ.get("FLYWEIGHT_REPORT_DIR", "").strip()
    base = Path(configured).expanduser() if configured else default_cache_dir() / "runs"
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    return base / f"{stamp}-{uuid.uuid4().hex[:6]}" / "report.html"


def _say_report(run: LocalRun | None) -> None:
    """Name the run's report (or why there is none) on stderr, at the end of the run's output."""
    report = run.report if run is not None else None
    if report is None:
        return
    if run is not None and run.report_error is not None:
        click.echo(f"flyweight run: the report could not be written: {run.report_error}", err=True)
    elif report.path.is_file():
        click.echo(f"report: {report.path}", err=True)


def _gate_inputs(gates: tuple[str, ...], gate_file: Path | None) -> dict[str, Any]:
    """Gate values by name: the ``--gate-file`` JSON object's, then each ``--gate NAME=VALUE`` (text)."""
    values: dict[str, Any] = {}
    if gate_file is not None:
        import json

        try:
            loaded = json.loads(gate_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise click.BadParameter(
                f"cannot read {str(gate_file)!r} as JSON: {e}", param_hint="--gate-file"
            ) from e
        if not isinstance(loaded, dict):
            raise click.BadParameter(
                f"{str(gate_file)!r} holds a JSON {type(loaded).__name__}; expected an object of gate values "
                'by gate name, like {"count": 3, "ok": "yes"}',
                param_hint="--gate-file",
            )
        values.update(loaded)
    for item in gates:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", param_hint="--gate")
        values[name] = value
    return values


def _files_of(run: LocalRun | None) -> str:
    """Where the files of a run that did not succeed are kept (they are never removed then)."""
    blob = run.blob_dir if run is not None else None
    return f"; the run's files are in {blob}" if blob is not None else ""


def _finish(run: LocalRun, result: Any, output_names: list[str], params: dict[str, Any]) -> None:
    """Print the outputs of a successful run, then remove its temporary blob directory unless it is to be
    kept: asked for (``--keep-blob-dir``), given (``--blob-dir``), or an output points into it (a file a
    task made in a subprocess lives under ``<node>/<attempt>/raw/``), which removing would break."""
    blob = run.blob_dir
    temporary = blob is not None and params["blob_dir"] is None
    pointed = temporary and run.outputs is not None and str(blob).encode() in run.outputs.SerializeToString()
    if temporary and (params["keep_blob_dir"] or pointed):
        why = " (an output points into it)" if pointed and not params["keep_blob_dir"] else ""
        click.echo(f"the run's files are in {blob}{why}", err=True)
    _say_report(run)  # the outputs come last
    _print_outputs(result, output_names)
    if temporary and not params["keep_blob_dir"] and not pointed:
        try:
            shutil.rmtree(str(blob))
        except OSError as e:
            click.echo(f"flyweight run: could not remove the run's files in {blob}: {e}", err=True)


class _FileGroup(click.Group):
    """The entities of one file, each a command."""

    def __init__(self, file: str) -> None:
        super().__init__(
            file,
            help=f"Run a task, workflow or launch plan of {file}.",
            context_settings={"help_option_names": ["-h", "--help"]},
        )
        self.file = file
        self._loaded: tuple[ModuleType, dict[str, Entity], Path] | None = None

    def _entities(self) -> tuple[dict[str, Entity], Path]:
        if self._loaded is None:
            self._loaded = _load(self.file)
        return self._loaded[1], self._loaded[2]

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self._entities()[0])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        named, root = self._entities()
        module = self._loaded[0] if self._loaded is not None else None
        return _entity_command(cmd_name, _find(named, cmd_name, self.file, module), root)


class RunGroup(click.Group):
    """``flyweight run FILE ENTITY``: the file is the subcommand, its entities the sub-subcommands."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return []

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if not Path(cmd_name).exists():
            raise click.UsageError(f"no such file: {cmd_name!r} (expected FILE.py ENTITY)")
        return _FileGroup(cmd_name)


run = RunGroup(
    "run",
    subcommand_metavar="FILE ENTITY [--INPUT VALUE]...",
    context_settings={"help_option_names": ["-h", "--help"]},
    help="""Run a workflow, launch plan or task of FILE on this machine, with a live view of its nodes.

    ENTITY is its name at module level. Its inputs are options typed from its signature
    (`flyweight run FILE ENTITY --help` lists them): numbers and strings as is, lists, dicts and
    dataclasses as JSON, files and directories as paths. Plugin tasks run through the real container
    entrypoint (flyweight-execute) unless --in-process. Engine options (--in-process, --isolated,
    --workers, --blob-dir, --keep-blob-dir, --cache/--no-cache, --overwrite-cache) go after ENTITY.
    Gates take their values from --gate NAME=VALUE or --gate-file FILE.json (else a terminal is asked,
    else the gate fails); --skip-sleep skips sleep gates. --in-image runs every task in the environment
    its image describes (an ImageSpec's packages), with only the source root's code on its path.
    A failed node ends the run with its report and exit status 1; the outputs are printed at the end.
    Ctrl-C or SIGTERM stops the run and its subprocesses (exit status 130 or 143).
    """,
)
