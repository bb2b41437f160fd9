"""The data types, on top of the type engine: files, directories, pickles and tables.

- ``_blob``: what files, directories and pickles share (blob literals, formats, downloads);
- ``_file``, ``_directory``: ``FlyteFile`` and ``FlyteDirectory`` and their transformers;
- ``_pickle``: ``FlytePickle`` and the fallback for types with no transformer;
- ``_structured``: ``StructuredDataset``, the format names and the handler base classes;
- ``_structured_columns``: declared columns → literal types;
- ``_structured_io``: where table data is read and written;
- ``_structured_handlers``: the built-in pandas and pyarrow handlers;
- ``_structured_engine``: ``StructuredDatasetTransformerEngine``;
- ``_flyte_schema``: ``FlyteSchema``, the legacy table type;
- ``_blob_guess``: the data type a ``blob`` literal type names (file, directory, pickle or JSON iterator);
- ``_pydantic``: pydantic v2 models (pydantic imported only when a model type is converted);
- ``_iterator``: ``Iterator[T]`` (a collection) and ``Iterator[JSON]`` (a JSONL file), ``JSON``.

Modules here import the layers below (the registry, the IR) at their top, never the reverse, and
none is imported by ``import flyweight.types``: the façade declares "qualified class name /
literal-type kind → module:function" entries to ``TypeEngine``, which imports a module the first time
one of its types is used. See ``docs/adr/0017-layered-type-engine.md``.
"""
