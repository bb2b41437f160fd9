"""The backends of the type engine: an IR node compiled into plain functions, cached on the node.

- ``_literal_types``: node → ``flyteidl.core.LiteralType`` (``_json_schema``: a dataclass's schema);
- ``_plain``: node ⇄ plain data (what msgpack stores: dataclasses, untyped dicts);
- ``_write``: node → a writer that fills an empty ``Literal`` (unions included);
- ``_read``: node → a reader of a ``Literal`` (unions included).

They import only the IR below them; a registered transformer reaches them as the ``Custom`` object
on a node. See ``docs/adr/0002-type-engine-ir.md`` and ``docs/adr/0017-layered-type-engine.md``.
"""
