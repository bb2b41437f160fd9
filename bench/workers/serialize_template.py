"""Write one SDK's serialized plugin template to a file: the container benchmark's input.

Usage: ``python template.py --side flyweight|flytekit --out PATH``

Serializes ``greet`` from ``plugins_<side>.py`` as registration would (flyweight:
``serialize_to_model``; flytekit: ``get_serializable(...).template.to_flyte_idl()``) and prints
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
    args = parser.parse_args()
    data = importlib.import_module(f"plugins_{args.side}").template_bytes()
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
