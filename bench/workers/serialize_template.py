"""Write one SDK's serialized plugin template to a file: the container benchmark's input.

Usage: ``python serialize_template.py --side flyweight|flytekit --out PATH [--module plugins|stats|data]``

Calls ``template_bytes()`` of ``<module>_<side>.py`` (``plugins``: ``greet``; ``stats``: the
realistic plugin ``stats``; ``data``: the SQLite3 task), which serializes the task as registration
would (``get_serializable``), and prints
one JSON line with the size and sha256 of the bytes; the driver reads the container arguments
back from the file.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
from pathlib import Path

import cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", choices=["flyweight", "flytekit"], required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--module", choices=["plugins", "stats", "data"], default="plugins")
    args = parser.parse_args()
    data = importlib.import_module(f"{args.module}_{args.side}").template_bytes()
    args.out.write_bytes(data)
    cases.emit(
        {
            "side": args.side,
            "template_size": len(data),
            "template_sha256": hashlib.sha256(data).hexdigest(),
            "versions": cases.versions(),
        }
    )


if __name__ == "__main__":
    main()
