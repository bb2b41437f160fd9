"""The flytekit side's interpreter: a venv of its own, so flytekit never loads next to flyweight.

Measuring both SDKs from one environment would let each one's imports and dependency versions
leak into the other's numbers. The venv lives in ``bench/.venv-flytekit`` (gitignored), is created
on first use and reused while ``import flytekit`` works there at the pinned version and the data
packages match: pandas, pyarrow, SQLAlchemy and psycopg at the driver's versions (the data and
SQLAlchemy benchmarks need them on both sides) and ``flytekitplugins-sqlalchemy`` at flytekit's.
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
    extras = data_packages()
    if installed_version() == FLYTEKIT_VERSION and data_packages_match(extras):
        return python()
    if not python().exists():
        print(f"creating {VENV.name} for the flytekit side (one time, takes a few minutes)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    print(f"installing flytekit=={FLYTEKIT_VERSION} {' '.join(extras)} into {VENV.name}", flush=True)
    subprocess.run(
        [str(python()), "-m", "pip", "install", "--quiet", f"flytekit=={FLYTEKIT_VERSION}", *extras],
        check=True,
    )
    found = installed_version()
    if found != FLYTEKIT_VERSION:
        raise RuntimeError(f"{VENV.name}: expected flytekit {FLYTEKIT_VERSION}, import gave {found!r}")
    return python()


# Packages pinned to the driver's versions, by the requirement installed (the extra ``binary`` makes
# pip install ``psycopg-binary``, psycopg's compiled implementation, at the same version), with where
# the driver gets them from.
DRIVER_PINS = {
    "pandas": ("pandas", "flyweight[pandas]"),
    "pyarrow": ("pyarrow", "flyweight[pandas]"),
    "sqlalchemy": ("SQLAlchemy", "flyweight[sqlalchemy]"),
    "psycopg": ("psycopg[binary]", "the dev dependencies (psycopg[binary])"),
}


def data_packages() -> list[str]:
    """The data packages: pandas, pyarrow, SQLAlchemy and psycopg pinned to the driver's versions, so
    the data and SQLAlchemy benchmarks compare SDKs only, and flytekit's SQLAlchemy plugin."""
    from importlib import metadata

    pins = []
    for name, (requirement, source) in DRIVER_PINS.items():
        try:
            pins.append(f"{requirement}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            raise RuntimeError(
                f"{name} is not installed in the driver's environment; install {source}"
            ) from None
    pins.append(f"flytekitplugins-sqlalchemy=={FLYTEKIT_VERSION}")
    return pins


def data_packages_match(pins: list[str]) -> bool:
    """Whether the flytekit venv has exactly these ``name==version`` pins installed (an extra such as
    ``[binary]`` is left out of the name looked up)."""
    code = (
        "import importlib.metadata as m, sys; "
        "pins = [p.split('==') for p in sys.argv[1:]]; "
        "print(all(m.version(n.split('[')[0]) == v for n, v in pins))"
    )
    probe = subprocess.run([str(python()), "-c", code, *pins], capture_output=True, text=True, check=False)
    return probe.stdout.strip() == "True"
