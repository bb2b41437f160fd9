"""Reference plugins, each built only on ``flyweight.extend``, ``flyweight.types`` and ``flyweight.errors``.

They are written exactly as a third-party plugin would be, so they prove that the public plugin surface
is enough; each lives in its own subpackage (``flyweight.plugins.sqlite3``) and is imported only when
used.
"""

from __future__ import annotations

__all__: list[str] = []
