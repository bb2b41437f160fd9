"""Building an :class:`~flyweight.ImageSpec`: a Dockerfile and build context, then an engine builds it.

:func:`render` writes the context: a ``Dockerfile`` built on the spec's base image (a ``python:X-slim``
image of the spec's Python by default), with its apt packages, a virtual environment in ``/opt/venv``
holding its Python packages, its requirements file and flyweight itself, its environment, its
commands, its ``copy`` entries and (as the spec's ``source_copy_mode`` asks) its source files, copied
to ``/root``, the working directory, owned by the unprivileged user ``flyte`` the image runs as. The
image is tagged with ``spec.image_name()``, the name templates carry.

flyweight itself is installed from PyPI at the running version, or, when the running flyweight is a
source checkout (a development install), from that checkout, copied into the context.

What flytekit's ``envd`` builder can do and this one cannot is refused by name rather than left out
silently: conda packages and channels, CUDA / cuDNN (use a CUDA base image) and pip secret mounts.
``runtime_packages`` are not in the image: ``flyweight-execute`` installs them when the task starts.
"""

from __future__ import annotations

import dataclasses
import json
import shlex
import shutil
import sys
from collections.abc import Iterable
from pathlib import Path

from flyweight._settings._image_spec import CopyFileDetection, ImageSpec, source_files
from flyweight._version import __version__
from flyweight.errors import PackagingError

__all__ = ["HEADER", "RenderedImage", "flyweight_requirement", "render"]

HEADER = "# The image"
"""How every Dockerfile rendered here starts (a context rendered before may be replaced)."""

VENV = "/opt/venv"
WORKDIR = "/root"
USER = "flyte"
_UNSUPPORTED = {
    "conda_packages": "conda packages need a conda base image: install them in `commands`",
    "conda_channels": "conda channels need a conda base image: install from them in `commands`",
    "cuda": "use a CUDA base image (base_image='nvidia/cuda:...') instead of `cuda`",
    "cudnn": "use a CUDA base image with cuDNN (base_image='nvidia/cuda:...-cudnn...') instead of `cudnn`",
    "pip_secret_mounts": "secret mounts need BuildKit secrets: install private packages in `commands`",
}


@dataclasses.dataclass(frozen=True)
class RenderedImage:
    """A written build context: ``context`` holds ``Dockerfile``; the image is ``name``."""

    name: str
    context: Path
    platform: str | None

    @property
    def dockerfile(self) -> Path:
        return self.context / "Dockerfile"


def _checkout() -> Path | None:
    """The source checkout the running flyweight comes from (a development install), or None."""
    import flyweight

    root = Path(flyweight.__file__).resolve().parent.parent.parent
    return root if (root / "pyproject.toml").is_file() and (root / "src" / "flyweight").is_dir() else None


def flyweight_requirement(context: Path, source: str = "auto") -> str:
    """How the image installs flyweight: ``flyweight==<version>`` (``source="pypi"``), or this checkout
    copied into ``context/flyweight-src`` (``"checkout"``; ``"auto"``: when running from one)."""
    checkout = _checkout() if source in ("auto", "checkout") else None
    if source == "checkout" and checkout is None:
        raise PackagingError("--flyweight checkout: the running flyweight is not a source checkout")
    if checkout is None:
        return f"flyweight=={__version__}"
    dest = context / "flyweight-src"
    for name in ("pyproject.toml", "README.md"):
        if (checkout / name).exists():
            dest.mkdir(parents=True, exist_ok=True)
            shutil.copy2(checkout / name, dest / name)
    shutil.copytree(
        checkout / "src",
        dest / "src",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"),
        dirs_exist_ok=True,
    )
    return "./flyweight-src"


def _refuse_unsupported(spec: ImageSpec) -> None:
    wrong = [f"{field}: {why}" for field, why in _UNSUPPORTED.items() if getattr(spec, field, None)]
    if wrong:
        raise PackagingError(f"ImageSpec {spec.name!r} cannot be built by flyweight: " + "; ".join(wrong))


def _base(spec: ImageSpec) -> tuple[str, bool]:
    """The base image, and whether it is the default ``python:X-slim`` one (where the venv is made)."""
    base = spec.base_image
    if isinstance(base, ImageSpec):
        return base.image_name(), False
    if base:
        return str(base), False
    python = spec.python_version or f"{sys.version_info[0]}.{sys.version_info[1]}"
    return f"python:{python}-slim-bookworm", True


def _copy_into(context: Path, folder: str, files: Iterable[tuple[Path, str]]) -> list[str]:
    """Copy ``(source, relative path)`` pairs into ``context/folder``; the relative paths copied."""
    copied = []
    for src, rel in files:
        dest = context / folder / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dest)
        copied.append(rel)
    return copied


def _copy_entries(spec: ImageSpec) -> list[tuple[Path, str]]:
    pairs: list[tuple[Path, str]] = []
    for entry in spec.copy or []:
        src = Path(entry)
        if not src.exists():
            raise PackagingError(f"ImageSpec {spec.name!r}: copy entry {entry!r} does not exist")
        if src.is_dir():
            files = sorted(f for f in src.rglob("*") if f.is_file())
            pairs += [(f, f.relative_to(src.parent).as_posix()) for f in files]
        else:
            pairs.append((src, src.name))
    return pairs


def _pip_options(spec: ImageSpec) -> list[str]:
    options = []
    if spec.pip_index:
        options += ["--index-url", spec.pip_index]
    for url in spec.pip_extra_index_url or []:
        options += ["--extra-index-url", url]
    if spec.pip_extra_args:
        options += shlex.split(spec.pip_extra_args)
    return options


def render(spec: ImageSpec, context: Path, flyweight_source: str = "auto") -> RenderedImage:
    """Write ``spec``'s build context into ``context`` (which must be empty or missing).

    Raises:
        PackagingError: the spec asks for something this builder cannot do, a ``copy`` entry or the
            requirements file is missing, or ``context`` is not empty.
    """
    if not isinstance(spec, ImageSpec):
        raise PackagingError(f"expected an ImageSpec, got {type(spec).__name__}")
    _refuse_unsupported(spec)
    if context.exists() and any(context.iterdir()):
        raise PackagingError(f"the build context {context} is not empty: give an empty or new directory")
    context.mkdir(parents=True, exist_ok=True)
    base, default_base = _base(spec)
    python = spec.python_exec or ("python" if default_base else "python3")
    lines = [
        f"{HEADER} {spec.image_name()}, rendered by flyweight {__version__} from ImageSpec {spec.name!r}.",
        f"FROM {base}",
        "USER root",
    ]
    if spec.apt_packages:
        packages = " ".join(sorted(set(spec.apt_packages)))
        lines += [
            "RUN apt-get update \\",
            f"    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {packages} \\",
            "    && rm -rf /var/lib/apt/lists/*",
        ]
    lines += [f"RUN {python} -m venv {VENV}", f"ENV VIRTUAL_ENV={VENV} PATH={VENV}/bin:$PATH"]
    install = [*_pip_options(spec), *(spec.packages or [])]
    if spec.requirements:
        requirements = Path(spec.requirements)
        if not requirements.is_file():
            raise PackagingError(
                f"ImageSpec {spec.name!r}: requirements file {spec.requirements!r} not found"
            )
        shutil.copy2(requirements, context / "requirements.txt")
        lines.append("COPY requirements.txt /tmp/requirements.txt")
        install += ["-r", "/tmp/requirements.txt"]
    flyweight = flyweight_requirement(context, flyweight_source)
    if flyweight.startswith("./"):
        lines.append(f"COPY {flyweight.removeprefix('./')} /tmp/{flyweight.removeprefix('./')}")
        flyweight = "/tmp/" + flyweight.removeprefix("./")
    install.append(flyweight)
    lines.append("RUN pip install --no-cache-dir " + " ".join(shlex.quote(a) for a in install))
    env = {**(spec.env or {}), "_F_IMG_ID": spec.id}
    lines += [f"ENV {k}={json.dumps(str(v))}" for k, v in sorted(env.items())]
    lines += [f"RUN {command}" for command in spec.commands or []]
    lines += [f"RUN useradd --create-home --uid 1000 {USER} || true", f"WORKDIR {WORKDIR}"]
    if _copy_into(context, "copy", _copy_entries(spec)):
        lines.append(f"COPY --chown={USER} copy/ {WORKDIR}/")
    mode = spec.source_copy_mode
    if spec.source_root and mode not in (None, CopyFileDetection.NO_COPY):
        root = Path(spec.source_root).resolve()
        pairs = [(Path(f), Path(f).resolve().relative_to(root).as_posix()) for f in source_files(spec)]
        if _copy_into(context, "source", pairs):
            lines.append(f"COPY --chown={USER} source/ {WORKDIR}/")
    lines += [f"RUN chown {USER} {WORKDIR}", f"USER {USER}"]
    if spec.entrypoint is not None:
        lines.append(f"ENTRYPOINT {json.dumps(spec.entrypoint)}")
    (context / "Dockerfile").write_text("\n".join(lines) + "\n")
    return RenderedImage(spec.image_name(), context, spec.platform)
