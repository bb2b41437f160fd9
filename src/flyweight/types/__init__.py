"""The flyweight type engine: Python values ⇄ Flyte literals, byte-compatible with Flyte.

Public names:

- ``TypeEngine``: converts values and types (``to_literal``, ``to_python_value``, ``to_literal_type``,
  ``guess_python_type``, ``literal_map_to_kwargs``, ``dict_to_literal_map``, ``register``).
- ``TypeTransformer`` / ``AsyncTypeTransformer``: base classes for adding a Python type.
- ``FlyteAnnotation``, ``HashMethod``: markers for ``typing.Annotated``.
- ``FlyteFile``, ``FlyteDirectory``: files and directories moved through the blob store
  (``FlyteFile["csv"]`` records a format; ``FileExt`` spells formats such as ``"tar.gz"``), and
  flytekit's named formats (``CSVFile``, ``PDFFile``, ``TensorboardLogs``...).
- ``FlytePickle``: the type of values stored as pickles (types with no transformer).
- ``StructuredDataset``: tables (pandas ``DataFrame``, pyarrow ``Table``…) stored as files and passed
  by reference; ``StructuredDatasetTransformerEngine`` with ``StructuredDatasetEncoder`` /
  ``StructuredDatasetDecoder`` to add a dataframe library; the format names ``PARQUET``, ``CSV``,
  ``GENERIC_FORMAT`` (the ``flyteidl`` messages handlers build are in ``flyweight.extend``).
- ``FlyteSchema`` (with ``SchemaFormat``, ``SchemaOpenMode``, ``FlyteSchemaTransformer``): the legacy
  table type that SQL plugins declare, ``FlyteSchema[kwtypes(a=int)]``.
- ``TypeTransformerFailedError``, ``UnsupportedTypeError``: what a failed conversion raises.

Example:
    >>> from flyweight.types import TypeEngine
    >>> TypeEngine.to_literal(None, {"a": 1.5}, dict[str, float], None).map.literals["a"].scalar.primitive
    float_value: 1.5
    <BLANKLINE>
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flyweight._lazy import lazy_exports
from flyweight.errors import TypeTransformerFailedError, UnsupportedTypeError
from flyweight.types._annotations import FlyteAnnotation, HashMethod
from flyweight.types._engine import TypeEngine
from flyweight.types._transformer import AsyncTypeTransformer, TypeTransformer

if TYPE_CHECKING:
    from flyweight.types._blob import FileExt
    from flyweight.types._directory import (
        FlyteDirectory,
        FlyteDirToMultipartBlobTransformer,
        TensorboardLogs,
        TFRecordsDirectory,
    )
    from flyweight.types._file import (
        CSVFile,
        FlyteFile,
        FlyteFilePathTransformer,
        HDF5EncodedFile,
        HTMLPage,
        JoblibSerializedFile,
        JPEGImageFile,
        JSONLFile,
        ONNXFile,
        PDFFile,
        PNGImageFile,
        PythonNotebook,
        PythonPickledFile,
        SVGImageFile,
        TFRecordFile,
    )
    from flyweight.types._flyte_schema import (
        FlyteSchema,
        FlyteSchemaTransformer,
        SchemaFormat,
        SchemaOpenMode,
    )
    from flyweight.types._pickle import FlytePickle, FlytePickleTransformer
    from flyweight.types._structured import (
        CSV,
        GENERIC_FORMAT,
        PARQUET,
        StructuredDataset,
        StructuredDatasetDecoder,
        StructuredDatasetEncoder,
        StructuredDatasetFormat,
    )
    from flyweight.types._structured_engine import StructuredDatasetTransformerEngine

# The data types load on first use: their modules bring file access (and, for tables, more), which a
# program converting only scalars and collections never needs.
_LAZY = {
    "FileExt": "flyweight.types._blob",
    **dict.fromkeys(
        ["FlyteDirectory", "FlyteDirToMultipartBlobTransformer", "TensorboardLogs", "TFRecordsDirectory"],
        "flyweight.types._directory",
    ),
    **dict.fromkeys(
        [
            "CSVFile",
            "FlyteFile",
            "FlyteFilePathTransformer",
            "HDF5EncodedFile",
            "HTMLPage",
            "JoblibSerializedFile",
            "JPEGImageFile",
            "JSONLFile",
            "ONNXFile",
            "PDFFile",
            "PNGImageFile",
            "PythonNotebook",
            "PythonPickledFile",
            "SVGImageFile",
            "TFRecordFile",
        ],
        "flyweight.types._file",
    ),
    **dict.fromkeys(
        ["FlyteSchema", "FlyteSchemaTransformer", "SchemaFormat", "SchemaOpenMode"],
        "flyweight.types._flyte_schema",
    ),
    **dict.fromkeys(["FlytePickle", "FlytePickleTransformer"], "flyweight.types._pickle"),
    **dict.fromkeys(
        [
            "CSV",
            "GENERIC_FORMAT",
            "PARQUET",
            "StructuredDataset",
            "StructuredDatasetDecoder",
            "StructuredDatasetEncoder",
            "StructuredDatasetFormat",
        ],
        "flyweight.types._structured",
    ),
    "StructuredDatasetTransformerEngine": "flyweight.types._structured_engine",
}

__all__ = [
    "CSV",
    "GENERIC_FORMAT",
    "PARQUET",
    "AsyncTypeTransformer",
    "CSVFile",
    "FileExt",
    "FlyteAnnotation",
    "FlyteDirToMultipartBlobTransformer",
    "FlyteDirectory",
    "FlyteFile",
    "FlyteFilePathTransformer",
    "FlytePickle",
    "FlytePickleTransformer",
    "FlyteSchema",
    "FlyteSchemaTransformer",
    "HDF5EncodedFile",
    "HTMLPage",
    "HashMethod",
    "JPEGImageFile",
    "JSONLFile",
    "JoblibSerializedFile",
    "ONNXFile",
    "PDFFile",
    "PNGImageFile",
    "PythonNotebook",
    "PythonPickledFile",
    "SVGImageFile",
    "SchemaFormat",
    "SchemaOpenMode",
    "StructuredDataset",
    "StructuredDatasetDecoder",
    "StructuredDatasetEncoder",
    "StructuredDatasetFormat",
    "StructuredDatasetTransformerEngine",
    "TFRecordFile",
    "TFRecordsDirectory",
    "TensorboardLogs",
    "TypeEngine",
    "TypeTransformer",
    "TypeTransformerFailedError",
    "UnsupportedTypeError",
]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
