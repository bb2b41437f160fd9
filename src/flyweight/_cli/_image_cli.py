"""``flyweight image build``: the image specs of the user's code, rendered and built.

The specs are the :class:`~flyweight.ImageSpec` objects bound at module level in the loaded modules and
the ones tasks name as their image (``container_image=`` / ``image=``), each once per image name.
``--spec NAME`` keeps the module-level specs bound to ``NAME``. Each is rendered into its own build
context (``<context>/<name>-<tag>``) and built with the first engine that works here (docker with its
daemon, podman, buildah); ``--no-build`` only renders. Without a working engine the contexts are
written, the commands to build them elsewhere are printed, and the exit status is 3.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from flyweight._cli._image import HEADER, RenderedImage, render
from flyweight._runtime._engines import find_engine
from flyweight._settings._image_spec import ImageSpec

__all__ = ["NO_ENGINE", "build_images", "find_specs"]

NO_ENGINE = 3
BUILD_SECONDS = 3600


def find_specs(modules: list[ModuleType], names: tuple[str, ...] = ()) -> list[ImageSpec]:
    """The image specs of ``modules`` (bound at module level, or named by a task), one per image name."""
    found: dict[str, ImageSpec] = {}
    for module in modules:
        for attr, value in vars(module).items():
            spec: Any = value if isinstance(value, ImageSpec) else None
            if spec is None and not names:
                image = getattr(value, "container_image", None)
                if image is None:
                    image = getattr(value, "_image", None)
                spec = image if isinstance(image, ImageSpec) else None
            if spec is None or (names and attr not in names):
                continue
            found.setdefault(spec.image_name(), spec)
    return list(found.values())


def _rendered_before(folder: Path) -> bool:
    try:
        return (folder / "Dockerfile").read_text().startswith(HEADER)
    except OSError:
        return False


def _run(commands: list[list[str]]) -> int:
    for argv in commands:
        click.echo("$ " + " ".join(argv))
        done = subprocess.run(argv, timeout=BUILD_SECONDS, check=False)
        if done.returncode != 0:
            click.echo(f"{Path(argv[0]).name} failed with status {done.returncode}", err=True)
            return done.returncode
    return 0


def build_images(specs: list[ImageSpec], context: Path, push: bool, no_build: bool, flyweight: str) -> int:
    """Render each spec under ``context`` and build it; the exit status."""
    rendered: list[RenderedImage] = []
    for spec in specs:
        if spec.builder == "noop":  # flytekit's builder for images made elsewhere
            click.echo(f"{spec.image_name()}: builder 'noop', nothing to build")
            continue
        tag = spec.image_name().rsplit(":", 1)[-1]
        folder = context / f"{spec.name}-{tag}"
        if _rendered_before(folder):  # the same spec rendered again: the same context, made afresh
            shutil.rmtree(folder)
        image = render(spec, folder, flyweight)
        click.echo(f"{image.name}: build context {image.context}")
        rendered.append(image)
    if no_build or not rendered:
        return 0
    search = find_engine()
    if search.engine is None:
        click.echo(f"no container engine can build here: {search.explain()}", err=True)
        click.echo("# build them where docker works:")
        for image in rendered:
            plat = f" --platform {image.platform}" if image.platform else ""
            click.echo(f"docker build{plat} -t {image.name} {image.context}")
            if push:
                click.echo(f"docker push {image.name}")
        return NO_ENGINE
    for image in rendered:
        commands = search.engine.commands(
            image.context, image.dockerfile, [image.name], platform=image.platform, push=push
        )
        status = _run(commands)
        if status != 0:
            return status
    return 0
