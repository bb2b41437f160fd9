"""The bottom layer of the type engine: annotations → IR nodes, and what every layer above shares.

It knows no transformer and no data type. What it cannot decide alone (is there a registered
transformer for this type, is this ``Annotated`` extra a transformer, how is a type with no
transformer stored) it asks through the :class:`~flyweight.types._ir._nodes.Hooks` the registry
passes in. See ``docs/adr/0017-layered-type-engine.md``.

- ``_nodes``: ``Kind``, ``Node``, the ``Custom`` protocol, ``Hooks`` and the ``Builder``;
- ``_markers``: ``FlyteAnnotation`` and ``HashMethod``, read from ``typing.Annotated``;
- ``_describe``: the short descriptions of values, literals and types that error messages use;
- ``_context``: the ``ctx`` of the current conversion, for transformers called deep inside a value.
"""
