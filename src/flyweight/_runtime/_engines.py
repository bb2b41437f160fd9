"""Container engines that build, push and run images: docker (buildx when present), podman, buildah.

:func:`find_engine` takes the first engine that *works* here, not merely the first one installed: a
docker client without a daemon, say, is skipped with the reason recorded. Every probe and every build
step runs with a time bound. Nothing here builds an image by itself: :meth:`Engine.commands` gives the
command lines, which the caller prints or runs.
"""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["RUNNERS", "Engine", "EngineSearch", "find_engine"]

PROBE_SECONDS = 20
ENGINES = ("docker", "podman", "buildah")
RUNNERS = ("docker", "podman")
"""The engines that also run containers (buildah only builds)."""

# name -> the command that answers only when the engine can build (a docker client needs its daemon)
_PROBES: Mapping[str, Sequence[str]] = {
    "docker": ("info", "--format", "{{.ServerVersion}}"),
    "podman": ("info", "--format", "{{.Version.Version}}"),
    "buildah": ("version",),
}


@dataclasses.dataclass(frozen=True)
class Engine:
    """A container engine found on this machine: ``name`` (docker, podman or buildah) at ``path``;
    ``buildx`` when docker's buildx plugin answers."""

    name: str
    path: str
    buildx: bool = False

    def commands(
        self,
        context: Path,
        dockerfile: Path,
        tags: Sequence[str],
        *,
        build_args: Mapping[str, str] | None = None,
        platform: str | None = None,
        push: bool = False,
    ) -> list[list[str]]:
        """The command lines that build (and with ``push``, push) the image, in order."""
        args = [f"--build-arg={k}={v}" for k, v in sorted((build_args or {}).items())]
        tagging = [f"--tag={t}" for t in tags]
        plat = [f"--platform={platform}"] if platform else []
        if self.name == "docker" and self.buildx:
            output = ["--push"] if push else ["--load"]
            return [
                [
                    self.path,
                    "buildx",
                    "build",
                    f"--file={dockerfile}",
                    *tagging,
                    *args,
                    *plat,
                    *output,
                    str(context),
                ]
            ]
        verb = ["bud"] if self.name == "buildah" else ["build"]
        build = [self.path, *verb, f"--file={dockerfile}", *tagging, *args, *plat, str(context)]
        pushes = [[self.path, "push", t] for t in tags] if push else []
        return [build, *pushes]


@dataclasses.dataclass(frozen=True)
class EngineSearch:
    """What :func:`find_engine` found: the engine, or why each candidate could not be used."""

    engine: Engine | None
    reasons: tuple[str, ...]

    def explain(self) -> str:
        """One line per candidate engine, saying why it is not used."""
        return "; ".join(self.reasons) if self.reasons else "no engine was looked for"


def _answers(argv: Sequence[str]) -> tuple[bool, str]:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=PROBE_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        return False, f"no answer within {PROBE_SECONDS} s"
    except OSError as e:
        return False, str(e)
    if done.returncode == 0:
        return True, ""
    said = (done.stderr or done.stdout).strip().splitlines()
    return False, said[-1] if said else f"exit status {done.returncode}"


def find_engine(names: Sequence[str] = ENGINES) -> EngineSearch:
    """The first of ``names`` that is installed and answers (docker: its daemon is up)."""
    reasons: list[str] = []
    for name in names:
        path = shutil.which(name)
        if path is None:
            reasons.append(f"{name}: not installed")
            continue
        ok, why = _answers([path, *_PROBES[name]])
        if not ok:
            reasons.append(f"{name}: installed, but it cannot build here ({why})")
            continue
        buildx = name == "docker" and _answers([path, "buildx", "version"])[0]
        return EngineSearch(Engine(name, path, buildx), tuple(reasons))
    return EngineSearch(None, tuple(reasons))
