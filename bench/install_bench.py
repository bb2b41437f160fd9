"""The install benchmark: how much a runtime environment holds, flyweight's against flytekit's.

Four virtual environments are made with the driver's interpreter in ``bench/.work/install`` (kept
between runs; flyweight is reinstalled from this repository every run, the others only when their
requirement changes): a bare one, one with flyweight and its runtime dependencies (``pip install .``),
one with ``flyweight[pandas]``, and one with ``flytekit==1.16.14``. Each is measured as the bytes of
every file in it (byte-compiled files included: pip writes them at install time) and the number of
distributions ``pip list`` shows, both above the bare environment. Where a container engine works
(``tools/images.py``), the runtime image is built and its size reported too; otherwise the report says
why not.

The report: ``report_install.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import flytekit_venv
import measure

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work" / "install"
INSTALL_SECONDS = 1800
ENVS = {
    "bare": [],
    "flyweight": [str(REPO)],
    "flyweight[pandas]": [f"{REPO}[pandas]"],
    "flytekit": [f"flytekit=={flytekit_venv.FLYTEKIT_VERSION}"],
}


def _pip(python: Path, *args: str) -> str:
    done = subprocess.run(
        [str(python), "-m", "pip", "--disable-pip-version-check", *args],
        capture_output=True,
        text=True,
        timeout=INSTALL_SECONDS,
        check=False,
        env=measure.child_env(),
    )
    if done.returncode != 0:
        raise RuntimeError(f"pip {' '.join(args)} failed: {done.stderr[-2000:]}")
    return done.stdout


def _env(name: str, requirements: list[str]) -> Path:
    """The environment ``name`` with ``requirements`` installed (flyweight itself always fresh)."""
    root = WORK / name.replace("[", "-").replace("]", "")
    python = root / "bin" / "python"
    stamp = root / ".requirements"
    wanted = json.dumps(requirements)
    if not python.exists() or not stamp.exists() or stamp.read_text() != wanted:
        shutil.rmtree(root, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, timeout=INSTALL_SECONDS)
        if requirements:
            print(f"  installing {' '.join(requirements)} into {root.name}", flush=True)
            _pip(python, "install", "--quiet", *requirements)
        stamp.write_text(wanted)
    elif any(r.startswith(str(REPO)) for r in requirements):  # this checkout's flyweight, as it is now
        _pip(python, "install", "--quiet", "--no-deps", "--force-reinstall", requirements[0])
    return python


def _size(root: Path) -> int:
    total = 0
    for folder, _, files in os.walk(root):
        for f in files:
            path = Path(folder, f)
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def _distributions(python: Path) -> list[str]:
    return sorted(d["name"].lower() for d in json.loads(_pip(python, "list", "--format=json")))


def _image() -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    try:
        from flyweight._runtime._engines import find_engine
    finally:
        sys.path.remove(str(REPO))
    search = find_engine()
    if search.engine is None:
        return {"skipped": f"no container engine can build here ({search.explain()})"}
    images = subprocess.run(
        [sys.executable, str(REPO / "tools" / "images.py"), "build"],
        cwd=REPO,
        timeout=INSTALL_SECONDS,
        check=False,
    )
    if images.returncode != 0:
        return {"skipped": f"tools/images.py build failed with status {images.returncode}"}
    sizes = {}
    listed = subprocess.run(
        [sys.executable, str(REPO / "tools" / "images.py"), "list"],
        capture_output=True,
        text=True,
        check=True,
    )
    running = f"py{sys.version_info[0]}.{sys.version_info[1]}-"
    for line in listed.stdout.splitlines():
        name = line.split()[0]
        if running in name:
            out = subprocess.run(
                [search.engine.path, "image", "inspect", "--format", "{{.Size}}", name],
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            if out.returncode == 0:
                sizes[name] = int(out.stdout.strip())
    return {"engine": search.engine.name, "sizes": sizes}


def run_all() -> dict[str, Any]:
    """Sizes and distribution counts of each environment, and the image sizes where possible."""
    WORK.mkdir(parents=True, exist_ok=True)
    envs: dict[str, Any] = {}
    for name, requirements in ENVS.items():
        python = _env(name, requirements)
        root = python.parent.parent
        envs[name] = {"bytes": _size(root), "distributions": _distributions(python)}
        print(
            f"  {name}: {envs[name]['bytes'] / 1e6:.1f} MB, {len(envs[name]['distributions'])} distributions"
        )
    return {"envs": envs, "python": sys.version.split()[0], "image": _image()}
