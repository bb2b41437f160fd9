"""Copy the type stubs that ship inside the installed ``flyteidl`` wheel to a folder mypy reads.

flyteidl ships ``*.pyi`` files but no ``py.typed`` marker, so mypy ignores them where they are
installed. ``make typecheck`` copies them to ``.cache/stubs`` (never committed) so ``mypy --strict``
checks our use of the protobuf messages instead of treating them as ``Any``.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path


def main(dest: str) -> int:
    spec = importlib.util.find_spec("flyteidl")
    if spec is None or not spec.submodule_search_locations:
        print("flyteidl is not installed", file=sys.stderr)
        return 1
    src = Path(next(iter(spec.submodule_search_locations)))
    out = Path(dest) / "flyteidl"
    if out.exists():
        shutil.rmtree(out)
    count = 0
    for pyi in src.rglob("*.pyi"):
        target = out / pyi.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pyi, target)
        count += 1
    for pkg in [out, *[p for p in out.rglob("*") if p.is_dir()]]:
        (pkg / "__init__.pyi").touch()
    print(f"copied {count} flyteidl stubs to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else ".cache/stubs"))
