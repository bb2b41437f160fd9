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
    targets: tuple[str, ...], options: dict[str, Any], destination_dir: str | None = None, fast: bool = False
) -> list[tuple[str, bytes]]:
    """Load ``targets`` and return the registration files of their entities (``destination_dir``,
    ``fast``: see :func:`flyweight._cli._options.settings`)."""
    from flyweight._cli._load import collect_entities, load_modules
    from flyweight._cli._options import settings
    from flyweight._cli._registration import registration_files, registration_forms

    serialization_settings = settings(options, destination_dir, fast)
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
@click.option(
    "--copy",
    "copy",
    type=click.Choice(["all", "auto", "none"], case_sensitive=False),
    default="none",
    show_default=True,
    help="Ship the code with the package (fast registration, no image build): 'all' copies every file "
    "under --source that no ignore rule (.gitignore, .dockerignore, .flyteignore) matches, 'auto' only the "
    "modules loaded from it; the tasks then run flyweight-fast-execute, which fetches the code first.",
)
@click.option("--fast", is_flag=True, help="[Deprecated, use --copy all] The same as --copy all.")
@click.option(
    "-d",
    "--in-container-source-path",
    default="/root",
    show_default=True,
    help="Where the code is in the container (the COPY destination of its Dockerfile; with --copy, where "
    "flyweight-fast-execute unpacks it).",
)
@click.option(
    "--deref-symlinks", is_flag=True, help="With --copy: put the files symlinks point to in the code tarball."
)
@_user_errors
def package(targets: tuple[str, ...], output: Path, force: bool, **options: Any) -> None:
    """Write the registration archive of the tasks, workflows and launch plans in FILE_OR_MODULE...

    The archive holds the files `pyflyte package` writes (`0_<name>_1.pb` tasks, `_2.pb` workflows, `_3.pb`
    launch plans, in registration order) and is accepted by `flytectl register files`. With --copy all or
    auto it also holds the code, `fast<digest>.tar.gz`, as pyflyte's does. The same source gives
    byte-identical archives.
    """
    from click.core import ParameterSource

    from flyweight._cli._archive import archive_bytes, write_atomically

    copy: str = options.pop("copy").lower()
    in_container_source_path: str = options.pop("in_container_source_path")
    deref_symlinks: bool = options.pop("deref_symlinks")
    if options.pop("fast"):
        if click.get_current_context().get_parameter_source("copy") is ParameterSource.COMMANDLINE:
            raise click.BadParameter(
                "Cannot use both --fast and --copy flags together. Please move to --copy"
            )
        click.secho("The --fast flag is deprecated, please use --copy all instead", fg="yellow", err=True)
        copy = "all"
    if output.exists() and not force:
        raise PackagingError(f"{output} already exists; pass --force to overwrite it")
    if not output.parent.is_dir():
        raise PackagingError(f"cannot write {output}: the directory {output.parent} does not exist")
    files = _files(targets, options, destination_dir=in_container_source_path, fast=copy != "none")
    if copy != "none":
        files.append(_code_tarball(options["source"], copy, output, deref_symlinks))
    try:
        write_atomically(output, archive_bytes(files))
    except OSError as e:
        raise PackagingError(f"cannot write {output}: {e.strerror or e}") from e
    entities = len(files) - (copy != "none")
    click.echo(f"Packaged {entities} entities into {output}")


def _code_tarball(source: Path, copy: str, output: Path, deref_symlinks: bool) -> tuple[str, bytes]:
    """The code tarball of a fast package (after the user's code is loaded: ``auto`` takes what was)."""
    import sys

    from flyweight._cli import _fast_package as fp

    try:
        if copy == "auto":
            paths = fp.list_loaded_module_files(source, list(sys.modules.values()))
        else:
            paths = fp.list_all_files(source, exclude=[str(output)])
        name, data = fp.code_tarball(source, paths, deref_symlinks)
    except OSError as e:
        raise PackagingError(f"cannot pack the code under {source}: {e.strerror or e} ({e.filename})") from e
    click.echo(f"Fast mode enabled: {name} holds {len(paths)} files of {source} (--copy {copy})")
    return name, data


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


@main.group()
def image() -> None:
    """Build the images of ImageSpecs (a Dockerfile and build context, then docker, podman or buildah)."""


@image.command("build")
@click.argument("targets", nargs=-1, required=True, metavar="FILE_OR_MODULE...")
@click.option(
    "--source",
    type=click.Path(exists=True, file_okay=False, resolve_path=True, path_type=Path),
    default=".",
    show_default=True,
    help="The source root the targets are imported from.",
)
@click.option(
    "--spec", "names", multiple=True, metavar="NAME", help="Only the ImageSpec bound to NAME (repeatable)."
)
@click.option(
    "--context",
    type=click.Path(file_okay=False, resolve_path=True, path_type=Path),
    default="build/images",
    show_default=True,
    help="Where the build contexts are written (one folder per image).",
)
@click.option("--push", is_flag=True, help="Push each image after building it.")
@click.option("--no-build", is_flag=True, help="Only write the build contexts.")
@click.option(
    "--flyweight",
    "flyweight_source",
    type=click.Choice(["auto", "pypi", "checkout"]),
    default="auto",
    show_default=True,
    help="Install flyweight in the image from PyPI at this version, or from the source checkout this "
    "flyweight runs from ('auto': the checkout when there is one).",
)
@_user_errors
def build(
    *,
    targets: tuple[str, ...],
    source: Path,
    names: tuple[str, ...],
    context: Path,
    push: bool,
    no_build: bool,
    flyweight_source: str,
) -> None:
    """Build the images of the ImageSpecs in FILE_OR_MODULE...: the specs bound at module level and the
    ones tasks name as their image, tagged as templates name them (ImageSpec.image_name()).

    Without a working container engine the build contexts are written, the commands to build them are
    printed, and the exit status is 3.
    """
    from flyweight._cli._image_cli import build_images, find_specs
    from flyweight._cli._load import load_modules

    specs = find_specs(load_modules(list(targets), source), names)
    if not specs:
        wanted = f" named {', '.join(names)}" if names else ""
        raise PackagingError(f"no ImageSpec{wanted} found in {', '.join(targets)}")
    status = build_images(specs, context, push, no_build, flyweight_source)
    if status:
        raise SystemExit(status)
