"""Packages an ImageSpec installs when the task starts (``ImageSpec.runtime_packages``), as flytekit's
entrypoint does: the template's container environment names them in ``_F_RUNTIME_PACKAGES``
(space-separated), and ``flyweight-execute`` installs them with pip into its own environment before it
loads the task. A pip that fails is the task's error (its last lines say why); one that runs over its
time bound is a recoverable one (a slow index may answer next time).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from flyweight._settings._image_spec import RUNTIME_PACKAGES_ENV_VAR
from flyweight.errors import RecoverableError, TaskExecutionError

__all__ = ["install_runtime_packages"]

PIP_SECONDS = 900


def install_runtime_packages(env: Mapping[str, str]) -> list[str]:
    """Install the packages ``env`` names (none: nothing happens, nothing is imported); their list."""
    packages = env.get(RUNTIME_PACKAGES_ENV_VAR, "").split()
    if not packages:
        return []
    import importlib
    import site
    import subprocess

    argv = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check", "--quiet", *packages]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=PIP_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise RecoverableError(
            f"installing the runtime packages {packages} ({RUNTIME_PACKAGES_ENV_VAR}) took over "
            f"{PIP_SECONDS} s"
        ) from None
    if done.returncode != 0:
        said = " / ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
        raise TaskExecutionError(
            f"pip could not install the runtime packages {packages} ({RUNTIME_PACKAGES_ENV_VAR}, from the "
            f"task's ImageSpec.runtime_packages): {said}"
        )
    importlib.invalidate_caches()
    for folder in site.getsitepackages():  # .pth files the new packages brought
        site.addsitedir(folder)
    return packages
