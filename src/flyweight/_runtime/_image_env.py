"""Local runs in each task's image environment (``flyweight run --in-image``, ``in_image=True``).

A task runs through ``flyweight-execute`` with an interpreter that sees what its image would hold, and
the user's code (the working directory) — never the packages of the environment the run started from:

* An :class:`~flyweight.ImageSpec`: a virtual environment with the spec's Python packages, its
  requirements file and its pip options, plus flyweight itself (an image built from the spec holds it).
  It is made once per spec tag in ``image-envs`` under the local cache's directory
  (``$FLYWEIGHT_CACHE_DIR``, else ``~/.cache/flyweight``), with this Python when the spec's
  ``python_version`` is this Python's (or unset); another version is a clear error.
* flyweight's own runtime images (``ghcr.io/flyweight/flyweight:py3.X-[<plugin>-]<version>``, the default
  image of tasks that name none, and plugins' default images): an environment with what
  ``docker/Dockerfile`` installs in them — flyweight and the image's extras.
* Any other image: the image itself, through docker or podman when one works here, with the run's files
  and the working directory mounted at the same paths; a clear error otherwise.

flyweight and the packages already installed here are not downloaded again: the environment reaches
them through a directory of links to exactly those distributions (and what they require), placed after
the environment's own packages, so a package the spec installs wins. Everything else comes from pip.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

from flyweight._settings import DefaultImages
from flyweight._settings._image_spec import ImageSpec
from flyweight._version import __version__
from flyweight.errors import NotSupportedError, TaskExecutionError

__all__ = ["ImageEnvironments", "Interpreter", "runtime_image_extras"]

PIP_SECONDS = 1800
_REQUIREMENT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")
_RUNTIME_IMAGE = re.compile(
    r"^ghcr\.io/flyweight/flyweight:py(?P<py>\d+\.\d+)-(?:(?P<plugin>[a-z][a-z0-9]*)-)?(?P<v>[^-]+)$"
)
# What docker/Dockerfile installs in each of flyweight's runtime images, by plugin part of the tag.
RUNTIME_IMAGE_EXTRAS: dict[str | None, tuple[str, ...]] = {
    None: ("pandas",),
    "sqlalchemy": ("pandas", "postgres"),
}
# The packages each extra adds (pyproject.toml's optional dependencies, by distribution name).
_EXTRA_PACKAGES: dict[str, tuple[str, ...]] = {
    "pandas": ("pandas", "pyarrow"),
    "postgres": ("sqlalchemy", "psycopg", "psycopg-binary"),
    "sqlalchemy": ("sqlalchemy",),
    "s3": ("fsspec", "s3fs"),
}


def runtime_image_extras(image: str) -> tuple[str, str, tuple[str, ...]] | None:
    """``(python version, flyweight version, extras)`` of one of flyweight's runtime images, else None."""
    m = _RUNTIME_IMAGE.match(image)
    if m is None or m.group("plugin") not in RUNTIME_IMAGE_EXTRAS:
        return None
    return m.group("py"), m.group("v"), RUNTIME_IMAGE_EXTRAS[m.group("plugin")]


@dataclasses.dataclass(frozen=True)
class Interpreter:
    """How an attempt runs in a task's image environment (see :meth:`command`).

    ``python`` is the environment's interpreter on this machine; ``engine`` and ``image`` instead name a
    container engine and the image it runs. ``pythonpath`` replaces the caller's ``sys.path`` for the
    subprocess: the user's code, and nothing of the environment the run started from.
    """

    describe: str
    pythonpath: tuple[str, ...]
    python: str | None = None
    engine: str | None = None
    image: str | None = None

    def command(self, args: list[str], env: dict[str, str], mounts: list[Path], entrypoint: str) -> list[str]:
        """The command line of one attempt: ``args`` are the container's arguments with the placeholders
        filled (``flyweight-execute ...``); ``mounts`` the directories the attempt reads and writes."""
        if self.python is not None:
            return [self.python, "-c", entrypoint, *args[1:]]
        assert self.engine is not None and self.image is not None
        command = [self.engine, "run", "--rm", "--user", f"{os.getuid()}:{os.getgid()}"]
        for path in dict.fromkeys([*mounts, *(Path(p) for p in self.pythonpath)]):
            command += ["--volume", f"{path}:{path}"]
        command += ["--workdir", self.pythonpath[0]]
        for key in sorted(env):
            if key.startswith(("FLYTE_", "FLYWEIGHT_", "_F_", "PYTHONPATH")):
                command += ["--env", f"{key}={env[key]}"]
        return [*command, self.image, *args]


def _cache_root() -> Path:
    from flyweight._runtime._cache import default_cache_dir

    return default_cache_dir() / "image-envs"


def _distribution_closure(names: list[str]) -> list[importlib.metadata.Distribution]:
    """The installed distributions ``names`` and everything they require, extras left out (a requirement
    whose marker excludes this Python names a distribution that is not installed, and is skipped)."""
    seen: dict[str, importlib.metadata.Distribution] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        seen[key] = dist
        for text in dist.requires or []:
            name_part, _, marker = text.partition(";")
            if "extra" in marker:  # an extra's requirement: not part of a plain install
                continue
            m = _REQUIREMENT_NAME.match(name_part.strip())
            if m:  # a requirement for another Python is simply not installed here, and skipped
                todo.append(m.group(0))
    return list(seen.values())


def _link_distributions(overlay: Path, names: list[str]) -> None:
    """Links in ``overlay`` to the top-level packages and metadata of these installed distributions."""
    overlay.mkdir(parents=True, exist_ok=True)
    for dist in _distribution_closure(names):
        base = Path(str(dist.locate_file("")))
        tops = {Path(str(f)).parts[0] for f in dist.files or [] if not str(f).startswith("..")}
        for top in sorted(tops):
            if top == "__pycache__" or top.endswith(".pth"):
                continue
            source = base / top
            if top.endswith(".py") and not source.exists():
                continue
            link = overlay / top
            if source.exists() and not link.exists():
                link.symlink_to(source)
    if not (overlay / "flyweight").exists():  # a development install: its .pth names the checkout's src
        import flyweight

        (overlay / "flyweight").symlink_to(Path(flyweight.__file__).resolve().parent)


def _site_packages(venv: Path) -> Path:
    return venv / "lib" / f"python{sys.version_info[0]}.{sys.version_info[1]}" / "site-packages"


def _pip(python: Path, args: list[str], what: str) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", "install", "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=PIP_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise TaskExecutionError(f"{what}: pip could not install {' '.join(args)}: " + " / ".join(tail))


def _make_env(target: Path, links: list[str], pip_args: list[str], what: str) -> None:
    """Build the environment in a scratch directory beside ``target``, then move it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        subprocess.run([sys.executable, "-m", "venv", str(scratch)], check=True, timeout=PIP_SECONDS)
        _link_distributions(scratch / "flyweight-runtime", links)
        # read from where the environment ends up (the scratch directory is renamed into place)
        (_site_packages(scratch) / "zz-flyweight-runtime.pth").write_text(f"{target / 'flyweight-runtime'}\n")
        if pip_args:
            _pip(scratch / "bin" / "python", pip_args, what)
        (scratch / "flyweight-env.json").write_text(json.dumps({"links": links, "pip": pip_args}))
        with contextlib.suppress(OSError):
            os.rename(scratch, target)  # another run may have made it first: theirs is as good
    except subprocess.CalledProcessError as e:
        raise TaskExecutionError(f"{what}: could not make a virtual environment ({e})") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _spec_pip_args(spec: ImageSpec) -> list[str]:
    args: list[str] = []
    if spec.pip_index:
        args += ["--index-url", spec.pip_index]
    for url in spec.pip_extra_index_url or []:
        args += ["--extra-index-url", url]
    if spec.pip_extra_args:
        args += spec.pip_extra_args.split()
    packages = list(spec.packages or [])
    if spec.requirements:
        if not Path(spec.requirements).is_file():
            raise TaskExecutionError(
                f"ImageSpec {spec.name!r}: requirements file {spec.requirements!r} not found"
            )
        packages += ["-r", str(Path(spec.requirements).resolve())]
    return [*args, *packages] if packages else []


class ImageEnvironments:
    """The interpreters of one run's tasks, made on first use and shared by the run's threads."""

    def __init__(self, source_root: Path | None = None, cache_root: Path | None = None) -> None:
        self.source_root = (source_root or Path.cwd()).resolve()
        self.cache_root = cache_root or _cache_root()
        self._lock = threading.Lock()
        self._made: dict[str, Interpreter] = {}

    def for_task(self, task: Any) -> Interpreter:
        """The interpreter ``task`` runs with, made if needed.

        Raises:
            NotSupportedError: the image cannot be reproduced here (another Python version; a plain image
                and no working docker or podman).
            TaskExecutionError: pip failed to install the spec's packages.
        """
        image = getattr(task, "container_image", None)
        if image is None:
            image = DefaultImages.default_image()
        key = image.image_name() if isinstance(image, ImageSpec) else str(image)
        with self._lock:
            found = self._made.get(key)
            if found is None:
                found = self._make(task.name, image)
                self._made[key] = found
        return found

    def _local(self, python: Path, describe: str) -> Interpreter:
        return Interpreter(describe, (str(self.source_root),), python=str(python))

    def _make(self, task_name: str, image: ImageSpec | str) -> Interpreter:
        running = f"{sys.version_info[0]}.{sys.version_info[1]}"
        if isinstance(image, ImageSpec):
            what = f"task {task_name!r}: ImageSpec {image.name!r}"
            wanted = image.python_version
            if wanted and ".".join(str(wanted).split(".")[:2]) != running:
                raise NotSupportedError(
                    f"{what} asks for Python {wanted}, but this is Python {running}: run with Python "
                    f"{wanted} to reproduce its environment, or without --in-image"
                )
            pip_args = _spec_pip_args(image)
            key = image.image_name().rsplit(":", 1)[-1]
            return self._env(f"spec-{image.name}-{key}", ["flyweight"], pip_args, what)
        runtime = runtime_image_extras(image)
        if runtime is not None:
            python, _, extras = runtime
            what = f"task {task_name!r}: image {image}"
            if python != running:
                raise NotSupportedError(
                    f"{what} is flyweight's image for Python {python}, but this is Python {running}: "
                    f"run with Python {python}, or without --in-image"
                )
            names = ["flyweight", *(p for e in extras for p in _EXTRA_PACKAGES.get(e, ()))]
            missing = [n for n in names if not _installed(n)]
            key = "runtime-" + "-".join(extras or ("base",))
            return self._env(key, [n for n in names if n not in missing], missing, what)
        return self._container(task_name, image)

    def _env(self, key: str, links: list[str], pip_args: list[str], what: str) -> Interpreter:
        digest = hashlib.sha256(json.dumps([key, links, pip_args, __version__, sys.executable]).encode())
        target = self.cache_root / f"{key}-{digest.hexdigest()[:12]}"
        if not (target / "flyweight-env.json").exists():
            _make_env(target, links, pip_args, what)
        return self._local(target / "bin" / "python", f"{what} (environment {target})")

    def _container(self, task_name: str, image: str) -> Interpreter:
        from flyweight._runtime._engines import RUNNERS, find_engine

        search = find_engine(RUNNERS)
        if search.engine is None:
            raise NotSupportedError(
                f"task {task_name!r} runs in the image {image!r}: running it locally needs docker or podman, "
                f"and none works here ({search.explain()}); give the task an ImageSpec, or run without "
                "--in-image"
            )
        describe = f"image {image} ({search.engine.name})"
        return Interpreter(describe, (str(self.source_root),), engine=search.engine.path, image=image)


def _installed(name: str) -> bool:
    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True
