"""The name of the error file an attempt writes, and the worker it names.

How an exception becomes the error document's origin, kind, code and message is the one error contract
of :mod:`flyweight._failure`, shared by every path that runs a task; this module only knows where the
container puts the document.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Mapping

__all__ = ["ERROR_FILE", "error_file_name"]

ERROR_FILE = "error.pb"


def _first_of(environ: Mapping[str, str], *names: str) -> str:
    for name in names:
        if name in environ:
            return environ[name]
    return ""


def error_file_name(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The error file's name and the worker name to put in it.

    With a distributed error strategy (``FLYTE_INTERNAL_DIST_ERROR_STRATEGY`` / ``_F_DES``) each
    worker of a job writes its own ``error-<hex>.pb`` naming itself (``FLYTE_INTERNAL_WORKER_NAME`` /
    ``_F_WN``); otherwise the file is ``error.pb`` and the worker is empty.
    """
    env = os.environ if environ is None else environ
    if not _first_of(env, "FLYTE_INTERNAL_DIST_ERROR_STRATEGY", "_F_DES"):
        return ERROR_FILE, ""
    stem, ext = os.path.splitext(ERROR_FILE)
    return f"{stem}-{uuid.uuid4().hex}{ext}", _first_of(env, "FLYTE_INTERNAL_WORKER_NAME", "_F_WN")
