"""Write one SDK's serialized task template to a file: the container benchmarks' input.

Usage: ``python serialize_template.py --side flyweight|flytekit --out PATH
[--module plugins|stats|data|pg|decks] [--task NAME]``

Calls ``template_bytes()`` of ``<module>_<side>.py`` (``plugins``: ``greet``; ``stats``: the
realistic plugin ``stats``; ``data``: the SQLite3 task; ``pg``: the SQLAlchemy task; ``decks``: the
function task ``add``), or of the module's task ``--task NAME`` (``decks``: ``add_deck``, ...), which
serializes the task as registration would (``get_serializable``), and prints one JSON line with the
size and sha256 of the bytes (``cases.write_template``) and, for the modules in ``PACKAGES``, the
versions of the packages their task runs with; the driver reads the container arguments back from
the file.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

import cases

# Per module, the packages its task runs with in the container process, reported next to the figures.
PACKAGES = {"pg": ("sqlalchemy", "psycopg", "psycopg-binary", "pandas", "pyarrow")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["flyweight", "flytekit"], required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--module", choices=["plugins", "stats", "data", "pg", "decks"], default="plugins")
    parser.add_argument(
        "--task", help="the module's task to serialize (default: its template_bytes() default)"
    )
    args = parser.parse_args()
    module = importlib.import_module(f"{args.module}_{args.side}")
    data = module.template_bytes(getattr(module, args.task)) if args.task else module.template_bytes()
    cases.write_template(args.out, data, args.side, PACKAGES.get(args.module, ()))


if __name__ == "__main__":
    main()
