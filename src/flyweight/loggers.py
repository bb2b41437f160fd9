"""flyweight's logger, for plugins: ``flytekit.loggers.logger`` ports as ``flyweight.loggers.logger``.

``logger`` is the ``logging.Logger`` named ``flyweight``; flyweight's own loggers (``flyweight.types``,
``flyweight.user`` for task code) are its children, so one setting covers them all. Unlike flytekit's, it
adds no handler of its own and propagates to the root logger: configure it as any library's, e.g.
``logging.basicConfig(level=logging.INFO)`` or ``logging.getLogger("flyweight").setLevel(logging.DEBUG)``.
Messages of level WARNING and above appear on stderr even when nothing is configured (Python's
last-resort handler), as flytekit's default does.

Example:
    >>> from flyweight.loggers import logger
    >>> logger.name
    'flyweight'
"""

from __future__ import annotations

import logging

__all__ = ["logger"]

logger = logging.getLogger("flyweight")
"""The ``flyweight`` logger (flytekit's ``flytekit.loggers.logger``)."""
