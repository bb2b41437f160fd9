"""The registry layer of the type engine: ``TypeEngine``, ``TypeTransformer`` and type guessing.

- ``_transformer``: ``TypeTransformer``, ``AsyncTypeTransformer`` and the built-in transformers;
- ``_transformer_registry``: which transformer converts which type, the lazy declarations, the
  node cache and ``guess_python_type``;
- ``_engine``: ``TypeEngine``, the registry plus the entry points that convert values;
- ``_guess``: literal types → the built-in Python types.

It builds IR nodes and runs the backends below it. The data types above it are found through lazy
declarations that the ``flyweight.types`` façade makes (qualified class name or literal-type kind →
``module:function``); no module here names one of them. See ``docs/adr/0017-layered-type-engine.md``.
"""
