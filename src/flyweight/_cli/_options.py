"""Command-line options shared by ``flyweight package`` and ``flyweight serialize``, and the
``SerializationSettings`` they make.

The defaults are ``pyflyte package``'s: no project, domain or version (``flytectl register files`` fills
them in), the default image unless ``--image`` names one, and ``/opt/venv/bin/python3`` in the container.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from flyweight._settings import FastSerializationSettings, Image, ImageConfig, SerializationSettings
from flyweight.errors import TaskDefinitionError

__all__ = ["image_config", "key_values", "settings", "shared_options"]

F = TypeVar("F", bound=Callable[..., object])

DEFAULT_IMAGE_NAME = "default"  # the image name of tasks that name none (``{{.image.default.fqn}}``)
DEFAULT_PYTHON_INTERPRETER = "/opt/venv/bin/python3"  # pyflyte's and SerializationSettings' default


def image_config(values: tuple[str, ...]) -> ImageConfig:
    """An image config from ``--image`` values: ``repo:tag`` (the default image) or ``name=repo:tag``;
    without a default image, flyweight's default image (``$FLYWEIGHT_DEFAULT_IMAGE`` or its own).

    Raises:
        click.BadParameter: a reference without a tag or digest, two default images, a name given twice.
    """
    default: Image | None = None
    others: list[Image] = []
    try:
        for value in values:
            name, eq, reference = value.partition("=")
            if not eq:
                name, reference = DEFAULT_IMAGE_NAME, value
            image = Image.look_up_image_info(name, reference, allow_no_tag_or_digest=False)
            if image.name != DEFAULT_IMAGE_NAME:
                others.append(image)
            elif default is not None:
                raise click.BadParameter(
                    f"two default images ({default.full} and {image.full}); give the others a name: "
                    "--image name=repo:tag",
                    param_hint="--image",
                )
            else:
                default = image
        if default is None:
            default = ImageConfig.auto_default_image().default_image
        return ImageConfig.create_from(default, others)
    except TaskDefinitionError as e:
        raise click.BadParameter(str(e), param_hint="--image") from None


def key_values(values: tuple[str, ...], option: str) -> dict[str, str]:
    """``KEY=VALUE`` pairs as a dict (a later key wins).

    Raises:
        click.BadParameter: a value without ``=`` or with an empty key.
    """
    out: dict[str, str] = {}
    for value in values:
        key, eq, val = value.partition("=")
        if not eq or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {value!r}", param_hint=option)
        out[key] = val
    return out


def settings(
    options: dict[str, Any], destination_dir: str | None = None, fast: bool = False
) -> SerializationSettings:
    """The settings of a ``package`` / ``serialize`` call from its parsed options, with the destination
    directory ``pyflyte`` writes for the command (``/root`` for ``package``, or its
    ``--in-container-source-path``); ``fast``: fast registration on (``package --copy all|auto``), so
    task templates run ``flyweight-fast-execute``."""
    env = key_values(options["env"], "--env")
    return SerializationSettings(
        image_config=image_config(options["image"]),
        project=options["project"],
        domain=options["domain"],
        version=options["version"],
        env=env or None,
        python_interpreter=options["python_interpreter"],
        source_root=str(options["source"]),
        fast_serialization_settings=FastSerializationSettings(enabled=fast, destination_dir=destination_dir),
    )


def shared_options(command: F) -> F:
    """The options both commands take (applied bottom-up, so they show in this order in ``--help``)."""
    decorators = [
        click.argument("targets", nargs=-1, required=True, metavar="FILE_OR_MODULE..."),
        click.option(
            "-i",
            "--image",
            multiple=True,
            metavar="[NAME=]IMAGE",
            help="A container image, 'repo:tag' for the default image or 'name=repo:tag' for an image tasks "
            "name as {{.image.name.fqn}}. Repeatable. Without a default image: $FLYWEIGHT_DEFAULT_IMAGE, "
            "else flyweight's own image.",
        ),
        click.option(
            "-s",
            "--source",
            type=click.Path(exists=True, file_okay=False, resolve_path=True, path_type=Path),
            default=".",
            show_default=True,
            help="The root of your code: put on sys.path; module names are paths relative to it.",
        ),
        click.option("--project", default=None, help="Project of the entities (default: none, as pyflyte)."),
        click.option("--domain", default=None, help="Domain of the entities (default: none, as pyflyte)."),
        click.option("--version", default=None, help="Version of the entities (default: none, as pyflyte)."),
        click.option(
            "--env",
            "--envvars",
            "env",
            multiple=True,
            metavar="KEY=VALUE",
            help="An environment variable set in every task's container. Repeatable.",
        ),
        click.option(
            "-p",
            "--python-interpreter",
            default=DEFAULT_PYTHON_INTERPRETER,
            show_default=True,
            help="The Python interpreter inside the container.",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command
