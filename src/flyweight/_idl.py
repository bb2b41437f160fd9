"""The one seam where flyweight imports the Flyte protobufs (``flyteidl``).

Everything flyweight puts on the wire is a real ``flyteidl`` message; this module names the message
classes the rest of the package uses, so a change of flyteidl layout touches one file. Importing it
costs the protobuf runtime (tens of milliseconds), which is why ``import flyweight`` does not.
"""

from __future__ import annotations

from flyteidl.core import literals_pb2, types_pb2
from google.protobuf import struct_pb2

Literal = literals_pb2.Literal
Scalar = literals_pb2.Scalar
Primitive = literals_pb2.Primitive
Binary = literals_pb2.Binary
Void = literals_pb2.Void
LiteralCollection = literals_pb2.LiteralCollection
LiteralMap = literals_pb2.LiteralMap
LiteralUnion = literals_pb2.Union
Blob = literals_pb2.Blob
BlobMetadata = literals_pb2.BlobMetadata

LiteralType = types_pb2.LiteralType
SimpleType = types_pb2.SimpleType
TypeStructure = types_pb2.TypeStructure
TypeAnnotation = types_pb2.TypeAnnotation
UnionType = types_pb2.UnionType
EnumType = types_pb2.EnumType
BlobType = types_pb2.BlobType

Struct = struct_pb2.Struct

__all__ = [
    "Binary",
    "Blob",
    "BlobMetadata",
    "BlobType",
    "EnumType",
    "Literal",
    "LiteralCollection",
    "LiteralMap",
    "LiteralType",
    "LiteralUnion",
    "Primitive",
    "Scalar",
    "SimpleType",
    "Struct",
    "TypeAnnotation",
    "TypeStructure",
    "UnionType",
    "Void",
    "literals_pb2",
    "types_pb2",
]
