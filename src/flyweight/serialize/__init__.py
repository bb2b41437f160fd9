"""The one serialization path: flyweight entities → ``flyteidl`` messages.

Tasks gather their parts through their hooks (``get_container``, ``get_custom`` …) and hand them to
:func:`task_template`; registration wraps that same template with :func:`task_spec`. This layer sits
below tasks and workflows and works on plain values and messages, so it never needs to know which
kind of task it serializes (ADR 0004).
"""

from __future__ import annotations

from flyweight.serialize._container import container, merge_env
from flyweight.serialize._metadata import MetadataSource, task_metadata
from flyweight.serialize._struct import dict_to_struct, struct_to_dict, value_to_python
from flyweight.serialize._template import (
    OUTPUT_ORDER_KEY,
    check_size,
    get_serializable,
    security_context,
    task_spec,
    task_template,
)

__all__ = [
    "OUTPUT_ORDER_KEY",
    "MetadataSource",
    "check_size",
    "container",
    "dict_to_struct",
    "get_serializable",
    "merge_env",
    "security_context",
    "struct_to_dict",
    "task_metadata",
    "task_spec",
    "task_template",
    "value_to_python",
]
