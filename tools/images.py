"""flyweight's runtime images: the names templates carry, and building them from ``docker/Dockerfile``.

    python tools/images.py list                 # every image: name, Python version, extras
    python tools/images.py build [--python 3.11 | --all] [--push] [--dry-run]

The names come from the code that writes them into templates (``DefaultImages`` and each plugin's
default images), so an image built here is the one a template names. ``build`` uses the first engine
that works here (docker with its daemon, podman, buildah); without one it prints the commands to run
where an engine exists and exits with status 3. ``make image`` runs ``build`` for the running Python.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCKERFILE = REPO / "docker" / "Dockerfile"
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
NO_ENGINE = 3
BUILD_SECONDS = 3600


@dataclasses.dataclass(frozen=True)
class RuntimeImage:
    name: str
    python: str
    extras: str
    purpose: str

    def build_args(self) -> dict[str, str]:
        return {"PYTHON_VERSION": self.python, "EXTRAS": self.extras}


def images(pythons: tuple[str, ...] = PYTHONS) -> list[RuntimeImage]:
    """The runtime images for these Python versions, named as templates name them."""
    from flyweight.extend import DefaultImages, PythonVersion
    from flyweight.plugins.sqlalchemy import SQLAlchemyDefaultImages

    found = []
    for python in pythons:
        version = PythonVersion(tuple(int(p) for p in python.split(".")))
        found.append(
            RuntimeImage(
                DefaultImages.find_image_for(version),
                python,
                "pandas",
                "function tasks, the SQLite3 plugin",
            )
        )
        found.append(
            RuntimeImage(
                SQLAlchemyDefaultImages.find_image_for(version),
                python,
                "pandas,postgres",
                "the SQLAlchemy plugin (with psycopg)",
            )
        )
    return found


def build(chosen: list[RuntimeImage], push: bool, dry_run: bool) -> int:
    from flyweight._runtime._engines import find_engine

    search = find_engine()
    engine = search.engine
    if engine is None or dry_run:
        if engine is None:
            print(f"no container engine can build here: {search.explain()}", file=sys.stderr)
        print("# from the repository root, where docker, podman or buildah works:")
        for image in chosen:
            args = " ".join(f"--build-arg {k}={v}" for k, v in image.build_args().items())
            print(f"docker build -f docker/Dockerfile {args} -t {image.name} .")
            if push:
                print(f"docker push {image.name}")
        return 0 if dry_run else NO_ENGINE
    for image in chosen:
        for argv in engine.commands(REPO, DOCKERFILE, [image.name], build_args=image.build_args(), push=push):
            print("$", " ".join(argv), flush=True)
            done = subprocess.run(argv, cwd=REPO, timeout=BUILD_SECONDS, check=False)
            if done.returncode != 0:
                print(f"{argv[0]} failed with status {done.returncode}", file=sys.stderr)
                return done.returncode
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list the runtime images")
    b = sub.add_parser("build", help="build the runtime images (default: for the running Python)")
    b.add_argument("--python", choices=PYTHONS, help="this Python version (default: the running one)")
    b.add_argument("--all", action="store_true", help="every Python version")
    b.add_argument("--push", action="store_true", help="push after building")
    b.add_argument("--dry-run", action="store_true", help="print the commands, build nothing")
    args = parser.parse_args(argv)
    if args.command == "list":
        for image in images():
            print(f"{image.name}  (Python {image.python}, extras {image.extras}: {image.purpose})")
        return 0
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    pythons = PYTHONS if args.all else (args.python or running,)
    return build(images(pythons), args.push, args.dry_run)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
