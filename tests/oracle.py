"""Loading optional test dependencies (flytekit, the oracle; moto; pandas ...) under one rule.

The rule: a test that needs a module the ``test`` extra installs gets it through :func:`require`
(or the ``flytekit`` fixture of ``tests/conftest.py``, which uses :func:`load_flytekit`), never
through its own ``try: import`` or ``pytest.importorskip``.

* Without ``FLYWEIGHT_REQUIRE_ORACLE=1`` a missing module skips the test (or the module, when
  called at import time) with a reason naming it.
* With ``FLYWEIGHT_REQUIRE_ORACLE=1`` (``make test`` sets it) a missing module is a failure: the
  ``test`` extra installs every one of them, so a skip there would only hide a broken setup.

Import it as ``from tests.oracle import require`` (the repository root is on ``sys.path`` through
``pythonpath`` in ``pyproject.toml``).
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType
from typing import NoReturn

import pytest

REQUIRE_ENV = "FLYWEIGHT_REQUIRE_ORACLE"


def required() -> bool:
    """True when missing test dependencies must fail rather than skip (``FLYWEIGHT_REQUIRE_ORACLE=1``)."""
    return os.environ.get(REQUIRE_ENV) == "1"


def require(name: str, *, why: str | None = None) -> ModuleType:
    """Import and return module ``name``; when it cannot be imported, skip, or fail under the rule.

    ``why`` says what the module is for (it goes into the skip or failure message). Usable inside a
    test or fixture and at module level (it then skips or fails the whole module).
    """
    __tracebackhide__ = True  # report the caller, not this helper, as where a skip happened
    try:
        return importlib.import_module(name)
    except ImportError as e:
        error = e
    what = f"{name} ({why})" if why else name
    return missing(f"{what} cannot be imported: {error}")  # outside ``except``: no chained traceback


def missing(what: str) -> NoReturn:
    """A test dependency is missing (``what`` says which and why): skip, or fail under the rule."""
    __tracebackhide__ = True  # report the caller, not this helper, as where a skip happened
    if required():
        pytest.fail(f"{REQUIRE_ENV}=1 but {what}", pytrace=False)
    pytest.skip(what, allow_module_level=True)


def load_flytekit() -> ModuleType:
    """The ``flytekit`` module (the test oracle), under the rule of :func:`require`."""
    __tracebackhide__ = True  # report the caller, not this helper, as where a skip happened
    return require("flytekit", why="the oracle")
