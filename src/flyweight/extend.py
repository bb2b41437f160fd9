"""The surface for plugin authors: flytekit.extend's names, so a plugin ports by changing imports.

Besides the type-engine contract (``TypeEngine``, ``TypeTransformer``) it names the ``flyteidl``
message classes a transformer builds (``Literal``, ``Scalar``, ``Primitive``, ``LiteralType``,
``SimpleType`` …); they are the real protobuf classes, imported on first use.

Example:
    >>> from flyweight.extend import Literal, Primitive, Scalar
    >>> Literal(scalar=Scalar(primitive=Primitive(integer=1))).scalar.primitive.integer
    1
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flyweight._lazy import lazy_exports

if TYPE_CHECKING:
    pass

_LAZY = {
    "TypeEngine": "flyweight.types",
    "TypeTransformer": "flyweight.types",
    "AsyncTypeTransformer": "flyweight.types",
    "FlyteAnnotation": "flyweight.types",
    "HashMethod": "flyweight.types",
    "TypeTransformerFailedError": "flyweight.errors",
    "Binary": "flyweight._idl",
    "Blob": "flyweight._idl",
    "BlobMetadata": "flyweight._idl",
    "BlobType": "flyweight._idl",
    "Literal": "flyweight._idl",
    "LiteralCollection": "flyweight._idl",
    "LiteralMap": "flyweight._idl",
    "LiteralType": "flyweight._idl",
    "Primitive": "flyweight._idl",
    "Scalar": "flyweight._idl",
    "SimpleType": "flyweight._idl",
    "Void": "flyweight._idl",
}

__all__ = [
    "AsyncTypeTransformer",
    "Binary",
    "Blob",
    "BlobMetadata",
    "BlobType",
    "FlyteAnnotation",
    "HashMethod",
    "Literal",
    "LiteralCollection",
    "LiteralMap",
    "LiteralType",
    "Primitive",
    "Scalar",
    "SimpleType",
    "TypeEngine",
    "TypeTransformer",
    "TypeTransformerFailedError",
    "Void",
]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
