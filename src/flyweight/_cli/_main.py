"""The ``flyweight`` command: a click group with ``package`` and ``serialize``.

Each command loads the user's code (``_load``), builds the registration messages through the one
serialization path (``get_serializable``), and writes them as ``pyflyte`` does (``_registration``), into
a reproducible archive (``_archive``) or a folder. flyweight's own errors become one-line messages and
exit status 1; option mistakes are click's usage errors (status 2).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from flyweight._cli._run import run
from flyweight._version import __version__
from flyweight.errors import FlyweightError, PackagingError

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., object])
P = ParamSpec("P")
R = TypeVar("R")

# What `flyweight serialize --force` may remove from a folder: files named as registration files.
_REGISTRATION_FILE = re.compile(r"^\d+_.+_[123]\.pb$")


def _files(
    targets: tuple[str, ...], options: dict[str, Any], destination_dir: str | None = None
) -> list[tuple[str, bytes]]:
    """Load ``targets`` and return the registration files of their entities (``destination_dir``: see
    :func:`flyweight._cli._options.settings`)."""
    from flyweight._cli._load import collect_entities, load_modules
    from flyweight._cli._options import settings
    from flyweight._cli._registration import registration_files, registration_forms

    serialization_settings = settings(options, destination_dir)
    source: Path = options["source"]
    modules = load_modules(list(targets), source)
    entities = collect_entities(modules)
    if not entities:
        names = ", ".join(m.__name__ for m in modules)
        raise PackagingError(
            f"no tasks, workflows or launch plans found in {names}; flyweight registers the ones bound at "
            "module level (decorate with flyweight's @task / @workflow)"
        )
    files = registration_files(registration_forms(entities, serialization_settings))
    for name, _ in files:
        click.echo(f"  {name}")
    return files


def _user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Report flyweight's errors as one-line messages (exit status 1) instead of tracebacks."""
    import functools

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except FlyweightError as e:
            raise click.ClickException(str(e)) from e

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--flyweight-version", prog_name="flyweight")
def main() -> None:
    """flyweight: run, package and serialize Flyte tasks, workflows and launch plans."""


main.add_command(run)


def _shared(command: F) -> F:
    from flyweight._cli._options import shared_options

    return shared_options(command)


@main.command()
@_shared
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, resolve_path=True, path_type=Path),
    default="flyte-package.tgz",
    show_default=True,
    help="The archive to write.",
)
@click.option("-f", "--force", is_flag=True, help="Overwrite the output if it exists.")
@_user_errors
def package(targets: tuple[str, ...], output: Path, force: bool, **options: Any) -> None:
    """Write the registration archive of the tasks, workflows and launch plans in FILE_OR_MODULE...

    The archive holds the files `pyflyte package` writes (`0_<name>_1.pb` tasks, `_2.pb` workflows, `_3.pb`
    launch plans, in registration order) and is accepted by `flytectl register files`. The same source
    gives byte-identical archives.
    """
    from flyweight._cli._archive import archive_bytes, write_atomically

    if output.exists() and not force:
        raise PackagingError(f"{output} already exists; pass --force to overwrite it")
    if not output.parent.is_dir():
        raise PackagingError(f"cannot write {output}: the directory {output.parent} does not exist")
    files = _files(targets, options, destination_dir="/root")
    try:
        write_atomically(output, archive_bytes(files))
    except OSError as e:
        raise PackagingError(f"cannot write {output}: {e.strerror or e}") from e
    click.echo(f"Packaged {len(files)} entities into {output}")


@main.command()
@_shared
@click.option(
    "-f",
    "--folder",
    type=click.Path(file_okay=False, resolve_path=True, path_type=Path),
    default=".",
    show_default=True,
    help="The folder to write the .pb files into (created if missing).",
)
@click.option("--force", is_flag=True, help="Replace registration files (N_name_K.pb) already in the folder.")
@_user_errors
def serialize(targets: tuple[str, ...], folder: Path, force: bool, **options: Any) -> None:
    """Write the registration files of the entities in FILE_OR_MODULE... into a folder.

    The same files as `pyflyte serialize workflows -f FOLDER` (and as the members of `flyweight package`).
    """
    from flyweight._cli._archive import write_atomically

    stale = (
        sorted(p for p in folder.glob("*.pb") if _REGISTRATION_FILE.match(p.name)) if folder.is_dir() else []
    )
    if stale and not force:
        raise PackagingError(
            f"{folder} already holds registration files ({stale[0].name}, …); pass --force to replace them"
        )
    files = _files(targets, options)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in files:  # each file whole or not at all; old files go only once all are written
            write_atomically(folder / name, data)
        written = {name for name, _ in files}
        for path in stale:
            if path.name not in written:
                path.unlink()
    except OSError as e:
        raise PackagingError(f"cannot write into {folder}: {e.strerror or e}") from e
    click.echo(f"Serialized {len(files)} entities into {folder}")
