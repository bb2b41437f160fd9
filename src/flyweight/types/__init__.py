"""The flyweight type engine: Python values ⇄ Flyte literals, byte-compatible with Flyte.

Public names:

- ``TypeEngine``: converts values and types (``to_literal``, ``to_python_value``, ``to_literal_type``,
  ``guess_python_type``, ``literal_map_to_kwargs``, ``dict_to_literal_map``, ``register``).
- ``TypeTransformer`` / ``AsyncTypeTransformer``: base classes for adding a Python type.
- ``FlyteAnnotation``, ``HashMethod``: markers for ``typing.Annotated``.
- ``TypeTransformerFailedError``, ``UnsupportedTypeError``: what a failed conversion raises.

Example:
    >>> from flyweight.types import TypeEngine
    >>> TypeEngine.to_literal(None, {"a": 1.5}, dict[str, float], None).map.literals["a"].scalar.primitive
    float_value: 1.5
    <BLANKLINE>
"""

from __future__ import annotations

from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types._annotations import FlyteAnnotation, HashMethod
from flyweight.types._engine import TypeEngine
from flyweight.types._transformer import AsyncTypeTransformer, TypeTransformer

__all__ = [
    "AsyncTypeTransformer",
    "FlyteAnnotation",
    "HashMethod",
    "TypeEngine",
    "TypeTransformer",
    "TypeTransformerFailedError",
    "UnsupportedTypeError",
]
