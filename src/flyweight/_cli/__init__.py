"""The ``flyweight`` command line (``flyweight package``, ``flyweight serialize``), built on click.

``flyweight-execute``, the container side, lives in :mod:`flyweight._entrypoint`. Nothing here is imported
by ``import flyweight``, so click is loaded only when the command runs.
"""

from __future__ import annotations

from flyweight._cli._main import main

__all__ = ["main"]
