"""flytekit's module shapes that ported plugins reach through ``flyweight.extend``.

A plugin written for flytekit uses some of flytekit's *modules*, not only its names: ``from
flytekit.extend import context_manager`` and then ``context_manager.FlyteContextManager``. This package
holds flyweight's counterpart of each such module, built from flyweight's own parts, with exactly the
names a plugin needs; anything else of flytekit's module fails with an error that says what to use
instead. It sits just below the façades: only ``flyweight.extend`` imports it.
"""

from __future__ import annotations

from flyweight._compat import context_manager

__all__ = ["context_manager"]
