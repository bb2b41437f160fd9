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
from flyweight.types._ir._markers import FlyteAnnotation, HashMethod
from flyweight.types._registry._engine import TypeEngine
from flyweight.types._registry._transformer import AsyncTypeTransformer, TypeTransformer
from flyweight.types._registry._transformer_registry import Deferred

if TYPE_CHECKING:
    from flyweight.types._data._blob import FileExt
    from flyweight.types._data._directory import (
        FlyteDirectory,
        FlyteDirToMultipartBlobTransformer,
        TensorboardLogs,
        TFRecordsDirectory,
    )
    from flyweight.types._data._file import (
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
    from flyweight.types._data._flyte_schema import (
        FlyteSchema,
        FlyteSchemaTransformer,
        SchemaFormat,
        SchemaOpenMode,
    )
    from flyweight.types._data._pickle import FlytePickle, FlytePickleTransformer
    from flyweight.types._data._structured import (
        CSV,
        GENERIC_FORMAT,
        PARQUET,
        StructuredDataset,
        StructuredDatasetDecoder,
        StructuredDatasetEncoder,
        StructuredDatasetFormat,
    )
    from flyweight.types._data._structured_engine import StructuredDatasetTransformerEngine

# The data types load on first use: their modules bring file access (and, for tables, more), which a
# program converting only scalars and collections never needs. The public names resolve here; the
# type engine finds them through the declarations at the end of this module.
_LAZY = {
    "FileExt": "flyweight.types._data._blob",
    **dict.fromkeys(
        ["FlyteDirectory", "FlyteDirToMultipartBlobTransformer", "TensorboardLogs", "TFRecordsDirectory"],
        "flyweight.types._data._directory",
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
        "flyweight.types._data._file",
    ),
    **dict.fromkeys(
        ["FlyteSchema", "FlyteSchemaTransformer", "SchemaFormat", "SchemaOpenMode"],
        "flyweight.types._data._flyte_schema",
    ),
    **dict.fromkeys(["FlytePickle", "FlytePickleTransformer"], "flyweight.types._data._pickle"),
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
        "flyweight.types._data._structured",
    ),
    "StructuredDatasetTransformerEngine": "flyweight.types._data._structured_engine",
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


def _declare_data_types() -> None:
    """Tell the type engine where the data types are, without importing them (``_data`` is the layer
    above the engine: its modules import the engine, never the other way round)."""
    data = "flyweight.types._data"
    file, directory, pickle = f"{data}._file", f"{data}._directory", f"{data}._pickle"
    tables, schema = f"{data}._structured_engine", f"{data}._flyte_schema"
    transformers = {  # qualified class name -> the function returning its transformer
        f"{file}.FlyteFile": f"{file}:file_transformer",
        "os.PathLike": f"{file}:file_transformer",  # one transformer for both, as in flytekit
        f"{directory}.FlyteDirectory": f"{directory}:directory_transformer",
        f"{pickle}.FlytePickle": f"{pickle}:transformer",
        f"{data}._structured.StructuredDataset": f"{tables}:dataset_engine",
        f"{schema}.FlyteSchema": f"{schema}:schema_transformer",
        # tables of optional libraries: pandas and pyarrow are imported only by programs that use them
        "pandas.core.frame.DataFrame": f"{tables}:pandas_transformer",
        "pyarrow.lib.Table": f"{tables}:arrow_transformer",
    }
    for qualified_name, factory in transformers.items():
        TypeEngine.register_lazy(qualified_name, Deferred(factory))
    guesses = {  # kind of literal type -> the function giving its Python type
        "blob": f"{data}._blob_guess:blob_python_type",
        "schema": f"{schema}:schema_python_type",
        "structured_dataset_type": f"{data}._structured:dataset_python_type",
    }
    for kind, guess in guesses.items():
        TypeEngine.register_lazy_guess(kind, Deferred(guess))
    TypeEngine.register_fallback(Deferred(f"{pickle}:fallback"))  # types with no transformer: pickles


_declare_data_types()
