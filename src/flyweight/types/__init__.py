"""The flyweight type engine: Python values ⇄ Flyte literals, byte-compatible with Flyte.

Public names:

- ``TypeEngine``: converts values and types (``to_literal``, ``to_python_value``, ``to_literal_type``,
  ``guess_python_type``, ``literal_map_to_kwargs``, ``dict_to_literal_map``, ``register``).
- ``TypeTransformer`` / ``AsyncTypeTransformer``: base classes for adding a Python type.
- ``FlyteAnnotation``, ``HashMethod``, ``BatchSize``: markers for ``typing.Annotated``.
- ``FlyteFile``, ``FlyteDirectory``: files and directories moved through the blob store
  (``FlyteFile["csv"]`` records a format; ``FileExt`` spells formats such as ``"tar.gz"``), and
  flytekit's named formats (``CSVFile``, ``PDFFile``, ``TensorboardLogs``...).
- ``FlytePickle``: the type of values stored as pickles (types with no transformer).
- ``JSON``: the item type of ``Iterator[JSON]``, values streamed through a JSONL file. ``Iterator[T]``
  and pydantic v2 models (``BaseModel`` subclasses) convert too, with no import from here.
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

from flyweight._lazy import facade
from flyweight.types._registry._engine import TypeEngine as _TypeEngine
from flyweight.types._registry._transformer_registry import Deferred

if TYPE_CHECKING:
    from flyweight.errors import (
        TypeTransformerFailedError as TypeTransformerFailedError,
        UnsupportedTypeError as UnsupportedTypeError,
    )
    from flyweight.types._data._blob import FileExt as FileExt
    from flyweight.types._data._directory import (
        FlyteDirectory as FlyteDirectory,
        FlyteDirToMultipartBlobTransformer as FlyteDirToMultipartBlobTransformer,
        TensorboardLogs as TensorboardLogs,
        TFRecordsDirectory as TFRecordsDirectory,
    )
    from flyweight.types._data._error import FlyteError as FlyteError
    from flyweight.types._data._file import (
        CSVFile as CSVFile,
        FlyteFile as FlyteFile,
        FlyteFilePathTransformer as FlyteFilePathTransformer,
        HDF5EncodedFile as HDF5EncodedFile,
        HTMLPage as HTMLPage,
        JoblibSerializedFile as JoblibSerializedFile,
        JPEGImageFile as JPEGImageFile,
        JSONLFile as JSONLFile,
        ONNXFile as ONNXFile,
        PDFFile as PDFFile,
        PNGImageFile as PNGImageFile,
        PythonNotebook as PythonNotebook,
        PythonPickledFile as PythonPickledFile,
        SVGImageFile as SVGImageFile,
        TFRecordFile as TFRecordFile,
    )
    from flyweight.types._data._flyte_schema import (
        FlyteSchema as FlyteSchema,
        FlyteSchemaTransformer as FlyteSchemaTransformer,
        SchemaFormat as SchemaFormat,
        SchemaOpenMode as SchemaOpenMode,
    )
    from flyweight.types._data._iterator import JSON as JSON
    from flyweight.types._data._pickle import (
        FlytePickle as FlytePickle,
        FlytePickleTransformer as FlytePickleTransformer,
    )
    from flyweight.types._data._structured import (
        CSV as CSV,
        GENERIC_FORMAT as GENERIC_FORMAT,
        PARQUET as PARQUET,
        StructuredDataset as StructuredDataset,
        StructuredDatasetDecoder as StructuredDatasetDecoder,
        StructuredDatasetEncoder as StructuredDatasetEncoder,
        StructuredDatasetFormat as StructuredDatasetFormat,
    )
    from flyweight.types._data._structured_engine import (
        StructuredDatasetTransformerEngine as StructuredDatasetTransformerEngine,
    )
    from flyweight.types._ir._markers import (
        BatchSize as BatchSize,
        FlyteAnnotation as FlyteAnnotation,
        HashMethod as HashMethod,
    )
    from flyweight.types._registry._engine import TypeEngine as TypeEngine
    from flyweight.types._registry._transformer import (
        AsyncTypeTransformer as AsyncTypeTransformer,
        TypeTransformer as TypeTransformer,
    )

# Every public name resolves on first use, the data types included: their modules bring file access
# (and, for tables, more), which a program converting only scalars and collections never needs. The
# type engine finds the data types through the declarations at the end of this module.
__getattr__, __dir__, __all__ = facade(__name__)


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
        f"{data}._error.FlyteError": f"{data}._error:error_transformer",
        # tables of optional libraries: pandas and pyarrow are imported only by programs that use them
        "pandas.core.frame.DataFrame": f"{tables}:pandas_transformer",
        "pyarrow.lib.Table": f"{tables}:arrow_transformer",
        # pydantic v2 models (pydantic is imported only by programs that use a model type)
        "pydantic.main.BaseModel": f"{data}._pydantic:pydantic_transformer",
        # Iterator[T]; its module also registers Iterator[JSON] (a JSONL file)
        "collections.abc.Iterator": f"{data}._iterator:iterator_transformer",
    }
    for qualified_name, factory in transformers.items():
        _TypeEngine.register_lazy(qualified_name, Deferred(factory))
    guesses = {  # kind of literal type -> the function giving its Python type
        "blob": f"{data}._blob_guess:blob_python_type",
        "schema": f"{schema}:schema_python_type",
        "structured_dataset_type": f"{data}._structured:dataset_python_type",
    }
    for kind, guess in guesses.items():
        _TypeEngine.register_lazy_guess(kind, Deferred(guess))
    _TypeEngine.register_fallback(Deferred(f"{pickle}:fallback"))  # types with no transformer: pickles


_declare_data_types()
