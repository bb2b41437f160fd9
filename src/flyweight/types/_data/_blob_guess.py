"""The data type a ``blob`` literal type names, for ``TypeEngine.guess_python_type``.

The type engine guesses the built-in types itself; for a blob it calls :func:`blob_python_type`,
which the ``flyweight.types`` façade declares with ``TypeEngine.register_lazy_guess`` (so the file,
directory and pickle types load on the first such guess). Blobs are the one kind of literal type that
names more than one data type, so the choice between them is made here, above all three.
"""

from __future__ import annotations

from flyweight._idl import LiteralType
from flyweight.types._data._blob import MULTIPART, PICKLE_FORMAT, with_format
from flyweight.types._data._directory import FlyteDirectory
from flyweight.types._data._file import FlyteFile
from flyweight.types._data._pickle import FlytePickle

__all__ = ["blob_python_type"]


def blob_python_type(lt: LiteralType) -> type:
    """A multipart blob is a ``FlyteDirectory``, a ``PythonPickle`` blob a ``FlytePickle``, any other
    blob a ``FlyteFile``; directories and files record the blob's format (``FlyteFile["csv"]``); a JSONL
    blob marked ``{"format": "json iterator"}`` is an ``Iterator[JSON]``."""
    if lt.blob.format == "jsonl" and "format" in lt.metadata:
        from flyweight.types._data._iterator import json_iterator_guess  # its module registers a transformer

        found = json_iterator_guess(lt)
        if found is not None:
            return found  # type: ignore[no-any-return]
    if lt.blob.dimensionality == MULTIPART:
        return with_format(FlyteDirectory, lt.blob.format)
    return FlytePickle if lt.blob.format == PICKLE_FORMAT else with_format(FlyteFile, lt.blob.format)
