"""flyweight: a fast, wire-compatible Python SDK for Flyte tasks and their plugins.

``import flyweight`` is cheap: public names are imported on first use, so the protobuf runtime and
everything else load only when a program needs them.

Example:
    >>> import flyweight
    >>> lit = flyweight.TypeEngine.to_literal(None, 42, int, None)
    >>> lit.scalar.primitive.integer
    42
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flyweight._lazy import lazy_exports
from flyweight._version import __version__

if TYPE_CHECKING:
    from flyweight.errors import FlyweightError, PlatformError, TypeTransformerFailedError, UserError
    from flyweight.types import FlyteAnnotation, HashMethod, TypeEngine, TypeTransformer

# public name -> module that defines it
_LAZY = {
    "FlyweightError": "flyweight.errors",
    "UserError": "flyweight.errors",
    "PlatformError": "flyweight.errors",
    "TypeTransformerFailedError": "flyweight.errors",
    "TypeEngine": "flyweight.types",
    "TypeTransformer": "flyweight.types",
    "FlyteAnnotation": "flyweight.types",
    "HashMethod": "flyweight.types",
}

__all__ = [
    "FlyteAnnotation",
    "FlyweightError",
    "HashMethod",
    "PlatformError",
    "TypeEngine",
    "TypeTransformer",
    "TypeTransformerFailedError",
    "UserError",
    "__version__",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
