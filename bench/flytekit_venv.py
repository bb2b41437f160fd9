"""The flytekit side's interpreter: a venv of its own, so flytekit never loads next to flyweight.

Measuring both SDKs from one environment would let each one's imports and dependency versions
leak into the other's numbers. The venv lives in ``bench/.venv-flytekit`` (gitignored), is created
on first use and reused while ``import flytekit`` works there at the pinned version.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FLYTEKIT_VERSION = "1.16.14"
VENV = Path(__file__).resolve().parent / ".venv-flytekit"


def python() -> Path:
    """The flytekit venv's interpreter (it may not exist yet)."""
    return VENV / "bin" / "python"


def installed_version() -> str | None:
    """flytekit's version in the venv, or None when the venv is missing or broken."""
    if not python().exists():
        return None
    probe = subprocess.run(
        [str(python()), "-c", "import flytekit, importlib.metadata as m; print(m.version('flytekit'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def ensure() -> Path:
    """Create or repair the venv if needed and return its interpreter.

    The venv is made from the driver's own interpreter (``sys.executable -m venv``; ``make bench``
    creates ``.venv`` from ``python3``), so both sides run the same Python build and the import
    and conversion numbers differ only by the SDK.
    """
    if installed_version() == FLYTEKIT_VERSION:
        return python()
    if not python().exists():
        print(f"creating {VENV.name} for the flytekit side (one time, takes a few minutes)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    print(f"installing flytekit=={FLYTEKIT_VERSION} into {VENV.name}", flush=True)
    subprocess.run(
        [str(python()), "-m", "pip", "install", "--quiet", f"flytekit=={FLYTEKIT_VERSION}"],
        check=True,
    )
    found = installed_version()
    if found != FLYTEKIT_VERSION:
        raise RuntimeError(f"{VENV.name}: expected flytekit {FLYTEKIT_VERSION}, import gave {found!r}")
    return python()
